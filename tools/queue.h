/* queue.h: the task grammar and the state file, shared by tq, tnext,
 * twatch and tsend.  See tq(5). */
#include <stdio.h>
#include <sys/types.h>

extern const char *progname;

void complain(const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void die(int status, const char *fmt, ...);
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *format(const char *fmt, ...);
char *xstrndup(const char *s, size_t n);

/* A string-keyed hash table; keys belong to the caller. */
struct table {
	struct slot { const char *key; void *val; } *slots;
	size_t n, cap;
};
void **table_slot(struct table *t, const char *key, int add);
void table_free(struct table *t);

struct task {
	char *id, *target, *prompt;
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
};
void reader_init(struct reader *r, FILE *f, const char *name);
int read_task(struct reader *r, struct task *t);	/* 1, 0 at EOF, -1 bad */
void write_task(FILE *f, const struct task *t);
void free_task(struct task *t);
int valid_id(const char *s, size_t n);
int is_alnum(char c);
int valid_status(const char *s);	/* [A-Z0-9_-]+ */

/* The default marker: a Markdown heading "### ID: STATUS ...". */
#define MAXID 256	/* so that a long line costs nothing to look at again */
int match_heading(const char *s, size_t n, int complete, const char **id, size_t *idlen,
    const char **status, size_t *statuslen);

struct queue {
	struct task *tasks;
	size_t n;
	struct table ids;
};
int load_queue(const char *path, struct queue *q);	/* 0, or -1 reported */
void free_queue(struct queue *q);
const char *queue_path(const char *arg);

/* What the state file says of one task. */
struct state {
	char *status;		/* "sent", "pending", "done" or a held status */
	char when[24];
	char *markers;		/* " COMPLETED BLOCKED ": markers recorded */
};
int is_done(const char *status);
int is_held(const char *status);

struct statefile {
	char *path;
	int fd;
	off_t off;
	dev_t dev;
	ino_t ino;
	long line;
	int torn;		/* the file ends without a newline */
	struct table tasks;	/* id -> struct state */
};
int open_statefile(struct statefile *sf, const char *queue, int writable);
int read_statefile(struct statefile *sf);
struct state *task_state(struct statefile *sf, const char *id);	/* 0: none */
const char *task_status(struct statefile *sf, const char *id);	/* "pending" if none */
int marker_recorded(struct statefile *sf, const char *id, const char *status);
int append_event(struct statefile *sf, const char *event, const char *id);
