/* tmux.c: running tmux, the one program the tools start (tsend to type,
 * tq to check targets).
 *
 * tmux runs by posix_spawnp(3) with an argument vector, never through a
 * shell, as "tmux [-L NAME | -S PATH] -u ARGS": -u because cron's C locale
 * would make tmux print a tab as '_'.  Text goes to it on its standard
 * input, never as an argument.  An argument that ends in ';' would end a
 * tmux command there: it goes as "x\;", which tmux reads as "x;" (a lone
 * ";" separates commands, so the key ';' is written "\;").  The pipes
 * are made and marked close-on-exec under one lock with the spawn that
 * uses them: else a tmux started by another thread could inherit a write
 * end, and the tmux reading from it would never see the end of its input.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "tmux.h"

extern char **environ;

const char *tmux_flag, *tmux_arg;
static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;

void
tmux_server(int c, const char *arg)
{
	if (tmux_flag)
		bad_usage("-%c %s: one of -L and -S, once", c, arg);
	tmux_flag = c == 'L' ? "-L" : "-S";
	tmux_arg = arg;
}

/* Three pipes for a child, close-on-exec; the caller holds spawn_lock. */
static int
make_pipes(int p[3][2])
{
	int i, j;

	for (i = 0; i < 3; i++) {
		if (pipe(p[i]) < 0) {
			while (i-- > 0) {
				close(p[i][0]);
				close(p[i][1]);
			}
			return -1;
		}
		for (j = 0; j < 2; j++)
			fcntl(p[i][j], F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

/* Runs tmux with args, input on its stdin; its stdout in *out if out.
 * On failure returns -1 and the first line of what tmux said in *why. */
int
run_tmux(const char *input, size_t inlen, char **out, char **why, const char **args)
{
	const char *argv[32];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl, none;
	char *escaped[8];
	size_t len;
	int p[3][2], i = 0, n, status, err;
	char *msg;
	pid_t pid;

	argv[i++] = "tmux";
	if (tmux_flag) {
		argv[i++] = tmux_flag;
		argv[i++] = tmux_arg;
	}
	argv[i++] = "-u";
	for (n = 0; *args && i < 31; args++)
		if (strcmp(*args, ";") && (len = strlen(*args)) > 1 && (*args)[len - 1] == ';' &&
		    (*args)[len - 2] != '\\' && n < 8)
			argv[i++] = escaped[n++] = format("%.*s\\;", (int)len - 1, *args);
		else
			argv[i++] = *args;
	argv[i] = 0;
	pthread_mutex_lock(&spawn_lock);
	if (make_pipes(p) < 0) {
		err = errno;
		pthread_mutex_unlock(&spawn_lock);
		while (n)
			free(escaped[--n]);
		*why = format("pipe: %s", strerror(err));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0][0], 0);
	posix_spawn_file_actions_adddup2(&fa, p[1][1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[2][1], 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigemptyset(&none);	/* a caller may block the signals it waits for */
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	err = posix_spawnp(&pid, "tmux", &fa, &attr, (char *const *)argv, environ);
	while (n)
		free(escaped[--n]);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(p[0][0]);
	close(p[1][1]);
	close(p[2][1]);
	pthread_mutex_unlock(&spawn_lock);
	if (err) {
		close(p[0][1]);
		close(p[1][0]);
		close(p[2][0]);
		*why = format("tmux: %s", strerror(err));
		return -1;
	}
	while (inlen > 0) {
		ssize_t w = write(p[0][1], input, inlen);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;	/* tmux went away; its status says why */
		input += w;
		inlen -= w;
	}
	close(p[0][1]);
	msg = read_all(p[1][0], 0);
	if (out)
		*out = msg;
	else
		free(msg);
	msg = read_all(p[2][0], 0);
	close(p[1][0]);
	close(p[2][0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
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
