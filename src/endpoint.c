/*
 * endpoint.c - binding, guarding and removing an endpoint's socket file.
 *
 * Replacing a stale socket is only safe under a lock: probe-then-unlink
 * races with another process doing the same, and the loser would delete the
 * winner's fresh socket.  So every endpoint bound at a chosen PATH first
 * takes an flock(2) on PATH.lock with libbsd's flopen(3), which re-checks
 * that the locked file is still the one at the path, and holds it until
 * udg_close().  Only the lock holder may remove or create the socket.
 * Automatic client paths are unique (pid and random) inside a private
 * directory, so they need no lock; their stale files are reaped by probe.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libutil.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "udg-int.h"

#define REAP_MAX	16	/* stale-socket probes per client start */
#define REAP_BUF	4096	/* bytes of directory read per start */
#define AUTO_TRIES	16	/* names tried before giving up */
#define AUTO_NAME_MAX	19	/* "PID-XXXXXXXX", a pid of up to 10 digits */
#define AUTO_MODE	0600	/* automatic sockets: only we may write */

/* A fresh endpoint with nothing open. */
static struct udg *
endpoint_alloc(int flags)
{
	struct udg *u;

	if ((flags & ~UDGI_FLAGS) != 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->fd = u->dirfd = u->lockfd = -1;
	u->flags = flags;
	return u;
}

/* Free an endpoint without touching the filesystem; errno survives. */
static void
endpoint_free(struct udg *u)
{
	int save_errno = errno;

	if (u->fd != -1)
		(void)close(u->fd);
	if (u->lockfd != -1)
		(void)close(u->lockfd);
	if (u->dirfd != -1)
		(void)close(u->dirfd);
	udgi_release(u);
	udgi_ident_free(u);
	free(u->lockname);
	free(u->scratch);
	free(u);
	errno = save_errno;
}

/* Remember path, and open its directory so later steps survive chdir(2). */
static int
set_path(struct udg *u, const char *path)
{
	struct sockaddr_un sun;
	socklen_t len;
	char dir[UDG_PATH_MAX + 1];
	const char *slash;

	if (udgi_addr_path(&sun, &len, path) == -1)
		return -1;
	(void)strlcpy(u->path, path, sizeof(u->path));
	slash = strrchr(u->path, '/');
	if (slash == NULL) {
		u->base = u->path;
		(void)strlcpy(dir, ".", sizeof(dir));
	} else {
		u->base = slash + 1;
		if (slash == u->path)
			(void)strlcpy(dir, "/", sizeof(dir));
		else {
			memcpy(dir, u->path, (size_t)(slash - u->path));
			dir[slash - u->path] = '\0';
		}
	}
	if (*u->base == '\0' || strcmp(u->base, ".") == 0 ||
	    strcmp(u->base, "..") == 0) {
		errno = EISDIR;
		return -1;
	}
	u->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return u->dirfd == -1 ? -1 : 0;
}

/* Take BASE.lock for the endpoint's lifetime; EADDRINUSE if someone has it. */
static int
take_lock(struct udg *u)
{
	if (asprintf(&u->lockname, "%s.lock", u->base) == -1) {
		u->lockname = NULL;
		errno = ENOMEM;
		return -1;
	}
	u->lockfd = flopenat(u->dirfd, u->lockname,
	    O_RDONLY | O_CREAT | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (u->lockfd == -1) {
		if (errno == EWOULDBLOCK)
			errno = EADDRINUSE;
		return -1;
	}
	return 0;
}

/*
 * Is someone bound to the socket at path?  1 live, 0 stale (connect gets
 * ECONNREFUSED: the file outlived its process), -1 cannot tell (errno).
 */
static int
probe(const char *path)
{
	struct sockaddr_un sun;
	socklen_t len;
	int s, r, save_errno;

	if (udgi_addr_path(&sun, &len, path) == -1)
		return -1;
	if ((s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	do
		r = connect(s, (struct sockaddr *)&sun, len);
	while (r == -1 && errno == EINTR);
	save_errno = errno;
	(void)close(s);
	if (r == 0)
		return 1;
	switch (save_errno) {
	case ECONNREFUSED:
		return 0;
	case EPROTOTYPE:	/* a live stream or seqpacket socket */
	case EPERM:		/* a live receiver connected to someone else */
		return 1;
	default:
		errno = save_errno;
		return -1;
	}
}

/* Unlink dirfd/name only if it is still the socket described by st. */
static int
unlink_same(int dirfd, const char *name, const struct stat *st)
{
	struct stat now;

	if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(now.st_mode) || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino)
		return 0;
	if (unlinkat(dirfd, name, 0) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/*
 * Make the path free for bind, under the lock: remove a stale socket,
 * refuse a live one (EADDRINUSE) and anything that is not a socket (EEXIST).
 */
static int
clear_path(struct udg *u)
{
	struct stat st;

	if (fstatat(u->dirfd, u->base, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	switch (probe(u->path)) {
	case 1:
		errno = EADDRINUSE;
		return -1;
	case 0:
		return unlink_same(u->dirfd, u->base, &st);
	default:
		return -1;
	}
}

/* Give the bound file exactly mode, checking it is still our socket. */
static int
fix_mode(struct udg *u, int mode)
{
	if (fchmodat(u->dirfd, u->base, (mode_t)mode, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOSYS)
		return -1;
	/* Old kernels: the lock keeps other udg endpoints off the path. */
	return fchmodat(u->dirfd, u->base, (mode_t)mode, 0);
}

/*
 * Create the socket and bind it at u->path.  Credentials (and pidfds,
 * timestamps, refusal of fds) are switched on before bind so that no
 * datagram can arrive without them, and a requested mode is set with
 * fchmod before bind so the file is never more open than asked; bind
 * applies the umask on top, which fix_mode then undoes.
 */
static int
bind_socket(struct udg *u, int mode)
{
	struct sockaddr_un sun;
	struct stat st;
	socklen_t len;
	int type = SOCK_DGRAM | SOCK_CLOEXEC;

	if (u->flags & UDG_NONBLOCK)
		type |= SOCK_NONBLOCK;
	if (udgi_addr_path(&sun, &len, u->path) == -1)
		return -1;
	if ((u->fd = socket(AF_UNIX, type, 0)) == -1)
		return -1;
	if (udgi_recv_options(u) == -1)
		return -1;
	if (mode != -1 && fchmod(u->fd, (mode_t)mode) == -1)
		return -1;
	if (bind(u->fd, (struct sockaddr *)&sun, len) == -1)
		return -1;
	if (fstatat(u->dirfd, u->base, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	u->dev = st.st_dev;
	u->ino = st.st_ino;
	if (mode != -1 && (st.st_mode & 07777) != (mode_t)mode &&
	    fix_mode(u, mode) == -1)
		return -1;
	return 0;
}

/* Remove our socket file if the path still names it. */
static int
unlink_own(struct udg *u)
{
	struct stat st;

	if (u->dirfd == -1 || u->ino == 0)
		return 0;
	st.st_dev = u->dev;
	st.st_ino = u->ino;
	return unlink_same(u->dirfd, u->base, &st);
}

/*
 * Drop the lock file while still holding it: a process that opened the old
 * file and locks it after us sees (flopen's re-check) that it is no longer
 * the file at the path, and starts over on a fresh one.
 */
static void
unlink_lock(struct udg *u)
{
	struct stat mine, now;

	if (u->lockfd == -1 || fstat(u->lockfd, &mine) == -1)
		return;
	if (fstatat(u->dirfd, u->lockname, &now, AT_SYMLINK_NOFOLLOW) == -1)
		return;
	if (mine.st_dev == now.st_dev && mine.st_ino == now.st_ino)
		(void)unlinkat(u->dirfd, u->lockname, 0);
}

/* Open an endpoint at a path the caller chose: lock, clear, bind. */
static struct udg *
open_at(const char *path, int mode, int flags)
{
	struct udg *u;
	int save_errno;

	if (mode != -1 && (mode & ~07777) != 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((u = endpoint_alloc(flags)) == NULL)
		return NULL;
	if (set_path(u, path) == -1 || take_lock(u) == -1)
		goto fail;
	if (clear_path(u) == -1 || bind_socket(u, mode) == -1)
		goto fail_locked;
	return u;
fail_locked:
	save_errno = errno;
	(void)unlink_own(u);
	unlink_lock(u);
	errno = save_errno;
fail:
	endpoint_free(u);
	return NULL;
}

/* Bind a server endpoint at path (see udg_server(3)). */
struct udg *
udg_server(const char *path, int mode, int flags)
{
	return open_at(path, mode, flags);
}

/*
 * The caller's private directory: $XDG_RUNTIME_DIR/udg when that is an
 * absolute path naming a directory and leaves room for an automatic name
 * within sun_path, else /tmp/udg-UID.
 */
static int
private_dir_name(char *dir, size_t size)
{
	const char *xdg;
	struct stat st;
	int n;

	xdg = secure_getenv("XDG_RUNTIME_DIR");
	if (xdg != NULL && xdg[0] == '/' &&
	    strlen(xdg) + sizeof("/udg/") - 1 + AUTO_NAME_MAX <=
	    UDG_PATH_MAX && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode))
		n = snprintf(dir, size, "%s/udg", xdg);
	else
		n = snprintf(dir, size, "/tmp/udg-%lu",
		    (unsigned long)geteuid());
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Open dir itself, never what a symlink there points to. */
static int
open_dir(const char *dir)
{
	return open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/*
 * Find or make the caller's private directory and check it: a real
 * directory (not a symlink), owned by us, not writable by group or others.
 * Others may enter it (mode 0711) but not list it, so that a server of
 * another user can answer a socket there that its owner opened to it;
 * automatic sockets are bound with mode 0600, closed to everyone else.
 */
static int
private_dir(char *dir, size_t size)
{
	struct stat st;
	int fd, n;

	if (private_dir_name(dir, size) == -1)
		return -1;
	/* Open first: the directory is there on all but the first start. */
	if ((fd = open_dir(dir)) == -1 && errno == ENOENT) {
		if (mkdir(dir, 0711) == -1 && errno != EEXIST)
			return -1;
		fd = open_dir(dir);
	}
	if (fd == -1) {
		if (errno == ELOOP || errno == ENOTDIR)
			errno = EPERM;
		return -1;
	}
	if (fstat(fd, &st) == -1)
		goto fail;
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		errno = EPERM;
		goto fail;
	}
	/* The umask, or an older udg, may have left it 0700. */
	if ((st.st_mode & (S_IXGRP | S_IXOTH)) != (S_IXGRP | S_IXOTH) &&
	    fchmod(fd, (st.st_mode & 07777) | S_IXGRP | S_IXOTH) == -1)
		goto fail;
	return fd;
fail:
	n = errno;
	(void)close(fd);
	errno = n;
	return -1;
}

/*
 * May the socket dirfd/name be reaped?  Only names udg made ("PID-XXXXXXXX")
 * whose process is gone qualify: anything else there, such as a socket a
 * user bound by hand, is left alone, and a live pid saves a probe.
 */
static int
reapable(const char *name)
{
	char *end;
	long pid;
	size_t i;

	errno = 0;
	pid = strtol(name, &end, 10);
	if (errno != 0 || end == name || *end != '-' || pid <= 0 ||
	    pid > INT32_MAX)
		return 0;
	for (i = 1; i <= 8; i++)
		if (!isxdigit((unsigned char)end[i]))
			return 0;
	if (end[9] != '\0')
		return 0;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

/*
 * Remove automatic sockets left by clients that were killed.  Only sockets
 * whose process is gone are probed, at most REAP_MAX of them among the
 * entries of one REAP_BUF read of the directory, so a start stays cheap
 * however full the directory is; the probe, not the pid, decides.  One
 * getdents64(2) on the directory fd we already hold: opendir(3) would cost
 * a second open, a 32 KiB buffer and four more system calls per start.
 */
static void
reap(int dirfd, const char *dir)
{
	char path[UDG_PATH_MAX + 1];
	char buf[REAP_BUF] __attribute__((__aligned__(8)));
	struct dirent64 *de;
	struct stat st;
	ssize_t n, off;
	int probes = 0;

	if ((n = getdents64(dirfd, buf, sizeof(buf))) <= 0)
		return;
	for (off = 0; off < n && probes < REAP_MAX; off += de->d_reclen) {
		de = (struct dirent64 *)(void *)(buf + off);
		if (de->d_type != DT_SOCK && de->d_type != DT_UNKNOWN)
			continue;
		if (!reapable(de->d_name))
			continue;
		if (fstatat(dirfd, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISSOCK(st.st_mode))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path))
			continue;
		probes++;
		if (probe(path) == 0)
			(void)unlink_same(dirfd, de->d_name, &st);
	}
}

/*
 * The random half of an automatic name.  The pid already makes names unique
 * among live processes; this only steps around files left by an earlier
 * process with the same pid.  getrandom(2) directly, not arc4random(3):
 * libbsd's links in (and seeds, on first use) a ChaCha generator that a
 * one-shot send has no need for.
 */
static uint32_t
name_salt(int attempt)
{
	struct timespec ts;
	uint32_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec * 2654435761U + (uint32_t)attempt;
}

/* Bind a client at a fresh unique path in the private directory. */
static struct udg *
open_auto(int flags)
{
	char dir[UDG_PATH_MAX + 1], path[UDG_PATH_MAX + 2];
	struct udg *u;
	int dfd, i, n;

	if ((u = endpoint_alloc(flags)) == NULL)
		return NULL;
	if ((dfd = private_dir(dir, sizeof(dir))) == -1)
		goto fail;
	reap(dfd, dir);
	for (i = 0; i < AUTO_TRIES; i++) {
		n = snprintf(path, sizeof(path), "%s/%ld-%08x", dir,
		    (long)getpid(), name_salt(i));
		if (n < 0 || (size_t)n > UDG_PATH_MAX) {
			errno = ENAMETOOLONG;
			goto fail_dir;
		}
		(void)strlcpy(u->path, path, sizeof(u->path));
		u->base = u->path + strlen(dir) + 1;
		u->dirfd = dfd;
		if (bind_socket(u, AUTO_MODE) == 0)
			return u;
		u->dirfd = -1;
		if (errno != EADDRINUSE)
			goto fail_dir;
		(void)close(u->fd);
		u->fd = -1;
	}
fail_dir:
	n = errno;
	(void)close(dfd);
	errno = n;
fail:
	endpoint_free(u);
	return NULL;
}

/* Bind a client endpoint at path, or at an automatic path when NULL. */
struct udg *
udg_client(const char *path, int flags)
{
	if (path == NULL)
		return open_auto(flags);
	return open_at(path, -1, flags);
}

/* Close the endpoint and remove its socket and lock files; NULL is fine. */
int
udg_close(struct udg *u)
{
	int r = 0;

	if (u == NULL)
		return 0;
	if (u->fd != -1 && close(u->fd) == -1 && errno != EINTR)
		r = -1;
	u->fd = -1;
	if (unlink_own(u) == -1)
		r = -1;
	unlink_lock(u);
	endpoint_free(u);
	return r;
}

/* The socket, for poll(2) and friends. */
int
udg_fd(const struct udg *u)
{
	return u->fd;
}

/* The flags in effect: those asked for that the kernel granted. */
int
udg_flags(const struct udg *u)
{
	return (u->flags & UDG_NONBLOCK) | u->granted;
}

/* The path the endpoint is bound at. */
const char *
udg_path(const struct udg *u)
{
	return u->path;
}

/* Switch between blocking and non-blocking send and receive. */
int
udg_set_nonblock(struct udg *u, int on)
{
	int fl;

	if ((fl = fcntl(u->fd, F_GETFL)) == -1)
		return -1;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	if (fcntl(u->fd, F_SETFL, fl) == -1)
		return -1;
	if (on)
		u->flags |= UDG_NONBLOCK;
	else
		u->flags &= ~UDG_NONBLOCK;
	return 0;
}

/*
 * Change the socket file's owner and group (-1: unchanged), then its mode
 * (-1: unchanged).  Bind with a tight mode first and widen it here, so the
 * file is never more open than its final owner, group and mode allow.
 */
int
udg_set_perm(struct udg *u, int mode, uid_t uid, gid_t gid)
{
	struct stat st;

	if (mode != -1 && (mode & ~07777) != 0) {
		errno = EINVAL;
		return -1;
	}
	if (fstatat(u->dirfd, u->base, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISSOCK(st.st_mode) || st.st_dev != u->dev ||
	    st.st_ino != u->ino) {
		errno = ESTALE;
		return -1;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    fchownat(u->dirfd, u->base, uid, gid, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (mode != -1 && fix_mode(u, mode) == -1)
		return -1;
	return 0;
}

/* The largest datagram this endpoint can send (Linux: SO_SNDBUF - 32). */
ssize_t
udg_max_datagram(const struct udg *u)
{
	int sz;
	socklen_t len = sizeof(sz);

	if (getsockopt(u->fd, SOL_SOCKET, SO_SNDBUF, &sz, &len) == -1)
		return -1;
	return sz > 32 ? (ssize_t)sz - 32 : 0;
}
