/* state.h: the state file, QUEUE.state: what happened to each task, and
 * so its state.  See state.c, tq(5). */
#include <sys/types.h>

/* What the state file says of one task. */
struct state {
	char *id;
	char *status;		/* "pending", "sent", "working", "done" or a held status */
	char when[24];		/* the time of the event that gave it that status */
	char *reason;		/* why it is held, where its event said (UNSENT) */
	long reset;		/* pending again by a reset: that event's line; else 0 */
	void *marks;		/* tsearch(3) set of struct mark, by status */
};
int is_done(const char *status);
int is_held(const char *status);
int is_taken(const char *status);

struct statefile {
	char *path;
	int fd, locked, written;
	off_t off;		/* read up to here: the end of the last whole line */
	off_t torn;		/* where a cut line already reported begins, or -1 */
	dev_t dev;
	ino_t ino;
	long line;
	void *tasks;		/* tsearch(3) tree of struct state, by ID */
	void *reporters;	/* panes a hook reported from (tq-hook notes) */
	char *buf;
	size_t cap;
	char **notes;		/* lines ignored, said once the lock is let go */
	size_t nnotes;
};
char *state_path(const char *queue);
time_t parse_time(const char *s);	/* "2026-11-25T09:00:00Z"; -1 if not one */
time_t limit_reset(const struct state *st);	/* LIMIT until when; -1 if not said */
int open_statefile(struct statefile *sf, const char *path, int writable);
void lock_statefile(struct statefile *sf, int how);	/* LOCK_SH or LOCK_EX */
int unlock_statefile(struct statefile *sf);	/* syncs what was appended */
int read_statefile(struct statefile *sf);
struct state *task_state(struct statefile *sf, const char *id);	/* 0: none */
const char *task_status(struct statefile *sf, const char *id);	/* "pending" if none */
struct task;
char *waiting_for(struct statefile *sf, const struct task *t);	/* "after T-1 (sent)", or 0 */
void find_states(struct statefile *sf, const char *const *ids, size_t n, struct state **out);
long marker_count(struct statefile *sf, const char *id, const char *status);
int marker_applies(struct statefile *sf, const char *id, const char *status);
int pane_reports(struct statefile *sf, const char *pane);
int append_event(struct statefile *sf, const char *event, const char *id, const char *details);
