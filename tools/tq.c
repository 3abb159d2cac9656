/* tq: show the tasks of a queue, the state of each, and since when.
 *
 * Reads QUEUE (every record, or nothing: a bad line is reported with
 * its file and line, and tq prints nothing) and QUEUE.state, under a
 * shared lock so that it never sees half of an event tnext is writing.
 * It writes nothing but its output.  New columns go at the end of a
 * line, so that scripts reading the first ones keep working.
 *
 * -f draws the table again whenever the queue or the state file changes
 * (watch.c): inotify on their directory, so no polling and no redraw for
 * the other files there; without inotify a look every second.  On a
 * terminal it draws in place, on the alternate screen, and also when an
 * age it shows would change; into a pipe it writes one table per change
 * and nothing more.
 *
 * -t and -T ask tmux which pane a target names, the way tsend does
 * (tmux.c); only targets reach it.
 */
#include "system.h"	/* flock(2), TIOCGWINSZ, wcwidth(3) */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <search.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "util.h"
#include "record.h"
#include "marker.h"
#include "state.h"
#include "tmux.h"
#include "watch.h"
#include "screen.h"

/* A line of the table. */
struct row {
	const struct task *t;
	const char *status, *when, *reason;
	char *waits;		/* why it is pending: "after T-1 (sent)", or 0 */
	char *pane;		/* what its pane shows, or 0 */
	long age;		/* seconds in its state, or -1 if unknown */
};

enum { LOOK_S = 3 };		/* -f: the panes of tasks in progress, looked at that often */

/* What the pane of a target showed, and when it was looked at. */
struct look {
	char *target, *said;
	time_t at;
};
static void *looks;		/* struct look by target */
static int look_at_panes;	/* -f and -T, where a tmux server is named */
static int panes_looked;	/* the last table showed tasks in progress */

/* What tmux says a target names: a pane id, or why not. */
struct pane {
	char *target, *id, *why;
};

static struct statefile sf;	/* static: they live as long as tq */
static struct queue q;
static const char *filter, *only;
static FILE *out;		/* stdout, or where -f puts a table to compare it */
static const char *eol = "\n";	/* on a live terminal, it clears the rest of the line */
static int records;
static time_t fixed_now = -1;	/* TQ_NOW */
static void *panes;		/* struct pane by target, asked of tmux once a draw */
static volatile sig_atomic_t stop, resized, suspended;

static int
valid_filter(const char *s)
{
	return !strcmp(s, "pending") || !strcmp(s, "sent") || !strcmp(s, "working") || !strcmp(s, "done") ||
	    !strcmp(s, "held") || valid_status(s);
}

/* 42s, 4m, 2h05m, 3d07h: the two largest units, rounded down.  A time
 * in the future (another clock) is 0s. */
static void
format_age(char *buf, size_t size, long age)
{
	if (age < 0)
		snprintf(buf, size, "-");
	else if (age < 60)
		snprintf(buf, size, "%lds", age);
	else if (age < 3600)
		snprintf(buf, size, "%ldm", age / 60);
	else if (age < 86400)
		snprintf(buf, size, "%ldh%02ldm", age / 3600, age / 60 % 60);
	else
		snprintf(buf, size, "%ldd%02ldh", age / 86400, age / 3600 % 24);
}

/* Seconds until what format_age shows for age changes. */
static long
next_change(long age)
{
	return age < 60 ? 1 : age < 86400 ? 60 - age % 60 : 3600 - age % 3600;
}

/* Columns that s takes on a terminal: wcwidth(3) of each character in
 * the user's locale; one a UTF-8 code point where the locale cannot
 * decode it (the C locale). */
static size_t
display_width(const char *s)
{
	size_t n, w = 0, left = strlen(s);
	mbstate_t ps;
	wchar_t wc;
	int cw;

	memset(&ps, 0, sizeof ps);
	while (left) {
		n = mbrtowc(&wc, s, left, &ps);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&ps, 0, sizeof ps);
			w += ((unsigned char)*s & 0xc0) != 0x80;
			n = 1;
		} else if ((cw = wcwidth(wc)) > 0) {
			w += cw;
		}
		s += n;
		left -= n;
	}
	return w;
}

/* A field on the screen, its control characters escaped: the state file
 * is edited by hand too, and a terminal would obey them. */
static size_t
shown_width(const char *s)
{
	char *p = find_control(s) ? printable(s) : 0;
	size_t w = display_width(p ? p : s);

	free(p);
	return w;
}

/* The field s, then blanks to width and two more; width 0: the last. */
static void
put_column(const char *s, size_t width)
{
	char *p = find_control(s) ? printable(s) : 0;
	size_t w = display_width(p ? p : s);

	fputs(p ? p : s, out);
	free(p);
	while (width && w++ < width + 2)
		putc(' ', out);
}

static int
compare_panes(const void *a, const void *b)
{
	return strcmp(((const struct pane *)a)->target, ((const struct pane *)b)->target);
}

static void
free_pane(void *p)
{
	struct pane *pn = p;

	free(pn->target);
	free(pn->id);
	free(pn->why);
	free(pn);
}

/* Asks tmux for the id of the pane that target names.  capture-pane
 * first: it fails when there is no such pane, where display-message falls
 * back to another one. */
static struct pane *
ask_tmux(const char *target)
{
	const char *args[] = { "capture-pane", "-p", "-t", target, "-S", "0", "-E", "0", tmux_then,
	    "display-message", "-p", "-t", target, "#{pane_id}", 0 };
	struct pane *p = xmalloc(sizeof *p);
	char *out, *why, *line;
	size_t len;

	memset(p, 0, sizeof *p);
	p->target = xstrdup(target);
	if (run_tmux(0, 0, &out, &why, args) < 0) {
		p->why = strncmp(why, "tmux: ", 6) ? format("tmux: %s", why) : xstrdup(why);
		free(why);
		return p;
	}
	for (len = strlen(out); len && out[len - 1] == '\n'; )
		out[--len] = 0;
	line = (line = strrchr(out, '\n')) ? line + 1 : out;
	if (*line == '%')
		p->id = xstrdup(line);
	else
		p->why = xstrdup("tmux: no pane id");
	free(out);
	return p;
}

static struct pane *
find_pane(const char *target)
{
	struct pane key, **found, *p;

	key.target = (char *)target;
	if ((found = tfind(&key, &panes, compare_panes)))
		return *found;
	p = ask_tmux(target);
	tree_add(p, &panes, compare_panes);
	return p;
}

/* -T: every target names a pane of the running tmux server. */
static int
check_targets(const char *path)
{
	struct pane *p;
	size_t i;
	int bad = 0;

	for (i = 0; i < q.n; i++) {
		if ((p = find_pane(q.tasks[i]->target))->id)
			continue;
		if (strncmp(p->why, "tmux: can't find ", 17))
			die(1, "%s", p->why);	/* no server, no tmux: every line would say so */
		complain("%s:%ld: %s: no such pane", path, q.tasks[i]->line, q.tasks[i]->target);
		bad = 1;
	}
	return bad;
}


/* -t: a task for that pane: its target is that string, or tmux says
 * that both name the same pane. */
static int
for_pane(const struct task *t, const char *want)
{
	const struct pane *p;

	return !strcmp(t->target, only) || (want && (p = find_pane(t->target))->id && !strcmp(p->id, want));
}

/* Counts per state, and the oldest sent task with its age. */
static void
put_summary(const struct row *rows, size_t n, long *tick)
{
	struct count { const char *status; size_t n; } *c = xmalloc((n + 3) * sizeof *c);
	const struct row *oldest = 0;
	size_t i, j, nc = 3;
	char age[32];

	c[0].status = "pending"; c[1].status = "sent"; c[2].status = "done";
	c[0].n = c[1].n = c[2].n = 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < nc && strcmp(c[j].status, rows[i].status); j++)
			;
		if (j == nc) {
			c[nc].status = rows[i].status;
			c[nc++].n = 0;
		}
		c[j].n++;
		if (j == 1 && rows[i].age >= 0 && (!oldest || rows[i].age > oldest->age))
			oldest = &rows[i];
	}
	fprintf(out, "%zu task%s:", n, n == 1 ? "" : "s");
	for (j = 0; j < nc; j++)
		fprintf(out, "%s %zu %s", j ? "," : "", c[j].n, c[j].status);
	if (oldest) {
		format_age(age, sizeof age, oldest->age);
		fprintf(out, "; oldest sent: %s, %s", oldest->t->id, age);
		*tick = next_change(oldest->age);
	}
	fputs(eol, out);
	free(c);
}

static int
keep(const char *status)
{
	return !filter || !strcmp(filter, status) || (!strcmp(filter, "held") && is_held(status));
}

/* Loads the queue again if it changed since the last time, so that -f
 * reports a bad line once, not at every change of the state file. */
static int
load_changed(const char *path)
{
	static struct stat last;
	static int loaded, bad;
	struct stat st;

	memset(&st, 0, sizeof st);
	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof st);	/* missing: that too is a state */
	if (loaded && same_file(&st, &last))
		return bad ? -1 : 0;
	last = st;
	loaded = 1;
	free_queue(&q);
	bad = load_queue(path, &q) < 0;
	return bad ? -1 : 0;
}

/* A task whose agent works on it, or that its hook held. */
static int
in_progress(const char *status)
{
	static const char list[] = " sent working IDLE WAITING LIMIT ERROR ";
	char word[64];

	snprintf(word, sizeof word, " %s ", status);
	return strstr(list, word) != 0;
}

static int
compare_looks(const void *a, const void *b)
{
	return strcmp(((const struct look *)a)->target, ((const struct look *)b)->target);
}

/* What the pane of target shows (screen.c), looked at again once what
 * was seen is LOOK_S old; 0 if nothing worth a word. */
static const char *
pane_of(const char *target)
{
	struct look key, *l, **found;
	time_t now = time(0);

	panes_looked = 1;
	key.target = (char *)target;
	if ((found = tfind(&key, &looks, compare_looks))) {
		l = *found;
		if (now - l->at < LOOK_S && now >= l->at)
			return l->said;
		free(l->said);
	} else {
		l = xmalloc(sizeof *l);
		l->target = xstrdup(target);
		tree_add(l, &looks, compare_looks);
	}
	l->said = pane_condition(target);
	l->at = now;
	return l->said;
}

/* -T, then: each task in progress whose pane shows something worth a
 * word (pane_of()), a line on stdout. */
static void
show_panes(const char *spath)
{
	const struct state *st;
	const char *said;
	size_t i;

	if (open_statefile(&sf, spath, 0) < 0 || sf.fd < 0)
		return;
	lock_statefile(&sf, LOCK_SH);
	read_statefile(&sf);
	unlock_statefile(&sf);
	for (i = 0; i < q.n; i++)
		if ((st = task_state(&sf, q.tasks[i]->id)) && in_progress(st->status) &&
		    (said = pane_of(q.tasks[i]->target)))
			printf("%s  %s  %s  pane: %s\n", q.tasks[i]->id, st->status, q.tasks[i]->target, said);
}

/* Loads the queue and the state, and prints the table; with live, the
 * summary above it, and at most height - 1 lines in all if height > 2
 * (done tasks go first, then the bottom of the table).  Returns the
 * seconds until an age shown changes (-1: none), or -2 if the queue is
 * bad (reported). */
static long
show(const char *path, const char *spath, int live, int height)
{
	static struct row *rows;
	static size_t cap;
	size_t i, n = 0, shown = 0, printed = 0, limit = (size_t)-1;
	size_t idw = 2, statew = 5, targetw = 6, whenw = 1, agew = 1;
	const char *want = only ? find_pane(only)->id : 0;	/* 0: no such pane, or no tmux */
	struct state *st;
	struct row *r;
	const char *said;
	time_t now = fixed_now >= 0 ? fixed_now : time(0), t;
	long tick = -1;
	char age[32];
	int hide_done = 0;

	panes_looked = 0;
	if (load_changed(path) < 0 || open_statefile(&sf, spath, 0) < 0)
		return -2;
	if (sf.fd >= 0) {
		lock_statefile(&sf, LOCK_SH);
		read_statefile(&sf);
		unlock_statefile(&sf);
	}
	if (cap < q.n)
		rows = xrealloc(rows, (cap = q.n) * sizeof *rows);
	for (i = 0; i < q.n; i++) {
		if (only && !for_pane(q.tasks[i], want))
			continue;
		st = task_state(&sf, q.tasks[i]->id);
		r = &rows[n++];
		r->t = q.tasks[i];
		r->status = st ? st->status : "pending";
		r->when = st && *st->when ? st->when : "-";
		r->waits = !strcmp(r->status, "pending") ? waiting_for(&sf, r->t) : 0;
		r->reason = r->waits ? r->waits : st && st->reason ? st->reason : "";
		r->pane = 0;
		if (look_at_panes && in_progress(r->status) && (said = pane_of(r->t->target)))
			r->reason = r->pane = format("%s%spane: %s", r->reason, *r->reason ? "; " : "", said);
		t = parse_time(r->when);
		r->age = t < 0 ? -1 : now < t ? 0 : (long)(now - t);
		shown += keep(r->status);
	}
	free_tree(&panes, compare_panes, free_pane);	/* ask again next time: panes come and go */
	if (live)
		put_summary(rows, n, &tick);
	if (height > 2 && shown > (limit = height - 2)) {
		hide_done = 1;
		for (i = 0; i < n; i++)
			shown -= keep(rows[i].status) && is_done(rows[i].status);
	}
	for (i = 0; i < n; i++) {
		r = &rows[i];
		if (!keep(r->status) || (hide_done && is_done(r->status)))
			r->t = 0;	/* not shown */
		else if (records)
			write_task(out, r->t);
		if (!r->t || records)
			continue;
		if (strlen(r->t->id) > idw) idw = strlen(r->t->id);
		if (strlen(r->status) > statew) statew = strlen(r->status);
		if (shown_width(r->t->target) > targetw) targetw = shown_width(r->t->target);
		if (shown_width(r->when) > whenw) whenw = shown_width(r->when);
		format_age(age, sizeof age, r->age);
		if (strlen(age) > agew) agew = strlen(age);
	}
	for (i = 0; i < n && !records; i++) {
		if (!(r = &rows[i])->t)
			continue;
		if (shown > limit && printed == limit - 1) {
			fprintf(out, "... %zu more%s", shown - printed, eol);
			break;
		}
		put_column(r->t->id, idw);
		put_column(r->status, statew);
		put_column(r->t->target, targetw);
		put_column(r->when, whenw);
		format_age(age, sizeof age, r->age);
		if (*r->reason) {
			put_column(age, agew);
			put_column(r->reason, 0);
		} else {
			fputs(age, out);
		}
		fputs(eol, out);
		printed++;
		if (r->age >= 0 && (tick < 0 || next_change(r->age) < tick))
			tick = next_change(r->age);
	}
	for (i = 0; i < n; i++) {
		free(rows[i].waits);
		free(rows[i].pane);
	}
	return tick;
}

static void
flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		die(1, "stdout: write error");
}

static void
on_signal(int sig)
{
	if (sig == SIGWINCH)
		resized = 1;
	else if (sig == SIGTSTP)
		suspended = 1;
	else
		stop = 1;
}

static int
screen_height(void)
{
#ifdef TIOCGWINSZ	/* not POSIX, but everywhere; without it, no limit */
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) == 0)
		return ws.ws_row;
#endif
	return 0;
}

/* -f's output may stop being read (a paused terminal, less(1) not
 * reading): a write that would block waits in pselect(2), where the stop
 * signals come through, never in write(2), where they would wait for it.
 * So stdout is opened again through /proc, non-blocking: O_NONBLOCK on
 * fd 1 itself would be the shell's too.  A file never blocks; a socket
 * cannot be opened so, and keeps fd 1. */
static int out_fd = 1;
static sigset_t waiting;	/* the signal mask in pselect */

static void
open_output(void)
{
	struct stat st;
	int fl = fcntl(1, F_GETFL), fd;

	if (fl < 0 || fstat(1, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
		return;
#ifdef __linux__	/* proc(5): a new open file, not the shared one dup(2) gives */
	if ((fd = open("/proc/self/fd/1", (fl & (O_ACCMODE | O_APPEND)) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) >= 0)
		out_fd = fd;
#else
	(void)fd;
#endif
}

/* Writes all of buf.  Stopped while it waits, tq ends at once: what it
 * would write to restore the terminal would wait too. */
static void
put_out(const char *buf, size_t len)
{
	fd_set wfds;
	ssize_t n;

	while (len > 0) {
		if ((n = write(out_fd, buf, len)) >= 0) {
			buf += n;
			len -= n;
			continue;
		}
		if (stop)
			exit(0);
		if (errno != EAGAIN && errno != EINTR)
			die(1, "stdout: %s", strerror(errno));
		FD_ZERO(&wfds);
		FD_SET(out_fd, &wfds);
		if (pselect(out_fd + 1, 0, &wfds, 0, 0, &waiting) < 0 && errno != EINTR)
			die(1, "pselect: %s", strerror(errno));
		if (stop)
			exit(0);
	}
}

/* Draws the table again: on a terminal in place, over the last one;
 * into a pipe after it, then an empty line, unless it is the same table
 * again.  Returns when to draw again for the ages to be right, as a time
 * of the monotonic clock, or 0 for never. */
static double
draw(const char *path, const char *spath, int tty)
{
	static char *last;
	static size_t lastlen;
	struct timespec real, mono;
	char *buf = 0;
	size_t len = 0;
	long tick;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	if (tty)
		put_out("\033[H", 3);	/* a bad queue is reported up there */
	if (!(out = open_memstream(&buf, &len)))
		die(1, "open_memstream: %s", strerror(errno));
	tick = show(path, spath, 1, tty ? screen_height() : 0);
	fputs(tty ? "\033[J" : tick == -2 ? "" : "\n", out);
	fclose(out);
	out = stdout;
	if (tty) {
		put_out(buf, len);
	} else if (tick == -2) {
		free(last);	/* once the queue is right, show it again */
		last = 0;
		lastlen = 0;
	} else if (!last || len != lastlen || memcmp(buf, last, len)) {
		put_out(buf, len);
		free(last);
		last = buf;
		lastlen = len;
		buf = 0;
	}
	free(buf);
	/* ages count whole seconds of time(0): the next one begins then,
	 * waited for on the clock that no one sets */
	return tty && tick >= 0 && fixed_now < 0 ?
	    mono.tv_sec + mono.tv_nsec / 1e9 + tick - real.tv_nsec / 1e9 + 0.001 : 0;
}

/* The alternate screen, no cursor, no line wrap; and back. */
static const char screen_on[] = "\033[?1049h\033[?25l\033[?7l", screen_off[] = "\033[?7h\033[?25h\033[?1049l";
static int redraw = 1;

static void
changed(size_t i, int what)
{
	(void)i;
	(void)what;
	redraw = 1;
}

/* -f: draws the table, then again after each change to the queue or the
 * state file, and on a terminal when an age shown changes.  Ends on
 * SIGINT, SIGTERM or SIGHUP, with the terminal as it was; gives it back
 * on ^Z too. */
static void
follow(const char *path, const char *spath)
{
	struct sigaction sa;
	struct timespec ts, wait;
	sigset_t block;
	fd_set rfds;
	double at = 0, left, look;
	char *dir;
	int fd, n, tty = isatty(1);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGTSTP);
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGTERM, &sa, 0);
	sigaction(SIGHUP, &sa, 0);
	if (tty) {
		sigaction(SIGWINCH, &sa, 0);
		sigaction(SIGTSTP, &sa, 0);
	}
	sigprocmask(SIG_BLOCK, &block, &waiting);	/* delivered in pselect only */

	if ((n = watch_directory(path, &dir)))
		die(1, "%s: %s", dir, strerror(n));
	free(dir);
	if ((n = watch_start(2, 0, WATCH_WRITTEN | WATCH_CLOSED)))
		die(1, "inotify: %s", strerror(n));
	if ((n = watch_path(0, path)) || (n = watch_path(1, spath)))
		die(1, "%s: cannot watch: %s", path, strerror(n));
	fd = watch_fd();	/* -1 when it looks every second */
	open_output();
	if (tty) {
		put_out(screen_on, strlen(screen_on));
		eol = "\033[K\n";
	}
	while (!stop) {
		if (suspended) {	/* ^Z: the shell gets its screen back, and we ours after fg */
			suspended = 0;
			put_out(screen_off, strlen(screen_off));
			kill(getpid(), SIGSTOP);
			put_out(screen_on, strlen(screen_on));
			redraw = 1;
		}
		if (redraw || resized) {
			redraw = resized = 0;
			at = draw(path, spath, tty);
			clock_gettime(CLOCK_MONOTONIC, &ts);
			if (panes_looked && (!at || at > ts.tv_sec + ts.tv_nsec / 1e9 + LOOK_S))
				at = ts.tv_sec + ts.tv_nsec / 1e9 + LOOK_S;	/* the panes again */
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		left = at - ts.tv_sec - ts.tv_nsec / 1e9;
		if (at && left <= 0) {
			redraw = 1;
			continue;
		}
		look = watch_due() ? (watch_due() - now_ms()) / 1e3 : -1;
		if (look >= 0 && (!at || look < left))
			left = look;
		wait.tv_sec = (time_t)left;
		wait.tv_nsec = (long)((left - (double)wait.tv_sec) * 1e9);
		FD_ZERO(&rfds);
		if (fd >= 0)
			FD_SET(fd, &rfds);
		if (pselect(fd + 1, &rfds, 0, 0, at || look >= 0 ? &wait : 0, &waiting) < 0 && errno != EINTR)
			die(1, "pselect: %s", strerror(errno));
		watch_events(changed);
	}
	if (tty)	/* after SIGHUP the terminal is gone: put_out says nothing */
		put_out(screen_off, strlen(screen_off));
}

int
main(int argc, char *argv[])
{
	const char *path, *now;
	char *spath;
	int c, check = 0, targets = 0, live = 0;
	long rc;

	progname = "tq";
	open_std_fds(1);
	out = stdout;
	usage_text = "usage: tq [-cfpT] [-s STATE] [-t PANE] [-L SOCKET | -S PATH] [QUEUE]\n"
	    "  -c         only check the queue: silent, exit 0 when it is valid\n"
	    "  -f         follow: draw the table again at each change, until interrupted\n"
	    "  -p         print the task records themselves\n"
	    "  -s STATE   only tasks in STATE: pending, sent, done, held, or a status (BLOCKED)\n"
	    "  -T         check too that each target is a pane of the tmux server\n"
	    "  -t PANE    only the tasks for PANE\n"
	    "  -L SOCKET  the tmux server that -t and -T ask, by socket name\n"
	    "  -S PATH    the same, by socket path\n"
	    "QUEUE is $TQUEUE, else ./queue; its state is QUEUE.state.";
	while ((c = next_option(argc, argv, "cfpTs:t:L:S:")) != -1)
		switch (c) {
		case 'c': check = 1; break;
		case 'f': live = 1; break;
		case 'p': records = 1; break;
		case 'T': targets = 1; break;
		case 's': filter = optarg; break;
		case 't': only = optarg; break;
		case 'L':
		case 'S': tmux_server(c, optarg); break;
		}
	if (filter && !valid_filter(filter))
		bad_usage("-s %s: no such state; states are pending, sent, working, done, held "
		    "or a held status in upper case", filter);
	look_at_panes = targets || (live && tmux_flag);
	if (live && (check || targets || records))
		bad_usage("-f: a live table; not with -c, -p or -T");
	if (argc - optind > 1)
		bad_usage("%s: one queue at most", argv[optind + 1]);
	if ((now = getenv("TQ_NOW")) && *now && (fixed_now = parse_time(now)) < 0)
		die(1, "TQ_NOW=%s: not a time such as 2026-11-25T09:00:00Z", now);
	setlocale(LC_CTYPE, "");	/* for the width of targets on the screen */
	path = queue_path(argv[optind]);
	if (check || targets) {
		if (load_queue(path, &q) < 0)
			return 1;
		if (!targets)
			return 0;
		rc = check_targets(path);
		spath = state_path(path);
		show_panes(spath);
		free(spath);
		flush_stdout();
		return rc;
	}
	spath = state_path(path);
	if (live) {
		follow(path, spath);
		rc = 0;
	} else {
		rc = show(path, spath, 0, 0) == -2;
		flush_stdout();
	}
	free(spath);
	return rc;
}
