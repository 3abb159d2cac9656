/* marker.c: the marker grammar that twatch and tnext share.
 *
 * In a notes file a marker is a Markdown heading that names a task and
 * one of a few status words, "### TODO-CODEX-003: COMPLETED ...": strict
 * enough that prose about a task ("### TODO-3: TLS validation") is never
 * taken for one.  On the wire a status is a word of upper-case letters,
 * digits, '_' and '-'.
 *
 * The marker line twatch prints and tnext reads is "ID STATUS N [NOTE]":
 * N is the occurrence, the how-manieth marker with that ID and status in
 * its file; NOTE is the rest of the heading, what the agent (or its hook)
 * said with it.  A line typed by hand may leave out N (0: it always
 * counts) and STATUS (COMPLETED), and write the status in any case.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "marker.h"

/* The agent's own words, then those its hook writes (tq-hook(1)), which
 * no near miss is reported for: a heading about an error is prose. */
static const char *words[] = { "COMPLETED", "DONE", "BLOCKED", "FAILED", "IDLE",
	"WORKING", "WAITING", "LIMIT", "ERROR", "GONE" };
enum { AGENT_WORDS = 5 };

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

/* Near misses: what an agent writes when it means a marker and gets it a
 * little wrong.  A line looks like a marker when it has an ID-like word (a
 * valid ID with a letter and a digit), maybe blanks, ':', then a
 * status-like word: a status word in any case, or a close variant, maybe
 * after emphasis or a symbol.  Such a line that is not a marker is worth a
 * word to the user, who otherwise sees only a pane that never moves on. */
static const char *variants[] = { "COMPLETED", "DONE", "BLOCKED", "FAILED", "IDLE",
	"COMPLETE", "FINISHED", "SUCCESS", "SUCCEEDED", "FAIL", "FAILURE" };

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_emphasis(char c)
{
	return c == '*' || c == '_' || c == '`' || c == '~';
}

static int
same_letters(const char *s, const char *upper, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((s[i] & ~0x20) != upper[i])
			return 0;
	return 1;
}

/* The status-like word that follows the ':' at c, after blanks and at
 * most a few bytes of emphasis, brackets or a symbol; 0 if none. */
static const char *
status_after(const char *c, const char *end, size_t *len)
{
	const char *p = c + 1;
	size_t k, w, extra = 0;

	for (; p < end && (is_blank(*p) || ((is_emphasis(*p) || *p == '[' || *p == '(' ||
	    (unsigned char)*p >= 0x80) && extra++ < 8)); p++)
		;
	switch (p < end ? *p | 0x20 : 0) {	/* the cheap test first */
	case 'b': case 'c': case 'd': case 'f': case 'i': case 's': break;
	default: return 0;
	}
	for (k = 0; k < sizeof variants / sizeof *variants; k++) {
		w = strlen(variants[k]);
		if ((size_t)(end - p) >= w && same_letters(p, variants[k], w) &&
		    ((size_t)(end - p) == w || !is_word(p[w]))) {
			*len = w;
			return p;
		}
	}
	return 0;
}

/* The next ':' in [p, end) that a status-like word follows.  Every
 * marker and every near miss has one, and few other lines do: a scan
 * jumps from one to the next with memchr(3). */
const char *
find_status_colon(const char *p, const char *end)
{
	const char *c, *w;
	size_t len, k;

	for (; p < end && (c = memchr(p, ':', end - p)); p = c + 1) {
		if (status_after(c, end, &len))
			return c;
		for (w = c + 1; w < end && is_blank(*w); w++)
			;
		for (k = AGENT_WORDS; k < sizeof words / sizeof *words; k++)
			if ((size_t)(end - w) >= (len = strlen(words[k])) && !memcmp(w, words[k], len))
				return c;
	}
	return 0;
}

/* The ID-like word before the ':' at c in the line s: maybe blanks and
 * emphasis after it; a letter and a digit in it. */
static const char *
id_before(const char *s, const char *c, size_t *len)
{
	const char *e = c, *b, *p;
	int letter = 0, digit = 0;

	while (e > s && is_blank(e[-1]))
		e--;
	while (e > s && (is_emphasis(e[-1]) || e[-1] == ']' || e[-1] == ')'))
		e--;
	for (b = e; b > s && (is_word(b[-1]) || b[-1] == '.' || b[-1] == '-'); b--)
		;
	while (b < e && !is_alnum(*b))
		b++;
	for (p = b; p < e; p++) {
		letter |= (*p | 0x20) >= 'a' && (*p | 0x20) <= 'z';
		digit |= *p >= '0' && *p <= '9';
	}
	*len = e - b;
	return letter && digit ? b : 0;
}

static void
add_reason(char *why, size_t size, const char *reason)
{
	size_t len = strlen(why);

	snprintf(why + len, size - len, "%s%s", len ? "; " : "", reason);
}

/* What kind of line begins at p, when it is not a heading. */
static const char *
not_heading(const char *p, const char *end)
{
	const char *q = p;

	if (end - p > 1 && (*p == '-' || *p == '+' || *p == '*') && is_blank(p[1]))
		return "a list item, not a heading";
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q > p && end - q > 1 && (*q == '.' || *q == ')') && is_blank(q[1]))
		return "a list item, not a heading";
	if (end - p > 1 && (*p == '*' || *p == '_') && p[1] == *p)
		return "bold, not a heading";
	if (*p == '*' || *p == '_')
		return "emphasis, not a heading";
	if (*p == '>')
		return "a quote, not a heading";
	if (*p == '`')
		return "code, not a heading";
	if (*p == '|')
		return "a table row, not a heading";
	return "not a heading";
}

/* Returns 1 when the line [s, s + n) looks like a marker and is not one by
 * the heading grammar, with why in why ("bold, not a heading"). */
int
near_miss(const char *s, size_t n, char *why, size_t size)
{
	const char *end = s + n, *c, *id = 0, *st, *p, *q;
	size_t idlen = 0, stlen = 0, h, k;
	char word[32];
	int tab = 0;

	for (c = s; c < end && (c = memchr(c, ':', end - c)); c++)
		if (status_after(c, end, &stlen) && (id = id_before(s, c, &idlen)))
			break;
	if (c == end || !id)
		c = 0;
	if (!c || match_heading(s, n, 1, &p, &h, &q, &k))
		return 0;
	st = status_after(c, end, &stlen);
	*why = 0;
	for (p = s; p < id && is_blank(*p); p++)
		tab |= *p == '\t';
	if (tab || p - s > 3)
		add_reason(why, size, "indented, a heading begins within 3 spaces");
	for (h = 0; p + h < id && p[h] == '#'; h++)
		;
	if (!h)
		add_reason(why, size, not_heading(p, id));
	else if (h > 6)
		add_reason(why, size, "more than six '#'");
	else if (!is_blank(p[h]))
		add_reason(why, size, "no blank after '#'");
	else {
		for (p += h; p < id && is_blank(*p); p++)
			;
		if (p < id)
			add_reason(why, size, is_emphasis(*p) ? "emphasis around the ID" : "text before the ID");
	}
	for (p = id + idlen; p < c && !is_blank(*p); p++)
		;
	if (p > id + idlen && !strstr(why, "emphasis around the ID"))
		add_reason(why, size, "emphasis around the ID");
	if (p < c)
		add_reason(why, size, "blank before ':'");
	if (idlen > MAXID)
		add_reason(why, size, "ID longer than 256 bytes");
	for (p = c + 1; p < st && is_blank(*p); p++)
		;
	if (p < st)
		add_reason(why, size, is_emphasis(*p) ? "emphasis around the status" :
		    (unsigned char)*p >= 0x80 ? "a symbol before the status" : "text before the status");
	for (k = 0; k < sizeof words / sizeof *words; k++)
		if (strlen(words[k]) == stlen && same_letters(st, words[k], stlen))
			break;
	if (k == sizeof words / sizeof *words) {
		snprintf(word, sizeof word, "%.*s is not a status word", (int)stlen, st);
		add_reason(why, size, word);
	} else if (memcmp(st, words[k], stlen))
		add_reason(why, size, "status not in upper case");
	if (!*why)
		add_reason(why, size, "not the form '### ID: STATUS'");
	return 1;
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

/* Parses a marker line "ID [STATUS [N]] [NOTE]" in place; 1 if it is
 * one.  A note that begins with a number needs an N before it: by hand, 0. */
int
parse_marker(char *line, char **id, char **status, long *n, char **note)
{
	char *count, *save, *end, *p;

	line[strcspn(line, "\r\n")] = 0;
	*id = strtok_r(line, " \t", &save);
	*status = strtok_r(0, " \t", &save);
	*note = strtok_r(0, "", &save);
	*n = 0;
	if (!*status)
		*status = "COMPLETED";
	for (p = *status; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
	if (*note && **note >= '0' && **note <= '9') {	/* N, unless a word begins so */
		count = *note;
		errno = 0;
		*n = strtol(count, &end, 10);
		if (!*end || *end == ' ' || *end == '\t') {
			if (errno == ERANGE)
				return 0;
			*note = end;
		} else {
			*n = 0;
		}
	}
	if (*note) {
		*note += strspn(*note, " \t");
		for (p = *note + strlen(*note); p > *note && (p[-1] == ' ' || p[-1] == '\t'); )
			*--p = 0;
	}
	return *id && valid_id(*id, strlen(*id)) && valid_status(*status);
}
