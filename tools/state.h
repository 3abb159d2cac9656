/* state.h: the state file, QUEUE.state: what happened to each task, and
 * so its state.  See state.c, tq(5). */
#include <sys/types.h>

/* What the state file says of one task. */
struct state {
	char *id;
	char *status;		/* "sent", "pending", "done" or a held status */
	char when[24];		/* the time of its last event */
	void *markers;		/* tsearch(3) set of the marker statuses recorded */
};
int is_done(const char *status);
int is_held(const char *status);

struct statefile {
	char *path;
	int fd;
	off_t off;		/* read up to here */
	dev_t dev;
	ino_t ino;
	long line;
	int torn;		/* the file ends without a newline */
	void *tasks;		/* tsearch(3) tree of struct state, by ID */
};
int open_statefile(struct statefile *sf, const char *queue, int writable);
int read_statefile(struct statefile *sf);
struct state *task_state(struct statefile *sf, const char *id);	/* 0: none */
const char *task_status(struct statefile *sf, const char *id);	/* "pending" if none */
int marker_recorded(struct statefile *sf, const char *id, const char *status);
int append_event(struct statefile *sf, const char *event, const char *id);
