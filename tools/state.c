/* state.c: the state file, QUEUE.state, shared by all four tools.
 *
 * It is an append-only log, one event a line, "TIME EVENT ID [DETAILS]",
 * and the events of a task, in order, give its state.  Writers (tnext,
 * and tsend for UNSENT) append one whole line with one write(2) under an
 * exclusive flock(2), and sync it before they let go; readers take a
 * shared lock, so that no one ever sees half a line that is being written.
 * Each reader keeps its place and reads only what was appended since; a
 * file replaced or truncated is read again from the start.
 *
 * A line cut short (a crash, a full disk) has no newline.  It is never an
 * event: readers stop before it, and the next writer ends it with '#'
 * before its own line, so that it reads "...#" and is ignored ever after,
 * never completed by the next event.  No event ends in '#'.  It is said
 * while it is cut, by each reader that finds it so, once: ended, it is
 * history, and a reader that starts later says nothing of it (no one was
 * told of its event: a writer syncs its line before it says anything).
 */
#include "system.h"	/* flock(2), fdatasync(2) */
#include <errno.h>
#include <fcntl.h>
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

/* The highest occurrence of a marker recorded for a task. */
struct mark {
	long n;
	char status[];
};

int
is_done(const char *status)
{
	return !strcmp(status, "done");
}

int
is_held(const char *status)
{
	return strcmp(status, "pending") && strcmp(status, "sent") && strcmp(status, "working") &&
	    !is_done(status);
}

/* Whether the agent has shown that it has the task's prompt: it works on
 * it, or ended it one way or another.  Not so while it is pending or
 * sent, or held UNSENT by tsend. */
int
is_taken(const char *status)
{
	return strcmp(status, "pending") && strcmp(status, "sent") && strcmp(status, "UNSENT");
}

/* Whether a marker of event changes a task now in status.  The agent's
 * own markers always do.  Its hook's (tq-hook(1)) speak of the task in
 * progress: each from the states listed (tq(5), "States"). */
static int
applies(const char *event, const char *status)
{
	static const char *from[][2] = {
		{ "WORKING", " sent UNSENT IDLE WAITING LIMIT ERROR GONE " },
		{ "IDLE", " sent working WAITING " },
		{ "WAITING", " sent working WAITING " },
		{ "LIMIT", " sent working WAITING " },
		{ "ERROR", " sent working WAITING " },
		{ "GONE", " sent working WAITING IDLE LIMIT ERROR " },
	};
	char word[64];
	size_t i;

	for (i = 0; i < sizeof from / sizeof *from; i++)
		if (!strcmp(event, from[i][0])) {
			snprintf(word, sizeof word, " %s ", status);
			return strstr(from[i][1], word) != 0;
		}
	return 1;
}

int
marker_applies(struct statefile *sf, const char *id, const char *status)
{
	return applies(status, task_status(sf, id));
}

static int
compare_states(const void *a, const void *b)
{
	return strcmp(((const struct state *)a)->id, ((const struct state *)b)->id);
}

static int
compare_marks(const void *a, const void *b)
{
	return strcmp(((const struct mark *)a)->status, ((const struct mark *)b)->status);
}

static void
free_state(void *p)
{
	struct state *st = p;

	free_tree(&st->marks, compare_marks, free);
	free(st->id);
	free(st->status);
	free(st->reason);
	free(st);
}

static void
forget_states(struct statefile *sf)
{
	free_tree(&sf->tasks, compare_states, free_state);
	free_tree(&sf->reporters, compare_strings, free);
	sf->off = 0;
	sf->line = 0;
	sf->torn = -1;
}

/* "2026-11-25T09:00:00Z" in seconds since the epoch, or -1.  No timegm(3)
 * in POSIX: days since 1970-01-01 in the Gregorian calendar (H. Hinnant). */
time_t
parse_time(const char *s)
{
	int y, mo, d, n = -1;
	long h, mi, sec, era, yoe, doy;

	if (sscanf(s, "%4d-%2d-%2dT%2ld:%2ld:%2ldZ%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n < 0 ||
	    s[n] || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 60)
		return -1;
	y -= mo <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	return ((time_t)(era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719468) * 86400 +
	    h * 3600 + mi * 60 + sec;
}

char *
state_path(const char *queue)
{
	char *s = xmalloc(strlen(queue) + 7);

	sprintf(s, "%s.state", queue);	/* not format(), which cuts at 512 bytes */
	return s;
}

/* Opens the state file at path, or again if it was replaced; without
 * writable, a file that does not exist yet is no error (sf->fd < 0). */
int
open_statefile(struct statefile *sf, const char *path, int writable)
{
	struct stat st;

	if (!sf->path) {
		memset(sf, 0, sizeof *sf);
		sf->path = xstrdup(path);
		sf->fd = -1;
		sf->torn = -1;
	}
	if (sf->fd >= 0) {
		if (stat(sf->path, &st) == 0 && st.st_dev == sf->dev && st.st_ino == sf->ino)
			return 0;
		close(sf->fd);	/* removed or replaced: start afresh */
		sf->fd = -1;
		forget_states(sf);
	}
	sf->fd = writable ?
	    open(sf->path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666) :
	    open(sf->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (sf->fd < 0) {
		if (!writable && errno == ENOENT)
			return 0;
		complain("%s: %s", sf->path, strerror(errno));
		return -1;
	}
	if (fstat(sf->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		complain("%s: not a regular file", sf->path);
		close(sf->fd);
		sf->fd = -1;
		return -1;
	}
	sf->dev = st.st_dev;
	sf->ino = st.st_ino;
	return 0;
}

/* A line that is not read as an event is said once the lock is let go:
 * stderr may be a pipe that is full, and others wait for the lock. */
static void
ignore(struct statefile *sf, long line, const char *what)
{
	char *note = format("%s:%ld: %s, ignored", sf->path, line, what);

	if (!sf->locked) {
		complain("%s", note);
		free(note);
		return;
	}
	sf->notes = xrealloc(sf->notes, (sf->nnotes + 1) * sizeof *sf->notes);
	sf->notes[sf->nnotes++] = note;
}

/* A state file that cannot be locked cannot be shared: fatal. */
void
lock_statefile(struct statefile *sf, int how)
{
	while (flock(sf->fd, how) < 0)
		if (errno != EINTR)
			die(1, "%s: cannot lock: %s", sf->path, strerror(errno));
	sf->locked = 1;
}

int
unlock_statefile(struct statefile *sf)
{
	size_t i;
	int rc = 0;

	if (sf->written && fdatasync(sf->fd) < 0) {
		complain("%s: %s", sf->path, strerror(errno));
		rc = -1;
	}
	sf->written = 0;
	if (flock(sf->fd, LOCK_UN) < 0)
		die(1, "%s: cannot unlock: %s", sf->path, strerror(errno));
	sf->locked = 0;
	for (i = 0; i < sf->nnotes; i++) {
		complain("%s", sf->notes[i]);
		free(sf->notes[i]);
	}
	sf->nnotes = 0;
	return rc;
}

struct state *
task_state(struct statefile *sf, const char *id)
{
	struct state key, **found;

	key.id = (char *)id;
	found = tfind(&key, &sf->tasks, compare_states);
	return found ? *found : 0;
}

const char *
task_status(struct statefile *sf, const char *id)
{
	struct state *st = task_state(sf, id);

	return st ? st->status : "pending";
}

/* Why task t, pending, waits: "after T-1 (sent), T-2 (BLOCKED)", the
 * tasks of its after= field that are not done, each in its state; or 0,
 * when none is left. */
char *
waiting_for(struct statefile *sf, const struct task *t)
{
	const char *status, *a;
	char *why = 0;
	size_t len = 0;

	for (a = t->after; a && *a; a += strlen(a) + 1) {
		if (is_done(status = task_status(sf, a)))
			continue;
		why = xrealloc(why, len + strlen(a) + strlen(status) + 11);
		len += sprintf(why + len, "%s%s (%s)", len ? ", " : "after ", a, status);
	}
	return why;
}

/* The states of many tasks at once: out[i] is the state of task ids[i],
 * or 0.  ids in strcmp(3) order: then one walk of the tree, in order,
 * beside the list, costs less than a lookup for each.  twalk(3) takes no
 * argument for its action, hence the statics. */
static const char *const *walk_ids;
static struct state **walk_out;
static size_t walk_n, walk_i;

static void
match_state(const void *node, VISIT visit, int depth)
{
	struct state *st = *(struct state *const *)node;
	int c = 1;

	(void)depth;
	if (visit != postorder && visit != leaf)
		return;		/* a node is in order after its left subtree */
	while (walk_i < walk_n && (c = strcmp(walk_ids[walk_i], st->id)) < 0)
		walk_out[walk_i++] = 0;
	if (!c)
		walk_out[walk_i++] = st;
}

void
find_states(struct statefile *sf, const char *const *ids, size_t n, struct state **out)
{
	walk_ids = ids;
	walk_out = out;
	walk_n = n;
	walk_i = 0;
	twalk(sf->tasks, match_state);
	while (walk_i < n)
		out[walk_i++] = 0;
}

/* The highest occurrence N of marker status recorded for task id; 0 if
 * none. */
/* When the usage limit of a task held LIMIT resets, as its note says,
 * "until TIME: ..."; -1 if it says not. */
time_t
limit_reset(const struct state *st)
{
	char when[32];

	if (strcmp(st->status, "LIMIT") || !st->reason || strncmp(st->reason, "until ", 6))
		return -1;
	snprintf(when, sizeof when, "%.20s", st->reason + 6);
	return parse_time(when);
}

/* Whether a hook has reported from the pane (an id such as %3). */
int
pane_reports(struct statefile *sf, const char *pane)
{
	return tfind(pane, &sf->reporters, compare_strings) != 0;
}

long
marker_count(struct statefile *sf, const char *id, const char *status)
{
	struct state *st = task_state(sf, id);
	size_t len = strlen(status) + 1;
	struct mark *key = xmalloc(sizeof *key + len), **found;

	memcpy(key->status, status, len);
	found = st ? tfind(key, &st->marks, compare_marks) : 0;
	free(key);
	return found ? (*found)->n : 0;
}

static void
count_marker(struct state *st, const char *status, long n)
{
	size_t len = strlen(status) + 1;
	struct mark *m = xmalloc(sizeof *m + len), *in;

	memcpy(m->status, status, len);
	m->n = 0;
	if ((in = tree_add(m, &st->marks, compare_marks)) != m)
		free(m);
	if (n > in->n)
		in->n = n;
}

static void
set_status(struct state *st, const char *status, const char *when, const char *reason)
{
	free(st->status);
	free(st->reason);
	st->status = xstrdup(status);
	st->reason = reason ? xstrdup(reason) : 0;
	memcpy(st->when, when, strlen(when) + 1);	/* its length was checked */
	st->reset = 0;
}

/* The pane a hook's note names: it ends "(AGENT %N)" (tq-hook(1)). */
static void
note_pane(struct statefile *sf, const char *note)
{
	const char *open = strrchr(note, '('), *end = note + strlen(note), *p;
	char *pane;

	if (!open || end[-1] != ')')
		return;
	for (p = end - 1; p > open && p[-1] != ' '; p--)
		;
	if (*p != '%' || end - p <= 2 || strspn(p + 1, "0123456789") != (size_t)(end - p - 2))
		return;
	pane = xstrndup(p, end - p - 1);
	if (tree_add(pane, &sf->reporters, compare_strings) != pane)
		free(pane);	/* known */
}

/* "TIME EVENT ID [DETAILS]": sent, reset, UNSENT REASON, or a marker
 * STATUS [N [NOTE]].  A marker without N was written before occurrences
 * were counted, and counts as the first; N 0 is a marker typed by hand. */
static void
apply_event(struct statefile *sf, char *line)
{
	char *when, *event, *id, *details, *end, *save, *note = 0;
	const char *status;
	struct state *st;
	long n = 1;

	when = strtok_r(line, " \t", &save);
	event = strtok_r(0, " \t", &save);
	id = strtok_r(0, " \t", &save);
	details = strtok_r(0, "", &save);
	if (details && event && valid_status(event) && strcmp(event, "UNSENT")) {
		errno = 0;
		n = strtol(details, &end, 10);	/* a marker's N, and its note */
		if ((*end && *end != ' ') || n < 0 || *details == '-' || errno == ERANGE)
			n = -1;
		else if (*end)
			note = end + 1;
	} else if (details && (!event || strcmp(event, "UNSENT"))) {
		n = -1;		/* only UNSENT has words after the ID */
	}
	if (!id || n < 0 || strlen(when) >= sizeof st->when || !valid_id(id, strlen(id)) ||
	    (strcmp(event, "sent") && strcmp(event, "reset") && !valid_status(event))) {
		ignore(sf, sf->line, "bad event");
		return;
	}
	if (!(st = task_state(sf, id))) {
		st = xmalloc(sizeof *st);
		memset(st, 0, sizeof *st);
		st->id = xstrdup(id);
		st->status = xstrdup("pending");
		tree_add(st, &sf->tasks, compare_states);
	}
	status = st->status;
	if (!strcmp(event, "reset")) {
		set_status(st, "pending", when, 0);
		st->reset = sf->line;
	} else if (!strcmp(event, "sent")) {
		set_status(st, "sent", when, 0);
	} else if (!strcmp(event, "UNSENT")) {	/* a delivery that failed */
		if (!strcmp(status, "pending") || !strcmp(status, "sent"))
			set_status(st, event, when, details);
	} else {
		count_marker(st, event, n);
		if (note)
			note_pane(sf, note);
		if (!applies(event, status))
			return;
		if (!strcmp(event, "COMPLETED") || !strcmp(event, "DONE"))
			set_status(st, "done", when, 0);
		else if (!strcmp(event, "WORKING"))
			set_status(st, "working", when, 0);
		else
			set_status(st, event, when, note);
	}
}

int
read_statefile(struct statefile *sf)
{
	size_t len = 0;
	struct stat st;
	ssize_t n;
	char *p, *nl;

	if (sf->fd < 0)
		return 0;
	if (fstat(sf->fd, &st) < 0) {
		complain("%s: %s", sf->path, strerror(errno));
		return -1;
	}
	if (st.st_size < sf->off)
		forget_states(sf);	/* truncated */
	for (;;) {
		if (sf->cap - len < 65536)
			sf->buf = xrealloc(sf->buf, sf->cap = 2 * sf->cap + 65536);
		if ((n = pread(sf->fd, sf->buf + len, sf->cap - len - 1, sf->off + len)) < 0) {
			complain("%s: %s", sf->path, strerror(errno));
			return -1;
		}
		if (!n)
			break;
		len += n;
	}
	sf->buf[len] = 0;
	for (p = sf->buf; (nl = memchr(p, '\n', sf->buf + len - p)); p = nl + 1) {
		*nl = 0;
		sf->line++;
		if (nl > p && nl[-1] == '#') {
			sf->torn = -1;	/* a cut line, ended: said while it was cut */
		} else if (nl == p) {
			continue;	/* an empty line says nothing */
		} else if (memchr(p, 0, nl - p)) {
			ignore(sf, sf->line, "bad event");
		} else {
			apply_event(sf, p);
		}
	}
	if (p < sf->buf + len && sf->off + (p - sf->buf) != sf->torn) {
		ignore(sf, sf->line + 1, "line cut short");
		sf->torn = sf->off + (p - sf->buf);
	}
	sf->off += p - sf->buf;	/* a cut line is read again: it may be ended */
	return 0;
}

/* Appends "TIME EVENT ID [DETAILS]" under the exclusive lock, after a '#'
 * that ends a cut line if the file ends in one.  Details lose control
 * characters and a trailing '#'. */
int
append_event(struct statefile *sf, const char *event, const char *id, const char *details)
{
	char *line, *p, when[32], last = '\n';
	time_t now = time(0);
	struct tm tm;
	struct stat st;
	size_t n;
	ssize_t w;

	if (fstat(sf->fd, &st) < 0 || (st.st_size > 0 && pread(sf->fd, &last, 1, st.st_size - 1) != 1)) {
		complain("%s: %s", sf->path, strerror(errno));
		return -1;
	}
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	p = line = xmalloc(strlen(when) + strlen(event) + strlen(id) + (details ? strlen(details) : 0) + 8);
	if (last != '\n')
		p = stpcpy(p, "#\n");
	p += sprintf(p, "%s %s %s", when, event, id);
	if (details && *details) {
		*p++ = ' ';
		for (; *details; details++)
			*p++ = (unsigned char)*details < ' ' || *details == 127 ? ' ' : *details;
		while (p[-1] == '#' || p[-1] == ' ')
			p--;
	}
	*p++ = '\n';
	n = p - line;
	w = write(sf->fd, line, n);	/* one write: a whole line, or a cut one */
	free(line);
	if (w != (ssize_t)n) {
		complain("%s: %s", sf->path, w < 0 ? strerror(errno) : "short write: the disk is full");
		return -1;
	}
	sf->written = 1;
	return 0;
}
