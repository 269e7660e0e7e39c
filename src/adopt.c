/*
 * adopt.c - an endpoint on a socket that someone else bound.
 *
 * A service manager (systemd's socket units, s6-socklog's supervisor)
 * binds the socket, owns its path and hands the process the descriptor.
 * The endpoint then takes no lock and never unlinks the path: it has
 * neither a directory descriptor nor an inode of its own, so udg_close()
 * only closes the socket.  The socket is checked before it is adopted, so
 * that a wrongly configured unit fails at start, not at the first reply.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "udg-int.h"

/* Is fd an AF_UNIX SOCK_DGRAM socket?  0, or -1 and errno. */
static int
check_kind(int fd)
{
	socklen_t len;
	int v;

	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == -1)
		return -1;		/* EBADF, ENOTSOCK */
	if (v != AF_UNIX) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == -1)
		return -1;
	if (v != SOCK_DGRAM) {
		errno = EPROTOTYPE;
		return -1;
	}
	return 0;
}

/* Is fd bound to exactly path?  0, or -1 with EADDRNOTAVAIL. */
static int
check_name(int fd, const char *path)
{
	struct sockaddr_un want, got;
	socklen_t wlen, glen = sizeof(got);
	size_t n, max;

	if (udgi_addr_path(&want, &wlen, path) == -1)
		return -1;
	memset(&got, 0, sizeof(got));
	if (getsockname(fd, (struct sockaddr *)&got, &glen) == -1)
		return -1;
	max = glen > offsetof(struct sockaddr_un, sun_path) ?
	    glen - offsetof(struct sockaddr_un, sun_path) : 0;
	if (max > sizeof(got.sun_path))
		max = sizeof(got.sun_path);
	/* Unbound or abstract names never match a path. */
	n = got.sun_path[0] == '\0' ? 0 : strnlen(got.sun_path, max);
	if (n == 0 || n != strlen(path) || memcmp(got.sun_path, path, n) != 0) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	return 0;
}

/* Set close-on-exec, and O_NONBLOCK exactly as flags ask. */
static int
set_fd_flags(int fd, int flags)
{
	int fl;

	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	fl = (flags & UDG_NONBLOCK) ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl);
}

/* Adopt fd, bound at path by someone else (see udg_server_fd(3)). */
struct udg *
udg_server_fd(int fd, const char *path, int flags)
{
	struct udg *u;
	const char *slash;
	int save_errno;

	if ((flags & ~UDGI_FLAGS) != 0 || fd < 0) {
		errno = fd < 0 ? EBADF : EINVAL;
		return NULL;
	}
	if (check_kind(fd) == -1 || check_name(fd, path) == -1)
		return NULL;
	if (set_fd_flags(fd, flags) == -1)
		return NULL;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->fd = fd;
	u->dirfd = u->lockfd = -1;
	u->flags = flags;
	/* Late, but a unit without PassCredentials= gets them from now. */
	if (udgi_recv_options(u) == -1) {
		save_errno = errno;
		free(u);
		errno = save_errno;
		return NULL;
	}
	(void)strlcpy(u->path, path, sizeof(u->path));
	slash = strrchr(u->path, '/');
	u->base = slash == NULL ? u->path : slash + 1;
	return u;
}
