/* latency FILE N CMD [ARG...]: how long CMD takes to print a marker line
 * after it is appended to FILE, over N markers; prints "p50 p99" in ms.
 *
 * CMD runs with its standard output on a pipe.  Each marker is
 * "### B-I: DONE", appended with one write(2); the clock stops when a
 * line of CMD's output holds "B-I".  Warm-up markers go first, until one
 * is seen, so that a CMD that starts slowly (tail -F) misses none.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int out;
static char buf[1 << 16];
static size_t len;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
append(const char *file, const char *id)
{
	char line[128];
	int fd = open(file, O_WRONLY | O_APPEND | O_CREAT, 0644);

	snprintf(line, sizeof line, "### %s: DONE\n", id);
	if (fd < 0 || write(fd, line, strlen(line)) < 0)
		exit(1);
	close(fd);
}

/* Reads output until a line holds "ID " or "ID:"; 0, or -1 at timeout. */
static int
await(const char *id, double ms)
{
	double end = now() + ms;
	char a[128], b[128], *nl;
	struct pollfd p = { out, POLLIN, 0 };
	ssize_t n;

	snprintf(a, sizeof a, "%s ", id);
	snprintf(b, sizeof b, "%s:", id);
	for (;;) {
		while ((nl = memchr(buf, '\n', len))) {
			*nl = 0;
			n = strstr(buf, a) || strstr(buf, b);
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len);
			if (n)
				return 0;
		}
		if (now() >= end || poll(&p, 1, (int)(end - now()) + 1) <= 0)
			return -1;
		if ((n = read(out, buf + len, sizeof buf - len)) <= 0)
			return -1;
		len += n;
	}
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	int p[2], i, n, lost = 0;
	double *ms, t0;
	char id[64];
	struct timespec pause = { 0, 2000000 };
	pid_t pid;

	if (argc < 4)
		return 2;
	n = atoi(argv[2]);
	if (pipe(p) < 0 || !(ms = calloc(n, sizeof *ms)))
		return 1;
	if (!(pid = fork())) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		setpgid(0, 0);
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	close(p[1]);
	out = p[0];
	for (i = 0; i < 100; i++) {
		snprintf(id, sizeof id, "W-%d", i);
		append(argv[1], id);
		if (await(id, 3000) == 0)
			break;
	}
	for (i = 0; i < n; i++) {
		nanosleep(&pause, 0);
		snprintf(id, sizeof id, "B-%d", i);
		t0 = now();
		append(argv[1], id);
		if (await(id, 5000) < 0)
			lost++;
		ms[i] = now() - t0;
	}
	kill(-pid, SIGTERM);
	qsort(ms, n, sizeof *ms, cmp);
	printf("%.3f %.3f %d\n", ms[n / 2], ms[n * 99 / 100], lost);
	free(ms);
	return 0;
}
