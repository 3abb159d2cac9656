/* tnext: record completion markers and pop the next task of every idle pane.
 *
 * Reads batches of marker lines, "ID [STATUS [N]]", each ended by an empty
 * line or by the end of input, and watches the queue file.  At the end of
 * each batch, and whenever the queue file changes between batches, it
 * keeps the invariant: every idle pane gets its next pending task.
 * The end of the first batch is the go: before it, the markers already
 * written (twatch's first scan) are not known, and a task they mark done
 * could be sent.  So an input that ends before it (twatch failed) sends
 * nothing, a queue changed before it waits for it, and -r sends only its
 * own task until then.
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
#include "system.h"	/* flock(2) */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "record.h"
#include "marker.h"
#include "state.h"
#include "watch.h"

#define MAXLINE 4096		/* a marker line is far shorter */
#define RESUME_AFTER 5		/* LIMIT: seconds past the reset, for the clocks */

struct marker {
	char *id, *status, *note;
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
static const char *only;	/* -t: the targets this tnext sends to, or 0 */
static char *spath, *lockpath, *stateline;
static struct statefile sf;
static int lockfd = -1, verbose, unknown, changed;
static int settled;		/* nothing new since the last batch ran */
static time_t resume_at;	/* when the next usage limit of a task resets, or 0 */
static int started;		/* a batch of the input ended: the go */

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
	char *line = xstrdup(text), *id, *status, *note;
	long n;
	int ok = 0;

	if (parse_marker(line, &id, &status, &n, &note)) {
		markers = xrealloc(markers, (nmarkers + 1) * sizeof *markers);
		markers[nmarkers].id = xstrdup(id);
		markers[nmarkers].status = xstrdup(status);
		markers[nmarkers].note = note && *note ? xstrdup(note) : 0;
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
		free(markers[i].note);
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

/* Loads the queue again if its inode, size or times changed, which keeps
 * a batch cheap on a queue of many thousand tasks; a bad queue is
 * reported once, not again at each batch until it is mended. */
static int
load_current_queue(void)
{
	static struct stat last;
	static int loaded, bad;
	struct stat st;

	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof st);	/* missing: that too is a state; load_queue says why */
	if ((loaded || bad) && same_file(&st, &last))
		return bad ? -1 : 0;
	if (loaded)
		forget_queue();
	loaded = bad = 0;
	last = st;
	if (st.st_nlink && !S_ISREG(st.st_mode)) {	/* it is read again and again */
		complain("%s: not a regular file", path);
		return -(bad = 1);
	}
	if (load_queue(path, &q) < 0)
		return -(bad = 1);
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
 * recorded yet; one without N (typed by hand) always does.  A hook's
 * marker that changes nothing now (IDLE for a task not in progress) is
 * recorded all the same, so that a replay of it never changes the task
 * once it is sent again. */
static void
record_markers(void)
{
	struct marker *m;
	char *details;
	size_t i;

	for (i = 0; i < ended; i++) {
		m = &markers[i];
		m->what = RECORDED;
		if (m->n && m->n <= marker_count(&sf, m->id, m->status))
			m->what = REPLAY;	/* that occurrence was recorded */
		else if (!find_task(&q, m->id))
			m->what = UNKNOWN;
		else if (!marker_applies(&sf, m->id, m->status))
			m->what = NO_EFFECT;
		if (m->what == REPLAY || m->what == UNKNOWN)
			continue;
		details = format("%ld%s%s", m->n, m->note ? " " : "", m->note ? m->note : "");
		if (append_event(&sf, m->status, m->id, details) < 0 || read_statefile(&sf) < 0)
			exit(1);
		free(details);
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
			    m->what == NO_EFFECT ? ", which changes nothing: the task is not in progress" : "");
		}
	}
}

/* Whether -t lets this tnext send the task. */
static int
ours(const struct task *t)
{
	return !only || !fnmatch(only, t->target, 0);
}

/* Under the state lock: the next task of every idle pane, in queue order.
 * A pane's next task is its first pending one, unless some were reset:
 * then the one reset first.  It is sent once every task of its after=
 * is done; until then the pane waits, and no later task overtakes it. */
static size_t
pick_tasks(void)
{
	struct state *st;
	struct pane *p;
	size_t i, n = 0;
	long reset;
	char *why;

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
	for (i = 0; i < q.n; i++) {
		if (pane_of[i]->pick != (long)i || pane_of[i]->busy >= 0 || !ours(q.tasks[i]))
			continue;
		if ((why = waiting_for(&sf, q.tasks[i])))
			free(why);	/* its pane waits */
		else
			sending[n++] = i;
	}
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
	char *why, *line;

	for (i = 0; strcmp(q.tasks[i]->id, id); i++)
		;
	p = pane_of[i];
	if (p->busy < 0 && p->pick == (long)i) {
		if (!(why = waiting_for(&sf, q.tasks[i])))
			return 0;
		line = format("%s: reset; it goes next on %s, %s", id, p->target, why);
		free(why);
		return line;
	}
	other = p->busy >= 0 ? p->busy : p->pick;
	status = task_status(&sf, q.tasks[other]->id);
	return format("%s: reset; %s is busy with %s%s%s%s, it goes next", id, p->target, q.tasks[other]->id,
	    is_held(status) ? " (" : "", is_held(status) ? status : "", is_held(status) ? ")" : "");
}

/* Writes a task's record and, once it is out, records it as sent. */
static void
send_task(const struct task *t)
{
	static dev_t dev;
	static ino_t ino;
	static int named;
	int sent = 0;

	if (!named || sf.dev != dev || sf.ino != ino) {	/* before the first record, and a new file */
		printf("%s#state-id %llu %llu\n", stateline, (unsigned long long)sf.dev,
		    (unsigned long long)sf.ino);
		dev = sf.dev;
		ino = sf.ino;
		named = 1;
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

/* Under the state lock, after pick_tasks(): each task held LIMIT whose
 * limit reset RESUME_AFTER seconds ago is reset, to be sent again
 * (tq(5)); resume_at is when the next one is due.  Returns how many were,
 * their IDs in *ids, to be said once the lock is let go. */
static size_t
resume_limits(const char ***ids)
{
	time_t now = time(0), at;
	size_t i, n = 0;

	resume_at = 0;
	for (i = 0; i < q.n; i++) {
		if (!state_of[i] || (at = limit_reset(state_of[i])) < 0 || !ours(q.tasks[i]))
			continue;
		if ((at += RESUME_AFTER) > now) {
			if (!resume_at || at < resume_at)
				resume_at = at;
			continue;
		}
		if (append_event(&sf, "reset", q.tasks[i]->id, 0) < 0)
			exit(1);
		*ids = xrealloc(*ids, (n + 1) * sizeof **ids);
		(*ids)[n++] = q.tasks[i]->id;
	}
	if (n && read_statefile(&sf) < 0)
		exit(1);
	return n;
}

/* One batch: 0 done, -1 the queue is broken and the markers are kept. */
static int
run_batch(const char *reset)
{
	const char **resumed = 0;
	char *where = 0;
	size_t i, n, nresumed;

	changed = settled = 0;
	if (load_current_queue() < 0)
		return -1;	/* and nothing is written */
	if (reset && !find_task(&q, reset))
		die(1, "%s: no such task in %s", reset, path);
	if (reset && !ours(find_task(&q, reset)))
		die(1, "%s: its target %s does not match -t %s", reset, find_task(&q, reset)->target, only);
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
	if ((nresumed = resume_limits(&resumed)))
		n = pick_tasks();
	if (reset)
		where = say_where(reset);
	if (unlock_statefile(&sf) < 0)
		exit(1);
	report_markers();
	if (reset && verbose)
		complain("reset %s", reset);
	for (i = 0; i < nresumed; i++)
		complain("%s: its usage limit has reset; sent again", resumed[i]);
	free(resumed);
	if (where)
		complain("%s", where);
	free(where);
	for (i = 0; i < n; i++)	/* before the go, -r sends its task alone */
		if (started || (reset && !strcmp(q.tasks[sending[i]]->id, reset)))
			send_task(q.tasks[sending[i]]);
	unlock_sending();
	forget_ended_markers();
	settled = !nmarkers;
	return 0;
}

/* "#state /abs/QUEUE.state", for tsend to say where a failed delivery
 * goes: the path joined to the current directory, links kept.  The
 * "#state-id DEV INO" after it tells a tsend on another host, where the
 * same path may name another file, that it is not this one. */
static char *
name_state(void)
{
	char *abs = absolute_path(spath), *line = xmalloc(strlen(abs) + 9);

	sprintf(line, "#state %s\n", abs);
	free(abs);
	if (strchr(line, '\n') != line + strlen(line) - 1)
		die(1, "%s: a queue whose name holds a newline cannot be named in a stream", path);
	return line;
}

/* A queue written and closed, or renamed into place, is a new queue; not
 * a mere write: an editor may be half way through it (watch.c).  With -t,
 * any write to the state file (1) may be another tnext's DONE, which
 * frees a task here; our own cost one batch that sends nothing. */
static void
queue_written(size_t i, int what)
{
	changed |= i ? what != 0 : (what & WATCH_CLOSED) != 0;
}

static void
watch_queue(void)
{
	int err;

	if ((err = watch_start(only ? 2 : 1, 0, WATCH_CLOSED | (only ? WATCH_WRITTEN : 0))))
		complain("inotify: %s; the queue is looked at every second", strerror(err));
	if ((err = watch_path(0, path)))
		complain("%s: cannot watch: %s; the queue is read again only at each batch", path,
		    strerror(err));
	if (only && (err = watch_path(1, spath)))
		complain("%s: cannot watch: %s; the tasks after another tnext's wait for a batch",
		    spath, strerror(err));
}

static char in[65536];	/* standard input not taken yet: a part of a line */
static size_t inlen;
static long lineno;
static int bad, in_batch, skipping, cut;

static void
take_line(const char *s, size_t n)
{
	if (strspn(s, " \t\r") == n) {	/* the end of a batch */
		ended = nmarkers;
		in_batch = 0;
		started = 1;
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
			bad = cut = 1;
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

/* -H: each line "ID UNSENT REASON", as a tsend on another host prints
 * each task it could not deliver, held UNSENT here as tsend would have. */
static int
take_holds(void)
{
	char *line = 0, *why;
	size_t cap = 0, n;
	ssize_t len;
	int failed = 0, held;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		if (line[len - 1] != '\n') {
			complain("stdin:%ld: a line cut off by the end of input, ignored", lineno);
			failed = 1;
			break;
		}
		line[--len] = 0;
		n = strcspn(line, " ");
		why = line + n + (line[n] != 0);
		if (strlen(line) != (size_t)len || !valid_id(line, n) || strncmp(why, "UNSENT ", 7) ||
		    !why[7]) {
			complain("stdin:%ld: not a task tsend could not deliver (ID UNSENT REASON), ignored",
			    lineno);
			failed = 1;
			continue;
		}
		line[n] = 0;
		if (load_current_queue() == 0 && !find_task(&q, line)) {	/* broken: held all the same */
			complain("stdin:%ld: no task %s in %s, ignored", lineno, line, path);
			failed = 1;
			continue;
		}
		held = open_statefile(&sf, spath, 1) == 0;
		if (held) {
			lock_statefile(&sf, LOCK_EX);
			held = append_event(&sf, "UNSENT", line, why + 7) == 0;
			held &= unlock_statefile(&sf) == 0;
		}
		if (!held) {
			complain("stdin:%ld: %s: could not be held UNSENT: tq shows it sent, and it was not "
			    "delivered", lineno, line);
			failed = 1;
		} else if (verbose) {
			complain("held %s UNSENT: %s", line, why + 7);
		}
	}
	free(line);
	return failed;
}

int
main(int argc, char *argv[])
{
	struct pollfd fds[2] = { { 0, POLLIN, 0 }, { -1, POLLIN, 0 } };
	const char *reset = 0;
	long long due, limit;
	int c, n, holds = 0;

	progname = "tnext";
	open_std_fds(1);
	usage_text = "usage: tnext [-v] [-r ID] [-t PATTERN] [QUEUE]\n"
	    "       tnext -H [-v] [QUEUE]\n"
	    "  -r ID       put task ID back to pending and send it when its pane is free\n"
	    "  -t PATTERN  send only the tasks whose target matches PATTERN (a glob)\n"
	    "  -v          say on stderr each marker recorded and each task sent\n"
	    "  -H          hold the tasks a tsend on another host could not deliver\n"
	    "Reads batches of markers (ID STATUS N, an empty line after each batch) and\n"
	    "prints the next task of every idle pane; echo | tnext is an empty batch.\n"
	    "With -H, reads the lines ID UNSENT REASON that tsend prints and holds each.\n"
	    "QUEUE is $TQUEUE, else ./queue.";
	while ((c = next_option(argc, argv, "Hr:t:v")) != -1)
		switch (c) {
		case 'H': holds = 1; break;
		case 'r': reset = optarg; break;
		case 't': only = optarg; break;
		case 'v': verbose = 1; break;
		}
	if (argc - optind > 1)
		bad_usage("%s: one queue at most", argv[optind + 1]);
	if (holds && (reset || only))
		bad_usage("-H: with -%c, which sends", reset ? 'r' : 't');
	if (only && !*only)
		bad_usage("-t: an empty pattern matches no target");
	path = queue_path(argv[optind]);
	spath = state_path(path);
	if (holds)
		return take_holds();
	lockpath = xmalloc(strlen(path) + 6);
	sprintf(lockpath, "%s.lock", path);
	stateline = name_state();
	watch_queue();
	fds[1].fd = watch_fd();	/* -1 when it looks every second */
	if (reset && run_batch(reset) < 0)
		return 1;
	for (;;) {
		if (changed && started && !in_batch && !inlen)
			run_batch(0);
		due = watch_due();
		if (resume_at && !in_batch && !inlen) {	/* a usage limit resets: a batch then */
			limit = (resume_at - time(0)) * 1000LL + now_ms();
			if (!due || limit < due)
				due = limit;
		}
		if ((n = poll(fds, 2, due ? (int)(due > now_ms() ? due - now_ms() : 0) : -1)) < 0) {
			if (errno == EINTR)
				continue;
			die(1, "poll: %s", strerror(errno));
		}
		if (!n && resume_at && !in_batch && !inlen && time(0) >= resume_at)
			changed = 1;	/* a usage limit has reset */
		watch_events(queue_written);
		if (fds[0].revents && !read_input())
			break;
	}
	ended = nmarkers;
	if (in_batch && !cut)
		started = 1;	/* a batch that the end of input ended */
	if (!started && !reset) {
		complain(cut ? "stdin: ended in the middle of its first batch; nothing sent" :
		    "stdin: ended before its first batch; nothing sent (echo | tnext is an empty batch)");
		bad = 1;
	}
	if ((changed || !settled) && run_batch(0) < 0)
		return 1;	/* the queue is still broken */
	return bad || unknown;
}
