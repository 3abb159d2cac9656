/* record.c: the task grammar, shared by all four tools.
 *
 * A queue is a text file of task records, "ID TARGET [after=ID,...]
 * PROMPT", where a line that begins with a blank continues the prompt
 * above it.  Records are read one at a time and handed over the moment
 * they end, so that a stream of them (tnext | tsend) is acted on without
 * delay.  write_task writes a record back so that reading it again gives
 * the same task.
 * A stream from tnext begins with "#state PATH" and "#state-id DEV INO",
 * the state file of its records, which the reader keeps for its caller
 * (a tsend on another host finds another file there, or none); and a record that the
 * end of input cut off, with no empty line after it, is flagged: its
 * writer may have died in the middle of it.
 * A queue is loaded whole or not at all: every bad line is reported with
 * its file and line, and a queue with one is no queue.  So is a queue
 * whose after= fields ask for an order that can never be kept.
 */
#define _XOPEN_SOURCE 700	/* realpath(3), which glibc hides from POSIX.1-2008 alone */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "record.h"

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
	while (n && r->buf[n - 1] != '\n' && ferror(r->f) && errno == EINTR) {
		char *rest = 0;	/* a signal cut the line (tsend, stopped): the rest follows */
		size_t cap = 0;
		ssize_t m;

		clearerr(r->f);
		if ((m = getline(&rest, &cap, r->f)) > 0) {
			if ((size_t)(n + m) >= r->cap)
				r->buf = xrealloc(r->buf, r->cap = n + m + 1);
			memcpy(r->buf + n, rest, m + 1);
			n += m;
		}
		free(rest);
		if (m <= 0)
			break;
	}
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

/* The IDs of an after= field, s to end, into t->after: each ended by a
 * NUL, the list by an empty one.  They are kept in the allocation of the
 * ID, so that they go with it: tsend keeps a task's strings, not the
 * task.  0, or the first one that is not an ID.  "after=" alone names
 * none. */
static const char *
parse_after(struct task *t, const char *s, const char *end)
{
	size_t len = strlen(t->id), n = end - s;
	char *id, *comma;

	if (!n)
		return 0;
	t->id = xrealloc(t->id, len + n + 3);
	t->after = t->id + len + 1;
	memcpy(t->after, s, n);
	t->after[n] = t->after[n + 1] = 0;
	for (id = t->after;; id = comma + 1) {
		comma = id + strcspn(id, ",");
		if (!valid_id(id, comma - id)) {
			*comma = 0;
			return id;
		}
		if (!*comma)
			return 0;
		*comma = 0;
	}
}

static int
bad_line(struct reader *r, long line, struct task *t, const char *fmt, const char *arg)
{
	char *what = format(fmt, arg);

	complain("%s:%ld: %s", r->name, line, what);
	free(what);
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
	const char *bad;
	int blank;

	memset(t, 0, sizeof *t);
	r->cut = 0;
	for (;;) {
		if ((n = next_line(r)) < 0) {
			if (ferror(r->f) && errno == EINTR) {
				clearerr(r->f);	/* a signal: read on */
				continue;
			}
			if (ferror(r->f) && errno == EAGAIN) {
				clearerr(r->f);	/* nothing more for now: the end (tsend, stopped) */
				r->cut = r->paused = 1;
				break;
			}
			if (ferror(r->f) && !r->failed++)	/* said once: then it ends */
				return bad_line(r, r->line, t, "%s", strerror(errno));
			if (r->failed) {
				free_task(t);
				return 0;
			}
			r->cut = 1;
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
		if (!strncmp(s, "#state", 6) && t->id) {
			r->held = n;	/* it speaks of the records after it */
			break;
		}
		if (!strncmp(s, "#state ", 7) && s[7]) {
			free(r->state);
			r->state = xstrdup(s + 7);
			free(r->state_id);
			r->state_id = 0;
		}
		if (!strncmp(s, "#state-id ", 10) && s[10]) {
			free(r->state_id);
			r->state_id = xstrdup(s + 10);
		}
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
		if (find_control(t->target))	/* a terminal would obey it wherever it is shown */
			return bad_line(r, r->line, t, "bad target '%s' (a control character)", t->target);
		if (!valid_target(t->target))
			return bad_line(r, r->line, t, "bad target '%s' (want session:window[.pane], %%N or @N)", t->target);
		s = e + strspn(e, " \t");
		if (!strncmp(s, "after=", 6)) {
			e = s + strcspn(s, " \t");
			if ((bad = parse_after(t, s + 6, e)))
				return bad_line(r, r->line, t, "bad ID '%s' in after=", bad);
			s = e + strspn(e, " \t");
		}
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
	const char *p = t->prompt, *nl, *a;

	fprintf(f, "%s %s", t->id, t->target);
	if (t->after || !strncmp(p, "after=", 6))	/* so that such a prompt stays one */
		fputs(" after=", f);
	for (a = t->after; a && *a; a += strlen(a) + 1)
		fprintf(f, "%s%s", a == t->after ? "" : ",", a);
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
	free(t->id);	/* and t->after */
	free(t->target);
	free(t->prompt);
	memset(t, 0, sizeof *t);
}

static const char *default_path, *default_why;	/* a queue no argument named */
static char *resolved;		/* the file a queue that is a link points to */

/* QUEUE, else $TQUEUE, else "queue".  A queue that is a symbolic link is
 * the file it points to, resolved once: its state file and send lock go
 * beside that file, so that the link and the file's own name are one
 * queue, not two with a state each. */
const char *
queue_path(const char *arg)
{
	const char *env = getenv("TQUEUE"), *path = arg;
	struct stat st;
	char *real;

	if (!path) {
		default_why = env && *env ? "the queue that TQUEUE names" : "no QUEUE given, and TQUEUE is not set";
		path = env && *env ? env : "queue";
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (real = realpath(path, 0))) {
		free(resolved);
		path = resolved = real;
	}
	return arg ? path : (default_path = path);
}

static int
compare_tasks(const void *a, const void *b)
{
	return strcmp(((const struct task *)a)->id, ((const struct task *)b)->id);
}

struct task *
find_task(const struct queue *q, const char *id)
{
	struct task key, **found;

	key.id = (char *)id;
	found = tfind(&key, &q->ids, compare_tasks);
	return found ? *found : 0;
}

/* The order that after= asks for, a graph of the queue's tasks: task i
 * waits for each task it names, edge[first[i]] to edge[first[i + 1]],
 * and for the task before it in its pane, before[i] (-1 if none), since
 * each pane sends its tasks in queue order. */
struct order {
	size_t *first, *edge;
	long *before;
};

struct pane_end {
	const char *target;
	size_t last;		/* its last task so far */
};

static int
compare_targets(const void *a, const void *b)
{
	return strcmp(((const struct pane_end *)a)->target, ((const struct pane_end *)b)->target);
}

/* The place of a task in the queue, whose tasks are in the order of
 * their lines. */
static size_t
place_of(const struct queue *q, const struct task *t)
{
	size_t lo = 0, hi = q->n, mid;

	while (lo < hi)
		if (q->tasks[mid = lo + (hi - lo) / 2]->line < t->line)
			lo = mid + 1;
		else
			hi = mid;
	return lo;
}

/* The edges of the order, and the after= that can never be kept: a name
 * that is no task, the task itself, or a later task of its pane, which
 * waits for this one.  Each is reported; 1 if one was. */
static int
order_tasks(const char *path, const struct queue *q, struct order *o)
{
	struct pane_end key, *end, **in;
	const struct task *t, *d;
	void *panes = 0;
	size_t i, j, n = 0, cap = 0;
	const char *a;
	int bad = 0;

	o->first = xmalloc((q->n + 1) * sizeof *o->first);
	o->before = xmalloc(q->n * sizeof *o->before);
	o->edge = 0;
	for (i = 0; i < q->n; i++) {
		t = q->tasks[i];
		key.target = t->target;
		if ((in = tfind(&key, &panes, compare_targets))) {
			o->before[i] = (*in)->last;
			(*in)->last = i;
		} else {
			end = xmalloc(sizeof *end);
			end->target = t->target;
			end->last = i;
			tree_add(end, &panes, compare_targets);
			o->before[i] = -1;
		}
		o->first[i] = n;
		for (a = t->after; a && *a; a += strlen(a) + 1) {
			if (!(d = find_task(q, a)))
				complain("%s:%ld: %s: after=%s: no such task", path, t->line, t->id, a);
			else if (d == t)
				complain("%s:%ld: %s: after=%s: the task itself", path, t->line, t->id, a);
			else if ((j = place_of(q, d)) > i && !strcmp(d->target, t->target))
				complain("%s:%ld: %s: after=%s: a later task of %s (line %ld), which waits for it",
				    path, t->line, t->id, a, t->target, d->line);
			else {
				if (n == cap)
					o->edge = xrealloc(o->edge, (cap = cap ? 2 * cap : 64) * sizeof *o->edge);
				o->edge[n++] = j;
				continue;
			}
			bad = 1;
		}
	}
	o->first[q->n] = n;
	free_tree(&panes, compare_targets, free);
	return bad;
}

/* Whether task w, on the walk's path, went on to the task before it in
 * its pane, not to one its after= names. */
static int
took_pane_order(const struct order *o, const size_t *took, size_t w)
{
	return took[w] == o->first[w + 1] - o->first[w];
}

/* Says which tasks wait for each other: the cycle c[0..n-1], each going
 * on to the next, the last to the first.  Said from the task of the
 * cycle first in the queue that waits by after=; a run of a pane's own
 * order is said once. */
static void
say_cycle(const char *path, const struct queue *q, const struct order *o,
    const size_t *c, size_t n, const size_t *took)
{
	size_t k, start = n, w, len = 0;
	char *what = 0, *link;
	int by_pane;

	for (k = 0; k < n; k++)
		if (!took_pane_order(o, took, c[k]) && (start == n || c[k] < c[start]))
			start = k;
	for (k = 0; k < n; ) {
		w = c[(start + k) % n];
		if ((by_pane = took_pane_order(o, took, w)))
			while (k + 1 < n && took_pane_order(o, took, c[(start + k + 1) % n]))
				k++;
		k++;
		link = format(by_pane ? "%s%s follows %s in %s" : "%s%s after %s", len ? ", " : "",
		    q->tasks[w]->id, q->tasks[c[(start + k) % n]]->id, q->tasks[w]->target);
		add_text(&what, &len, link, strlen(link));
		free(link);
	}
	w = c[start];
	complain("%s:%ld: %s: after= makes a cycle: %s", path, q->tasks[w]->line, q->tasks[w]->id, what);
	free(what);
}

/* Tasks that wait for each other, counting each pane's order, never
 * start: a depth-first walk of the order, which meets a task on its own
 * path once for each such cycle.  1 if there is one. */
static int
find_cycles(const char *path, const struct queue *q, const struct order *o)
{
	size_t *stack = xmalloc(q->n * sizeof *stack), *took = xmalloc(q->n * sizeof *took);
	char *seen = xmalloc(q->n);	/* 0 not yet, 1 on the path, 2 done */
	size_t root, depth, u, v, k, m, at;
	int bad = 0;

	memset(seen, 0, q->n);
	for (root = 0; root < q->n; root++) {
		if (seen[root])
			continue;
		stack[0] = root;
		depth = 1;
		seen[root] = 1;
		took[root] = (size_t)-1;
		while (depth) {
			u = stack[depth - 1];
			k = ++took[u];
			m = o->first[u + 1] - o->first[u];
			if (k < m)
				v = o->edge[o->first[u] + k];
			else if (k == m && o->before[u] >= 0)
				v = o->before[u];
			else {
				seen[u] = 2;
				depth--;
				continue;
			}
			if (!seen[v]) {
				seen[v] = 1;
				took[v] = (size_t)-1;
				stack[depth++] = v;
			} else if (seen[v] == 1) {
				for (at = depth - 1; stack[at] != v; at--)
					;
				say_cycle(path, q, o, stack + at, depth - at, took);
				bad = 1;
			}
		}
	}
	free(stack);
	free(took);
	free(seen);
	return bad;
}

/* Whether the order after= asks for can be kept; every fault reported. */
static int
check_order(const char *path, const struct queue *q)
{
	struct order o;
	size_t i;
	int bad;

	for (i = 0; i < q->n && !q->tasks[i]->after; i++)
		;
	if (i == q->n)
		return 0;	/* no after=: the queue's order is each pane's */
	bad = order_tasks(path, q, &o);
	bad |= find_cycles(path, q, &o);
	free(o.first);
	free(o.edge);
	free(o.before);
	return bad ? -1 : 0;
}

int
load_queue(const char *path, struct queue *q)
{
	struct reader r;
	struct task t, *new, *first;
	struct stat st;
	size_t cap = 0;
	FILE *f;
	int rc, bad = 0;

	memset(q, 0, sizeof *q);
	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT && path == default_path)	/* say where it looked, and why */
			complain("%s: %s (%s)", path, strerror(errno), default_why);
		else
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
		new = memcpy(xmalloc(sizeof t), &t, sizeof t);
		if ((first = tree_add(new, &q->ids, compare_tasks)) != new) {
			complain("%s:%ld: duplicate ID '%s' (first at line %ld)",
			    path, t.line, t.id, first->line);
			free_task(new);
			free(new);
			bad = 1;
			continue;
		}
		if (q->n == cap)
			q->tasks = xrealloc(q->tasks, (cap = cap ? 2 * cap : 64) * sizeof(struct task *));
		q->tasks[q->n++] = new;
	}
	free(r.buf);
	free(r.state);
	free(r.state_id);
	fclose(f);
	if (!bad && check_order(path, q) < 0)	/* a bad line may hold a task named */
		bad = 1;
	if (bad) {
		free_queue(q);
		return -1;
	}
	return 0;
}

void
free_queue(struct queue *q)
{
	size_t i;

	free_tree(&q->ids, compare_tasks, 0);
	for (i = 0; i < q->n; i++) {
		free_task(q->tasks[i]);
		free(q->tasks[i]);
	}
	free(q->tasks);
	memset(q, 0, sizeof *q);
}
