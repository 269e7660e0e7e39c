/*
 * listen-allow.c - udg-listen's identity allow-lists.
 *
 * Matching is exact, on strings the library vouched for: the unit is the
 * system unit of the sender's cgroup, the executable the target of
 * /proc/PID/exe.  Anything less than a pinned, readable answer is
 * ALLOW_UNVERIFIED, never a match.
 *
 * The system unit is the first cgroup component below the slices, as
 * systemd and journald (_SYSTEMD_UNIT) name it, not the deepest: below a
 * unit's own cgroup, names are made by whoever the unit delegates it to.
 * A user's manager, user@UID.service, is such a unit, and a user may
 * create a unit of theirs named like any system unit.
 *
 * A path names a file only in the mount namespace that reads it: a sender
 * that may mount (unshare -Urm) can bind any program over an allowed path
 * in its own namespace, and /proc/PID/exe then shows the allowed path.  So
 * an executable is matched by the file itself: the device and inode that
 * stat(2) of /proc/PID/exe reaches must be those the allowed path names in
 * the listener's namespace.  The path is only a cheap first test.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen-allow.h"

static int	ends_in(const char *, size_t, const char *);

/* Append s (taken: freed on failure) to list; 0 or -1. */
static int
push(char ***list, size_t *n, char *s)
{
	char **nl;

	if (s == NULL)
		return -1;
	if ((nl = reallocarray(*list, *n + 1, sizeof(**list))) == NULL) {
		free(s);
		return -1;
	}
	*list = nl;
	(*list)[(*n)++] = s;
	return 0;
}

/* Drop list entries from have on (undo a failed append). */
static void
truncate_list(char **list, size_t *n, size_t have)
{
	while (*n > have)
		free(list[--*n]);
}

/*
 * Only a service or a scope holds processes of its own (a slice holds
 * units), so any other name could never match: refused, not ignored.
 * The characters are systemd's for unit names.
 */
static const char *
unit_name_why(const char *tok, size_t len)
{
	const char *dot = strchr(tok, '.');

	if (len == 0)
		return "empty unit name";
	if (len > NAME_MAX || dot == tok ||
	    strspn(tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789:-_.\\@") != len)
		return "not a unit name";
	if (dot != NULL && !ends_in(tok, len, ".service") &&
	    !ends_in(tok, len, ".scope"))
		return "not a .service or .scope";
	return NULL;
}

/* One unit name, checked and completed; NULL and *errstr if bad. */
static char *
unit_name(const char *tok, const char **errstr)
{
	char *s;
	size_t len = strlen(tok);

	if ((*errstr = unit_name_why(tok, len)) != NULL)
		return NULL;
	if (strchr(tok, '.') != NULL)
		s = strdup(tok);
	else if ((s = malloc(len + sizeof(".service"))) != NULL) {
		memcpy(s, tok, len);
		memcpy(s + len, ".service", sizeof(".service"));
	}
	if (s == NULL)
		*errstr = strerror(errno);
	return s;
}

/* One executable path, resolved if it exists; NULL and *errstr if bad. */
static char *
exe_path(const char *tok, const char **errstr)
{
	char *s;

	if (tok[0] != '/') {
		*errstr = tok[0] == '\0' ? "empty path" :
		    "not an absolute path";
		return NULL;
	}
	if ((s = realpath(tok, NULL)) == NULL && (errno == ENOENT ||
	    errno == ENOTDIR || errno == EACCES || errno == ELOOP))
		s = strdup(tok);
	if (s == NULL)
		*errstr = strerror(errno);
	return s;
}

/* Split list at commas into *out with conv; all or nothing. */
static int
add_list(char ***out, size_t *n, const char *list,
    char *(*conv)(const char *, const char **), const char **errstr)
{
	char *copy, *p, *tok;
	size_t have = *n;

	if ((copy = strdup(list)) == NULL) {
		*errstr = strerror(errno);
		return -1;
	}
	p = copy;
	while ((tok = strsep(&p, ",")) != NULL) {
		*errstr = NULL;
		if (push(out, n, conv(tok, errstr)) == -1) {
			if (*errstr == NULL)
				*errstr = strerror(errno);
			truncate_list(*out, n, have);
			free(copy);
			return -1;
		}
	}
	free(copy);
	return 0;
}

/* --allow-unit. */
int
allow_add_units(struct allow *a, const char *list, const char **errstr)
{
	return add_list(&a->units, &a->nunits, list, unit_name, errstr);
}

/* Note which file path names now; none (ino 0) if it cannot be seen. */
static void
note_file(struct allow_file *f, const char *path)
{
	struct stat st;

	f->dev = 0;
	f->ino = 0;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
}

/* --allow-exe. */
int
allow_add_exes(struct allow *a, const char *list, const char **errstr)
{
	struct allow_file *nf;
	size_t have = a->nexes, i;

	if (add_list(&a->exes, &a->nexes, list, exe_path, errstr) == -1)
		return -1;
	if ((nf = reallocarray(a->files, a->nexes, sizeof(*nf))) == NULL) {
		*errstr = strerror(errno);
		truncate_list(a->exes, &a->nexes, have);
		return -1;
	}
	a->files = nf;
	for (i = have; i < a->nexes; i++)
		note_file(&a->files[i], a->exes[i]);
	return 0;
}

/*
 * Is the pidfd's process still there?  1 yes, 0 gone, -1 cannot tell.
 * Signal 0 asks without sending; where that call is missing (valgrind),
 * a pidfd polls readable once its process has exited.
 */
static int
still_alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 ||
	    errno == EPERM)
		return 1;
	if (errno != ENOSYS)
		return errno == ESRCH ? 0 : -1;
	if ((r = poll(&p, 1, 0)) == -1 || (p.revents & POLLNVAL))
		return -1;
	return r == 0;
}

/* The file the pinned sender id (pidfd its pidfd) runs, in *st. */
int
allow_exe_file(const struct udg_ident *id, int pidfd, struct stat *st)
{
	char path[32];
	int live, r;

	if (id == NULL || !(id->flags & UDG_ID_PINNED) || id->exe == NULL ||
	    pidfd == -1) {
		errno = EINVAL;
		return -1;
	}
	(void)snprintf(path, sizeof(path), "/proc/%ld/exe", (long)id->pid);
	/* Read first, then proven to be the pinned process's own. */
	r = stat(path, st);
	if ((live = still_alive(pidfd)) != 1) {
		if (live == 0)
			errno = ESRCH;
		return -1;
	}
	return r;
}

/* Is any list given? */
int
allow_active(const struct allow *a)
{
	return a->nunits > 0 || a->nexes > 0;
}

/*
 * Is the file st the one allowed executable i names?  A path is looked
 * at again when it does not match, for the file may have been replaced
 * (an upgrade) or installed since the listener started.
 */
static int
same_file(const struct allow *a, size_t i, const struct stat *st)
{
	struct allow_file *f = &a->files[i];

	if (f->ino != 0 && f->dev == st->st_dev && f->ino == st->st_ino)
		return 1;
	note_file(f, a->exes[i]);
	return f->ino != 0 && f->dev == st->st_dev && f->ino == st->st_ino;
}

/* Does the executable id names, the file st, match an allowed one? */
static enum allow_verdict
check_exe(const struct allow *a, const struct udg_ident *id,
    const struct stat *st)
{
	size_t i;
	int named = 0;

	if (a->nexes == 0)
		return ALLOW_YES;
	if (id->exe == NULL)
		return ALLOW_UNVERIFIED;
	for (i = 0; i < a->nexes; i++) {
		if (strcmp(a->exes[i], id->exe) != 0)
			continue;
		if (st == NULL)
			named = 1;
		else if (same_file(a, i, st))
			return ALLOW_YES;
	}
	/* Named as allowed, but the file could not be looked at. */
	return named ? ALLOW_UNVERIFIED : ALLOW_NO;
}

/* Does s (n bytes) end in suffix, with a name before it? */
static int
ends_in(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/* See listen-allow.h. */
const char *
allow_system_unit(const char *cgroup, size_t *len)
{
	const char *p = cgroup;
	size_t n;

	for (;;) {
		p += strspn(p, "/");
		if ((n = strcspn(p, "/")) == 0)
			return NULL;
		if (!ends_in(p, n, ".slice"))
			break;
		p += n;
	}
	*len = n;
	return ends_in(p, n, ".service") || ends_in(p, n, ".scope") ? p :
	    NULL;
}

/* Is the system unit of cgroup one of the listed units? */
static enum allow_verdict
check_unit(const struct allow *a, const char *cgroup)
{
	const char *unit;
	size_t i, n;

	if (a->nunits == 0)
		return ALLOW_YES;
	if (cgroup == NULL)
		return ALLOW_UNVERIFIED;
	if ((unit = allow_system_unit(cgroup, &n)) == NULL)
		return ALLOW_NO;
	for (i = 0; i < a->nunits; i++)
		if (strlen(a->units[i]) == n && memcmp(a->units[i], unit, n) == 0)
			return ALLOW_YES;
	return ALLOW_NO;
}

/* Every given list must match the pinned identity, running file exe. */
enum allow_verdict
allow_check(const struct allow *a, const struct udg_ident *id,
    const struct stat *exe)
{
	enum allow_verdict u, e;

	if (!allow_active(a))
		return ALLOW_YES;
	if (id == NULL || !(id->flags & UDG_ID_PINNED))
		return ALLOW_UNVERIFIED;
	u = check_unit(a, id->cgroup);
	e = check_exe(a, id, exe);
	if (u == ALLOW_NO || e == ALLOW_NO)
		return ALLOW_NO;
	return u == ALLOW_YES && e == ALLOW_YES ? ALLOW_YES :
	    ALLOW_UNVERIFIED;
}

/* Free both lists. */
void
allow_free(struct allow *a)
{
	truncate_list(a->units, &a->nunits, 0);
	truncate_list(a->exes, &a->nexes, 0);
	free(a->units);
	free(a->exes);
	free(a->files);
	a->units = a->exes = NULL;
	a->files = NULL;
}
