/* marker.c: the marker grammar that twatch and tnext share.
 *
 * In a notes file a marker is a Markdown heading that names a task and
 * one of a few status words, "### TODO-CODEX-003: COMPLETED ...": strict
 * enough that prose about a task ("### TODO-3: TLS validation") is never
 * taken for one.  On the wire a status is a word of upper-case letters,
 * digits, '_' and '-'.
 *
 * The marker line twatch prints and tnext reads is "ID STATUS N": N is the
 * occurrence, the how-manieth marker with that ID and status in its file.
 * A line typed by hand may leave out N (0: it always counts) and STATUS
 * (COMPLETED), and write the status in any case.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "marker.h"

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

/* Parses a marker line "ID [STATUS [N]]" in place; 1 if it is one. */
int
parse_marker(char *line, char **id, char **status, long *n)
{
	char *count, *save, *end, *p;

	*id = strtok_r(line, " \t\r\n", &save);
	*status = strtok_r(0, " \t\r\n", &save);
	count = strtok_r(0, " \t\r\n", &save);
	*n = 0;
	if (!*status)
		*status = "COMPLETED";
	for (p = *status; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
	if (count) {
		*n = strtol(count, &end, 10);
		if (*end || *count == '-' || *count == '+' || *n <= 0 || strtok_r(0, " \t\r\n", &save))
			return 0;
	}
	return *id && valid_id(*id, strlen(*id)) && valid_status(*status);
}
