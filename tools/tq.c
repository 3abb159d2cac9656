/* tq: show the tasks of a queue and the state of each.
 *
 * Reads QUEUE (every record, or nothing: a bad line is reported with
 * its file and line, and tq prints nothing) and QUEUE.state, under a
 * shared lock so that it never sees half of an event tnext is writing.
 * It writes nothing but its output.
 */
#define _DEFAULT_SOURCE		/* flock(2) */
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util.h"
#include "record.h"
#include "marker.h"
#include "state.h"

static int
valid_filter(const char *s)
{
	return !strcmp(s, "pending") || !strcmp(s, "sent") || !strcmp(s, "done") ||
	    !strcmp(s, "held") || valid_status(s);
}

int
main(int argc, char *argv[])
{
	static struct statefile sf;	/* static: they live as long as tq */
	static struct queue q;
	struct state *st;
	const char *path, *filter = 0, *status;
	char *spath;
	size_t i, idw = 2, statew = 5, targetw = 6;
	int c, check = 0, records = 0;

	progname = "tq";
	usage_text = "usage: tq [-cp] [-s STATE] [QUEUE]";
	while ((c = next_option(argc, argv, "cps:")) != -1)
		switch (c) {
		case 'c': check = 1; break;
		case 'p': records = 1; break;
		case 's': filter = optarg; break;
		}
	if (filter && !valid_filter(filter))
		bad_usage("-s %s: no such state; states are pending, sent, done, held "
		    "or a held status in upper case", filter);
	if (argc - optind > 1)
		bad_usage("%s: one queue at most", argv[optind + 1]);
	path = queue_path(argv[optind]);
	if (load_queue(path, &q) < 0)
		return 1;
	if (check)
		return 0;
	spath = state_path(path);
	if (open_statefile(&sf, spath, 0) < 0)
		return 1;
	free(spath);
	if (sf.fd >= 0) {
		lock_statefile(&sf, LOCK_SH);
		read_statefile(&sf);
		unlock_statefile(&sf);
	}
	for (i = 0; i < q.n; i++) {
		status = task_status(&sf, q.tasks[i]->id);
		if (filter && strcmp(filter, status) && !(!strcmp(filter, "held") && is_held(status))) {
			q.tasks[i]->line = -1;	/* filtered out */
			continue;
		}
		if (strlen(q.tasks[i]->id) > idw) idw = strlen(q.tasks[i]->id);
		if (strlen(status) > statew) statew = strlen(status);
		if (strlen(q.tasks[i]->target) > targetw) targetw = strlen(q.tasks[i]->target);
	}
	for (i = 0; i < q.n; i++) {
		if (q.tasks[i]->line < 0)
			continue;
		if (records) {
			write_task(stdout, q.tasks[i]);
			continue;
		}
		st = task_state(&sf, q.tasks[i]->id);
		printf("%-*s  %-*s  %-*s  %s\n", (int)idw, q.tasks[i]->id,
		    (int)statew, task_status(&sf, q.tasks[i]->id),
		    (int)targetw, q.tasks[i]->target, st && *st->when ? st->when : "-");
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		die(1, "stdout: write error");
	return 0;
}
