/* tmux.c: running tmux, the one program the tools start (tsend to type,
 * tq to check targets).
 *
 * tmux runs by posix_spawnp(3) with an argument vector, never through a
 * shell, as "tmux [-L NAME | -S PATH] -u ARGS": -u because cron's C locale
 * would make tmux print a tab as '_'.  Text goes to it on its standard
 * input, never as an argument.  Commands in ARGS are separated by
 * tmux_then; every other argument is data: one that ends in ';', which
 * tmux would take for the end of a command, goes with a '\' before that
 * ';', which tmux removes.  The pipes are made and marked close-on-exec
 * under one lock with the spawn that uses them: else a tmux started by
 * another thread could inherit a write end, and the tmux reading from it
 * would never see the end of its input.
 *
 * With tmux_control set (tsend), commands with no input go through one
 * control-mode client instead, "tmux -C attach-session -E -f
 * ignore-size,no-output": a line each, every argument in single quotes,
 * the answer the block %begin ... %end (or %error) that tmux marks as the
 * client's own (flags 1); notifications and the blocks of hooks are
 * skipped.  A tmux started per command costs a few milliseconds of
 * processor time, and a delivery runs about seven.  The client changes
 * no size (ignore-size), no session environment (-E) and gets no output.
 * It never starts a server (-N), and runs in a process group of its own,
 * as every tmux started here does: a signal to ours (Ctrl-C, systemctl
 * stop) is tsend's to handle.  Where it cannot attach (no server, no
 * session yet) or goes away (its session killed), commands are spawned as
 * above, and it is tried again a second later; a call it had on its way
 * then fails, unless it only looked: a paste or a key may have been sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "tmux.h"

extern char **environ;

const char *tmux_flag, *tmux_arg;
const char tmux_then[] = ";";
int tmux_control;
static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;

/* A command line sent to the control client, waiting for its answer. */
struct call {
	int n;			/* blocks still to come */
	int rc;			/* 1 waiting, 0 done, -1 failed, -2 the client went away */
	char *out, *why;
	size_t len;
	struct call *next;
};

static struct {
	pthread_mutex_t write;	/* to send a line, or start or end the client */
	pthread_mutex_t lock;	/* the calls; answered, when one is */
	pthread_cond_t answered;
	pid_t pid;		/* the client, or 0 */
	int in;			/* its standard input */
	FILE *out;		/* its standard output, read by the reader */
	pthread_t reader;
	int reading;		/* the reader thread runs */
	struct call *first, *last;	/* sent and not answered, in order */
	int gone;		/* the reader saw the end of the output */
	time_t down;		/* when it last could not be had */
} ctl = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
    0, -1, 0, 0, 0, 0, 0, 0, 0 };

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

/* Starts "tmux [-L|-S ...] -u ARGS" on three new pipes, which it leaves
 * in p: the caller's ends open, the child's closed.  0, or -1 with *why. */
static int
spawn_tmux(const char **args, int p[3][2], pid_t *pid, char **why)
{
	const char *argv[40];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl, none;
	char *escaped[8];
	size_t len;
	int i = 0, n, err;

	argv[i++] = "tmux";
	if (tmux_flag) {
		argv[i++] = tmux_flag;
		argv[i++] = tmux_arg;
	}
	argv[i++] = "-u";
	for (n = 0; *args && i < 39; args++)
		if (*args != tmux_then && (len = strlen(*args)) && (*args)[len - 1] == ';' && n < 8)
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
	posix_spawnattr_setpgroup(&attr, 0);	/* a signal to our group is ours to handle */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETPGROUP);
	err = posix_spawnp(pid, "tmux", &fa, &attr, (char *const *)argv, environ);
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
	return 0;
}

/* Gives a line of the block being read to the first call, under
 * ctl.lock: text, or the end of the block (rc 0 or -1).  A call is
 * answered at its first error, or at the end of its last block. */
static void
answer(const char *line, size_t n, int rc)
{
	struct call *c = ctl.first;

	if (!c)
		return;
	if (rc > 0) {
		if (!c->why)
			c->why = xstrdup(line);
		c->out = xrealloc(c->out, c->len + n + 2);
		memcpy(c->out + c->len, line, n);
		c->len += n;
		c->out[c->len++] = '\n';
		c->out[c->len] = 0;
		return;
	}
	if (rc == 0) {	/* what a command that failed says is in its own block */
		free(c->why);
		c->why = 0;
	}
	if (rc == 0 && --c->n > 0)
		return;
	c->rc = rc;
	if (!(ctl.first = c->next))
		ctl.last = 0;
	pthread_cond_broadcast(&ctl.answered);
}

/* The reader thread: the blocks the client's own lines caused (flags 1)
 * go to the calls in order; notifications and hooks' blocks are skipped.
 * At the end of the output, every call waiting is told. */
static void *
read_answers(void *unused)
{
	char *l = 0, end[64] = "";
	size_t cap = 0;
	ssize_t r;
	int ours = 0, stop;
	struct call *c;

	(void)unused;
	while ((r = getline(&l, &cap, ctl.out)) > 0) {
		if (l[r - 1] == '\n')
			l[--r] = 0;
		if (!*end) {	/* a notification, or a block begins */
			if (!strncmp(l, "%begin ", 7) && r < 60) {
				snprintf(end, sizeof end, "%s", l + 7);
				ours = r > 2 && !strcmp(l + r - 2, " 1");
			}
			continue;
		}
		stop = (!strncmp(l, "%end ", 5) && !strcmp(l + 5, end)) ? 0 :
		    (!strncmp(l, "%error ", 7) && !strcmp(l + 7, end)) ? -1 : 1;
		if (stop <= 0)
			*end = 0;
		if (ours) {
			pthread_mutex_lock(&ctl.lock);
			answer(l, r, stop);
			pthread_mutex_unlock(&ctl.lock);
		}
	}
	free(l);
	pthread_mutex_lock(&ctl.lock);
	ctl.gone = 1;
	for (c = ctl.first; c; c = c->next)
		c->rc = -2;
	ctl.first = ctl.last = 0;
	pthread_cond_broadcast(&ctl.answered);
	pthread_mutex_unlock(&ctl.lock);
	return 0;
}

/* Ends the client, under ctl.write: its input closed, it exits. */
static void
stop_control(void)
{
	if (!ctl.pid)
		return;
	close(ctl.in);
	if (ctl.reading)
		pthread_join(ctl.reader, 0);
	if (ctl.out)
		fclose(ctl.out);
	while (waitpid(ctl.pid, 0, 0) < 0 && errno == EINTR)
		;
	ctl.pid = 0;
	ctl.reading = 0;
}

/* Starts the client, under ctl.write; 0 once it is attached. */
static int
start_control(void)
{
	const char *args[] = { "-N", "-C", "attach-session", "-E", "-f", "ignore-size,no-output", 0 };
	char *why = 0, *line = 0;
	size_t cap = 0;
	int p[3][2], ok = 0;

	if (ctl.down && time(0) - ctl.down < 1)
		return -1;
	ctl.down = time(0);
	if (spawn_tmux(args, p, &ctl.pid, &why) < 0) {
		free(why);
		ctl.pid = 0;
		return -1;
	}
	close(p[2][0]);
	ctl.in = p[0][1];
	if (!(ctl.out = fdopen(p[1][0], "r")))
		close(p[1][0]);
	while (ctl.out && getline(&line, &cap, ctl.out) > 0)	/* the attach's block */
		if (!strncmp(line, "%end ", 5) || !strncmp(line, "%error ", 7)) {
			ok = line[1] == 'e' && line[2] == 'n';
			break;
		}
	free(line);
	ctl.gone = 0;
	ctl.reading = ok && pthread_create(&ctl.reader, 0, read_answers, 0) == 0;
	if (!ctl.reading)
		stop_control();
	return ctl.reading ? 0 : -1;
}

void
tmux_done(void)
{
	pthread_mutex_lock(&ctl.write);
	stop_control();
	pthread_mutex_unlock(&ctl.write);
}

/* The commands of args as one line for the control client: each
 * argument in single quotes, a quote as '\'', the commands separated by
 * ';'; or 0 if an argument has a line break.  *n: how many commands. */
static char *
control_line(const char **args, int *n)
{
	size_t len = 2;
	const char **a, *s;
	char *line, *w;

	for (a = args; *a; a++) {
		if (strpbrk(*a, "\n\r"))
			return 0;
		len += 4 * strlen(*a) + 3;
	}
	w = line = xmalloc(len);
	for (*n = 1, a = args; *a; a++) {
		if (*a == tmux_then) {
			*w++ = ';';
			++*n;
		} else {
			*w++ = '\'';
			for (s = *a; *s; s++)
				if (*s == '\'')
					w = stpcpy(w, "'\\''");
				else
					*w++ = *s;
			*w++ = '\'';
		}
		*w++ = a[1] ? ' ' : '\n';
	}
	*w = 0;
	return line;
}

/* Whether args only look (capture-pane, display-message, list-panes). */
static int
only_looks(const char **args)
{
	int first = 1;

	for (; *args; args++) {
		if (first && strcmp(*args, "capture-pane") && strcmp(*args, "display-message") &&
		    strcmp(*args, "list-panes"))
			return 0;
		first = *args == tmux_then;
	}
	return 1;
}

/* Runs args through the control client: 0 with their output in *text,
 * -1 with *why as tmux said (it runs none after one that fails), or 1
 * when they must be spawned (no client, an argument with a line break,
 * or the client went away while they only looked: a paste or a key it
 * may have sent is not sent again, the call fails).  Lines are sent in the order of the calls,
 * under ctl.write, so many threads' commands are on their way at once. */
static int
run_control(const char **args, char **text, char **why)
{
	struct call c = { 0, 1, 0, 0, 0, 0 };
	char *line;
	int gone;

	if (!(line = control_line(args, &c.n)))
		return 1;
	pthread_mutex_lock(&ctl.write);
	pthread_mutex_lock(&ctl.lock);
	gone = ctl.gone;
	pthread_mutex_unlock(&ctl.lock);
	if (ctl.pid && gone)
		stop_control();
	if (!ctl.pid && start_control() < 0)
		goto spawn;
	pthread_mutex_lock(&ctl.lock);
	if (ctl.gone) {	/* since it was started or looked at */
		pthread_mutex_unlock(&ctl.lock);
		goto spawn;
	}
	if (ctl.last)
		ctl.last->next = &c;
	else
		ctl.first = &c;
	ctl.last = &c;
	pthread_mutex_unlock(&ctl.lock);
	(void)write_all(ctl.in, line, strlen(line));	/* a failure: the reader sees the end */
	pthread_mutex_unlock(&ctl.write);
	free(line);
	pthread_mutex_lock(&ctl.lock);
	while (c.rc > 0)
		pthread_cond_wait(&ctl.answered, &ctl.lock);
	pthread_mutex_unlock(&ctl.lock);
	if (c.rc == -1)
		*why = c.why ? c.why : xstrdup("tmux failed");
	else
		free(c.why);
	if (c.rc == 0)
		*text = c.out ? c.out : xstrdup("");
	else
		free(c.out);
	if (c.rc == -2 && !only_looks(args)) {
		*why = xstrdup("tmux: the control client went away");
		return -1;
	}
	return c.rc == -2 ? 1 : c.rc;
spawn:
	pthread_mutex_unlock(&ctl.write);
	free(line);
	return 1;
}

/* Runs tmux with args, input on its stdin; its stdout in *out if out.
 * On failure returns -1 and the first line of what tmux said in *why. */
int
run_tmux(const char *input, size_t inlen, char **out, char **why, const char **args)
{
	int p[3][2], status, rc;
	char *msg, *text = 0;
	pid_t pid;

	if (!input && tmux_control && (rc = run_control(args, &text, why)) <= 0) {
		if (out && !rc)
			*out = text;
		else
			free(text);
		return rc;
	}
	if (spawn_tmux(args, p, &pid, why) < 0)
		return -1;
	(void)write_all(p[0][1], input, inlen);	/* a failure: tmux went away, its status says why */
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
