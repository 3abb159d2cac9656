/* record.c: the task grammar, shared by all four tools.
 *
 * A queue is a text file of task records, "ID TARGET PROMPT", where a
 * line that begins with a blank continues the prompt above it.  Records
 * are read one at a time and handed over the moment they end, so that a
 * stream of them (tnext | tsend) is acted on without delay.  write_task
 * writes a record back so that reading it again gives the same task.
 * A stream from tnext begins with "#state PATH", the state file of its
 * records, which the reader keeps for its caller; and a record that the
 * end of input cut off, with no empty line after it, is flagged: its
 * writer may have died in the middle of it.
 * A queue is loaded whole or not at all: every bad line is reported with
 * its file and line, and a queue with one is no queue.
 */
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
		if (!strncmp(s, "#state ", 7) && t->id) {
			r->held = n;	/* it speaks of the records after it */
			break;
		}
		if (!strncmp(s, "#state ", 7) && s[7]) {
			free(r->state);
			r->state = xstrdup(s + 7);
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
		if (!valid_target(t->target))
			return bad_line(r, r->line, t, "bad target '%s' (want session:window[.pane], %%N or @N)", t->target);
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
	fclose(f);
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
