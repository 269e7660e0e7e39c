/*
 * activate.c - adopt the sockets a service manager passed, or say exactly
 * why they do not fit.
 *
 * The protocol is systemd's (sd_listen_fds(3)): LISTEN_PID is the pid the
 * descriptors are meant for, LISTEN_FDS how many there are, starting at
 * fd 3.  A LISTEN_PID of another process means they were meant for a
 * parent: the caller binds its sockets itself, as sd_listen_fds() does.
 */
#include "config.h"

#define LIBBSD_OPENBSD_VIS 1

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vis.h>

#include "activate.h"

#define VISMAX	(4 * 108 + 1)

/* Escape s for a message. */
static const char *
esc(char *buf, size_t size, const char *s, size_t len)
{
	if (strnvisx(buf, size, s, len, VIS_CSTYLE | VIS_NL | VIS_TAB |
	    VIS_OCTAL) == -1)
		(void)strlcpy(buf, "(too long)", size);
	return buf;
}

/* Say what fd is bound to, for a mismatch message. */
static const char *
bound_name(int fd, char *buf, size_t size)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	size_t n;

	memset(&sun, 0, sizeof(sun));
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == -1 ||
	    len <= offsetof(struct sockaddr_un, sun_path))
		return "nothing (unbound)";
	n = len - offsetof(struct sockaddr_un, sun_path);
	if (sun.sun_path[0] == '\0') {
		buf[0] = '@';
		(void)esc(buf + 1, size - 1, sun.sun_path + 1, n - 1);
		return buf;
	}
	return esc(buf, size, sun.sun_path, strnlen(sun.sun_path, n));
}

/* Read LISTEN_PID and LISTEN_FDS: 1 and *nfds if they are ours, else 0/-1. */
static int
read_env(size_t *nfds, char *why, size_t whysize)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char v[64];
	const char *errstr;
	long long p, n;

	if (pid == NULL)
		return 0;
	p = strtonum(pid, 1, INT_MAX, &errstr);
	if (errstr != NULL) {
		(void)snprintf(why, whysize, "LISTEN_PID=%s: not a pid",
		    esc(v, sizeof(v), pid, strnlen(pid, 15)));
		return -1;
	}
	if ((pid_t)p != getpid())
		return 0;
	if (fds == NULL) {
		(void)snprintf(why, whysize, "LISTEN_PID is this process but "
		    "LISTEN_FDS is not set");
		return -1;
	}
	n = strtonum(fds, 0, INT_MAX - ACT_FDS_START, &errstr);
	if (errstr != NULL || n == 0) {
		(void)snprintf(why, whysize, "LISTEN_FDS=%s: no socket passed",
		    esc(v, sizeof(v), fds, strnlen(fds, 15)));
		return -1;
	}
	*nfds = (size_t)n;
	return 1;
}

/* Why fd cannot be adopted at any of paths, once udg_server_fd said e. */
static void
explain(int fd, int e, char *why, size_t whysize)
{
	static const struct {
		int		 e;
		const char	*what;
	} whats[] = {
		{ EBADF, "not open" },
		{ ENOTSOCK, "not a socket" },
		{ EAFNOSUPPORT, "not a Unix-domain socket" },
		{ EPROTOTYPE,
		    "not a datagram socket (ListenDatagram= in the unit)" },
	};
	char name[VISMAX];
	size_t i;

	for (i = 0; i < sizeof(whats) / sizeof(whats[0]); i++)
		if (whats[i].e == e) {
			(void)snprintf(why, whysize, "fd %d (LISTEN_FDS): %s",
			    fd, whats[i].what);
			return;
		}
	if (e == EADDRNOTAVAIL)
		(void)snprintf(why, whysize, "fd %d (LISTEN_FDS): bound to "
		    "%s, not a socket operand (or one an earlier fd has)", fd,
		    bound_name(fd, name, sizeof(name)));
	else
		(void)snprintf(why, whysize, "fd %d (LISTEN_FDS): %s", fd,
		    strerror(e));
}

/* Adopt fd at whichever free one of paths it is bound to; index or -1. */
static int
adopt_one(int fd, const char *const *paths, size_t n, int flags,
    struct udg **out, int *e)
{
	size_t i;

	*e = EADDRNOTAVAIL;
	for (i = 0; i < n; i++) {
		if (out[i] != NULL)
			continue;
		if ((out[i] = udg_server_fd(fd, paths[i], flags)) != NULL)
			return (int)i;
		*e = errno;
		if (*e != EADDRNOTAVAIL)
			return -1;	/* the socket, not the path, is wrong */
	}
	return -1;
}

/* Give up what was adopted so far: close it (the paths stay). */
static void
unadopt(struct udg **out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		(void)udg_close(out[i]);
		out[i] = NULL;
	}
}

/* Adopt the passed sockets for paths (see activate.h). */
int
act_adopt(const char *const *paths, size_t n, int flags, struct udg **out,
    char *why, size_t whysize)
{
	char name[VISMAX];
	size_t nfds, i;
	int r, fd, e;

	r = read_env(&nfds, why, whysize);
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
	if (r != 1)
		return r;
	for (i = 0; i < n; i++)
		out[i] = NULL;
	for (i = 0; i < nfds; i++) {
		fd = ACT_FDS_START + (int)i;
		if (adopt_one(fd, paths, n, flags, out, &e) == -1) {
			explain(fd, e, why, whysize);
			goto fail;
		}
	}
	for (i = 0; i < n; i++)
		if (out[i] == NULL) {
			(void)snprintf(why, whysize, "%s: no socket from "
			    "LISTEN_FDS is bound to it", esc(name,
			    sizeof(name), paths[i], strlen(paths[i])));
			goto fail;
		}
	return 1;
fail:
	unadopt(out, n);
	return -1;
}
