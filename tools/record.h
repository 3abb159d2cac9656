/* record.h: task records ("ID TARGET [after=ID,...] PROMPT"), the reader
 * that hands each over the moment it ends, and the queue they make.  See
 * record.c, tq(5). */
#include <stdio.h>
#include <sys/types.h>

struct task {
	char *id, *target, *prompt;
	char *after;		/* the IDs of after=, each ended by NUL, the list by an
				 * empty one; in id's allocation, freed with it; or 0 */
	long line;
};

/* Reads task records from a stream, one at a time, each as soon as it
 * has ended (empty line, comment, next record or end of input). */
struct reader {
	FILE *f;
	const char *name;
	long line;
	char *buf;
	size_t cap;
	ssize_t held;		/* length of a line read but not used yet, or -1 */
	int skipping;		/* continuation lines of a bad record */
	int cut;		/* the record returned ended at the end of input */
	int failed;		/* reading failed, which was said */
	int paused;		/* it ended where a read would have waited */
	char *state;		/* the path of the last "#state PATH" line, or 0 */
	char *state_id;		/* its "#state-id DEV INO" after it, or 0 */
};
void reader_init(struct reader *r, FILE *f, const char *name);
int read_task(struct reader *r, struct task *t);	/* 1, 0 at EOF, -1 bad */
void write_task(FILE *f, const struct task *t);
void free_task(struct task *t);
int is_alnum(char c);
int valid_id(const char *s, size_t n);

struct queue {
	struct task **tasks;	/* in queue order */
	size_t n;
	void *ids;		/* tsearch(3) tree of struct task *, by ID */
};
int load_queue(const char *path, struct queue *q);	/* 0, or -1 reported */
void free_queue(struct queue *q);
struct task *find_task(const struct queue *q, const char *id);	/* 0: none */
const char *queue_path(const char *arg);
