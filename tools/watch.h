/* watch.h: being told when a path may have changed, through whatever
 * directories and symbolic links lead to it: inotify(7) on Linux, a look
 * with stat(2) every so often elsewhere.  See watch.c. */
#include <stddef.h>

/* What happened to a path, as events say; a caller takes what it needs. */
#define WATCH_WRITTEN 1	/* written to, maybe not to the end yet */
#define WATCH_CLOSED 2	/* written whole: closed after writing, renamed onto
			 * its name, or still for a look after a change */
#define WATCH_MOVED 4	/* another file, or none, may be there now */

/* npaths paths, to be named by watch_path(); want: the WATCH_ bits that
 * matter (WATCH_MOVED always does).  every: 0 for inotify where there is
 * one, else the milliseconds between two looks.  0, or why inotify could
 * not be had: then it looks every second. */
int watch_start(size_t npaths, long long every, int want);
int watch_path(size_t i, const char *path);	/* 0, or why not (an errno) */
int watch_directory(const char *path, char **dir);	/* 0 if path's directory exists */
int watch_fd(void);		/* to wait on with poll(2); -1 when it looks */
long long watch_due(void);	/* when to look next, in now_ms(); 0: never */
/* Reads the events, or looks if it is time, and says what happened. */
void watch_events(void (*changed)(size_t i, int what));
struct stat;
int file_changed(const struct stat *a, const struct stat *b);	/* anything stat(2) shows */
