/*
 * addr.c - building and reading AF_UNIX socket addresses.
 *
 * A path that does not fit sun_path is an error (ENAMETOOLONG), never a
 * silently shortened path that would name some other file.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "udg-int.h"

/*
 * Fill *sun with the n bytes at p and a NUL when there is room: a
 * sender may have bound a path that fills sun_path.  ENAMETOOLONG if it
 * does not fit.
 */
static int
addr_bytes(struct sockaddr_un *sun, socklen_t *len, const char *p, size_t n)
{
	if (n > sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, p, n);
	if (n < sizeof(sun->sun_path))
		n++;
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	return 0;
}

/* Fill *sun with path; ENAMETOOLONG if it does not fit, EINVAL if empty. */
int
udgi_addr_path(struct sockaddr_un *sun, socklen_t *len, const char *path)
{
	size_t n;

	if (path == NULL || *path == '\0') {
		errno = EINVAL;
		return -1;
	}
	/* Ours always end in a NUL. */
	if ((n = strlen(path)) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return addr_bytes(sun, len, path, n);
}

/* Rebuild the sender's address of a received datagram, to answer it. */
int
udgi_addr_msg(struct sockaddr_un *sun, socklen_t *len, const struct udg_msg *m)
{
	switch (m->peer_type) {
	case UDG_PEER_PATH:
		if (m->peer_len == 0) {
			errno = EINVAL;
			return -1;
		}
		return addr_bytes(sun, len, m->peer, m->peer_len);
	case UDG_PEER_ABSTRACT:
		if (m->peer_len + 1 > sizeof(sun->sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memset(sun, 0, sizeof(*sun));
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path + 1, m->peer, m->peer_len);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
		    m->peer_len);
		return 0;
	default:
		errno = EDESTADDRREQ;
		return -1;
	}
}

/* The kernel writes a sender's address over peer and the end of peer_len. */
_Static_assert(sizeof(((struct udg_msg *)0)->peer) ==
    sizeof(((struct sockaddr_un *)0)->sun_path), "peer is not a sun_path");
_Static_assert(offsetof(struct udg_msg, peer) ==
    offsetof(struct udg_msg, peer_len) + sizeof(size_t) &&
    offsetof(struct sockaddr_un, sun_path) <= sizeof(size_t),
    "sun_family does not lie in peer_len");

/* udgi_addr_peer() for an address longer than its family: who it names. */
void
udgi_addr_named(struct udg_msg *m, socklen_t len)
{
	size_t off = offsetof(struct sockaddr_un, sun_path), n;
	sa_family_t family;

	memcpy(&family, (char *)udgi_addr_name(m) +
	    offsetof(struct sockaddr_un, sun_family), sizeof(family));
	if (family != AF_UNIX) {
		udgi_no_peer(m);
		return;
	}
	n = len - off;
	if (n > sizeof(m->peer))
		n = sizeof(m->peer);
	if (m->peer[0] == '\0') {
		/* Linux abstract name: the rest of the bytes, NULs and all. */
		m->peer_type = UDG_PEER_ABSTRACT;
		m->peer_len = n - 1;
		memmove(m->peer, m->peer + 1, n - 1);
		m->peer[n - 1] = '\0';
		return;
	}
	/* The kernel may or may not count the NUL; stop at the first one. */
	m->peer_type = UDG_PEER_PATH;
	m->peer_len = strnlen(m->peer, n);
	/* A full sun_path has no NUL: the kernel let a 108-byte path bind. */
	if (m->peer_len < sizeof(m->peer))
		m->peer[m->peer_len] = '\0';
}
