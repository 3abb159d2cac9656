/* tsend: type prompts into tmux panes, exactly as written.
 *
 * The text never reaches tmux as an argument, where a trailing ';' is a
 * command separator, "Enter" a key name and a leading '-' an option: it is
 * written to `tmux load-buffer -b NAME -` through a pipe, into a buffer
 * named for this process alone, and pasted with `paste-buffer -p -r -d`
 * (bracketed, line breaks kept as LF, the buffer deleted).  After a pause
 * the submit key follows.  Control characters other than LF and TAB are
 * removed first: an ESC could end the bracketed paste and turn the rest of
 * the prompt into keystrokes.
 *
 * One delivery holds an exclusive lock for its server and pane from paste
 * to submit, so two tsends never interleave in one pane.  tmux is run with
 * posix_spawnp and an argument vector; no shell is ever involved.
 */
#define _DEFAULT_SOURCE		/* flock(2) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "record.h"

extern char **environ;

static const char *socket_flag, *socket_arg, *key = "Enter";
static long delay_ms = 300;
static double wait_s = 30;
static int submit = 1;

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
read_all(int fd, size_t *len)
{
	size_t n = 0, cap = 4096;
	char *s = xmalloc(cap);
	ssize_t r;

	while ((r = read(fd, s + n, cap - n - 1)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((n += r) + 1 == cap)
			s = xrealloc(s, cap *= 2);
	}
	s[n] = 0;
	if (len)
		*len = n;
	return s;
}

/* Runs tmux with args, input on its stdin; its stdout in *out if out.
 * On failure returns -1 and the first line of what tmux said in *why. */
static int
run_tmux(const char *input, size_t inlen, char **out, char **why, const char **args)
{
	const char *argv[32];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	int in[2], o[2], e[2], i = 0, status, err;
	char *msg;
	pid_t pid;

	argv[i++] = "tmux";
	if (socket_flag) {
		argv[i++] = socket_flag;
		argv[i++] = socket_arg;
	}
	while (*args && i < 31)
		argv[i++] = *args++;
	argv[i] = 0;
	if (pipe(in) < 0 || pipe(o) < 0 || pipe(e) < 0)
		die(1, "pipe: %s", strerror(errno));
	for (i = 0; i < 2; i++) {	/* so that tmux sees the end of its input */
		fcntl(in[i], F_SETFD, FD_CLOEXEC);
		fcntl(o[i], F_SETFD, FD_CLOEXEC);
		fcntl(e[i], F_SETFD, FD_CLOEXEC);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	err = posix_spawnp(&pid, "tmux", &fa, &attr, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in[0]);
	close(o[1]);
	close(e[1]);
	if (err) {
		close(in[1]);
		close(o[0]);
		close(e[0]);
		*why = format("tmux: %s", strerror(err));
		return -1;
	}
	while (inlen > 0) {
		ssize_t w = write(in[1], input, inlen);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;	/* tmux went away; its status says why */
		input += w;
		inlen -= w;
	}
	close(in[1]);
	msg = read_all(o[0], 0);
	if (out)
		*out = msg;
	else
		free(msg);
	msg = read_all(e[0], 0);
	close(o[0]);
	close(e[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		free(msg);
		return 0;
	}
	msg[strcspn(msg, "\n")] = 0;
	if (!*msg) {
		free(msg);
		msg = xstrdup("tmux failed");
	}
	*why = msg;
	if (out) {
		free(*out);
		*out = 0;
	}
	return -1;
}

/* CR LF and CR become LF, other control characters go; returns how many. */
static size_t
clean_text(char *s)
{
	size_t dropped = 0;
	char *r, *w;

	for (r = w = s; *r; r++) {
		if (*r == '\r') {
			*w++ = '\n';
			if (r[1] == '\n')
				r++;
		} else if (((unsigned char)*r < 32 && *r != '\n' && *r != '\t') || *r == 127) {
			dropped++;
		} else {
			*w++ = *r;
		}
	}
	while (w > s && w[-1] == '\n')
		w--;
	*w = 0;
	return dropped;
}

/* Locks the pane for this delivery; the lock goes with the descriptor. */
static int
lock_pane(const char *socket, const char *pane)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR"), *tmp = getenv("TMPDIR");
	char dir[4096], path[8192], *p;
	struct stat st;
	int fd;

	if (runtime && *runtime)
		snprintf(dir, sizeof dir, "%s/tsend", runtime);
	else
		snprintf(dir, sizeof dir, "%s/tsend-%ld", tmp && *tmp ? tmp : "/tmp", (long)getuid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
		errno = EPERM;	/* not ours alone: someone may have planted it */
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s%s", dir, socket, pane);
	for (p = path + strlen(dir) + 1; *p; p++)
		if (*p == '/')
			*p = '_';
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	return fd;
}

/* Cuts the line breaks off the end of s; returns its last line. */
static char *
last_line(char *s)
{
	char *p = s + strlen(s);

	while (p > s && p[-1] == '\n')
		*--p = 0;
	while (p > s && p[-1] != '\n')
		p--;
	return p;
}

/* Where the text sits in the pane's input line: the lowest row that holds
 * needle, if the cursor is on that row, with the cursor and the row's
 * content, as one string; else "" and, in *where, the whole screen after
 * a NUL, to tell a still screen from a changing one.  0, or -1 with *why
 * if the pane cannot be seen. */
static int
look_at(const char *pane, const char *needle, char **where, char **why)
{
	const char *args[] = { "capture-pane", "-p", "-t", pane, ";",
	    "display-message", "-p", "-t", pane, "#{cursor_y} #{cursor_x}", 0 };
	char *screen, *p, *cursor, *found = 0;
	size_t len;
	int n, row = -1;

	if (run_tmux(0, 0, &screen, why, args) < 0)
		return -1;
	cursor = last_line(screen);
	for (n = 0, p = screen; p < cursor; n++, p += len + 1) {
		len = strcspn(p, "\n");
		p[len] = 0;
		if (*needle && strstr(p, needle)) {
			row = n;
			found = p;
		}
	}
	if (found && atoi(cursor) == row) {
		*where = xmalloc(strlen(cursor) + strlen(found) + 2);
		sprintf(*where, "%s %s", cursor, found);
		free(screen);
	} else {
		for (p = screen; p < cursor; p++)
			if (!*p)
				*p = '\n';	/* undo the cutting into rows */
		memmove(screen + 1, screen, cursor - screen);
		screen[0] = 0;
		screen[cursor - screen + 1] = 0;
		*where = screen;
	}
	return 0;
}

/* Presses the key once the text is drawn, and again, with a growing
 * pause, while the text still sits in the input line with the cursor. */
static int
submit_surely(const char *pane, const char **keys, const char *needle, char **why)
{
	char *before = 0, *after = 0;
	double start = now();
	long waited, pause;
	int rc = -1;

	for (waited = 0; waited <= 1000; waited += 50) {	/* until it is still */
		if (look_at(pane, needle, &after, why) < 0)
			goto out;
		if (before && !strcmp(before, after) && (*after || !strcmp(before + 1, after + 1)))
			break;
		free(before);
		before = after;
		after = 0;
		sleep_ms(50);
	}
	if (run_tmux(0, 0, 0, why, keys) < 0)
		goto out;
	for (pause = 100; *before; pause = pause * 2 > 2000 ? 2000 : pause * 2) {
		sleep_ms(pause);
		free(after);
		after = 0;
		if (look_at(pane, needle, &after, why) < 0)
			goto out;
		if (!*after)
			break;	/* it left the input line: submitted */
		if (now() - start >= wait_s) {
			*why = format("typed but not submitted after %.0f s", wait_s);
			goto out;
		}
		if (run_tmux(0, 0, 0, why, keys) < 0)
			goto out;
	}
	rc = 0;
out:
	free(before);
	free(after);
	return rc;
}

/* The end of the last line of text, 16 bytes: short enough to fit on one
 * row of the screen as the program wraps it, long enough to be unlikely
 * elsewhere.  What to look for. */
static char *
needle_of(const char *text)
{
	const char *end = text + strlen(text), *start;

	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	if (end - start > 16) {
		start = end - 16;
		while (start < end && ((unsigned char)*start & 0xc0) == 0x80)
			start++;	/* not in the middle of a character */
	}
	return xstrndup(start, end - start);
}

/* Types text into target and submits it; 0, or -1 with *why. */
static int
deliver(const char *target, char *text, char **why)
{
	static int serial;
	const char *find[] = { "capture-pane", "-p", "-t", target, "-S", "0", "-E", "0", ";",
	    "display-message", "-p", "-t", target, "#{pane_id}\t#{socket_path}", 0 };
	char buffer[64], *out, *pane, *socket, *needle;
	const char *paste[20], *keys[] = { "send-keys", "-t", 0, key, 0 }, **k;
	int lock, i = 0, rc = -1, check, one_go;

	if (run_tmux(0, 0, &out, why, find) < 0)
		return -1;
	pane = last_line(out);
	if (!(socket = strchr(pane, '\t')) || *pane != '%') {
		free(out);
		*why = format("tmux: no pane id");
		return -1;
	}
	*socket++ = 0;
	keys[2] = pane;
	if ((lock = lock_pane(socket, pane)) < 0) {
		*why = format("lock: %s", strerror(errno));
		free(out);
		return -1;
	}
	snprintf(buffer, sizeof buffer, "tsend-%ld-%d", (long)getpid(), serial++);
	check = submit && wait_s > 0;
	one_go = submit && !check && !delay_ms;
	if (*text) {
		paste[i++] = "load-buffer"; paste[i++] = "-b"; paste[i++] = buffer; paste[i++] = "-";
		paste[i++] = ";";
		paste[i++] = "paste-buffer"; paste[i++] = "-p"; paste[i++] = "-r"; paste[i++] = "-d";
		paste[i++] = "-b"; paste[i++] = buffer; paste[i++] = "-t"; paste[i++] = pane;
		if (one_go)
			paste[i++] = ";";
	}
	for (k = keys; one_go && *k; k++)
		paste[i++] = *k;
	paste[i] = 0;
	if (i && run_tmux(text, strlen(text), 0, why, paste) < 0)
		goto out;
	if (submit && !one_go) {
		sleep_ms(delay_ms);
		if (check) {
			needle = needle_of(text);
			rc = submit_surely(pane, keys, needle, why);
			free(needle);
			goto out;
		}
		if (run_tmux(0, 0, 0, why, keys) < 0)
			goto out;
	}
	rc = 0;
out:
	free(out);
	close(lock);
	return rc;
}

static int
send_task(const char *id, const char *target, char *text)
{
	size_t dropped = clean_text(text);
	char *why = 0;

	if (dropped)
		complain("%s%s%s: removed %zu control character%s", id ? id : "", id ? ": " : "",
		    target, dropped, dropped == 1 ? "" : "s");
	if (deliver(target, text, &why) == 0)
		return 0;
	if (id)
		complain("%s: %s: %s; to send it again: tnext -r %s </dev/null | tsend",
		    id, target, why, id);
	else
		complain("%s: %s", target, why);
	free(why);
	return -1;
}

int
main(int argc, char *argv[])
{
	static struct reader r;	/* static: it lives as long as tsend */
	struct task t;
	char *text, *end;
	size_t len;
	int c, i, rc, failed = 0;

	progname = "tsend";
	usage_text = "usage: tsend [-n] [-d MS] [-k KEY] [-w SECONDS] [-L SOCKET | -S PATH] [TARGET [TEXT ...]]";
	while ((c = next_option(argc, argv, "nd:k:w:L:S:")) != -1)
		switch (c) {
		case 'n': submit = 0; break;
		case 'd':
			delay_ms = strtol(optarg, &end, 10);
			if (*end || !*optarg || delay_ms < 0 || delay_ms > 60000)
				bad_usage("-d %s: not a whole number of milliseconds from 0 to 60000", optarg);
			break;
		case 'k': key = optarg; break;
		case 'w':
			wait_s = strtod(optarg, &end);
			if (*end || !*optarg || !(wait_s >= 0 && wait_s <= 86400))
				bad_usage("-w %s: not a number of seconds from 0 to 86400", optarg);
			break;
		case 'L':
		case 'S':
			if (socket_flag)
				bad_usage("-%c %s: one of -L and -S, once", c, optarg);
			socket_flag = c == 'L' ? "-L" : "-S";
			socket_arg = optarg;
			break;
		}
	signal(SIGPIPE, SIG_IGN);	/* a tmux that exits early is an error, not death */
	if (optind < argc) {
		if (optind + 1 < argc) {
			for (len = 0, i = optind + 1; i < argc; i++)
				len += strlen(argv[i]) + 1;
			text = xmalloc(len);
			for (len = 0, i = optind + 1; i < argc; i++) {
				memcpy(text + len, argv[i], strlen(argv[i]));
				len += strlen(argv[i]);
				text[len++] = i + 1 < argc ? ' ' : 0;
			}
		} else {
			text = read_all(0, &len);
			if (strlen(text) != len)
				die(1, "-:1: NUL byte");
		}
		failed = send_task(0, argv[optind], text) < 0;
		free(text);
		return failed;
	}
	reader_init(&r, stdin, "-");
	while ((rc = read_task(&r, &t))) {
		if (rc < 0) {
			failed = 1;
			continue;
		}
		failed |= send_task(t.id, t.target, t.prompt) < 0;
		free_task(&t);
	}
	return failed;
}
