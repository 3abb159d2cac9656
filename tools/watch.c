/* watch.c: being told when a path may have changed.
 *
 * A path is watched, not the file it names when it is added: a save by
 * rename, a deletion and re-creation of the file or of a directory on its
 * way, a symbolic link pointed elsewhere, and a file that does not exist
 * yet are all changes of the path.  What happened is said with the
 * WATCH_ bits of watch.h, once the events at hand are read, so that a
 * caller looks at each path once however many events named it.
 *
 * With inotify (Linux, unless built with NO_INOTIFY), directories are
 * watched, never files: a path is looked up by name whenever an event
 * names it in a directory it goes through: its own, its symbolic links'
 * targets', or their nearest existing ancestor while they are missing.
 * A directory shared by many paths is one watch, and no descriptor is
 * kept per path, so any number of paths fit.  A path whose directories
 * may have changed is watched anew before it is reported.
 *
 * Elsewhere, or when asked to, each path is looked at with stat(2) every
 * so often: WATCH_WRITTEN when its size, times or inode changed, or when
 * it changed within a second before the last look (a second change in the
 * same tick of the file system's clock would not show); WATCH_CLOSED when
 * a look finds it as the look before did, after a change; WATCH_MOVED
 * when its inode changed or it appeared or went.  A kqueue(2) port goes
 * beside the inotify part, with the same reports.
 */
#include "system.h"	/* st_mtim, st_ctim */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__) && !defined(NO_INOTIFY)
#define INOTIFY
#include <sys/inotify.h>
#endif

#include "util.h"
#include "watch.h"

#define EVERY_MS 1000		/* between two looks, when nothing is asked */

struct watched {
	const char *path;
	int what;		/* what the events read say happened to it */
	int unwatched;		/* 0, or why it could not be watched */
	struct hop *hops;	/* inotify: what its path goes through */
	struct stat st;		/* looking: as it was at the last look */
	int err;		/* looking: why stat(2) failed then, or 0 */
	time_t looked;		/* looking: when */
	int settling;		/* looking: it changed at the last look */
};

static struct watched *paths;
static size_t npaths;
static long long every_ms, next_look;
static int ifd = -1, wanted;

int
file_changed(const struct stat *a, const struct stat *b)
{
	return !same_file(a, b) || a->st_ctim.tv_sec != b->st_ctim.tv_sec ||
	    a->st_ctim.tv_nsec != b->st_ctim.tv_nsec;
}

#ifdef INOTIFY
/* A name in a watched directory that a path goes through: its own name,
 * a symbolic link's target, or, while the directory that should hold one
 * is missing, the next name down in the nearest ancestor. */
struct hop {
	int wd;
	char *name;
	struct watched *w;
	struct hop *next;	/* of the same path */
	struct hop *same;	/* with the same wd and name */
};
static void *hops;	/* the first hop of each wd and name */

static int
compare_hops(const void *a, const void *b)
{
	const struct hop *x = a, *y = b;

	return x->wd != y->wd ? (x->wd > y->wd) - (x->wd < y->wd) : strcmp(x->name, y->name);
}

/* Removes the watch wd if no path goes through it any more. */
static void
unwatch(int wd)
{
	struct hop *h;
	size_t i;

	for (i = 0; i < npaths; i++)
		for (h = paths[i].hops; h; h = h->next)
			if (h->wd == wd)
				return;
	inotify_rm_watch(ifd, wd);
}

/* Splits path into its directory and its last name; 0 when there is no
 * name to look for in a directory above ("/", ".", ".."). */
static int
split(const char *path, char **dir, char **name)
{
	const char *slash = strrchr(path, '/');

	*dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	*name = xstrdup(slash ? slash + 1 : path);
	return **name && strcmp(*name, ".") && strcmp(*name, "..");
}

static char *
join(const char *dir, const char *name)
{
	char *s = xmalloc(strlen(dir) + strlen(name) + 2);

	sprintf(s, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return s;
}

/* Watches the directory of path, or its nearest ancestor that exists and
 * can be watched; 0 or an errno (EACCES: the directory was not watched,
 * its parent is, and sees when that changes).  raced: the missing
 * directory appeared meanwhile. */
static int
add_hop(struct watched *w, const char *path, int *raced)
{
	int mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF |
	    IN_MOVE_SELF | IN_ONLYDIR | (wanted & WATCH_WRITTEN ? IN_MODIFY : 0) |
	    (wanted & WATCH_CLOSED ? IN_CLOSE_WRITE : 0);
	struct hop *h;
	void *node;
	struct stat st;
	char *dir, *name, *up, *upname, *child;
	int wd, depth = 0, err = 0;

	if (!split(path, &dir, &name)) {
		free(dir);
		free(name);
		return 0;
	}
	while ((wd = inotify_add_watch(ifd, dir, mask)) < 0 &&
	    (errno == ENOENT || errno == ENOTDIR || errno == EACCES)) {
		if (errno == EACCES)
			err = EACCES;
		if (!split(dir, &up, &upname)) {
			free(up);
			free(upname);
			free(dir);
			free(name);
			return 0;	/* nothing above to watch */
		}
		free(dir);
		free(name);
		dir = up;
		name = upname;
		depth++;
	}
	if (wd < 0) {
		free(dir);
		free(name);
		return errno;
	}
	child = join(dir, name);
	*raced |= depth && !err && !stat(child, &st);
	free(child);
	free(dir);
	h = xmalloc(sizeof *h);
	h->wd = wd;
	h->name = name;
	h->w = w;
	h->next = w->hops;
	w->hops = h;
	h->same = 0;
	if ((node = tree_add(h, &hops, compare_hops)) != (void *)h) {
		h->same = ((struct hop *)node)->same;
		((struct hop *)node)->same = h;
	}
	return err;
}

static void
drop_hops(struct hop *h)
{
	struct hop *next, *first, **p;
	void *node;

	for (; h; h = next) {
		next = h->next;
		if ((node = tfind(h, &hops, compare_hops)) && (first = *(struct hop **)node) == h) {
			tdelete(h, &hops, compare_hops);
			if (h->same)
				tree_add(h->same, &hops, compare_hops);
		} else if (node) {
			for (p = &first->same; *p && *p != h; p = &(*p)->same)
				;
			if (*p)
				*p = h->same;
		}
		free(h->name);
		unwatch(h->wd);
		free(h);
	}
}

/* The target of the symbolic link path, as a path from here; 0 if path
 * is no link. */
static char *
follow_link(const char *path)
{
	char target[4096], *dir, *name, *s;
	ssize_t n = readlink(path, target, sizeof target);

	if (n <= 0 || n == sizeof target)
		return 0;
	target[n] = 0;
	if (*target == '/' || !strchr(path, '/'))
		return xstrdup(target);
	split(path, &dir, &name);
	s = join(dir, target);
	free(dir);
	free(name);
	return s;
}

/* Watches every directory w's path goes through, anew; 0 or an errno. */
static int
resolve(struct watched *w)
{
	struct hop *old = w->hops, *h;
	char *path, *next;
	int i, err, raced, tries = 0;

	for (w->hops = 0;; w->hops = 0, drop_hops(h)) {
		err = raced = 0;
		for (path = xstrdup(w->path), i = 0; path && i < 40; i++, path = next) {
			err = err ? err : add_hop(w, path, &raced);
			next = follow_link(path);
			free(path);
		}
		free(path);
		if (!raced || ++tries == 3)
			break;
		h = w->hops;	/* a missing directory appeared meanwhile: again */
	}
	drop_hops(old);
	return err;
}

/* Says what happened to the paths that go through wd, or all with -1. */
static void
mark_watching(int wd, int what)
{
	struct hop *h;
	size_t i;

	for (i = 0; i < npaths; i++) {
		for (h = paths[i].hops; h && h->wd != wd; h = h->next)
			;
		if (wd < 0 || h)
			paths[i].what |= what;
	}
}

static void
read_events(void)
{
	union {
		struct inotify_event e;
		char b[1 << 16];
	} u;
	struct inotify_event *e;
	struct hop key, *h;
	void *node;
	ssize_t n;
	char *p;
	int what;

	if ((n = read(ifd, u.b, sizeof u.b)) > 0)	/* once: a busy neighbour starves nothing */
		for (p = u.b; p < u.b + n; p += sizeof *e + e->len) {
			e = (struct inotify_event *)(void *)p;
			what = e->mask & IN_MODIFY ? WATCH_WRITTEN : e->mask & IN_CLOSE_WRITE ? WATCH_CLOSED :
			    e->mask & IN_MOVED_TO ? WATCH_MOVED | WATCH_CLOSED : WATCH_MOVED;
			if (e->mask & IN_Q_OVERFLOW)	/* events lost: anything may have happened */
				mark_watching(-1, WATCH_WRITTEN | WATCH_CLOSED | WATCH_MOVED);
			else if (e->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
				mark_watching(e->wd, WATCH_MOVED);
			else if (e->len) {
				key.wd = e->wd;
				key.name = e->name;
				if ((node = tfind(&key, &hops, compare_hops)))
					for (h = *(struct hop **)node; h; h = h->same)
						h->w->what |= what;
			}
		}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		die(1, "inotify: %s", strerror(errno));
}

static void
set_unwatched(struct watched *w, int err)
{
	if (err == w->unwatched)
		return;
	if (err)
		complain("%s: cannot watch: %s", w->path, strerror(err));
	else
		complain("%s: watched again", w->path);
	w->unwatched = err;
}
#endif

/* 0 if the directory that holds path exists, else why not; its name in
 * *dir if dir is not 0, to be freed. */
int
watch_directory(const char *path, char **dir)
{
	const char *slash = strrchr(path, '/');
	char *d = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	struct stat st;
	int err = stat(d, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;

	if (dir)
		*dir = d;
	else
		free(d);
	return err;
}

int
watch_start(size_t n, long long every, int want)
{
	int err = 0;

	paths = xmalloc(n * sizeof *paths);
	memset(paths, 0, n * sizeof *paths);
	npaths = n;
	wanted = want;
#ifdef INOTIFY
	if (!every && (ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) < 0)
		err = errno;
#endif
	every_ms = every ? every : EVERY_MS;
	next_look = now_ms() + every_ms;
	return err;
}

/* Watches path as the i-th, or anew. */
int
watch_path(size_t i, const char *path)
{
	struct watched *w = &paths[i];

	if (!w->path) {	/* the first look */
		if ((w->err = stat(path, &w->st) < 0 ? errno : 0))
			memset(&w->st, 0, sizeof w->st);
		w->looked = time(0);
	}
	w->path = path;
#ifdef INOTIFY
	if (ifd >= 0)
		return w->unwatched = resolve(w);
#endif
	return 0;
}

int
watch_fd(void)
{
	return ifd;
}

long long
watch_due(void)
{
	return ifd < 0 ? next_look : 0;
}

/* Looks at w with stat(2). */
static void
look(struct watched *w)
{
	struct stat st;
	int err = stat(w->path, &st) < 0 ? errno : 0, what = 0;
	time_t before = w->looked;

	if (err)
		memset(&st, 0, sizeof st);
	if (err != w->err || st.st_dev != w->st.st_dev || st.st_ino != w->st.st_ino)
		what = WATCH_MOVED | WATCH_WRITTEN;
	else if (file_changed(&st, &w->st))
		what = WATCH_WRITTEN;
	else if (w->settling)
		what = WATCH_CLOSED;
	w->settling = what && what != WATCH_CLOSED;
	if (!err && st.st_mtim.tv_sec >= before - 1)
		what |= WATCH_WRITTEN;	/* a change stat(2) cannot show yet */
	w->what |= what;
	w->err = err;
	w->st = st;
	w->looked = time(0);
}

void
watch_events(void (*changed)(size_t i, int what))
{
	long long now;
	size_t i;
	int what;

#ifdef INOTIFY
	if (ifd >= 0)
		read_events();
#endif
	if (ifd < 0 && (now = now_ms()) >= next_look) {
		for (i = 0; i < npaths; i++)
			look(&paths[i]);
		next_look = now + every_ms;
	}
	for (i = 0; i < npaths; i++) {
		if (!(what = paths[i].what))
			continue;
		paths[i].what = 0;
#ifdef INOTIFY
		if (what & WATCH_MOVED && ifd >= 0)
			set_unwatched(&paths[i], resolve(&paths[i]));
#endif
		changed(i, what);
	}
}
