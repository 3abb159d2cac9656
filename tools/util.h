/* util.h: what every tool needs and no grammar owns: messages, exits,
 * memory, a clock, and freeing a tsearch(3) tree.  See util.c. */
#include <stddef.h>

extern const char *progname;
extern const char *usage_text;	/* "usage: ..." line, then a line for each option */

void complain(const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void die(int status, const char *fmt, ...);
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *format(const char *fmt, ...);
char *read_all(int fd, size_t *len);
size_t utf8_length(const unsigned char *s);	/* of the character at s; 0: none */
size_t control_at(const char *s);	/* bytes of a control character at s, or 0 */
const char *find_control(const char *s);	/* the first one in s, or 0 */
char *printable(const char *s);		/* s, its control characters escaped: \e, \x9b */
int write_all(int fd, const char *buf, size_t len);	/* 0, or -1 */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void usage(int status);		/* 0: all of it to stdout (-h); else its first line to stderr */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void bad_usage(const char *fmt, ...);	/* says why, then usage, exit 2 */
int next_option(int argc, char *argv[], const char *opts);	/* getopt, and -h */
char *absolute_path(const char *path);	/* joined to the current directory */
void open_std_fds(int output);	/* output: a closed stdout is an error */
struct stat;
int same_file(const struct stat *a, const struct stat *b);	/* and not written since */
long long now_ms(void);		/* CLOCK_MONOTONIC */
void *tree_add(void *key, void **root, int (*cmp)(const void *, const void *));
void free_tree(void **root, int (*cmp)(const void *, const void *), void (*free_node)(void *));
int compare_strings(const void *a, const void *b);	/* for trees of strings */
