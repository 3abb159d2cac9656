/* state.c: the state file, QUEUE.state, shared by all four tools.
 *
 * It is an append-only log of events, "TIME EVENT ID", and the last event
 * of a task gives its state.  Only tnext appends to it, one whole line
 * per write(2) under an exclusive flock(2); readers take a shared lock.
 * A line cut short by a crash is reported and skipped, never fatal, and
 * the next event starts on a fresh line.  Each reader keeps its place and
 * reads only what was appended since; a file replaced or truncated is
 * read again from the start.
 */
#define _DEFAULT_SOURCE		/* flock(2) */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "record.h"
#include "marker.h"
#include "state.h"

int
is_done(const char *status)
{
	return !strcmp(status, "done");
}

int
is_held(const char *status)
{
	return strcmp(status, "pending") && strcmp(status, "sent") && !is_done(status);
}

static int
compare_states(const void *a, const void *b)
{
	return strcmp(((const struct state *)a)->id, ((const struct state *)b)->id);
}

static void
free_state(void *p)
{
	struct state *st = p;

	free_tree(&st->markers, compare_strings, free);
	free(st->id);
	free(st->status);
	free(st);
}

static void
forget_states(struct statefile *sf)
{
	free_tree(&sf->tasks, compare_states, free_state);
	sf->off = 0;
	sf->line = 0;
	sf->torn = 0;
}

int
open_statefile(struct statefile *sf, const char *queue, int writable)
{
	struct stat st;

	if (!sf->path) {
		memset(sf, 0, sizeof *sf);
		sf->path = xmalloc(strlen(queue) + 7);
		sprintf(sf->path, "%s.state", queue);
		sf->fd = -1;
	}
	if (sf->fd >= 0) {
		if (stat(sf->path, &st) == 0 && st.st_dev == sf->dev && st.st_ino == sf->ino)
			return 0;
		close(sf->fd);	/* removed or replaced: start afresh */
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

struct state *
task_state(struct statefile *sf, const char *id)
{
	struct state key, **found;

	key.id = (char *)id;
	found = tfind(&key, &sf->tasks, compare_states);
	return found ? *found : 0;
}

/* Whether marker STATUS was recorded for task id: markers count once. */
int
marker_recorded(struct statefile *sf, const char *id, const char *status)
{
	struct state *st = task_state(sf, id);

	return st && tfind(status, &st->markers, compare_strings);
}

const char *
task_status(struct statefile *sf, const char *id)
{
	struct state *st = task_state(sf, id);

	return st ? st->status : "pending";
}

static void
apply_event(struct statefile *sf, char *line)
{
	char *when, *event, *id, *extra, *save;
	struct state *st;

	when = strtok_r(line, " \t", &save);
	event = strtok_r(0, " \t", &save);
	id = strtok_r(0, " \t", &save);
	extra = strtok_r(0, " \t", &save);
	if (!id || extra || strlen(when) >= sizeof st->when || !valid_id(id, strlen(id)) ||
	    (strcmp(event, "sent") && strcmp(event, "reset") && !valid_status(event))) {
		complain("%s:%ld: bad event, ignored", sf->path, sf->line);
		return;
	}
	if (!(st = task_state(sf, id))) {
		st = xmalloc(sizeof *st);
		memset(st, 0, sizeof *st);
		st->id = xstrdup(id);
		tree_add(st, &sf->tasks, compare_states);
	}
	memcpy(st->when, when, strlen(when) + 1);	/* its length was checked */
	free(st->status);
	if (!strcmp(event, "reset")) {
		st->status = xstrdup("pending");
	} else if (!strcmp(event, "sent")) {
		st->status = xstrdup("sent");
	} else {
		st->status = xstrdup(strcmp(event, "COMPLETED") && strcmp(event, "DONE") ? event : "done");
		if (!tfind(event, &st->markers, compare_strings))
			tree_add(xstrdup(event), &st->markers, compare_strings);
	}
}

int
read_statefile(struct statefile *sf)
{
	static char *buf;
	static size_t cap;
	size_t len = 0;
	struct stat st;
	ssize_t n;
	char *p, *nl;

	if (sf->fd < 0)
		return 0;
	if (fstat(sf->fd, &st) < 0)
		return -1;
	if (st.st_size < sf->off)
		forget_states(sf);	/* truncated */
	for (;;) {
		if (cap - len < 65536)
			buf = xrealloc(buf, cap = 2 * cap + 65536);
		if ((n = pread(sf->fd, buf + len, cap - len - 1, sf->off + len)) < 0) {
			complain("%s: %s", sf->path, strerror(errno));
			return -1;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = 0;
	for (p = buf; (nl = memchr(p, '\n', buf + len - p)); p = nl + 1) {
		*nl = 0;
		sf->line++;
		if (memchr(p, 0, nl - p))
			complain("%s:%ld: bad event, ignored", sf->path, sf->line);
		else
			apply_event(sf, p);
	}
	sf->torn = p < buf + len;
	if (sf->torn)
		complain("%s:%ld: line cut short, ignored", sf->path, ++sf->line);
	sf->off += len;
	return 0;
}

int
append_event(struct statefile *sf, const char *event, const char *id)
{
	size_t cap = strlen(event) + strlen(id) + 40, n = 0;
	char *line = xmalloc(cap);
	time_t now = time(0);
	ssize_t w;

	if (sf->torn)
		line[n++] = '\n';
	n += strftime(line + n, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	n += snprintf(line + n, cap - n, " %s %s\n", event, id);
	w = write(sf->fd, line, n);	/* one write: a whole line or an error */
	free(line);
	if (w != (ssize_t)n) {
		complain("%s: %s", sf->path, w < 0 ? strerror(errno) : "short write");
		if (w > 0)
			sf->torn = 1;
		return -1;
	}
	sf->torn = 0;
	return 0;
}
