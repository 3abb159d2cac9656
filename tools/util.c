/* util.c: messages, exits and memory, shared by the four tools.
 *
 * A message is one line, "tool: what: why", written with one write(2) so
 * that the lines of tools and workers that share a stderr never mix.
 * Running out of memory is fatal, so no caller checks for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <search.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

const char *progname = "tq";
const char *usage_text = "";

static void
vcomplain(const char *fmt, va_list ap)
{
	char line[4096];
	int n = snprintf(line, sizeof line, "%s: ", progname);

	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started by the caller */
	vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	n = strlen(line);
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
 * the state file or in a prompt on its way to tmux. */
void
open_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

/* Whether a and b are the same file, not written to in between: same
 * inode, size and modification time.  How the tools tell that a file
 * they read needs no reading again. */
int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

void
usage(int status)
{
	fprintf(status ? stderr : stdout, "%s\n", usage_text);
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

/* getopt(3) with -h for usage, and a usage error that says what was
 * wrong with an option. */
int
next_option(int argc, char *argv[], const char *opts)
{
	char spec[64];
	int c;

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
