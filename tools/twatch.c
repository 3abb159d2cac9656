/* twatch: print completion markers as files gain them.
 *
 * A marker is a Markdown heading naming a task and its status,
 * "### TODO-CODEX-003: COMPLETED ...", or a line matching -e ERE.  twatch
 * prints every marker already in its files as one batch, then one batch
 * per change; a batch is "ID STATUS N" lines and an empty line, written
 * with one write(2).  N is the occurrence: the how-manieth marker with
 * that ID and status in that file.
 *
 * The invariants:
 * - Each occurrence is printed once per run.  The counts are those of the
 *   whole file as it is, and a scan prints the occurrences beyond those
 *   printed already, so a scan after any edit (a save by rename, a
 *   truncation, a rewrite in place) prints only what is new.
 * - Every change is seen.  A file of up to BIG bytes is read whole on
 *   each change (under a millisecond a megabyte), and counted again from
 *   its first byte unless the bytes it had hash the same: then it only
 *   grew, and counting goes on from its last line.  A larger file that
 *   grew, and whose last TAIL bytes read are the same, is read only from
 *   where the last read ended, and read whole once it has been still.
 * - A last line with no newline yet counts at once if its status word is
 *   followed by something (no append can change it), else once the file
 *   has been still for STILL_MS.  -1 and the start of -n count it at once.
 * - Paths, not inodes: a file is looked up by name whenever watch.c says
 *   its path may have changed.  No descriptor is kept open, so any number
 *   of files fit.
 * - A problem with a file is reported when it starts and when it ends.
 * - A line that looks like a marker but is not one (near_miss()) is
 *   reported on stderr once per occurrence, counted like a marker.
 * - SIGTERM and SIGINT end it between two reads of at most CHUNK bytes.
 *
 * Waking up is the only part that depends on the system, and watch.c
 * holds it: inotify on Linux, stat(2) every -p SECONDS anywhere.
 */
#include "system.h"	/* st_mtim, st_ctim */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <regex.h>
#include <search.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "record.h"
#include "marker.h"
#include "watch.h"

#define BIG (8L << 20)		/* a larger file's appends are read alone */
#define CHUNK (1 << 18)		/* read at a time from a larger file */
#define TAIL 4096		/* bytes that must be the same for an append */
#define STILL_MS 100		/* no change for this long: the file is still */
#define NOT_REGULAR (-1)	/* a problem that is no errno */
#define FORCE 1			/* read it even if stat(2) says the same */
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

struct count {			/* one marker, or one near miss, of a file */
	unsigned long gen;	/* the scan that counted n */
	long n, printed;
	char key[];		/* "ID STATUS", or the line */
};

struct file {
	const char *path;
	int problem;		/* 0, an errno or NOT_REGULAR: reported once */
	void *markers, *misses;	/* trees of struct count */
	unsigned long gen;	/* scans from the first byte */
	struct stat st;		/* as last read */
	off_t end;		/* read up to here */
	off_t off;		/* where the line with no newline yet begins */
	int counted;		/* that line counted already */
	int hashed;		/* hash and last hold the bytes up to end */
	unsigned long long hash;	/* of the bytes up to end, less end % 8 */
	char last[8];		/* the end % 8 bytes after them */
	int pending;		/* that line may count once the file is still */
	char *tail;		/* the TAIL bytes before end, for a big file */
	size_t taillen;
	off_t lineoff;		/* where line number line begins */
	long line;
	long long tail_due;	/* when to count the last line, if still; 0 */
	long long verify_due;	/* when to read a big file whole, if still; 0 */
	long long scan_ms;	/* what reading it whole cost last time */
	int dirty, how;		/* to look at again: FORCE */
};

struct reading {		/* one read of a file */
	struct file *f;
	int fd;
	const char *buf;	/* the bytes of the file from base */
	off_t base;
};

static struct file *files, **dirty;
static int nfiles, ndirty;
static regex_t ere;
static int use_ere, quiet, once, sigpipe[2];
static char *batch;
static size_t batchlen, batchcap;
static volatile sig_atomic_t stop;

static void
add_to_batch(const char *s, size_t n)
{
	if (batchlen + n > batchcap)
		batch = xrealloc(batch, batchcap = 2 * (batchlen + n));
	memcpy(batch + batchlen, s, n);
	batchlen += n;
}

/* Writes the batch with one write(2), unless a signal cuts it short. */
static void
write_batch(int always)
{
	size_t done = 0;
	ssize_t n;

	if (!batchlen && !always)
		return;
	add_to_batch("\n", 1);
	while (done < batchlen) {
		if (stop)
			exit(0);	/* even if the reader is stuck */
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
compare_counts(const void *a, const void *b)
{
	return strcmp(((const struct count *)a)->key, ((const struct count *)b)->key);
}

/* Counts one more occurrence of key in this scan of the file. */
static struct count *
count(void **tree, unsigned long gen, const char *key, size_t len)
{
	static struct count *probe;
	static size_t cap;
	struct count *c, **node;

	if (!probe || len >= cap)
		probe = xrealloc(probe, sizeof *probe + (cap = 2 * len + 64));
	memcpy(probe->key, key, len);
	probe->key[len] = 0;
	probe->gen = gen;
	probe->n = probe->printed = 0;
	if (!(node = tsearch(probe, tree, compare_counts)))
		die(1, "out of memory");
	if ((c = *node) == probe) {	/* new: the tree gets a copy of its own */
		c = xmalloc(sizeof *c + len + 1);
		memcpy(c, probe, sizeof *c + len + 1);
		*node = c;
	}
	if (c->gen != gen) {
		c->gen = gen;
		c->n = 0;
	}
	c->n++;
	return c;
}

/* A marker's note, as it goes on the line: blanks at either end gone,
 * 200 bytes at most, nothing that drives a terminal. */
static void
add_note(const char *s, size_t n)
{
	char shown[201];
	size_t i, m;

	while (n && strchr(" \t.:;,-", *s)) {	/* "DONE." "DONE:", "DONE - why" */
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (!n)
		return;
	if (n > 200)
		for (n = 200; n && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
			;	/* not in the middle of a character */
	for (i = m = 0; i < n; i++)
		if (s[i] == '\t')
			shown[m++] = ' ';
		else if ((unsigned char)s[i] >= ' ' && s[i] != 0x7f)
			shown[m++] = s[i];
	if (m) {
		add_to_batch(" ", 1);
		add_to_batch(shown, m);
	}
}

static void
count_marker(struct file *f, const char *id, size_t idlen, const char *status, size_t statuslen,
    const char *note, size_t notelen)
{
	static char *key;
	static size_t cap;
	struct count *c;
	char n[24];
	int len;

	if (!key || idlen + statuslen + 2 > cap)
		key = xrealloc(key, cap = 2 * (idlen + statuslen + 2));
	memcpy(key, id, idlen);
	key[idlen] = ' ';
	memcpy(key + idlen + 1, status, statuslen);
	c = count(&f->markers, f->gen, key, idlen + 1 + statuslen);
	if (c->n > c->printed) {
		c->printed = c->n;
		if (!quiet) {
			len = snprintf(n, sizeof n, " %ld", c->n);
			add_to_batch(key, idlen + 1 + statuslen);
			add_to_batch(n, len);
			add_note(note, notelen);
			add_to_batch("\n", 1);
		}
	}
}

/* The number of the line that begins at offset o, counted from the last
 * one asked for: a scan pays for line numbers only when it reports. */
static long
line_number(struct reading *r, off_t o)
{
	static char b[1 << 16];
	struct file *f = r->f;
	const char *p, *end;
	ssize_t n;

	if (f->lineoff > o) {
		f->lineoff = 0;
		f->line = 1;
	}
	while (f->lineoff < o && !stop) {
		if (f->lineoff >= r->base) {
			p = r->buf + (f->lineoff - r->base);
			end = r->buf + (o - r->base);
		} else if ((n = pread(r->fd, b, MIN((off_t)sizeof b, MIN(o, r->base) - f->lineoff), f->lineoff)) > 0) {
			p = b;
			end = b + n;
		} else
			return 0;
		f->lineoff += end - p;
		for (; p < end && (p = memchr(p, '\n', end - p)); p++)
			f->line++;
	}
	return f->line;
}

static void
count_miss(struct reading *r, const char *s, size_t n, const char *why)
{
	char shown[256];
	struct count *c;
	size_t i, m;

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	c = count(&r->f->misses, r->f->gen, s, MIN(n, 4096));
	if (c->n <= c->printed)
		return;
	c->printed = c->n;
	if (quiet)
		return;
	for (i = 0, m = MIN(n, 200); i < m; i++)	/* complain() escapes the rest */
		shown[i] = s[i] ? s[i] : '?';
	snprintf(shown + m, sizeof shown - m, "%s", n > m ? "..." : "");
	complain("%s:%ld: not a marker (%s): %s", r->f->path, line_number(r, r->base + (s - r->buf)),
	    why, shown);
}

static int
match_ere(const char *s, size_t n, const char **id, size_t *idlen, const char **status,
    size_t *statuslen, const char **note, size_t *notelen)
{
	regmatch_t m[4];
	char *line = xstrndup(s, n);
	int ok;

	ok = !regexec(&ere, line, 4, m, 0) && m[1].rm_so >= 0 && m[2].rm_so >= 0;
	free(line);
	if (!ok)
		return 0;
	*id = s + m[1].rm_so;
	*idlen = m[1].rm_eo - m[1].rm_so;
	*status = s + m[2].rm_so;
	*statuslen = m[2].rm_eo - m[2].rm_so;
	*note = s + (m[3].rm_so >= 0 ? m[3].rm_so : 0);	/* a third group, if any */
	*notelen = m[3].rm_so >= 0 ? (size_t)(m[3].rm_eo - m[3].rm_so) : 0;
	for (ok = *statuslen > 0, n = 0; n < *statuslen; n++)
		ok &= is_alnum((*status)[n]) || (*status)[n] == '_' || (*status)[n] == '-';
	return ok && valid_id(*id, *idlen);
}

/* Looks at one line; 1 if it counted, as a marker or a near miss.  A
 * line that is not complete can be a marker (see match_heading) but no
 * near miss. */
static int
scan_line(struct reading *r, const char *s, size_t n, int complete)
{
	const char *id, *status, *note = "";
	size_t idlen, statuslen, notelen = 0;
	char why[256];

	if (use_ere ? complete && match_ere(s, n, &id, &idlen, &status, &statuslen, &note, &notelen) :
	    match_heading(s, n, complete, &id, &idlen, &status, &statuslen)) {
		if (!use_ere) {	/* the rest of the heading, once it has ended */
			note = status + statuslen;
			notelen = complete ? (size_t)(s + n - note) : 0;
		}
		count_marker(r->f, id, idlen, status, statuslen, note, notelen);
		return 1;
	}
	if (!complete || (n >= 8 && !memcmp(s, "twatch: ", 8)))	/* our own stderr */
		return 0;
	if (!use_ere && near_miss(s, n, why, sizeof why))
		count_miss(r, s, n, why);
	else if (use_ere && (near_miss(s, n, why, sizeof why) || match_heading(s, n, 1, &id, &idlen,
	    &status, &statuslen)))
		count_miss(r, s, n, "does not match -e");
	else
		return 0;
	return 1;
}

/* Scans the complete lines in [p, end).  Every marker and near miss has a
 * status word after a ':', so only the lines around such a ':' are looked
 * at: that is what makes a scan faster than grep's. */
static void
scan_lines(struct reading *r, const char *p, const char *end)
{
	const char *c, *s, *nl;

	if (use_ere) {
		for (; p < end; p = nl + 1) {
			nl = memchr(p, '\n', end - p);
			scan_line(r, p, nl - p, 1);
		}
		return;
	}
	while (p < end && (c = find_status_colon(p, end))) {
		for (s = c; s > p && s[-1] != '\n'; s--)
			;
		nl = memchr(c, '\n', end - c);
		scan_line(r, s, nl - s, 1);
		p = nl + 1;
	}
}

/* Scans the complete lines of the len bytes at p, which r holds; with
 * *skip, the first line counted already.  Returns the length of what
 * follows the last newline. */
static size_t
scan_text(struct reading *r, const char *p, size_t len, int *skip)
{
	const char *nl;
	size_t done = 0, e;

	if (!len)
		return 0;
	if (*skip) {
		if (!(nl = memchr(p, '\n', len)))
			return len;
		done = nl + 1 - p;
		*skip = 0;
	}
	for (e = len; e > done && p[e - 1] != '\n'; e--)
		;
	scan_lines(r, p + done, p + e);
	return len - e;
}

/* Looks at the last line, the len bytes at p from offset off, which has
 * no newline yet, unless it counted already (skip). */
static void
scan_tail(struct reading *r, const char *p, size_t len, off_t off, int skip, int still)
{
	struct file *f = r->f;

	f->off = off;
	f->end = off + len;
	f->pending = 0;
	if (stop || skip)
		return;
	f->counted = len && scan_line(r, p, len, still);
	f->pending = len && !f->counted && !still && (use_ere || find_status_colon(p, p + len));
}

static void
restart(struct file *f)	/* counts the file again from its first byte */
{
	f->gen++;
	f->lineoff = f->off = 0;
	f->line = 1;
	f->counted = f->hashed = 0;
}

/* A 64-bit hash of n bytes, n a multiple of 8, after those hashed to h. */
static unsigned long long
hash_words(unsigned long long h, const char *p, size_t n)
{
	unsigned long long w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	return h;
}

/* Reads a file of up to BIG bytes whole, and again once if it changed
 * meanwhile, so that a scan sees it as it was at one moment.  Its
 * markers are counted again from the first byte, unless the bytes it
 * had before hash the same: then it only grew, and the count goes on
 * from its last line. */
static void
read_small(struct reading *r, int still)
{
	static char *buf;
	static size_t cap;
	struct file *f = r->f;
	size_t len = 0, a, rest;
	unsigned long long h;
	int tries = 0, grew, skip;
	struct stat st;
	ssize_t n;

	for (;;) {
		if (!buf || (size_t)f->st.st_size > cap)
			buf = xrealloc(buf, cap = f->st.st_size);
		for (len = 0; len < (size_t)f->st.st_size; )
			if ((n = pread(r->fd, buf + len, f->st.st_size - len, len)) > 0)
				len += n;
			else if (n == 0 || errno != EINTR)
				break;
		if (tries++ || fstat(r->fd, &st) < 0 || !file_changed(&st, &f->st) || st.st_size > BIG)
			break;
		f->st = st;
	}
	a = f->hashed && (size_t)f->end <= len ? (size_t)f->end & ~(size_t)7 : 0;
	h = hash_words(0, buf, a);
	grew = f->hashed && (size_t)f->end <= len && h == f->hash && !memcmp(buf + a, f->last, f->end - a);
	if (!grew)
		restart(f);
	r->buf = buf;
	r->base = 0;
	skip = f->counted;
	rest = scan_text(r, buf + f->off, len - f->off, &skip);
	scan_tail(r, buf + len - rest, rest, len - rest, skip, still);
	f->hash = hash_words(h, buf + a, (len & ~(size_t)7) - a);
	memcpy(f->last, buf + (len & ~(size_t)7), len & 7);
	f->hashed = 1;
}

/* Reads a bigger file from offset from up to to, CHUNK bytes at a time,
 * and scans it; with skip, its first line counted already. */
static void
read_big(struct reading *r, off_t from, off_t to, int skip, int still)
{
	static char *buf;
	static size_t cap;
	size_t len = 0, rest;
	ssize_t n;

	r->base = from;
	while (!stop && r->base + (off_t)len < to) {
		if (len + CHUNK > cap)
			buf = xrealloc(buf, cap = len + CHUNK);
		r->buf = buf;
		n = pread(r->fd, buf + len, MIN(CHUNK, (size_t)(to - r->base) - len), r->base + len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* cut short: the event that says so comes next */
		len += n;
		rest = scan_text(r, buf, len, &skip);
		memmove(buf, buf + len - rest, rest);
		r->base += len - rest;
		len = rest;
	}
	scan_tail(r, buf, len, r->base, skip, still);
	r->f->hashed = 0;
}

static int
same_tail(struct file *f, int fd)
{
	char b[TAIL];

	return f->taillen && pread(fd, b, f->taillen, f->end - f->taillen) == (ssize_t)f->taillen &&
	    !memcmp(b, f->tail, f->taillen);
}

static void
save_tail(struct file *f, int fd)
{
	ssize_t n;

	f->taillen = 0;
	if (f->end <= BIG)
		return;
	if (!f->tail)
		f->tail = xmalloc(TAIL);
	if ((n = pread(fd, f->tail, MIN(TAIL, f->end), f->end - MIN(TAIL, f->end))) > 0)
		f->taillen = n;
}

static void
set_problem(struct file *f, int problem)
{
	if (problem == f->problem)
		return;
	if (problem)	/* a file missing while it is followed is waited for: say so */
		complain("%s: %s%s", f->path, problem == NOT_REGULAR ? "not a regular file" : strerror(problem),
		    problem == ENOENT && !once ? "; waiting for it" : "");
	else
		complain("%s: back", f->path);
	f->problem = problem;
	f->end = f->off = 0;	/* read it whole when it is back */
	f->taillen = f->hashed = 0;
	f->tail_due = f->verify_due = 0;
}

/* Looks at f by name and reads what changed; with still, the file has
 * not changed for a while, so its last line counts even with no newline
 * and a big file is read whole if it is time. */
static void
check_file(struct file *f, int still)
{
	struct reading r;
	struct stat st;
	long long t = now_ms();

	r.fd = -1;
	if (stat(f->path, &st) < 0) {
		set_problem(f, errno);
		return;
	}
	if (!S_ISREG(st.st_mode) || (r.fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0 ||
	    fstat(r.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		set_problem(f, S_ISREG(st.st_mode) ? errno : NOT_REGULAR);
		if (r.fd >= 0)
			close(r.fd);
		return;
	}
	set_problem(f, 0);
	r.f = f;
	if (st.st_size <= BIG) {
		f->st = st;
		read_small(&r, still);
		f->verify_due = 0;
	} else if (st.st_dev == f->st.st_dev && st.st_ino == f->st.st_ino && st.st_size >= f->end &&
	    same_tail(f, r.fd) && !(still && f->verify_due && f->verify_due <= t)) {
		f->st = st;
		read_big(&r, f->off, st.st_size, f->counted, still);
		if (!still)
			f->verify_due = t + MAX(STILL_MS, 10 * f->scan_ms);
	} else {
		f->st = st;
		restart(f);
		read_big(&r, 0, st.st_size, 0, still);
		f->scan_ms = now_ms() - t;
		f->verify_due = 0;
	}
	save_tail(f, r.fd);
	close(r.fd);
	f->tail_due = f->pending ? now_ms() + STILL_MS : 0;
}

/* Counts what waited for the file to be still, if it is time and the
 * file is still indeed; else looks at it again. */
static void
check_still(struct file *f, long long now)
{
	struct stat st;

	if (!(f->tail_due && f->tail_due <= now) && !(f->verify_due && f->verify_due <= now))
		return;
	if (stat(f->path, &st) < 0 || file_changed(&st, &f->st))
		check_file(f, 0);
	else
		check_file(f, 1);
}

static void
mark(struct file *f, int how)
{
	f->how |= how;
	if (!f->dirty) {
		f->dirty = 1;
		dirty[ndirty++] = f;
	}
}

/* What watch.c says: a file only closed after writing (and not written
 * to otherwise: each write(2) is an event of its own) is read only if
 * stat(2) says it changed, as only a writer through mmap(2) needs. */
static void
changed(size_t i, int what)
{
	mark(&files[i], what & (WATCH_WRITTEN | WATCH_MOVED) ? FORCE : 0);
}

/* Looks at the files marked. */
static void
look_again(void)
{
	struct stat st;
	struct file *f;
	int i;

	for (i = 0; i < ndirty; i++) {
		f = dirty[i];
		if (!stop && (f->how & FORCE || f->problem || stat(f->path, &st) < 0 || file_changed(&st, &f->st)))
			check_file(f, 0);
		f->how = f->dirty = 0;
	}
	ndirty = 0;
}

/* Waits for events, the next look or a file to be still, and acts.
 * Ends when the reader of a pipe or socket on stdout is gone, as at the
 * end of an ssh(1) session, rather than at the next marker. */
static void
follow(void)
{
	struct pollfd fds[3];
	struct stat st;
	long long now, due;
	int i;

	fds[0].fd = sigpipe[0];
	fds[1].fd = watch_fd();	/* -1 when it looks: poll(2) skips it */
	fds[2].fd = fstat(1, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) ? 1 : -1;
	fds[0].events = fds[1].events = POLLIN;
	fds[2].events = 0;	/* POLLERR or POLLHUP come anyway */
	while (!stop) {
		due = watch_due();
		for (i = 0; i < nfiles; i++) {
			if (files[i].tail_due && (!due || files[i].tail_due < due))
				due = files[i].tail_due;
			if (files[i].verify_due && (!due || files[i].verify_due < due))
				due = files[i].verify_due;
		}
		now = now_ms();
		if (poll(fds, 3, due ? (int)MIN(MAX(due - now, 0), INT_MAX) : -1) < 0 && errno != EINTR)
			die(1, "poll: %s", strerror(errno));
		if (stop)
			break;
		if (fds[2].revents & (POLLERR | POLLHUP))
			exit(1);	/* as a write would find it: EPIPE */
		watch_events(changed);
		look_again();
		for (i = 0, now = now_ms(); i < nfiles && !stop; i++)
			check_still(&files[i], now);
		if (!stop)
			write_batch(0);
	}
}

static void
on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	stop = 1;
	(void)!write(sigpipe[1], "", 1);
	errno = saved;
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	double poll = 0;
	char *end, *dir;
	int c, i, skip = 0, missing = 0;

	progname = "twatch";
	open_std_fds(1);
	usage_text = "usage: twatch [-1n] [-e ERE] [-p SECONDS] FILE...\n"
	    "  -1          scan once, print one batch and exit (cron)\n"
	    "  -n          count the markers there at start, print only new ones\n"
	    "  -e ERE      a marker is a line ERE matches: group 1 the ID, group 2 the status\n"
	    "  -p SECONDS  look with stat(2) every SECONDS instead of inotify (NFS)\n"
	    "Prints each marker (### ID: COMPLETED) as ID STATUS N, in batches.";
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
	dirty = xmalloc(nfiles * sizeof(struct file *));
	memset(files, 0, nfiles * sizeof *files);
	for (i = 0; i < nfiles; i++)
		files[i].path = argv[optind + i];

	if (pipe(sigpipe) < 0 || fcntl(sigpipe[1], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(sigpipe[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(sigpipe[1], F_SETFD, FD_CLOEXEC) < 0)
		die(1, "pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: a blocked write ends */
	sigaction(SIGTERM, &sa, 0);
	sigaction(SIGINT, &sa, 0);

	/* What cannot be watched is fatal before anything is printed, since
	 * a first batch tells tnext to go. */
	for (i = 0; i < nfiles && !once; i++)
		if ((c = watch_directory(files[i].path, &dir)))
			die(1, "%s: cannot watch: its directory %s: %s", files[i].path, dir, strerror(c));
		else
			free(dir);
	if (!once && (c = watch_start(nfiles, (long long)(poll * 1000 + 0.5), WATCH_WRITTEN | WATCH_CLOSED)))
		die(1, "inotify: %s", strerror(c));
	for (i = 0; i < nfiles && !once; i++)
		if ((c = watch_path(i, files[i].path)))
			die(1, "%s: cannot watch: %s%s", files[i].path, strerror(c),
			    c == ENOSPC ? " (see fs.inotify.max_user_watches)" : "");
	quiet = skip;
	for (i = 0; i < nfiles && !stop; i++) {
		check_file(&files[i], once || skip);
		missing |= files[i].problem != 0;
	}
	quiet = 0;
	if (stop)
		return 0;
	write_batch(1);
	if (once)
		return missing;
	follow();
	return 0;
}
