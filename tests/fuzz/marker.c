/* Fuzz target: the marker scanner.  Whatever the bytes, match_heading
 * and near_miss never read outside their line; a match is a valid ID and
 * one of the five status words; a marker seen in a line still being
 * written is seen again, the same, when the line is complete; a line is
 * never both a marker and a near miss; and find_status_colon, the scan's
 * pre-filter, never skips a line that is either. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/util.h"
#include "../../tools/record.h"
#include "../../tools/marker.h"

static int
is_status(const char *s, size_t n)
{
	static const char *words[] = { "COMPLETED", "DONE", "BLOCKED", "FAILED", "IDLE" };
	size_t k;

	for (k = 0; k < sizeof words / sizeof *words; k++)
		if (n == strlen(words[k]) && !memcmp(s, words[k], n))
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *id, *status, *id2, *status2;
	size_t idlen, statuslen, idlen2, statuslen2;
	char *copy, why[256];
	int marker, miss;

	copy = malloc(size ? size : 1);	/* exactly the line: ASan sees overreads */
	memcpy(copy, s, size);
	if (match_heading(copy, size, 0, &id, &idlen, &status, &statuslen)) {
		if (!match_heading(copy, size, 1, &id2, &idlen2, &status2, &statuslen2) ||
		    id != id2 || idlen != idlen2 || status != status2 || statuslen != statuslen2)
			abort();
	}
	marker = match_heading(copy, size, 1, &id, &idlen, &status, &statuslen);
	if (marker && (!valid_id(id, idlen) || idlen > MAXID || id < copy ||
	    status + statuslen > copy + size || !is_status(status, statuslen)))
		abort();
	miss = near_miss(copy, size, why, sizeof why);
	if ((marker && miss) || (miss && (!*why || strlen(why) >= sizeof why)))
		abort();
	if ((marker || miss) && !find_status_colon(copy, copy + size))
		abort();
	free(copy);
	return 0;
}
