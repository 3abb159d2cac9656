/* Fuzz target: the marker scanner.  Whatever the bytes, match_heading
 * never reads outside its line, a match is a valid ID and one of the four
 * status words, and a marker seen in a line still being written is seen
 * again, the same, when the line is complete. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/util.h"
#include "../../tools/record.h"
#include "../../tools/marker.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *id, *status, *id2, *status2;
	size_t idlen, statuslen, idlen2, statuslen2;
	char *copy;

	copy = malloc(size ? size : 1);	/* exactly the line: ASan sees overreads */
	memcpy(copy, s, size);
	if (match_heading(copy, size, 0, &id, &idlen, &status, &statuslen)) {
		if (!match_heading(copy, size, 1, &id2, &idlen2, &status2, &statuslen2) ||
		    id != id2 || idlen != idlen2 || status != status2 || statuslen != statuslen2)
			abort();
	}
	if (match_heading(copy, size, 1, &id, &idlen, &status, &statuslen)) {
		if (!valid_id(id, idlen) || idlen > MAXID || id < copy || status + statuslen > copy + size)
			abort();
		if (!(statuslen == 9 && !memcmp(status, "COMPLETED", 9)) &&
		    !(statuslen == 4 && !memcmp(status, "DONE", 4)) &&
		    !(statuslen == 7 && !memcmp(status, "BLOCKED", 7)) &&
		    !(statuslen == 6 && !memcmp(status, "FAILED", 6)))
			abort();
	}
	free(copy);
	return 0;
}
