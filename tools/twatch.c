/* twatch: print completion markers as files gain them.
 *
 * A marker is a Markdown heading naming a task and its status,
 * "### TODO-CODEX-003: COMPLETED ...", or a line matching -e ERE.  twatch
 * prints every marker already in its files as one batch, then follows the
 * files and prints each new marker as one batch per change; a batch is
 * "ID STATUS" lines and an empty line, written with one write(2).
 *
 * It follows paths, not inodes: every change wakes it, and it then looks
 * at each file by name.  A new inode (a save by rename, a re-creation)
 * or a file that shrank or changed before the point already read is
 * scanned again from the start; otherwise only the bytes appended are
 * read.  Each (file, ID, status) is printed at most once per run, so
 * rescans and half-written lines never print a marker twice.  A marker
 * in a line with no newline yet is printed as soon as its status word is
 * followed by something that ends it.
 *
 * Waking up is the only part that depends on the system: follow_inotify()
 * for Linux, follow_poll() anywhere.  A kqueue port goes beside them.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <search.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "util.h"
#include "record.h"
#include "marker.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

struct file {
	const char *path;
	int fd, wd;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	off_t off;		/* read up to here */
	char *part;		/* the line being written, no newline yet */
	size_t partlen, partcap;
	char tail[64];		/* the bytes just before off */
	size_t taillen;
};

static struct file *files;
static int nfiles;
static regex_t ere;
static int use_ere, quiet = 1;
static void *seen;	/* "N ID STATUS" printed for file N */
static char *batch;
static size_t batchlen, batchcap;
static volatile sig_atomic_t stop;

static int
match_ere(const char *s, size_t n, const char **id, size_t *idlen, const char **status,
    size_t *statuslen)
{
	regmatch_t m[3];
	char *line = xstrndup(s, n);
	int ok;

	ok = !regexec(&ere, line, 3, m, 0) && m[1].rm_so >= 0 && m[2].rm_so >= 0;
	free(line);
	if (!ok)
		return 0;
	*id = s + m[1].rm_so;
	*idlen = m[1].rm_eo - m[1].rm_so;
	*status = s + m[2].rm_so;
	*statuslen = m[2].rm_eo - m[2].rm_so;
	for (ok = *statuslen > 0, n = 0; n < *statuslen; n++)
		ok &= is_alnum((*status)[n]) || (*status)[n] == '_' || (*status)[n] == '-';
	return ok && valid_id(*id, *idlen);
}

static void
add_to_batch(const char *s, size_t n)
{
	if (batchlen + n > batchcap)
		batch = xrealloc(batch, batchcap = 2 * (batchlen + n));
	memcpy(batch + batchlen, s, n);
	batchlen += n;
}

static void
scan_line(int fileno, const char *s, size_t n, int complete)
{
	const char *id, *status;
	size_t idlen, statuslen;
	char *key;

	if (use_ere ? !complete || !match_ere(s, n, &id, &idlen, &status, &statuslen) :
	    !match_heading(s, n, complete, &id, &idlen, &status, &statuslen))
		return;
	key = xmalloc(idlen + statuslen + 24);
	sprintf(key, "%d %.*s %.*s", fileno, (int)idlen, id, (int)statuslen, status);
	if (tree_add(key, &seen, compare_strings) != key) {
		free(key);
		return;
	}
	if (!quiet) {
		add_to_batch(id, idlen);
		add_to_batch(" ", 1);
		add_to_batch(status, statuslen);
		add_to_batch("\n", 1);
	}
}

/* Scans the complete lines in [p, end).  A heading marker starts with a
 * '#' after at most three spaces, so only lines around a '#' are looked
 * at: that is what makes a scan as fast as grep's. */
static void
scan_lines(int fileno, const char *p, const char *end)
{
	const char *hash, *start, *nl;

	if (use_ere) {
		for (; p < end; p = nl + 1) {
			nl = memchr(p, '\n', end - p);
			scan_line(fileno, p, nl - p, 1);
		}
		return;
	}
	while (p < end && (hash = memchr(p, '#', end - p))) {
		for (start = hash; start > p && start[-1] == ' ' && hash - start < 3; start--)
			;
		nl = memchr(hash, '\n', end - hash);
		if (start == p || start[-1] == '\n')
			scan_line(fileno, start, nl - start, 1);
		p = nl + 1;
	}
}

/* Scans n new bytes of f: its complete lines, then what is left. */
static void
scan(struct file *f, const char *buf, size_t n, int at_eof)
{
	const char *p = buf, *nl, *end = buf + n;
	int i = f - files;

	if (f->partlen && (nl = memchr(p, '\n', n))) {
		if (f->partlen + (nl - p) > f->partcap)
			f->part = xrealloc(f->part, f->partcap = 2 * (f->partlen + (nl - p)));
		memcpy(f->part + f->partlen, p, nl - p);
		scan_line(i, f->part, f->partlen + (nl - p), 1);
		f->partlen = 0;
		p = nl + 1;
	}
	if (!f->partlen) {
		for (nl = end; nl > p && nl[-1] != '\n'; nl--)
			;
		scan_lines(i, p, nl);	/* up to the last line break */
		p = nl;
	}
	if (p == end && !f->partlen)
		return;
	if (f->partlen + (end - p) > f->partcap)
		f->part = xrealloc(f->part, f->partcap = 2 * (f->partlen + (end - p)));
	memcpy(f->part + f->partlen, p, end - p);
	f->partlen += end - p;
	if (f->partlen)
		scan_line(i, f->part, f->partlen, at_eof);
}

static void
rescan(struct file *f)
{
	f->off = 0;
	f->partlen = 0;
	f->taillen = 0;
}

static int
open_file(struct file *f, int once)
{
	struct stat st;

	if (f->fd >= 0)
		close(f->fd);
	rescan(f);
	if ((f->fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0 || fstat(f->fd, &st) < 0) {
		if (once || errno != ENOENT)
			complain("%s: %s", f->path, strerror(errno));
		if (f->fd >= 0)
			close(f->fd);
		return f->fd = -1;
	}
	if (!S_ISREG(st.st_mode)) {
		complain("%s: not a regular file", f->path);
		close(f->fd);
		return f->fd = -1;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->mtime = st.st_mtim;
	return 0;
}

/* Reads what f gained since last time; -1 if it is missing. */
static int
check_file(struct file *f, int once)
{
	static char buf[1 << 18];
	struct stat st;
	char tail[sizeof f->tail];
	ssize_t n = 0;
	size_t keep, take;

	if (stat(f->path, &st) < 0 || f->fd < 0 || st.st_dev != f->dev || st.st_ino != f->ino)
		if (open_file(f, once) < 0)
			return -1;
	if (fstat(f->fd, &st) < 0)
		return -1;
	if (st.st_size < f->off ||
	    (st.st_size == f->off && (st.st_mtim.tv_sec != f->mtime.tv_sec || st.st_mtim.tv_nsec != f->mtime.tv_nsec)) ||
	    (f->taillen && (pread(f->fd, tail, f->taillen, f->off - f->taillen) != (ssize_t)f->taillen ||
	    memcmp(tail, f->tail, f->taillen))))
		rescan(f);	/* rewritten, not appended to */
	f->mtime = st.st_mtim;
	while (f->off < st.st_size &&
	    (n = pread(f->fd, buf, MIN(sizeof buf, (size_t)(st.st_size - f->off)), f->off)) > 0) {
		f->off += n;
		take = MIN((size_t)n, sizeof f->tail);
		keep = MIN(f->taillen, sizeof f->tail - take);
		memmove(f->tail, f->tail + f->taillen - keep, keep);
		memcpy(f->tail + keep, buf + n - take, take);
		f->taillen = keep + take;
		scan(f, buf, n, 0);
	}
	if (n < 0)
		complain("%s: %s", f->path, strerror(errno));
	if (once && f->partlen)
		scan_line(f - files, f->part, f->partlen, 1);
	return 0;
}

static void
write_batch(int always)
{
	size_t done = 0;
	ssize_t n;

	if (!batchlen && !always)
		return;
	add_to_batch("\n", 1);
	while (done < batchlen) {
		if ((n = write(1, batch + done, batchlen - done)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EPIPE)
				complain("stdout: %s", strerror(errno));
			exit(1);
		}
		done += n;
	}
	batchlen = 0;
}

static int
check_files(int once)
{
	int i, missing = 0;

	for (i = 0; i < nfiles; i++)
		missing |= check_file(&files[i], once) < 0;
	return missing;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Sleeps until a signal or, with timeout, until it passes; 1 on input. */
static int
wait_for(int fd, const struct timespec *timeout, const sigset_t *mask)
{
	fd_set rfds;
	int n;

	FD_ZERO(&rfds);
	if (fd >= 0)
		FD_SET(fd, &rfds);
	n = pselect(fd + 1, &rfds, 0, 0, timeout, mask);
	if (n < 0 && errno != EINTR)
		die(1, "pselect: %s", strerror(errno));
	return n > 0;
}

static void
follow_poll(double seconds, const sigset_t *mask)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - ts.tv_sec) * 1e9);
	while (!stop) {
		wait_for(-1, &ts, mask);
		if (stop)
			break;
		check_files(0);
		write_batch(0);
	}
}

#ifdef __linux__
static void
watch_file(int ifd, struct file *f)
{
	if (f->wd >= 0)
		inotify_rm_watch(ifd, f->wd);
	f->wd = inotify_add_watch(ifd, f->path, IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE);
}

static void
follow_inotify(const sigset_t *mask)
{
	char buf[1 << 14], *dir, *slash;
	ino_t ino;
	int ifd, i, wd;

	if ((ifd = inotify_init1(IN_CLOEXEC)) < 0)
		die(1, "inotify: %s", strerror(errno));
	for (i = 0; i < nfiles; i++) {
		dir = xstrdup(files[i].path);
		if ((slash = strrchr(dir, '/')))
			slash[slash == dir] = 0;	/* "/x" is in "/" */
		wd = inotify_add_watch(ifd, slash ? dir : ".", IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
		    IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_ONLYDIR);
		free(dir);
		if (wd < 0)
			die(1, "%s: %s", files[i].path, strerror(errno));
		files[i].wd = -1;
		watch_file(ifd, &files[i]);	/* for a symbolic link elsewhere */
	}
	check_files(0);		/* what changed before the watches */
	write_batch(0);
	while (!stop) {
		if (!wait_for(ifd, 0, mask))
			continue;
		if (read(ifd, buf, sizeof buf) < 0 && errno != EINTR && errno != EAGAIN)
			die(1, "inotify: %s", strerror(errno));
		for (i = 0; i < nfiles; i++) {
			ino = files[i].ino;
			check_file(&files[i], 0);
			if (files[i].ino != ino)
				watch_file(ifd, &files[i]);
		}
		write_batch(0);
	}
}
#endif

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	sigset_t block, mask;
	double poll = 0;
	char *end;
	int c, i, once = 0, skip = 0, missing;

	progname = "twatch";
	usage_text = "usage: twatch [-1n] [-e ERE] [-p SECONDS] FILE...";
	while ((c = next_option(argc, argv, "1ne:p:")) != -1)
		switch (c) {
		case '1': once = 1; break;
		case 'n': skip = 1; break;
		case 'e':
			if ((c = regcomp(&ere, optarg, REG_EXTENDED))) {
				char msg[256];

				regerror(c, &ere, msg, sizeof msg);
				bad_usage("-e '%s': %s", optarg, msg);
			}
			if (ere.re_nsub < 2)
				bad_usage("-e '%s': needs two groups, ID and STATUS", optarg);
			use_ere = 1;
			break;
		case 'p':
			poll = strtod(optarg, &end);
			if (*end || !*optarg || !(poll >= 0.01 && poll <= 86400))
				bad_usage("-p %s: not a number of seconds from 0.01 to 86400", optarg);
			break;
		}
	if (optind == argc)
		bad_usage("no FILE to watch");
	nfiles = argc - optind;
	files = xmalloc(nfiles * sizeof *files);
	memset(files, 0, nfiles * sizeof *files);
	for (i = 0; i < nfiles; i++) {
		files[i].path = argv[optind + i];
		files[i].fd = files[i].wd = -1;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, 0);
	sigaction(SIGINT, &sa, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &mask);	/* delivered in pselect only */

	quiet = skip;
	missing = check_files(once);
	quiet = 0;
	write_batch(1);
	if (once)
		return missing;
#ifdef __linux__
	if (!poll) {
		follow_inotify(&mask);
		return 0;
	}
#endif
	follow_poll(poll ? poll : 1, &mask);
	return 0;
}
