/* util.c: messages, exits and memory, shared by the four tools.
 *
 * A message is one line, "tool: what: why", written with one write(2) so
 * that the lines of tools and workers that share a stderr never mix.
 * Data in it (a line of a file, a target, what tmux said) may hold
 * control characters: they are written as escapes (printable()), never
 * raw, so that no message moves the cursor or retitles a terminal.
 * Running out of memory is fatal, so no caller checks for it.
 */
#include "system.h"	/* st_mtim */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <search.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *progname = "tq";
const char *usage_text = "";

/* The length of the well-formed UTF-8 character at s (Unicode's table
 * 3-7: no overlong form, no surrogate), or 0. */
size_t
utf8_length(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* The bytes of the control character at s, or 0: C0 and DEL, and C1
 * (U+0080 to U+009F) in UTF-8 or as a byte that is no part of a UTF-8
 * character, which terminals in 8-bit mode obey. */
size_t
control_at(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = utf8_length(u);

	if (n == 1)
		return u[0] < 0x20 || u[0] == 0x7f;
	if (n == 2)
		return u[0] == 0xc2 && u[1] < 0xa0 ? 2 : 0;
	return !n && u[0] >= 0x80 && u[0] < 0xa0;
}

/* The first control character in s, or 0. */
const char *
find_control(const char *s)
{
	size_t n;

	for (; *s; s += n ? n : 1)
		if (control_at(s))
			return s;
		else
			n = utf8_length((const unsigned char *)s);
	return 0;
}

/* s for a terminal, into buf of size bytes: each control character as
 * \e, \t, \n, \r or \xHH a byte; cut before a character that may not fit
 * (a two-byte C1 takes 8).  Returns the length. */
static size_t
escape_into(char *buf, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, c, i;

	for (; *s && n + 8 < size; s += c) {
		if (!(c = control_at(s))) {
			c = utf8_length((const unsigned char *)s);
			c = c ? c : 1;
			memcpy(buf + n, s, c);
			n += c;
			continue;
		}
		for (i = 0; i < c; i++) {
			buf[n++] = '\\';
			switch (s[i]) {
			case 033: buf[n++] = 'e'; break;
			case '\t': buf[n++] = 't'; break;
			case '\n': buf[n++] = 'n'; break;
			case '\r': buf[n++] = 'r'; break;
			default:
				buf[n++] = 'x';
				buf[n++] = hex[(unsigned char)s[i] >> 4];
				buf[n++] = hex[(unsigned char)s[i] & 15];
			}
		}
	}
	buf[n] = 0;
	return n;
}

/* s, its control characters escaped, in a string of its own. */
char *
printable(const char *s)
{
	size_t size = 4 * strlen(s) + 9;
	char *p = xmalloc(size);

	escape_into(p, size, s);
	return p;
}

static void
vcomplain(const char *fmt, va_list ap)
{
	char raw[4096], line[4096];
	int n = snprintf(line, sizeof line, "%s: ", progname);

	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started by the caller */
	vsnprintf(raw, sizeof raw, fmt, ap);
	n += escape_into(line + n, sizeof line - n - 1, raw);
	line[n++] = '\n';
	(void)!write(2, line, n);	/* nothing to do if stderr is gone */
}

void
complain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
	exit(status);
}

/* Descriptors 0, 1 and 2 open, on /dev/null where they were closed: else
 * the next file opened takes the place of stderr, and a message lands in
 * the state file or in a prompt on its way to tmux.  No input and no
 * messages are ways to run a tool; no output, for a tool whose output is
 * its job (output set), is not: tnext would record as sent every task it
 * wrote into /dev/null.  That is an error, before anything is done. */
void
open_std_fds(int output)
{
	int fd, closed = fcntl(1, F_GETFD) < 0;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
	if (output && closed)
		die(1, "stdout: closed; nothing done");
}

/* path joined to the current directory, less its leading "./"; as it
 * is if it is absolute. */
char *
absolute_path(const char *path)
{
	char *cwd, *abs;
	size_t cap = 256;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (*path == '/')
		return xstrdup(path);
	for (cwd = xmalloc(cap); !getcwd(cwd, cap); cwd = xrealloc(cwd, cap *= 2))
		if (errno != ERANGE)
			die(1, "cannot name the current directory: %s", strerror(errno));
	abs = xmalloc(strlen(cwd) + strlen(path) + 2);
	sprintf(abs, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path);
	free(cwd);
	return abs;
}

/* Whether a and b are the same file, not written to in between: same
 * inode, size, modification time and change time.  How the tools tell
 * that a file they read needs no reading again.  The change time because
 * no one can set it: cp -p, rsync -t and touch put a modification time
 * back, and a same-size edit would go unseen. */
int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Milliseconds of a clock that only goes forward. */
long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* After a usage error, the usage line; for -h and --help, all of
 * usage_text, a line for each option, and the man page. */
void
usage(int status)
{
	if (status)
		fprintf(stderr, "%.*s\n", (int)strcspn(usage_text, "\n"), usage_text);
	else
		printf("%s\nMore in %s(1): man %s\n", usage_text, progname, progname);
	exit(status);
}

void
bad_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
	usage(2);
}

/* getopt(3) with -h and --help for usage, and a usage error that says
 * what was wrong with an option. */
int
next_option(int argc, char *argv[], const char *opts)
{
	char spec[64];
	int c;

	if (optind < argc && !strcmp(argv[optind], "--help"))
		usage(0);
	snprintf(spec, sizeof spec, ":h%s", opts);
	opterr = 0;
	switch ((c = getopt(argc, argv, spec))) {
	case 'h': usage(0);
	case '?': bad_usage("-%c: no such option", optopt);
	case ':': bad_usage("-%c needs an argument", optopt);
	default: return c;
	}
}

/* All that fd gives until its end, NUL-terminated; its length in *len. */
/* Writes all of buf, again where a signal cut it short; 0, or -1. */
int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, buf, len)) < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= w;
	}
	return 0;
}

char *
read_all(int fd, size_t *len)
{
	size_t n = 0, cap = 4096;
	char *s = xmalloc(cap);
	ssize_t r;

	while ((r = read(fd, s + n, cap - n - 1)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((n += r) + 1 == cap)
			s = xrealloc(s, cap *= 2);
	}
	s[n] = 0;
	if (len)
		*len = n;
	return s;
}

/* printf into a string of its own, cut at 512 bytes. */
char *
format(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): a false alarm of clang 14 */
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return xstrdup(buf);
}

void *
xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n ? n : 1)))
		die(1, "out of memory");
	return p;
}

void *
xmalloc(size_t n)
{
	return xrealloc(0, n);
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		die(1, "out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

int
compare_strings(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Adds key to a tsearch(3) tree, unless an equal key is there; returns
 * the key in the tree. */
void *
tree_add(void *key, void **root, int (*cmp)(const void *, const void *))
{
	void **node = tsearch(key, root, cmp);

	if (!node)
		die(1, "out of memory");
	return *node;
}

/* tdestroy(3) is GNU's: take the root out until none is left.  A node
 * begins with a pointer to its key (POSIX). */
void
free_tree(void **root, int (*cmp)(const void *, const void *), void (*free_node)(void *))
{
	void *key;

	while (*root) {
		key = *(void **)*root;
		tdelete(key, root, cmp);
		if (free_node)
			free_node(key);
	}
}
