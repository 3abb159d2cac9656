/* Fuzz target: the task record parser.  Whatever the bytes, read_task
 * never crashes, and a record written back by write_task reads back as
 * the same task (parse(write(parse(x))) == parse(x)). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/util.h"
#include "../../tools/record.h"
#include "../../tools/marker.h"

/* The same IDs in after=: none and "after=" alone are the same. */
static int
same_after(const char *a, const char *b)
{
	for (; a && b && *a && *b; a += strlen(a) + 1, b += strlen(b) + 1)
		if (strcmp(a, b))
			return 0;
	return (!a || !*a) && (!b || !*b);
}

static void
same_when_written_back(const struct task *t)
{
	struct reader r;
	struct task u;
	char *text = 0;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	write_task(f, t);
	fclose(f);
	f = fmemopen(text, len, "r");
	reader_init(&r, f, "written");
	if (read_task(&r, &u) != 1 || strcmp(t->id, u.id) || strcmp(t->target, u.target) ||
	    strcmp(t->prompt, u.prompt) || !same_after(t->after, u.after))
		abort();
	free_task(&u);
	if (read_task(&r, &u) != 0)
		abort();
	free(r.buf);
	fclose(f);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r;
	struct task t;
	FILE *f;
	int rc;

	if (!size || !(f = fmemopen((void *)data, size, "r")))
		return 0;
	reader_init(&r, f, "fuzz");
	while ((rc = read_task(&r, &t)))
		if (rc > 0) {
			same_when_written_back(&t);
			free_task(&t);
		}
	free(r.buf);
	free(r.state);
	fclose(f);
	return 0;
}
