/* tnext: record completion markers and pop the next task of every idle pane.
 *
 * Reads batches of marker lines, "ID [STATUS [N]]", each ended by an empty
 * line or by the end of input, and watches the queue file.  At the end of
 * each batch, and whenever the queue file changes between batches, it
 * keeps the invariant: every idle pane gets its next pending task.
 *
 * Two locks.  The send lock, flock(2) on QUEUE.lock, is held for a whole
 * batch, records written included, so that two tnext never send one task.
 * The state lock, on QUEUE.state, is held only while the state file is
 * read and appended to, never while tnext waits on its output, so that tq
 * and tsend never wait on a pipe.  A batch, under the send lock:
 *
 *   1. under the state lock: read the events appended since, record each
 *      marker whose occurrence N is above any recorded (or that has no N),
 *      and pick the next task of every idle pane;
 *   2. for each task picked: write its record and flush it; then, under
 *      the state lock, record it as sent, unless it is no longer pending
 *      (tsend already found it could not deliver it: it stays UNSENT).
 *
 * So a task is always pending, sent, done or held; a record that could
 * not be written is never marked sent.  kill -9 between a record's flush
 * and its event is the one way a task is sent twice: it is still pending
 * for the next run.
 *
 * Standard input is read with read(2) into a buffer of our own, so that
 * waiting for it and for the queue is one poll(2), and a half line never
 * holds tnext inside stdio.
 */
#define _DEFAULT_SOURCE		/* flock(2) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "util.h"
#include "record.h"
#include "marker.h"
#include "state.h"

#define MAXLINE 4096		/* a marker line is far shorter */

struct marker {
	char *id, *status;
	long n, line;		/* its occurrence, 0 if not given; its line */
	enum { REPLAY, UNKNOWN, RECORDED, NO_EFFECT } what;	/* what came of it */
};

/* The tasks of the queue that share one TARGET string. */
struct pane {
	const char *target;
	long busy, pick;	/* in this batch: a task sent or held, the task to send, or -1 */
	long reset;		/* the reset event of pick, 0 if none */
};

static const char *path;	/* the queue */
static char *spath, *lockpath, *stateline;
static struct statefile sf;
static int lockfd = -1, verbose, unknown, changed;
static int settled;		/* nothing new since the last batch ran */

static struct marker *markers;
static size_t nmarkers, ended;	/* read so far; of those, in batches that ended */

static struct queue q;
static struct pane **pane_of, **panes;	/* the pane of each task; each pane once */
static size_t npanes, *sending;
static const char **ids;	/* the IDs of the queue in strcmp(3) order */
static char *packed;		/* where they are */
static size_t *index_of;	/* of ids[i] in the queue */
static struct state **found, **state_of;	/* per batch: by ID, by index */

/* Adds a marker line to the batch; 0 if it is not one. */
static int
add_marker(const char *text, long lineno)
{
	char *line = xstrdup(text), *id, *status;
	long n;
	int ok = 0;

	if (parse_marker(line, &id, &status, &n)) {
		markers = xrealloc(markers, (nmarkers + 1) * sizeof *markers);
		markers[nmarkers].id = xstrdup(id);
		markers[nmarkers].status = xstrdup(status);
		markers[nmarkers].n = n;
		markers[nmarkers++].line = lineno;
		ok = 1;
	}
	free(line);
	return ok;
}

static void
forget_ended_markers(void)
{
	size_t i;

	if (!ended)
		return;
	for (i = 0; i < ended; i++) {
		free(markers[i].id);
		free(markers[i].status);
	}
	memmove(markers, markers + ended, (nmarkers - ended) * sizeof *markers);
	nmarkers -= ended;
	ended = 0;
}

static int
compare_panes(const void *a, const void *b)
{
	return strcmp(((const struct pane *)a)->target, ((const struct pane *)b)->target);
}

static int
compare_ids(const void *a, const void *b)
{
	return strcmp(q.tasks[*(const size_t *)a]->id, q.tasks[*(const size_t *)b]->id);
}

/* What each batch needs of a queue just loaded: its panes, and its IDs
 * in order, for find_states(). */
static void
index_queue(void)
{
	struct pane key, **in;
	void *tree = 0;
	size_t i, n, len;

	pane_of = xmalloc(q.n * sizeof(struct pane *));
	panes = xmalloc(q.n * sizeof(struct pane *));
	sending = xmalloc(q.n * sizeof *sending);
	ids = xmalloc(q.n * sizeof *ids);
	index_of = xmalloc(q.n * sizeof *index_of);
	found = xmalloc(q.n * sizeof(struct state *));
	state_of = xmalloc(q.n * sizeof(struct state *));
	for (i = 0; i < q.n; i++) {
		index_of[i] = i;
		key.target = q.tasks[i]->target;
		if ((in = tfind(&key, &tree, compare_panes))) {
			pane_of[i] = *in;
			continue;
		}
		pane_of[i] = panes[npanes++] = xmalloc(sizeof **panes);
		pane_of[i]->target = key.target;
		tree_add(pane_of[i], &tree, compare_panes);
	}
	free_tree(&tree, compare_panes, 0);
	qsort(index_of, q.n, sizeof *index_of, compare_ids);
	for (i = 0, len = 0; i < q.n; i++)
		len += strlen(q.tasks[i]->id) + 1;
	packed = xmalloc(len);
	for (i = 0, len = 0; i < q.n; i++) {	/* side by side: each batch reads them all */
		n = strlen(q.tasks[index_of[i]]->id) + 1;
		ids[i] = memcpy(packed + len, q.tasks[index_of[i]]->id, n);
		len += n;
	}
}

static void
forget_queue(void)
{
	while (npanes)
		free(panes[--npanes]);
	free(panes);
	free(pane_of);
	free(sending);
	free(ids);
	free(packed);
	free(index_of);
	free(found);
	free(state_of);
	free_queue(&q);
}

/* Loads the queue again if its inode, size or modification time changed,
 * which keeps a batch cheap on a queue of many thousand tasks. */
static int
load_current_queue(void)
{
	static struct stat last;
	static int loaded;
	struct stat st;

	if (loaded && stat(path, &st) == 0 && same_file(&st, &last))
		return 0;
	if (loaded)
		forget_queue();
	loaded = 0;
	if (stat(path, &last) < 0)
		memset(&last, 0, sizeof last);	/* load_queue says why */
	else if (!S_ISREG(last.st_mode)) {	/* it is read again and again */
		complain("%s: not a regular file", path);
		return -1;
	}
	if (load_queue(path, &q) < 0)
		return -1;
	index_queue();
	loaded = 1;
	return 0;
}

/* The send lock.  Taken on a file that was then removed or replaced, it
 * would exclude no one: so check, and take it again. */
static void
lock_sending(void)
{
	struct stat held, now;

	for (;;) {
		if (lockfd < 0 && (lockfd = open(lockpath, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666)) < 0)
			die(1, "%s: %s", lockpath, strerror(errno));
		while (flock(lockfd, LOCK_EX) < 0)
			if (errno != EINTR)
				die(1, "%s: cannot lock: %s", lockpath, strerror(errno));
		if (fstat(lockfd, &held) < 0)
			die(1, "%s: %s", lockpath, strerror(errno));
		if (stat(lockpath, &now) == 0 && now.st_dev == held.st_dev && now.st_ino == held.st_ino)
			return;
		close(lockfd);
		lockfd = -1;
	}
}

static void
unlock_sending(void)
{
	if (flock(lockfd, LOCK_UN) < 0)
		die(1, "%s: cannot unlock: %s", lockpath, strerror(errno));
}

/* Under the state lock.  A marker applies when its occurrence was not
 * recorded yet; one without N (typed by hand) always does.  IDLE is
 * recorded even for a task not sent, where it changes nothing, so that
 * a replay of it never holds the task once it is sent again. */
static void
record_markers(void)
{
	struct marker *m;
	char count[32];
	size_t i;

	for (i = 0; i < ended; i++) {
		m = &markers[i];
		m->what = RECORDED;
		if (m->n && m->n <= marker_count(&sf, m->id, m->status))
			m->what = REPLAY;	/* that occurrence was recorded */
		else if (!find_task(&q, m->id))
			m->what = UNKNOWN;
		else if (!strcmp(m->status, "IDLE") && strcmp(task_status(&sf, m->id), "sent"))
			m->what = NO_EFFECT;
		if (m->what == REPLAY || m->what == UNKNOWN)
			continue;
		snprintf(count, sizeof count, "%ld", m->n);
		if (append_event(&sf, m->status, m->id, count) < 0 || read_statefile(&sf) < 0)
			exit(1);
	}
}

/* Says what came of the markers, once the state lock is let go: stderr
 * may be a pipe too. */
static void
report_markers(void)
{
	struct marker *m;
	char count[32] = "";
	size_t i;

	for (i = 0; i < ended; i++) {
		m = &markers[i];
		if (m->n)
			snprintf(count, sizeof count, " %ld", m->n);
		if (m->what == UNKNOWN) {
			complain("stdin:%ld: no task %s in %s, marker ignored", m->line, m->id, path);
			unknown = 1;
		} else if (verbose && m->what != REPLAY) {
			complain("recorded %s %s%s%s", m->id, m->status, m->n ? count : "",
			    m->what == NO_EFFECT ? ", which changes nothing: it was not sent" : "");
		}
	}
}

/* Under the state lock: the next task of every idle pane, in queue order.
 * A pane's next task is its first pending one, unless some were reset:
 * then the one reset first. */
static size_t
pick_tasks(void)
{
	struct state *st;
	struct pane *p;
	size_t i, n = 0;
	long reset;

	for (i = 0; i < npanes; i++)
		panes[i]->busy = panes[i]->pick = -1;
	find_states(&sf, ids, q.n, found);
	for (i = 0; i < q.n; i++)
		state_of[index_of[i]] = found[i];
	for (i = 0; i < q.n; i++) {
		st = state_of[i];
		p = pane_of[i];
		if (!st || !strcmp(st->status, "pending")) {
			reset = st ? st->reset : 0;
			if (p->pick < 0 || (reset && (!p->reset || reset < p->reset))) {
				p->pick = i;
				p->reset = reset;
			}
		} else if (p->busy < 0 && !is_done(st->status)) {
			p->busy = i;
		}
	}
	for (i = 0; i < q.n; i++)
		if (pane_of[i]->pick == (long)i && pane_of[i]->busy < 0)
			sending[n++] = i;
	return n;
}

/* After -r: where the reset task stands, if it is not sent now; said
 * once the state lock is let go. */
static char *
say_where(const char *id)
{
	const char *status;
	struct pane *p;
	size_t i;
	long other;

	for (i = 0; strcmp(q.tasks[i]->id, id); i++)
		;
	p = pane_of[i];
	if (p->busy < 0 && p->pick == (long)i)
		return 0;
	other = p->busy >= 0 ? p->busy : p->pick;
	status = task_status(&sf, q.tasks[other]->id);
	return format("%s: reset; %s is busy with %s%s%s%s, it goes next", id, p->target, q.tasks[other]->id,
	    is_held(status) ? " (" : "", is_held(status) ? status : "", is_held(status) ? ")" : "");
}

/* Writes a task's record and, once it is out, records it as sent. */
static void
send_task(const struct task *t)
{
	int sent = 0;

	if (stateline) {	/* before the first record of the run */
		fputs(stateline, stdout);
		free(stateline);
		stateline = 0;
	}
	write_task(stdout, t);
	if (fflush(stdout) == EOF) {	/* not written, so not sent */
		if (errno != EPIPE)
			complain("stdout: %s", strerror(errno));
		_exit(1);	/* exit() would try to flush it again */
	}
	lock_statefile(&sf, LOCK_EX);
	if (read_statefile(&sf) < 0)
		exit(1);
	if (!strcmp(task_status(&sf, t->id), "pending")) {
		if (append_event(&sf, "sent", t->id, 0) < 0)
			exit(1);
		sent = 1;
	}
	if (unlock_statefile(&sf) < 0)
		exit(1);
	if (verbose && sent)
		complain("sent %s to %s", t->id, t->target);
}

/* One batch: 0 done, -1 the queue is broken and the markers are kept. */
static int
run_batch(const char *reset)
{
	char *where = 0;
	size_t i, n;

	changed = settled = 0;
	if (load_current_queue() < 0)
		return -1;	/* and nothing is written */
	if (reset && !find_task(&q, reset))
		die(1, "%s: no such task in %s", reset, path);
	lock_sending();
	if (open_statefile(&sf, spath, 1) < 0)
		exit(1);
	lock_statefile(&sf, LOCK_EX);
	if (read_statefile(&sf) < 0)
		exit(1);
	if (reset && (append_event(&sf, "reset", reset, 0) < 0 || read_statefile(&sf) < 0))
		exit(1);
	record_markers();
	n = pick_tasks();
	if (reset)
		where = say_where(reset);
	if (unlock_statefile(&sf) < 0)
		exit(1);
	report_markers();
	if (reset && verbose)
		complain("reset %s", reset);
	if (where)
		complain("%s", where);
	free(where);
	for (i = 0; i < n; i++)
		send_task(q.tasks[sending[i]]);
	unlock_sending();
	forget_ended_markers();
	settled = !nmarkers;
	return 0;
}

/* "#state /abs/QUEUE.state", for tsend to say where a failed delivery
 * goes: the path joined to the current directory, links kept. */
static char *
name_state(void)
{
	const char *s = spath;
	char *cwd = 0, *line;
	size_t cap = 256;

	while (s[0] == '.' && s[1] == '/')
		s += 2;
	if (*s != '/')
		for (cwd = xmalloc(cap); !getcwd(cwd, cap); cwd = xrealloc(cwd, cap *= 2))
			if (errno != ERANGE)
				die(1, "cannot name the current directory: %s", strerror(errno));
	line = xmalloc((cwd ? strlen(cwd) : 0) + strlen(s) + 10);
	sprintf(line, "#state %s%s%s\n", cwd ? cwd : "", cwd && strcmp(cwd, "/") ? "/" : "", s);
	free(cwd);
	if (strchr(line, '\n') != line + strlen(line) - 1)
		die(1, "%s: a queue whose name holds a newline cannot be named in a stream", path);
	return line;
}

#ifdef __linux__
/* Watches the queue's directory: a queue written and closed, or renamed
 * into place, is a new queue.  Not a mere write: an editor may be half
 * way through it. */
static int
watch_queue(void)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0 || inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		complain("%s: cannot watch: %s; the queue is read again only at each batch", dir,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(dir);
	return fd;
}

static int
queue_changed(int fd)
{
	union {
		struct inotify_event event;
		char buf[4096];
	} u;
	const struct inotify_event *e;
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
	ssize_t n;
	char *p;
	int found = 0;

	while ((n = read(fd, u.buf, sizeof u.buf)) > 0)
		for (p = u.buf; p < u.buf + n; p += sizeof *e + e->len) {
			e = (const struct inotify_event *)(void *)p;
			found |= (e->mask & IN_Q_OVERFLOW) || (e->len && !strcmp(e->name, name));
		}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		die(1, "inotify: %s", strerror(errno));
	return found;
}
#else
/* Elsewhere the queue is read again at each batch only. */
static int watch_queue(void) { return -1; }
static int queue_changed(int fd) { (void)fd; return 0; }
#endif

static char in[65536];	/* standard input not taken yet: a part of a line */
static size_t inlen;
static long lineno;
static int bad, in_batch, skipping;

static void
take_line(const char *s, size_t n)
{
	if (strspn(s, " \t\r") == n) {	/* the end of a batch */
		ended = nmarkers;
		in_batch = 0;
		run_batch(0);	/* if the queue is broken, the next one tries again */
	} else if (*s != '#') {
		in_batch = 1;
		settled = 0;
		if (memchr(s, 0, n) || !add_marker(s, lineno)) {
			complain("stdin:%ld: bad marker '%s', ignored", lineno, s);
			bad = 1;
		}
	}
}

/* Reads what standard input has and takes each whole line; 0 at its end. */
static int
read_input(void)
{
	char *p, *nl;
	ssize_t n;

	if ((n = read(0, in + inlen, sizeof in - 1 - inlen)) < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 1;
		complain("stdin: %s", strerror(errno));
		bad = 1;
		n = 0;
	}
	if (!n) {
		if (inlen && !skipping) {	/* its writer died in the middle of it */
			complain("stdin:%ld: a line cut off by the end of input, ignored", ++lineno);
			bad = 1;
		}
		inlen = 0;
		return 0;
	}
	inlen += n;
	for (p = in; (nl = memchr(p, '\n', in + inlen - p)); p = nl + 1) {
		*nl = 0;
		if (!skipping) {
			lineno++;
			take_line(p, nl - p);
		}
		skipping = 0;
	}
	memmove(in, p, inlen -= p - in);
	if (inlen > MAXLINE) {	/* skip the rest of it */
		if (!skipping)
			complain("stdin:%ld: line too long, ignored", ++lineno);
		bad = in_batch = skipping = 1;
		inlen = 0;
	}
	return 1;
}

int
main(int argc, char *argv[])
{
	struct pollfd fds[2] = { { 0, POLLIN, 0 }, { -1, POLLIN, 0 } };
	const char *reset = 0;
	int c;

	progname = "tnext";
	open_std_fds();
	usage_text = "usage: tnext [-v] [-r ID] [QUEUE]";
	while ((c = next_option(argc, argv, "r:v")) != -1)
		switch (c) {
		case 'r': reset = optarg; break;
		case 'v': verbose = 1; break;
		}
	if (argc - optind > 1)
		bad_usage("%s: one queue at most", argv[optind + 1]);
	path = queue_path(argv[optind]);
	spath = state_path(path);
	lockpath = xmalloc(strlen(path) + 6);
	sprintf(lockpath, "%s.lock", path);
	stateline = name_state();
	fds[1].fd = watch_queue();
	if (reset && run_batch(reset) < 0)
		return 1;
	for (;;) {
		if (changed && !in_batch && !inlen)
			run_batch(0);
		if (poll(fds, fds[1].fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die(1, "poll: %s", strerror(errno));
		}
		if (fds[1].revents && queue_changed(fds[1].fd))
			changed = 1;
		if (fds[0].revents && !read_input())
			break;
	}
	ended = nmarkers;
	if ((changed || !settled) && run_batch(0) < 0)
		return 1;	/* the queue is still broken */
	return bad || unknown;
}
