/*
 * udg-int.h - what the library's files share and nobody else sees.
 */
#ifndef UDG_INT_H
#define UDG_INT_H

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <stddef.h>
#include <stdint.h>

#include "udg.h"

#define UDGI_BATCH	64	/* most datagrams per recvmmsg/sendmmsg */

/* Every flag udg_server() and udg_client() take. */
#define UDGI_FLAGS	(UDG_NONBLOCK | UDG_PIDFD | UDG_TIMESTAMP | \
			    UDG_REFUSE_FDS)

struct udgi_idcache;

struct udg {
	int		 fd;		/* the socket */
	int		 dirfd;		/* the socket's directory (O_PATH) */
	int		 lockfd;	/* flock(2)ed BASE.lock, or -1 */
	int		 flags;		/* UDG_NONBLOCK ... */
	dev_t		 dev;		/* what we bound, to unlink only it */
	ino_t		 ino;
	const char	*base;		/* last component of path */
	char		*lockname;	/* BASE.lock, relative to dirfd */
	char		 path[UDG_PATH_MAX + 1];
	/* recvmmsg scratch, grown once, reused: no malloc per datagram */
	void		*scratch;
	int		 nscratch;
	int		 granted;	/* UDG_PIDFD ... the kernel agreed to */
	/* pidfds of the last receive, closed by the next (UDG_PIDFD) */
	int		 held[UDGI_BATCH];
	int		 nheld;
	uint64_t	 recvgen;	/* receive calls so far */
	struct udgi_idcache *idcache;	/* ident.c, made on first use */
};

/* addr.c */
int	udgi_addr_path(struct sockaddr_un *, socklen_t *, const char *);
int	udgi_addr_msg(struct sockaddr_un *, socklen_t *,
	    const struct udg_msg *);
void	udgi_addr_named(struct udg_msg *, socklen_t);

/*
 * Record who sent a datagram: a path, an abstract name, or nobody.  The
 * kernel wrote len bytes of address at udgi_addr_name(m).  An unbound
 * sender (logger, nc, most one-shot senders) is told apart inline, and
 * udgi_addr_named() reads the rest.
 */
static inline void
udgi_no_peer(struct udg_msg *m)
{
	m->peer_type = UDG_PEER_NONE;
	m->peer_len = 0;
	m->peer[0] = '\0';
}

static inline void
udgi_addr_peer(struct udg_msg *m, socklen_t len)
{
	if (len > offsetof(struct sockaddr_un, sun_path))
		udgi_addr_named(m, len);
	else
		udgi_no_peer(m);
}

/*
 * Where the kernel is to write the sender of a datagram received into m:
 * a sockaddr_un whose sun_path is m->peer, so that a path is never
 * copied.  Its sun_family lies over the end of peer_len, which
 * udgi_addr_peer() sets after reading it; UDGI_ADDR_ROOM is its size.
 */
static inline void *
udgi_addr_name(struct udg_msg *m)
{
	return (char *)m + offsetof(struct udg_msg, peer) -
	    offsetof(struct sockaddr_un, sun_path);
}
#define UDGI_ADDR_ROOM	(offsetof(struct sockaddr_un, sun_path) + \
			    sizeof(((struct udg_msg *)0)->peer))

/* cred.c: the OS-specific part */
/*
 * Room for everything the kernel may attach to one datagram: the arrival
 * time, credentials, the most fds a sender may pass (SCM_MAX_FD, 253) and
 * then the pidfd, which the kernel puts after the fds.  A smaller buffer
 * would let a sender that stuffs fds push the pidfd out.
 */
#define UDGI_SCM_MAX_FD	253
#define UDG_CTLBUF_SIZE	(CMSG_SPACE(2 * sizeof(int64_t)) + \
			    CMSG_SPACE(sizeof(struct ucred)) + \
			    CMSG_SPACE(UDGI_SCM_MAX_FD * sizeof(int)) + \
			    CMSG_SPACE(sizeof(int)))
int	udgi_recv_options(struct udg *);
void	udgi_release(struct udg *);
void	udgi_cred_parse(struct udg *, struct udg_msg *, void *, size_t, int);

/* ident.c */
void	udgi_ident_free(struct udg *);

#endif /* UDG_INT_H */
