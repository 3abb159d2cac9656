/* marker.h: the completion marker, "### ID: STATUS" in a notes file and
 * "ID STATUS" on the line between twatch and tnext.  See marker.c. */
#include <stddef.h>

#define MAXID 256	/* so that a long line costs nothing to look at again */
int match_heading(const char *s, size_t n, int complete, const char **id, size_t *idlen,
    const char **status, size_t *statuslen);
const char *find_status_colon(const char *p, const char *end);	/* where markers may be */
int near_miss(const char *s, size_t n, char *why, size_t size);	/* looks like one, is not */
int valid_status(const char *s);	/* [A-Z0-9_-]+ */
int parse_marker(char *line, char **id, char **status, long *n, char **note);
