/* queue.c: the task grammar and the state file, shared by all four tools.
 *
 * A queue is a text file of task records, "ID TARGET PROMPT", where a
 * line that begins with a blank continues the prompt above it.  Records
 * are read one at a time and handed over the moment they end, so that a
 * stream of them (tnext | tsend) is acted on without delay.  write_task
 * writes a record back so that reading it again gives the same task.
 *
 * The state file, QUEUE.state, is an append-only log of events,
 * "TIME EVENT ID".  Only tnext appends to it, one whole line per
 * write(2) under an exclusive flock(2); readers take a shared lock.  A
 * line cut short by a crash is reported and skipped, never fatal, and
 * the next event starts on a fresh line.
 */
#define _DEFAULT_SOURCE		/* flock(2) */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "queue.h"

const char *progname = "tq";

static void
vcomplain(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
complain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
	exit(status);
}

/* printf into a string of its own, cut at 512 bytes. */
char *
format(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return xstrdup(buf);
}

void *
xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n ? n : 1)))
		die(1, "out of memory");
	return p;
}

void *
xmalloc(size_t n)
{
	return xrealloc(0, n);
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		die(1, "out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static size_t
hash(const char *s)
{
	size_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void **
table_slot(struct table *t, const char *key, int add)
{
	size_t i;

	if (add && 2 * (t->n + 1) > t->cap) {
		struct table old = *t;

		t->cap = old.cap ? 2 * old.cap : 64;
		t->slots = xmalloc(t->cap * sizeof *t->slots);
		memset(t->slots, 0, t->cap * sizeof *t->slots);
		t->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.slots[i].key)
				*table_slot(t, old.slots[i].key, 1) = old.slots[i].val;
		free(old.slots);
	}
	if (!t->cap)
		return 0;
	/* NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Branch): slots are zeroed */
	for (i = hash(key) & (t->cap - 1); t->slots[i].key; i = (i + 1) & (t->cap - 1))
		if (!strcmp(t->slots[i].key, key))
			return &t->slots[i].val;
	if (!add)
		return 0;
	t->slots[i].key = key;
	t->slots[i].val = 0;
	t->n++;
	return &t->slots[i].val;
}

void
table_free(struct table *t)
{
	free(t->slots);
	memset(t, 0, sizeof *t);
}

int
is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int
valid_id(const char *s, size_t n)
{
	size_t i;

	if (!n || !is_alnum(*s))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

static int
is_word(char c)
{
	return is_alnum(c) || c == '_';
}

/* The default marker: up to three spaces, one to six '#', blanks, an ID of
 * at most MAXID bytes, ':', blanks, a status word.  Returns 1 and the two
 * fields, or 0.  In a line not yet complete, the status word must be
 * followed by something. */
int
match_heading(const char *s, size_t n, int complete, const char **id, size_t *idlen,
    const char **status, size_t *statuslen)
{
	static const char *words[] = { "COMPLETED", "DONE", "BLOCKED", "FAILED" };
	size_t i = 0, j, k, w;

	while (i < n && i < 3 && s[i] == ' ')
		i++;
	for (j = i; i < n && s[i] == '#'; i++)
		;
	if (i == j || i - j > 6 || i == n || (s[i] != ' ' && s[i] != '\t'))
		return 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (j = i; i < n && i - j < MAXID && (is_word(s[i]) || s[i] == '.' || s[i] == '-'); i++)
		;
	if (i == n || s[i] != ':' || !valid_id(s + j, i - j))
		return 0;
	*id = s + j;
	*idlen = i - j;
	for (i++; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	for (k = 0; k < sizeof words / sizeof *words; k++) {
		w = strlen(words[k]);
		if (n - i >= w && !memcmp(s + i, words[k], w) &&
		    (n - i > w ? !is_word(s[i + w]) : complete)) {
			*status = s + i;
			*statuslen = w;
			return 1;
		}
	}
	return 0;
}

static int
valid_target(const char *s)
{
	return *s == '%' || *s == '@' || strchr(s, ':');
}

void
reader_init(struct reader *r, FILE *f, const char *name)
{
	memset(r, 0, sizeof *r);
	r->f = f;
	r->name = name;
	r->held = -1;
}

static ssize_t
next_line(struct reader *r)
{
	ssize_t n;

	if (r->held >= 0) {
		n = r->held;
		r->held = -1;
		return n;
	}
	if ((n = getline(&r->buf, &r->cap, r->f)) < 0)
		return -1;
	if (++r->line == 1 && n >= 3 && !memcmp(r->buf, "\xef\xbb\xbf", 3))
		memmove(r->buf, r->buf + 3, (n -= 3) + 1);	/* a BOM */
	if (n && r->buf[n - 1] == '\n')
		r->buf[--n] = 0;
	return n;
}

static void
add_text(char **s, size_t *len, const char *text, size_t n)
{
	*s = xrealloc(*s, *len + n + 1);
	memcpy(*s + *len, text, n);
	(*s)[*len += n] = 0;
}

static int
bad_line(struct reader *r, long line, struct task *t, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: %s:%ld: ", progname, r->name, line);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	free_task(t);
	r->skipping = 1;
	return -1;
}

int
read_task(struct reader *r, struct task *t)
{
	size_t plen = 0;
	ssize_t n;
	char *s, *e;
	int blank;

	memset(t, 0, sizeof *t);
	for (;;) {
		if ((n = next_line(r)) < 0) {
			if (ferror(r->f))
				return bad_line(r, r->line, t, "%s", strerror(errno));
			break;
		}
		s = r->buf;
		if (memchr(s, 0, n))
			return bad_line(r, r->line, t, "%s", "NUL byte");
		blank = *s == ' ' || *s == '\t';
		while (n && strchr(" \t\r", s[n - 1]))
			s[--n] = 0;
		if (blank) {
			if (r->skipping)
				continue;
			if (!t->id) {
				if (!n)
					continue;	/* blanks alone, outside a record */
				return bad_line(r, r->line, t, "%s", "continuation line with no task above");
			}
			if (t->prompt)
				add_text(&t->prompt, &plen, "\n", 1);
			add_text(&t->prompt, &plen, n ? s + 1 : s, n ? n - 1 : 0);
			continue;
		}
		r->skipping = 0;
		if (!n || *s == '#') {
			if (t->id)
				break;
			continue;
		}
		if (t->id) {
			r->held = n;
			break;
		}
		t->line = r->line;
		e = s + strcspn(s, " \t");
		if (!valid_id(s, e - s)) {
			*e = 0;
			return bad_line(r, r->line, t, "bad ID '%s'", s);
		}
		t->id = xstrndup(s, e - s);
		s = e + strspn(e, " \t");
		e = s + strcspn(s, " \t");
		if (s == e)
			return bad_line(r, r->line, t, "%s: missing target", t->id);
		t->target = xstrndup(s, e - s);
		if (!valid_target(t->target))
			return bad_line(r, r->line, t, "bad target '%s' (want session:window[.pane] or %%N)", t->target);
		s = e + strspn(e, " \t");
		if (*s)
			add_text(&t->prompt, &plen, s, strlen(s));
	}
	if (!t->id)
		return 0;
	while (plen && t->prompt[plen - 1] == '\n')
		t->prompt[--plen] = 0;
	for (n = 0; n < (ssize_t)plen && t->prompt[n] == '\n'; n++)
		;
	if (plen)
		memmove(t->prompt, t->prompt + n, plen - n + 1);
	if (plen == (size_t)n) {
		bad_line(r, t->line, t, "%s: empty prompt", t->id);
		r->skipping = 0;
		return -1;
	}
	return 1;
}

void
write_task(FILE *f, const struct task *t)
{
	const char *p = t->prompt, *nl;

	fprintf(f, "%s %s", t->id, t->target);
	fputc(*p == ' ' || *p == '\t' ? '\n' : ' ', f);
	if (*p == ' ' || *p == '\t')
		fputc('\t', f);
	while ((nl = strchr(p, '\n'))) {
		fwrite(p, 1, nl - p, f);
		fputs("\n\t", f);
		p = nl + 1;
	}
	fprintf(f, "%s\n\n", p);
}

void
free_task(struct task *t)
{
	free(t->id);
	free(t->target);
	free(t->prompt);
	memset(t, 0, sizeof *t);
}

const char *
queue_path(const char *arg)
{
	const char *env = getenv("TQUEUE");

	return arg ? arg : env && *env ? env : "queue";
}

int
load_queue(const char *path, struct queue *q)
{
	struct reader r;
	struct task t;
	struct stat st;
	size_t cap = 0, i;
	void **slot;
	FILE *f;
	int rc, bad = 0;

	memset(q, 0, sizeof *q);
	if (!(f = fopen(path, "r"))) {
		complain("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		complain("%s: %s", path, strerror(EISDIR));
		fclose(f);
		return -1;
	}
	reader_init(&r, f, path);
	while ((rc = read_task(&r, &t))) {
		if (rc < 0) {
			bad = 1;
			continue;
		}
		if ((slot = table_slot(&q->ids, t.id, 0))) {
			complain("%s:%ld: duplicate ID '%s' (first at line %ld)",
			    path, t.line, t.id, q->tasks[(uintptr_t)*slot].line);
			free_task(&t);
			bad = 1;
			continue;
		}
		if (q->n == cap)
			q->tasks = xrealloc(q->tasks, (cap = cap ? 2 * cap : 64) * sizeof *q->tasks);
		q->tasks[q->n] = t;
		*table_slot(&q->ids, t.id, 1) = (void *)(uintptr_t)q->n;
		q->n++;
	}
	free(r.buf);
	fclose(f);
	if (bad) {
		free_queue(q);
		return -1;
	}
	for (i = 0; i < q->n; i++)	/* the table holds indices until now */
		*table_slot(&q->ids, q->tasks[i].id, 0) = &q->tasks[i];
	return 0;
}

void
free_queue(struct queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free_task(&q->tasks[i]);
	free(q->tasks);
	table_free(&q->ids);
	memset(q, 0, sizeof *q);
}

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

static void
forget_states(struct statefile *sf)
{
	size_t i;
	struct state *st;

	for (i = 0; i < sf->tasks.cap; i++)
		if ((st = sf->tasks.slots[i].val)) {
			free((char *)sf->tasks.slots[i].key);
			free(st->status);
			free(st->markers);
			free(st);
		}
	table_free(&sf->tasks);
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
	void **slot = table_slot(&sf->tasks, id, 0);

	return slot ? *slot : 0;
}

/* Whether marker STATUS was recorded for task id: markers count once. */
int
marker_recorded(struct statefile *sf, const char *id, const char *status)
{
	struct state *st = task_state(sf, id);
	size_t n = strlen(status);
	const char *p;

	for (p = st ? st->markers : ""; (p = strstr(p, status)); p += n)
		if (p[-1] == ' ' && p[n] == ' ')
			return 1;
	return 0;
}

const char *
task_status(struct statefile *sf, const char *id)
{
	struct state *st = task_state(sf, id);

	return st ? st->status : "pending";
}

int
valid_status(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *s))
			return 0;
	return 1;
}

static void
apply_event(struct statefile *sf, char *line)
{
	char *when, *event, *id, *extra, *save;
	struct state *st;
	void **slot;
	size_t n;

	when = strtok_r(line, " \t", &save);
	event = strtok_r(0, " \t", &save);
	id = strtok_r(0, " \t", &save);
	extra = strtok_r(0, " \t", &save);
	if (!id || extra || strlen(when) >= sizeof st->when || !valid_id(id, strlen(id)) ||
	    (strcmp(event, "sent") && strcmp(event, "reset") && !valid_status(event))) {
		complain("%s:%ld: bad event, ignored", sf->path, sf->line);
		return;
	}
	if (!(slot = table_slot(&sf->tasks, id, 0))) {
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): the table owns the key */
		slot = table_slot(&sf->tasks, xstrdup(id), 1);
		*slot = st = xmalloc(sizeof *st);
		memset(st, 0, sizeof *st);
		st->markers = xstrdup(" ");
	}
	st = *slot;
	memcpy(st->when, when, strlen(when) + 1);	/* its length was checked */
	free(st->status);
	if (!strcmp(event, "reset")) {
		st->status = xstrdup("pending");
	} else if (!strcmp(event, "sent")) {
		st->status = xstrdup("sent");
	} else {
		st->status = xstrdup(strcmp(event, "COMPLETED") && strcmp(event, "DONE") ? event : "done");
		n = strlen(st->markers);
		st->markers = xrealloc(st->markers, n + strlen(event) + 2);
		sprintf(st->markers + n, "%s ", event);
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
