/* tsend: type prompts into tmux panes, exactly as written, each pane on
 * its own.
 *
 * The text never reaches tmux as an argument, where a trailing ';' is a
 * command separator, "Enter" a key name and a leading '-' an option: it is
 * written to `tmux load-buffer -b NAME -` through a pipe (or, reading
 * records, to a file of the user's alone that the control client's
 * `load-buffer -b NAME FILE` reads), into a buffer named for this
 * delivery alone, and pasted with `paste-buffer -p -r -d`
 * (bracketed, line breaks kept as LF, the buffer deleted, and deleted too
 * when the paste fails).  Control characters other than LF and TAB are
 * removed first: an ESC could end the bracketed paste and turn the rest
 * of the prompt into keystrokes.
 *
 * Panes are independent.  The main thread only reads records and appends
 * each to the queue of the worker thread of its TARGET, so it never waits
 * on a pane, and one pane's records are delivered in the order read.  A
 * worker rather than one event loop: a delivery is a short script of tmux
 * runs and pauses that reads plainly as one function.  At the end of input
 * tsend waits for every worker, and exits 1 if any delivery failed.
 *
 * A delivery (deliver()): find the pane, with its program, its mode and
 * its server's socket, and wait while it runs a shell or is in a mode;
 * lock the pane; paste; press the key as the submit check decides
 * (submit_surely()).  The lock is an flock(2) on a file named for the
 * pane, in a directory beside the server's socket: every tsend that talks
 * to that server finds it, whatever its environment (cron, a login shell).
 *
 * A delivery that fails is reported with the command that sends it again,
 * and, when the stream named its state file ("#state PATH", from tnext),
 * first held there as UNSENT, under the state lock, held for the time of
 * one append and never while waiting on anything.
 *
 * Stopped by SIGTERM, SIGINT or SIGHUP, tsend reads what is left of its
 * input without waiting, then closes it (a writer then fails, and keeps
 * its task pending); every task it has not begun to type is held UNSENT;
 * a delivery already typed is submitted, or held.  Then it dies of the
 * signal.
 *
 * tmux runs as tmux.c says: an argument vector, never a shell, and safe
 * to start from several threads at once; reading records, the looks and
 * keys of every worker go through one control-mode client.
 */
#include "system.h"	/* flock(2) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <search.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "record.h"
#include "state.h"
#include "tmux.h"
#include "screen.h"

enum {
	LOOK_MS = 50,		/* between two looks at a pane */
	READY_MS = 100,		/* between two looks at a pane not ready */
	RETRY_MS = 1000,	/* the input line still after a press, before the next */
	BROKE_MS = 200,		/* the same, when the press made a line break */
	BLIND_MS = 1000,	/* nothing drawn after the paste: press anyway */
	SETTLE_MS = 300,	/* a program that started: its screen still that long */
	FROZEN_MS = 10000,	/* nothing drawn after a press: again after that long */
	BACK_MS = 500,		/* the text left the input line: watched that long */
	TAKEN_MS = 5000,	/* reported: the agent's hook said it took the prompt */
	WAITING_MS = 1000	/* waiting for a pane: said after that long */
};

static const char *key = "Enter";
static long delay_ms = 100;
static double wait_s = 30;
static int submit = 1, into_shell;
static char *named;		/* -a: the wrappers typed into, a line each */

static pthread_mutex_t buffer_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long buffers;	/* buffers named, under buffer_lock */
static pthread_mutex_t prune_lock = PTHREAD_MUTEX_INITIALIZER;
static int pruned;		/* lock files of panes gone removed, under prune_lock */

/* One record to deliver, in its worker's queue. */
struct job {
	char *id, *target, *prompt;
	char *state;		/* the stream's state file, or 0 */
	int away;		/* it is on another host: a failure is printed */
	struct job *next;
};

/* The thread that delivers the records of one target, in order. */
struct worker {
	char *target;		/* first: the key of the tree of workers */
	struct job *first, *last;
	pthread_cond_t more;
	pthread_t thread;
	int failed;
	struct worker *next;
};

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static int input_ended;		/* under jobs_lock */

static volatile sig_atomic_t stopped;	/* the signal that stops tsend */
static int input_flags;		/* those of fd 0, as found */
static const char not_begun[] = "tsend was stopped before typing it";

/* What tmux and the terminal say of a pane: its screen, cut into rows,
 * and more. */
struct view {
	char *out;
	const char *id, *mode, *command;
	const char *row;	/* the cursor's */
	const char *above;	/* the lowest row above it that is not blank */
	const struct cue *cue;	/* what the agent's screen says, or 0 */
	unsigned long screen;	/* a hash of all its rows */
	unsigned long rest;	/* of all but the cursor's */
	int below;		/* a row below it is not blank */
	int blank;		/* nothing drawn */
	int cooked;		/* its terminal echoes and edits lines: no program has taken it */
	int unread;		/* bytes typed that its program has not read yet */
	int dead, cx, cy;
};

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

/* CR LF and CR become LF, other control characters go, C1 too (U+0080
 * to U+009F, and a byte 0x80 to 0x9f that is no part of a UTF-8
 * character: CSI, 0x9b, drives a terminal as ESC [ does); returns how
 * many went. */
static size_t
clean_text(char *s)
{
	size_t dropped = 0, n;
	char *r, *w;

	for (r = w = s; *r; r += n) {
		n = 1;
		if (*r == '\r') {
			*w++ = '\n';
			n += r[1] == '\n';
		} else if (*r != '\n' && *r != '\t' && (n = control_at(r))) {
			dropped++;
		} else {	/* a character whole: its last bytes are no C1 */
			for (n = utf8_length((const unsigned char *)r), n += !n; n--; )
				*w++ = *r++;
			n = 0;
		}
	}
	while (w > s && w[-1] == '\n')
		w--;
	*w = 0;
	return dropped;
}

/* The first n bytes of s with each run of blanks as one space, and none
 * at either end: a row of the screen and the text it shows compare
 * equal, whatever became of the tabs. */
static char *
squeeze(const char *s, size_t n)
{
	char *t = xmalloc(n + 1), *w = t;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			*w++ = s[i];
		else if (w > t && w[-1] != ' ')
			*w++ = ' ';
	if (w > t && w[-1] == ' ')
		w--;
	*w = 0;
	return t;
}

/* What to look for on the input line: the end of the text's last line,
 * 16 bytes at most, short enough to fit on one row of the screen as the
 * program wraps it, long enough to be unlikely elsewhere. */
static char *
tail_of(const char *text)
{
	const char *line = strrchr(text, '\n');
	char *all = squeeze(line ? line + 1 : text, strlen(line ? line + 1 : text)), *start, *tail;

	start = all + strlen(all);
	start = start - all > 16 ? start - 16 : all;
	while (start > all && ((unsigned char)*start & 0xc0) == 0x80)
		start++;	/* not in the middle of a character */
	tail = xstrdup(start);
	free(all);
	return tail;
}

/* djb2, a row at a time, each ended as by a line break */
static unsigned long
hash(unsigned long h, const char *s)
{
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h * 33 + '\n';
}

/* How the pane's terminal is set: whether it still echoes and edits
 * lines, as the kernel does until a program takes it (a TUI turns that
 * off as it starts, a line reader leaves it on), and how many bytes typed
 * into it no program has read yet (FIONREAD: not POSIX, but on Linux and
 * the BSDs).  The terminal is opened, asked and closed, never read;
 * where it cannot be opened (another user's), both are 0: unknown. */
static void
ask_terminal(const char *tty, struct view *v)
{
	struct termios t;
	int fd;

	if ((fd = open(tty, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return;
	if (tcgetattr(fd, &t) == 0)
		v->cooked = (t.c_lflag & (ICANON | ECHO)) != 0;
#ifdef FIONREAD
	if (ioctl(fd, FIONREAD, &v->unread) < 0 || v->unread < 0)
		v->unread = 0;
#endif
	close(fd);
}

/* Looks at a pane: its rows, and the row of its cursor.  capture-pane
 * comes first because it fails when there is no such pane, where
 * display-message falls back to another one. */
static int
look(const char *target, struct view *v, char **why)
{
	static const char what[] = "#{pane_id}\t#{pane_mode}\t#{pane_dead}\t"
	    "#{cursor_x}\t#{cursor_y}\t#{pane_current_command}\t#{pane_tty}";
	const char *args[] = { "capture-pane", "-p", "-t", target, tmux_then,
	    "display-message", "-p", "-t", target, what, 0 };
	char *f[7], *p, *end, save;
	int i, n;

	memset(v, 0, sizeof *v);
	if (run_tmux(0, 0, &v->out, why, args) < 0)
		return -1;
	for (p = end = v->out + strlen(v->out); p > v->out && p[-1] == '\n'; p--)
		*--end = 0;
	while (p > v->out && p[-1] != '\n')
		p--;
	for (i = 0; i < 6 && p; i++) {
		f[i] = p;
		if ((p = strchr(p, '\t')))
			*p++ = 0;
	}
	if (!p || *f[0] != '%') {
		free(v->out);
		v->out = 0;
		*why = xstrdup("tmux: no pane id");
		return -1;
	}
	f[6] = p;
	v->id = f[0];
	v->mode = f[1];
	v->dead = atoi(f[2]);
	v->cx = atoi(f[3]);
	v->cy = atoi(f[4]);
	v->command = f[5];
	ask_terminal(f[6], v);
	save = *f[0];
	*f[0] = 0;	/* the screen alone */
	v->cue = screen_cue(v->out);
	*f[0] = save;
	v->row = v->above = "";
	v->blank = 1;
	v->screen = v->rest = 5381;
	for (p = v->out, n = 0; p < f[0]; p += strlen(p) + 1, n++) {
		p[strcspn(p, "\n")] = 0;
		v->screen = hash(v->screen, p);
		if (n != v->cy)
			v->rest = hash(v->rest, p);
		if (strspn(p, " ") < strlen(p))
			v->blank = 0;
		if (n == v->cy)
			v->row = p;
		else if (strspn(p, " ") < strlen(p) && n < v->cy)
			v->above = p;
		else if (strspn(p, " ") < strlen(p))
			v->below = 1;
	}
	return 0;
}

static void
free_view(struct view *v)
{
	free(v->out);
	memset(v, 0, sizeof *v);
}


/* Whether name is a line of list. */
static int
listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p++)
		if ((p == list || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return 1;
	return 0;
}

/* A program that runs another one, maybe a shell, that tmux cannot see:
 * typed into only when named with -a. */
static int
is_wrapper(const char *command)
{
	static const char *wrappers[] = { "ssh", "autossh", "mosh", "mosh-client", "et", "telnet",
	    "script", "sudo", "su", "doas", "runuser", "docker", "podman", "kubectl", "lxc",
	    "lxc-attach", "nsenter", "chroot", "systemd-run", "machinectl", "screen", "tmux",
	    "byobu", 0 };
	const char **w;

	for (w = wrappers; *w; w++)
		if (!strcmp(command, *w))
			return !named || !listed(named, command);
	return 0;
}

/* Why the pane must not be typed into now, or 0 (tsend(1), "Ready").
 * *starting: the reason is one a program has when it has just started,
 * or is about to: a shell, or a program gone, may be followed by one. */
static char *
not_ready(const struct view *v, int *starting)
{
	*starting = 1;
	if (v->dead)
		return xstrdup("the pane's program has exited");
	if (is_shell(v->command) && !into_shell)
		return format("the pane runs a shell (%s), not an agent", v->command);
	*starting = 0;
	if (is_wrapper(v->command) && !into_shell)
		return format("the pane runs %s, which may run a shell: tsend -a %s if an agent runs behind it",
		    v->command, v->command);
	*starting = 1;
	if (!into_shell && v->cooked)
		return format("the agent is starting (%s): its terminal still echoes", v->command);
	if (!into_shell && v->blank)
		return format("the agent is starting (%s): nothing drawn yet", v->command);
	*starting = 0;
	if (*v->mode)
		return format("the pane is in %s", v->mode);
	if (v->cue && v->cue->kind == CUE_DIALOG)
		return format("a dialog is open: %s", v->cue->phrase);
	return 0;
}

/* Escape, to the dialog Claude Code opens after a usage limit: it closes
 * it, as "Stop and wait for limit to reset" would, with no choice made.
 * The one key tsend sends to a dialog (tsend(1), "Dialogs"). */
static void
close_dialog(const char *target)
{
	const char *args[] = { "send-keys", "-t", target, "Escape", 0 };
	char *why = 0;

	if (run_tmux(0, 0, 0, &why, args) < 0)
		free(why);
}

/* Finds the pane and waits up to wait_s for it to be ready: see tsend(1),
 * "Ready".  A program seen starting must then have drawn its screen and
 * left it still for SETTLE_MS.  Says once, after WAITING_MS, what it waits
 * for; who (ID: TARGET) is in name. */
static int
find_pane(const char *name, const char *target, struct view *v, char **why)
{
	double start = now(), still = start, t;
	unsigned long was = 0, last = 0;
	int starting = 0, begun, said = 0, escaped = 0;
	char *reason;

	for (;;) {
		if (stopped) {
			*why = xstrdup(not_begun);
			return -1;
		}
		if (look(target, v, why) < 0)
			return -1;
		t = now();
		if (v->screen != last)
			still = t;
		last = v->screen;
		if ((reason = not_ready(v, &begun)) && begun) {
			starting = 1;
			was = v->screen;
		} else if (!reason && starting && (v->screen == was || (t - still) * 1000 < SETTLE_MS)) {
			reason = format("the agent is starting (%s): drawing its screen", v->command);
		}
		if (!reason)
			return 0;
		if (v->cue && !strcmp(v->cue->phrase, LIMIT_DIALOG) && !escaped++) {
			complain("%s: closing Claude Code's usage-limit dialog with Escape", name);
			close_dialog(target);
		}
		free_view(v);
		if (t - start >= wait_s) {
			*why = reason;
			return -1;
		}
		if (!said && (t - start) * 1000 >= WAITING_MS && (said = 1))
			complain("%s: waiting: %s", name, reason);
		free(reason);
		sleep_ms(READY_MS);
	}
}

/* Removes the lock files of panes the server no longer has, and the text
 * files of tsends killed before they could (see deliver()).  A lock file
 * in use is left alone; one removed is checked to be the file locked, so
 * that a tsend that opened it meanwhile sees it gone and opens the new
 * one. */
static void
prune_locks(const char *dir)
{
	const char *args[] = { "list-panes", "-a", "-F", "#{pane_id}", 0 };
	char *panes, *why = 0, path[4096 + 256];
	struct dirent *e;
	struct stat a, b;
	DIR *d;
	int fd;

	if (run_tmux(0, 0, &panes, &why, args) < 0) {
		free(why);
		return;
	}
	if ((d = opendir(dir))) {
		while ((e = readdir(d))) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if (!strncmp(e->d_name, "tsend-", 6) && kill(atol(e->d_name + 6), 0) < 0 &&
			    errno == ESRCH)
				unlink(path);
			if (*e->d_name != '%' || listed(panes, e->d_name))
				continue;
			if ((fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0)
				continue;
			if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 &&
			    lstat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
				unlink(path);
			close(fd);
		}
		closedir(d);
	}
	free(panes);
}

/* The socket of the pane's server, as this tsend reaches it: -S PATH made
 * absolute when tsend started, else what the server says
 * (#{socket_path}: -L and the default server are absolute paths), all its
 * output, so that a line break in it is part of it. */
static char *
server_socket(const char *pane, char **why)
{
	const char *args[] = { "display-message", "-p", "-t", pane, "#{socket_path}", 0 };
	char *out;
	size_t n;

	if (tmux_flag && tmux_flag[1] == 'S')
		return xstrdup(tmux_arg);
	if (run_tmux(0, 0, &out, why, args) < 0)
		return 0;
	if ((n = strlen(out)) && out[n - 1] == '\n')
		out[n - 1] = 0;
	return out;
}

/* Locks the pane for one delivery; the lock goes with the descriptor.
 * The lock files are in SOCKET.tsend/, a directory of the user's alone,
 * beside the server's socket.  *waited: another delivery held it. */
static int
lock_pane(const char *socket, const char *pane, int *waited, char *dir, char **why)
{
	char *real, path[4200];
	struct stat st, st2;
	int fd;

	if (!(real = realpath(socket, 0))) {
		*why = format("lock: %s: %s", socket, strerror(errno));
		return -1;
	}
	snprintf(dir, 4096, "%s.tsend", real);
	free(real);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		*why = format("lock: %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
		*why = format("lock: %s: not a directory of this user's alone", dir);
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s", dir, pane);
	*waited = 0;
	for (;;) {
		if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
			*why = format("lock: %s: %s", path, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			*waited = 1;	/* in turn: a stop waits for it */
			while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
				;
		}
		if (stopped) {
			*why = xstrdup(not_begun);
			close(fd);
			return -1;
		}
		if (fstat(fd, &st) == 0 && lstat(path, &st2) == 0 &&
		    st.st_dev == st2.st_dev && st.st_ino == st2.st_ino)
			break;
		close(fd);	/* pruned while we waited: lock the new one */
	}
	pthread_mutex_lock(&prune_lock);
	if (!pruned++)
		prune_locks(dir);	/* once a run is enough */
	pthread_mutex_unlock(&prune_lock);
	return fd;
}

static int
press(const char *pane, char **why)
{
	const char *args[] = { "send-keys", "-t", pane, key, 0 };

	return run_tmux(0, 0, 0, why, args);
}

/* The state file of the stream, read by every worker, under state_lock. */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static struct statefile states;

/* Whether the agent of pane reports the prompts it takes (a hook has
 * reported from it), and whether it took the task's: its state left sent. */
static int
reports(const struct job *j, const char *pane, int *taken)
{
	int rc;

	*taken = 0;
	if (!j->id || !j->state || j->away)
		return 0;
	pthread_mutex_lock(&state_lock);
	if (states.path && strcmp(states.path, j->state)) {	/* another stream's */
		if (states.fd >= 0)
			close(states.fd);
		free(states.path);
		memset(&states, 0, sizeof states);
	}
	if (open_statefile(&states, j->state, 0) == 0 && states.fd >= 0) {
		lock_statefile(&states, LOCK_SH);
		read_statefile(&states);
		unlock_statefile(&states);
	}
	rc = pane_reports(&states, pane);
	*taken = is_taken(task_status(&states, j->id));
	pthread_mutex_unlock(&state_lock);
	return rc;
}

static long
since(double start)
{
	return (long)((now() - start) * 1000);
}

/* The submit check, after the paste: four states, as tsend(1) says in
 * "The submit check".  The text is on the input line when the cursor's
 * row shows the end of its last line (tail_of()), or the row it showed
 * when the key was pressed (a program that shows a "[Pasted text]"
 * summary), or, before the first key, a row other than before the paste,
 * the same at two looks.
 *
 * TYPED    The key goes once the text is on the input line, LOOK_MS after
 *          it was first seen there, delay_ms after the paste at the least,
 *          and the program has read all that was typed; or, nothing shown
 *          within BLIND_MS, blind.                             -> PRESSED
 * PRESSED  The program has not read the key: wait.  The text still on
 *          the line, and a line break under it (an input box grown by a
 *          line, more drawn below): again after BROKE_MS.  Still on, the
 *          rest of the screen drawn since the key: the program ignored
 *          it: again after RETRY_MS of a still input line.  Still on,
 *          nothing drawn at all since the key: the program may be slow to
 *          draw what it does with it: again only after FROZEN_MS.  Gone
 *          at two looks, or, after a blind key, not shown within
 *          RETRY_MS:                                           -> LEFT
 * LEFT     Back on the line within BACK_MS (a program that took it for
 *          typed-ahead input): the key again.                  -> PRESSED
 *          Then, where the pane's agent reports the prompts it takes and
 *          was not busy at the key:                            -> UNTAKEN
 *          else done.
 * UNTAKEN  Taken (the task's state says so): done.  Not within TAKEN_MS:
 *          the key once more, or fail if a mode or a dialog holds it
 *          back; not within TAKEN_MS again: fail.
 *
 * In any state: a shell or a dead program fails at once (a key would
 * run the text); a mode or a dialog holds every key back until it ends,
 * and a key is pressed only on a look that found the input line as the
 * look before; a stop ends the check once a key was pressed, or while a
 * mode or a dialog holds the first back.  TYPED, PRESSED, and LEFT with
 * the text back on the line, fail after -w seconds past the delay. */
enum submit { TYPED, PRESSED, LEFT, UNTAKEN, SUBMITTED };

static int
submit_surely(const struct job *j, const char *pane, const char *before, char **why)
{
	char *tail = tail_of(j->prompt), *typed = 0, *row = 0, *last = 0, *reason;
	const char *dialog = 0;	/* the phrase of one on the screen */
	double start = now();
	long t, changed = 0, pressed = 0, entered = 0;
	unsigned long rest = 0;
	enum submit state = TYPED;
	int gone = 0, blind = 0, busy = 0, again = 0, drawn, broke, on, key, begun, taken, rc = 1;
	struct view v;

	while (rc > 0) {
		sleep_ms(LOOK_MS);
		if (look(pane, &v, why) < 0) {
			rc = -1;
			break;
		}
		t = since(start);
		if ((reason = not_ready(&v, &begun)) && (v.dead || is_shell(v.command))) {
			*why = reason;	/* a shell now: the key would run the text */
			free_view(&v);
			rc = -1;
			break;
		}
		free(reason);
		dialog = v.cue && v.cue->kind == CUE_DIALOG ? v.cue->phrase : 0;
		if (stopped && (state != TYPED || *v.mode || dialog)) {	/* pressed, or never will be */
			if (state == TYPED)
				*why = format("tsend was stopped with it typed, not submitted (%s)",
				    dialog ? dialog : v.mode);
			rc = state == TYPED ? -1 : 0;
			free_view(&v);
			break;
		}
		free(last);
		last = row;
		row = squeeze(v.row, strlen(v.row));
		if (!last || strcmp(last, row))
			changed = t;
		drawn = *tail && strstr(row, tail);
		broke = state == PRESSED && !*row && *tail && v.below && strstr(v.above, tail);
		on = drawn || (typed && !strcmp(row, typed)) || broke;
		key = 0;
		switch (state) {
		case TYPED:
			blind = 0;
			key = t >= delay_ms && !v.unread &&
			    (drawn || (changed < t && strcmp(row, before)) || (blind = t >= BLIND_MS));
			if (drawn && changed == t)
				key = 0;	/* just drawn: let the program settle, and look again */
			break;
		case PRESSED:
			if (v.unread) {
				;	/* it has not read the key */
			} else if (on) {
				gone = 0;
				t -= changed > pressed ? changed : pressed;	/* still so long */
				key = t >= (broke ? BROKE_MS : v.rest != rest ? RETRY_MS : FROZEN_MS);
			} else if (blind ? t - pressed >= RETRY_MS : ++gone >= 2) {
				state = LEFT;
				entered = t;
			}
			break;
		case LEFT:
			if (on && !blind)
				key = 1;	/* back */
			else if (t - entered < BACK_MS)
				;
			else if (!busy && reports(j, pane, &taken) && !taken)
				state = UNTAKEN, entered = t;
			else
				state = SUBMITTED;
			break;
		case UNTAKEN:
			if (reports(j, pane, &taken), taken)
				state = SUBMITTED;
			else if (t - entered < TAKEN_MS)
				;
			else if (again || *v.mode || dialog)	/* pressed again, or never will be */
				*why = dialog ? format("typed, not taken by the agent: a dialog is open: %s",
				    dialog) : xstrdup("typed, not taken by the agent"), rc = -1;
			else
				key = 1;
			break;
		case SUBMITTED:
			break;
		}
		if (state == SUBMITTED)
			rc = 0;
		if (key && !*v.mode && !dialog) {	/* else wait */
			if (!broke && (on || (state == TYPED && !blind))) {
				free(typed);	/* what the input line shows with the text */
				typed = xstrdup(row);
			}
			if (press(pane, why) < 0)
				rc = -1;
			if (state == UNTAKEN)
				again = 1, entered = since(start);
			else
				state = PRESSED;
			pressed = since(start);
			rest = v.rest;
			busy = v.cue && v.cue->kind == CUE_BUSY;
			gone = 0;
		}
		free_view(&v);
		if (rc > 0 && (state < LEFT || (state == LEFT && on)) &&
		    since(start) >= delay_ms + wait_s * 1000) {	/* LEFT, not on: it was taken */
			*why = dialog ? format("typed, not submitted: a dialog is open: %s", dialog) :
			    format("typed but not submitted after %g s", wait_s);
			rc = -1;
		}
	}
	free(tail);
	free(typed);
	free(last);
	free(row);
	return rc;
}

/* s with each '#' doubled, which tmux reads in a format as one '#'. */
static char *
hashes_doubled(const char *s)
{
	char *t = xmalloc(2 * strlen(s) + 1), *w = t;

	for (; *s; s++)
		if ((*w++ = *s) == '#')
			*w++ = '#';
	*w = 0;
	return t;
}

/* Writes text to a new file of the user's alone; 0, or -1. */
static int
save_text(const char *path, const char *text)
{
	int fd, rc;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return -1;
	rc = write_all(fd, text, strlen(text));
	if (close(fd) < 0 || rc < 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* Types the job's text into its target and submits it; 0, or -1 with
 * *why. */
static int
deliver(const struct job *j, char **why)
{
	const char *target = j->target, *text = j->prompt;
	const char *paste[20], *keys[] = { "send-keys", "-t", 0, key, 0 }, **k;
	char buffer[64], dir[4096], file[4200], *path, *pane = 0, *before = 0, *ignored = 0;
	int lock, i = 0, rc = -1, waited, check, one_go, failed = 0;
	char *name = j->id ? format("%s: %s", j->id, target) : xstrdup(target), *socket;
	struct view v;

	if (find_pane(name, target, &v, why) < 0) {
		free(name);
		return -1;
	}
	if (!(socket = server_socket(v.id, why)) || (lock = lock_pane(socket, v.id, &waited, dir, why)) < 0) {
		free(socket);
		free_view(&v);
		free(name);
		return -1;
	}
	free(socket);
	pane = xstrdup(v.id);
	if (waited) {	/* another delivery came first: look again */
		free_view(&v);
		if (find_pane(name, pane, &v, why) < 0)
			goto out;
	}
	before = squeeze(v.row, strlen(v.row));
	free_view(&v);
	pthread_mutex_lock(&buffer_lock);
	snprintf(buffer, sizeof buffer, "tsend-%ld-%lu", (long)getpid(), buffers++);
	pthread_mutex_unlock(&buffer_lock);
	keys[2] = pane;
	check = submit && wait_s > 0;
	one_go = submit && !check && !delay_ms;
	if (*text) {
		paste[i++] = "load-buffer"; paste[i++] = "-b"; paste[i++] = buffer; paste[i++] = "-";
		paste[i++] = tmux_then;
		paste[i++] = "paste-buffer"; paste[i++] = "-p"; paste[i++] = "-r"; paste[i++] = "-d";
		paste[i++] = "-b"; paste[i++] = buffer; paste[i++] = "-t"; paste[i++] = pane;
		if (one_go)
			paste[i++] = tmux_then;
	}
	for (k = keys; one_go && *k; k++)
		paste[i++] = *k;
	paste[i] = 0;
	snprintf(file, sizeof file, "%s/%s", dir, buffer);
	if (*text && tmux_control && save_text(file, text) == 0) {
		path = hashes_doubled(file);	/* load-buffer's path is a format */
		paste[3] = path;		/* load-buffer FILE, for the control client */
		failed = run_tmux(0, 0, 0, why, paste) < 0;
		unlink(file);
		free(path);
	} else if (i) {
		failed = run_tmux(text, strlen(text), 0, why, paste) < 0;
	}
	if (failed) {
		const char *drop[] = { "delete-buffer", "-b", buffer, 0 };

		if (*text && run_tmux(0, 0, 0, &ignored, drop) < 0)
			free(ignored);	/* pasted and deleted, or never loaded */
		goto out;
	}
	if (check) {
		rc = submit_surely(j, pane, before, why);
		goto out;
	}
	if (submit && !one_go) {
		sleep_ms(delay_ms);
		if (run_tmux(0, 0, 0, why, keys) < 0)
			goto out;
	}
	rc = 0;
out:
	free(name);
	free(pane);
	free(before);
	close(lock);
	return rc;
}

/* s as one word for sh(1): as it is when that is safe, else quoted. */
static char *
shell_word(const char *s)
{
	const char *safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%+,-./:=@_";
	char *w, *q;

	if (*s && strspn(s, safe) == strlen(s))
		return xstrdup(s);
	q = w = xmalloc(4 * strlen(s) + 3);
	*q++ = '\'';
	for (; *s; s++)
		if (*s == '\'')
			q = stpcpy(q, "'\\''");
		else
			*q++ = *s;
	stpcpy(q, "'");
	return w;
}

/* Holds the task as UNSENT in the state file, under its lock; 0, or -1
 * (a full disk), said. */
static int
hold_unsent(const char *path, const char *id, const char *why)
{
	struct statefile sf = { 0 };
	int rc = -1;

	if (open_statefile(&sf, path, 1) == 0) {
		lock_statefile(&sf, LOCK_EX);
		rc = append_event(&sf, "UNSENT", id, why);
		if (unlock_statefile(&sf) < 0)
			rc = -1;
		close(sf.fd);
	}
	free(sf.path);
	return rc;
}

/* The holds a state file did not take: tried again at each later
 * failure and as tsend ends, when the disk may have room again. */
struct hold {
	char *path, *id, *why;
	struct hold *next;
};
static pthread_mutex_t holds_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hold *unheld;

/* Tries them again; with last, says those that still did not take. */
static void
retry_holds(int last)
{
	struct hold **h, *d;

	pthread_mutex_lock(&holds_lock);
	for (h = &unheld; (d = *h); ) {
		if (hold_unsent(d->path, d->id, d->why) == 0) {
			complain("%s: held UNSENT at last, as tq now shows", d->id);
		} else if (!last) {
			h = &d->next;
			continue;
		} else {
			complain("%s: could never be held UNSENT in %s: tq shows it sent, and it was not "
			    "delivered", d->id, d->path);
		}
		*h = d->next;
		free(d->path);
		free(d->id);
		free(d->why);
		free(d);
	}
	pthread_mutex_unlock(&holds_lock);
}

/* "ID UNSENT REASON" on stdout, for a tnext -H where the state file is:
 * one line, flushed, whatever the reason holds; 0, or -1. */
static int
print_unsent(const char *id, const char *why)
{
	static pthread_mutex_t out = PTHREAD_MUTEX_INITIALIZER;
	char *line = format("%s UNSENT %s", id, why), *p;
	int rc = 0;

	for (p = line; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 127)
			*p = ' ';
	pthread_mutex_lock(&out);
	if (puts(line) == EOF || fflush(stdout) == EOF) {
		complain("stdout: %s", strerror(errno));
		clearerr(stdout);
		rc = -1;
	}
	pthread_mutex_unlock(&out);
	free(line);
	return rc;
}

/* Whether the stream's state file is on this host: the file that its
 * "#state-id" names (the same path on another host may name another, or
 * none); without one, whatever is at that path. */
static int
state_here(const struct reader *r)
{
	unsigned long long dev, ino;
	struct stat st;

	if (!r->state_id)
		return 1;
	return stat(r->state, &st) == 0 && sscanf(r->state_id, "%llu %llu", &dev, &ino) == 2 &&
	    dev == (unsigned long long)st.st_dev && ino == (unsigned long long)st.st_ino;
}

/* Reports a failed delivery, with the command that sends it again, once
 * the state file (if the stream named one) holds it as UNSENT; printed
 * on stdout where that file is not on this host. */
static void
report_failure(const struct job *j, const char *why)
{
	size_t n = j->state ? strlen(j->state) : 0;
	char *queue = 0, *sock = 0;
	const char *not_held = "";

	if (!j->id) {
		complain("%s: %s", j->target, why);
		return;
	}
	retry_holds(0);
	if (j->away) {
		not_held = print_unsent(j->id, why) == 0 ?
		    "; its state file is on another host: printed on stdout, for tnext -H there" :
		    "; its state file is on another host, and stdout failed: tq there shows it sent";
	} else if (j->state && hold_unsent(j->state, j->id, why) < 0) {
		struct hold *h = xmalloc(sizeof *h);

		h->path = xstrdup(j->state);
		h->id = xstrdup(j->id);
		h->why = xstrdup(why);
		pthread_mutex_lock(&holds_lock);
		h->next = unheld;
		unheld = h;
		pthread_mutex_unlock(&holds_lock);
		not_held = "; it could not be held UNSENT, so tq shows it sent: it was not delivered";
	}
	if (n > 6 && !strcmp(j->state + n - 6, ".state")) {
		char *path = xstrndup(j->state, n - 6);

		queue = shell_word(path);
		free(path);
	}
	if (tmux_flag)
		sock = shell_word(tmux_arg);
	complain("%s: %s: %s%s; to send it again: tnext -r %s%s%s </dev/null | tsend%s%s%s%s",
	    j->id, j->target, why, not_held, j->id, queue ? " " : "", queue ? queue : "",
	    sock ? " " : "", sock ? tmux_flag : "", sock ? " " : "", sock ? sock : "");
	free(queue);
	free(sock);
}

static int
send_job(struct job *j)
{
	size_t dropped = clean_text(j->prompt);
	char *why = 0;

	if (dropped)
		complain("%s%s%s: removed %zu control character%s", j->id ? j->id : "",
		    j->id ? ": " : "", j->target, dropped, dropped == 1 ? "" : "s");
	if (deliver(j, &why) == 0)
		return 0;
	report_failure(j, why);
	free(why);
	return -1;
}

static void
free_job(struct job *j)
{
	free(j->id);
	free(j->target);
	free(j->prompt);
	free(j->state);
	free(j);
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct job *j;

	for (;;) {
		pthread_mutex_lock(&jobs_lock);
		while (!w->first && !input_ended)
			pthread_cond_wait(&w->more, &jobs_lock);
		if ((j = w->first) && !(w->first = j->next))
			w->last = 0;
		pthread_mutex_unlock(&jobs_lock);
		if (!j)
			return 0;
		w->failed |= send_job(j) < 0;
		free_job(j);
	}
}

static int
compare_workers(const void *a, const void *b)
{
	return strcmp(((const struct worker *)a)->target, ((const struct worker *)b)->target);
}

static void *workers;		/* tsearch(3) tree of struct worker, by target */
static struct worker *all_workers;

/* Gives the job to the worker of its target, started if need be. */
static int
hand_over(struct job *j)
{
	struct worker key, *w, **found;
	sigset_t stops, old;
	int err;

	key.target = j->target;
	if ((found = tfind(&key, &workers, compare_workers))) {
		w = *found;
	} else {
		w = xmalloc(sizeof *w);
		memset(w, 0, sizeof *w);
		w->target = xstrdup(j->target);
		pthread_cond_init(&w->more, 0);
		sigemptyset(&stops);	/* a stop must interrupt the main thread's read */
		sigaddset(&stops, SIGTERM);
		sigaddset(&stops, SIGINT);
		sigaddset(&stops, SIGHUP);
		pthread_sigmask(SIG_BLOCK, &stops, &old);
		err = pthread_create(&w->thread, 0, work, w);
		pthread_sigmask(SIG_SETMASK, &old, 0);
		if (err) {
			char *why = format("cannot start a thread: %s", strerror(err));

			report_failure(j, why);
			free(why);
			free_job(j);
			pthread_cond_destroy(&w->more);
			free(w->target);
			free(w);
			return -1;
		}
		tree_add(w, &workers, compare_workers);
		w->next = all_workers;
		all_workers = w;
	}
	pthread_mutex_lock(&jobs_lock);
	if (w->last)
		w->last->next = j;
	else
		w->first = j;
	w->last = j;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&jobs_lock);
	return 0;
}

/* Waits for every worker to finish its queue; 1 if any delivery failed. */
static int
finish_work(void)
{
	struct worker *w, *next;
	int failed = 0;

	pthread_mutex_lock(&jobs_lock);
	input_ended = 1;
	for (w = all_workers; w; w = w->next)
		pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&jobs_lock);
	free_tree(&workers, compare_workers, 0);
	for (w = all_workers; w; w = next) {
		next = w->next;
		pthread_join(w->thread, 0);
		failed |= w->failed;
		pthread_cond_destroy(&w->more);
		free(w->target);
		free(w);
	}
	return failed;
}

/* Stopped, tsend must read every record its writer wrote before it
 * closes its input: a record left in the pipe would be sent, never typed,
 * never held.  tnext writes records only under its send lock, QUEUE.lock
 * beside the state file: taken, and the input read once more, nothing
 * more can come.  Returns 1 with the lock in *fd (-1: there is none to
 * take), or 0 while a batch holds it: read what it writes, try again. */
static int
stop_writers(const char *state, int *fd)
{
	size_t n = strlen(state);
	char *path;

	*fd = -1;
	if (n < 6 || strcmp(state + n - 6, ".state"))
		return 1;
	path = xmalloc(n);
	sprintf(path, "%.*s.lock", (int)n - 6, state);
	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (*fd < 0 || flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 1;
	close(*fd);
	return 0;
}

/* The rest of the input is read without waiting; see the top. */
static void
on_stop(int sig)
{
	if (stopped)
		return;
	stopped = sig;
	fcntl(0, F_SETFL, input_flags | O_NONBLOCK);
}

/* A key as tmux(1) names it: modifiers (C-, M-, S-, or ^), then a name
 * of its table, one character, or a hexadecimal code.  tmux sends a name
 * it does not know as text, so "Return" would be typed, not pressed. */
static int
known_key(const char *k)
{
	static const char *names[] = { "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
	    "F10", "F11", "F12", "IC", "Insert", "DC", "Delete", "Home", "End", "NPage",
	    "PageDown", "PgDn", "PPage", "PageUp", "PgUp", "Tab", "BTab", "Space", "BSpace",
	    "Enter", "Escape", "Up", "Down", "Left", "Right", "KP/", "KP*", "KP-", "KP7",
	    "KP8", "KP9", "KP+", "KP4", "KP5", "KP6", "KP1", "KP2", "KP3", "KPEnter", "KP0",
	    "KP.", 0 };
	const char **n;
	size_t len;

	if (k[0] == '0' && k[1] == 'x')
		return k[2] && strspn(k + 2, "0123456789abcdefABCDEF") == strlen(k + 2);
	if (k[0] == '^' && k[1])
		k++;
	while (k[0] && k[1] == '-' && strchr("CcMmSs", k[0]))
		k += 2;
	len = strlen(k);
	if (len == 1)
		return (unsigned char)*k >= 32 && (unsigned char)*k < 128;
	if ((unsigned char)*k >= 0xc0)	/* one UTF-8 character */
		return len == ((unsigned char)*k >= 0xf0 ? 4u : (unsigned char)*k >= 0xe0 ? 3u : 2u);
	for (n = names; *n; n++)
		if (!strcasecmp(k, *n))
			return 1;
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct reader r;	/* static: it lives as long as tsend */
	static const int stops[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa, old;
	struct task t;
	struct job *j;
	char *end;
	size_t len;
	int c, i, rc, failed = 0, writers = -1, quiet = 0;

	progname = "tsend";
	open_std_fds(0);
	usage_text = "usage: tsend [-ns] [-a PROGRAM] [-d MS] [-k KEY] [-w SECONDS] [-L SOCKET | -S PATH] [TARGET [TEXT ...]]\n"
	    "  -a PROGRAM  type into a pane that runs PROGRAM (ssh, sudo, ...): an agent runs behind it\n"
	    "  -n          type the prompt, press no key\n"
	    "  -s          type into a pane whose program is a shell, or reads lines, too\n"
	    "  -d MS       wait MS milliseconds between the paste and the key (100)\n"
	    "  -k KEY      the submit key, as tmux names it (Enter)\n"
	    "  -w SECONDS  wait up to SECONDS for a pane to be ready, and for the key to be taken (30)\n"
	    "  -L SOCKET   the tmux server, by socket name\n"
	    "  -S PATH     the tmux server, by socket path\n"
	    "Without TARGET, types the prompts of the task records on stdin.";
	while ((c = next_option(argc, argv, "a:nsd:k:w:L:S:")) != -1)
		switch (c) {
		case 'n': submit = 0; break;
		case 's': into_shell = 1; break;
		case 'a':
			if (!*optarg || strchr(optarg, '\n'))
				bad_usage("-a %s: not a program name", optarg);
			len = named ? strlen(named) + 1 : 0;
			named = xrealloc(named, len + strlen(optarg) + 1);
			if (len)
				named[len - 1] = '\n';
			memcpy(named + len, optarg, strlen(optarg) + 1);
			break;
		case 'd':
			delay_ms = strtol(optarg, &end, 10);
			if (*end || !*optarg || delay_ms < 0 || delay_ms > 60000)
				bad_usage("-d %s: not a whole number of milliseconds from 0 to 60000", optarg);
			break;
		case 'k':
			if (!known_key(optarg))
				bad_usage("-k %s: not a key name tmux knows (Enter, C-m, Tab, ...)", optarg);
			key = optarg;
			break;
		case 'w':
			wait_s = strtod(optarg, &end);
			if (*end || !*optarg || !(wait_s >= 0 && wait_s <= 86400))
				bad_usage("-w %s: not a number of seconds from 0 to 86400", optarg);
			break;
		case 'L':
		case 'S': tmux_server(c, optarg); break;
		}
	if (tmux_flag && tmux_flag[1] == 'S' && *tmux_arg != '/')
		tmux_arg = absolute_path(tmux_arg);	/* the socket as reached from here, for good */
	signal(SIGPIPE, SIG_IGN);	/* a tmux that exits early is an error, not death */
	signal(SIGCHLD, SIG_DFL);	/* inherited ignored, no tmux could be waited for */
	if (optind < argc) {
		j = xmalloc(sizeof *j);
		memset(j, 0, sizeof *j);
		j->target = xstrdup(argv[optind]);
		if (optind + 1 < argc) {
			for (len = 0, i = optind + 1; i < argc; i++)
				len += strlen(argv[i]) + 1;
			j->prompt = xmalloc(len);
			for (len = 0, i = optind + 1; i < argc; i++) {
				memcpy(j->prompt + len, argv[i], strlen(argv[i]));
				len += strlen(argv[i]);
				j->prompt[len++] = i + 1 < argc ? ' ' : 0;
			}
		} else {
			j->prompt = read_all(0, &len);
			if (strlen(j->prompt) != len)
				die(1, "-:1: NUL byte");
		}
		failed = send_job(j) < 0;
		free_job(j);
		return failed;
	}
	input_flags = fcntl(0, F_GETFL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;	/* no SA_RESTART: a read ends */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		if (sigaction(stops[i], &sa, &old) == 0 && old.sa_handler == SIG_IGN)
			sigaction(stops[i], &old, 0);	/* nohup(1), a background job */
	tmux_control = 1;	/* one tmux client for the looks and keys */
	reader_init(&r, stdin, "-");
again:
	while ((rc = read_task(&r, &t))) {
		if (rc < 0) {
			failed = 1;
			continue;
		}
		if (r.cut && r.state && !stopped) {	/* its writer died in the middle of it */
			complain("%s: %s: cut off by the end of input: not typed", t.id, t.target);
			failed = 1;
			free_task(&t);
			continue;
		}
		j = xmalloc(sizeof *j);
		j->id = t.id;
		j->target = t.target;
		j->prompt = t.prompt;
		j->state = r.state ? xstrdup(r.state) : 0;
		j->away = r.state && !state_here(&r);
		j->next = 0;
		if (stopped) {
			report_failure(j, not_begun);
			free_job(j);
			failed = 1;
		} else {
			failed |= hand_over(j) < 0;
		}
	}
	if (r.paused && !stopped) {
		complain("-: %s", strerror(EAGAIN));	/* a non-blocking input */
		failed = 1;
	}
	if (stopped && r.paused && r.state && !quiet) {	/* see stop_writers() */
		if (!(quiet = stop_writers(r.state, &writers)))
			sleep_ms(10);
		r.paused = 0;
		goto again;
	}
	if (stopped) {	/* closed, and never another file as fd 0 */
		fcntl(0, F_SETFL, input_flags);
		if ((i = open("/dev/null", O_RDONLY)) >= 0 && dup2(i, 0) == 0 && i)
			close(i);
	}
	if (writers >= 0)
		close(writers);	/* they may write again: to a closed pipe */
	failed |= finish_work();
	retry_holds(1);
	tmux_done();
	free(r.buf);
	free(r.state);
	free(r.state_id);
	if (stopped) {
		fcntl(0, F_SETFL, input_flags);	/* a stop after the end of input */
		signal(stopped, SIG_DFL);
		raise(stopped);
	}
	return failed;
}
