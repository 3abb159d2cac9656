/* system.h: what each system needs before its own headers, so that they
 * show the few interfaces the tools use beyond POSIX.1-2008: flock(2),
 * TIOCGWINSZ and SIGWINCH, wcwidth(3), and the nanoseconds of st_mtim.
 * A .c file that uses one includes this first.  make defines
 * _POSIX_C_SOURCE=200809L, which hides the rest on every system unless
 * the system's own macro shows it again.
 *
 * The one file that knows the BSDs and macOS.  Only the glibc and musl
 * branches are built here; README.md says what was verified where.
 */
#if defined(__APPLE__)
/* macOS compat(5): _DARWIN_C_SOURCE shows what _POSIX_C_SOURCE hides. */
#define _DARWIN_C_SOURCE
/* macOS stat(2) spells POSIX's st_mtim and st_ctim st_mtimespec and
 * st_ctimespec. */
#define st_mtim st_mtimespec
#define st_ctim st_ctimespec
/* macOS fsync(2): its libc has a fdatasync it does not declare. */
#define fdatasync fsync
#elif defined(__FreeBSD__) || defined(__DragonFly__)
/* FreeBSD flock(2) is declared only if __BSD_VISIBLE, which <sys/cdefs.h>
 * leaves at 0 under _POSIX_C_SOURCE unless it is set already. */
#define __BSD_VISIBLE 1
#elif defined(__NetBSD__)
/* NetBSD flock(2) is declared only with _NETBSD_SOURCE (<sys/featuretest.h>). */
#define _NETBSD_SOURCE
#elif defined(__OpenBSD__)
/* OpenBSD flock(2) is declared only with _BSD_SOURCE (<sys/cdefs.h>). */
#define _BSD_SOURCE
#else
/* glibc and musl, feature_test_macros(7): flock(2), TIOCGWINSZ. */
#define _DEFAULT_SOURCE
#endif
#define _XOPEN_SOURCE 700	/* wcwidth(3) */
