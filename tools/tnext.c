/* tnext: record completion markers and pop the next task of every idle pane.
 *
 * Reads batches of marker lines ("ID STATUS", or a bare ID meaning
 * COMPLETED), each ended by an empty line or by the end of input.  At the
 * end of each batch, under an exclusive lock on QUEUE.state:
 *
 *   1. read the events other processes appended since the last batch;
 *   2. re-read the queue (people edit it while the loop runs);
 *   3. record each marker not recorded before (markers are idempotent);
 *   4. give every idle pane its first pending task: write the record,
 *      flush it, and only then record it as sent.
 *
 * So a task is always pending, sent, done or held; a record that could not
 * be written is never marked sent; and two tnext processes never send the
 * same task.  kill -9 between 4's flush and its event is the one way a task
 * is sent twice: it is still pending for the next run.
 */
#define _DEFAULT_SOURCE		/* flock(2) */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "record.h"
#include "marker.h"
#include "state.h"

struct marker {
	char *id, *status;
	long n, line;		/* its occurrence, 0 if not given; its line */
};

static struct marker *markers;
static size_t nmarkers;

/* Adds a marker line to the batch; 0 if it is not one. */
static int
add_marker(const char *text, long lineno)
{
	char *line = xstrdup(text), *id, *status;
	long n;
	int ok = 0;

	if (parse_marker(line, &id, &status, &n)) {
		markers = xrealloc(markers, (nmarkers + 1) * sizeof *markers);
		markers[nmarkers].id = xstrdup(id);
		markers[nmarkers].status = xstrdup(status);
		markers[nmarkers].n = n;
		markers[nmarkers++].line = lineno;
		ok = 1;
	}
	free(line);
	return ok;
}

static void
record_markers(struct statefile *sf, struct queue *q, const char *path)
{
	char count[32];
	size_t i;

	for (i = 0; i < nmarkers; i++) {
		if (!find_task(q, markers[i].id)) {
			complain("stdin:%ld: no task %s in %s, marker ignored",
			    markers[i].line, markers[i].id, path);
			continue;
		}
		if (markers[i].n && markers[i].n <= marker_count(sf, markers[i].id, markers[i].status))
			continue;	/* that occurrence was recorded */
		if (!strcmp(markers[i].status, "IDLE") && strcmp(task_status(sf, markers[i].id), "sent"))
			continue;	/* the end of a turn says nothing of a task not in one */
		snprintf(count, sizeof count, "%ld", markers[i].n);
		if (append_event(sf, markers[i].status, markers[i].id, count) < 0)
			exit(1);
		read_statefile(sf);
	}
}

static void
send_next_tasks(struct statefile *sf, struct queue *q)
{
	void *busy = 0;	/* the targets of the panes not idle */
	const char *status;
	struct task *t;
	size_t i;

	for (i = 0; i < q->n; i++) {
		status = task_status(sf, q->tasks[i]->id);
		if (!strcmp(status, "sent") || is_held(status))
			tree_add(q->tasks[i]->target, &busy, compare_strings);
	}
	for (i = 0; i < q->n; i++) {
		t = q->tasks[i];
		if (strcmp(task_status(sf, t->id), "pending") || tfind(t->target, &busy, compare_strings))
			continue;
		write_task(stdout, t);
		if (fflush(stdout) == EOF) {	/* not written, so not sent */
			if (errno != EPIPE)
				complain("stdout: %s", strerror(errno));
			_exit(1);
		}
		if (append_event(sf, "sent", t->id, 0) < 0)
			exit(1);
		tree_add(t->target, &busy, compare_strings);
	}
	free_tree(&busy, compare_strings, 0);
}

/* The queue as it is now: read again only when its inode, size or
 * modification time has changed, which keeps a batch cheap on a queue of
 * many thousand tasks. */
static struct queue *
current_queue(const char *path)
{
	static struct queue q;
	static struct stat last;
	static int loaded;
	struct stat st;

	if (loaded && stat(path, &st) == 0 && st.st_dev == last.st_dev && st.st_ino == last.st_ino &&
	    st.st_size == last.st_size && st.st_mtim.tv_sec == last.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == last.st_mtim.tv_nsec)
		return &q;
	if (loaded)
		free_queue(&q);
	loaded = 0;
	if (stat(path, &last) < 0)
		memset(&last, 0, sizeof last);	/* load_queue says why */
	else if (!S_ISREG(last.st_mode)) {	/* it is read again and again */
		complain("%s: not a regular file", path);
		return 0;
	}
	if (load_queue(path, &q) < 0)
		return 0;
	loaded = 1;
	return &q;
}

/* One batch: 0 done, -1 the queue is broken and the markers are kept. */
static int
run_batch(const char *path, struct statefile *sf, const char *reset)
{
	static char *spath;
	struct queue *q;
	size_t i;

	if (!(q = current_queue(path)))
		return -1;	/* and the state file is left as it was */
	if (!spath)
		spath = state_path(path);
	if (open_statefile(sf, spath, 1) < 0)
		exit(1);
	lock_statefile(sf, LOCK_EX);
	read_statefile(sf);
	if (reset) {
		if (!find_task(q, reset))
			die(1, "%s: no such task in %s", reset, path);
		if (append_event(sf, "reset", reset, 0) < 0)
			exit(1);
		read_statefile(sf);
	} else {
		record_markers(sf, q, path);
		send_next_tasks(sf, q);
		for (i = 0; i < nmarkers; i++) {
			free(markers[i].id);
			free(markers[i].status);
		}
		nmarkers = 0;
	}
	if (unlock_statefile(sf) < 0)
		exit(1);
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct statefile sf;	/* static: they live as long as tnext */
	static char *line;
	const char *path, *reset = 0;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int c, bad = 0;

	progname = "tnext";
	usage_text = "usage: tnext [-r ID] [QUEUE]";
	while ((c = next_option(argc, argv, "r:")) != -1)
		switch (c) {
		case 'r': reset = optarg; break;
		}
	if (argc - optind > 1)
		bad_usage("%s: one queue at most", argv[optind + 1]);
	path = queue_path(argv[optind]);
	if (reset && run_batch(path, &sf, reset) < 0)
		return 1;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)n) {
			run_batch(path, &sf, 0);	/* if broken, the next one tries again */
		} else if (*line != '#' && (memchr(line, 0, n) || !add_marker(line, lineno))) {
			line[strcspn(line, "\n")] = 0;
			complain("stdin:%ld: bad marker '%s', ignored", lineno, line);
			bad = 1;
		}
	}
	return run_batch(path, &sf, 0) < 0 || bad;	/* still broken at the end: 1 */
}
