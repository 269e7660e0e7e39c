/*
 * send-reply.h - udg-send -r: one reply to each request, taken only from
 * the socket the request went to, and copied to standard output.
 */
#ifndef UDG_SEND_REPLY_H
#define UDG_SEND_REPLY_H

#include <sys/socket.h>
#include <sys/un.h>

#include "udg.h"

struct send_reply {
	const char		*vdest;		/* the socket, escaped */
	int			 ms;		/* -t: 0 = no limit */
	unsigned long long	 nreplies;	/* replies printed */
	unsigned long long	 nignored;	/* datagrams not a reply */
	/* Private. */
	struct udg		*u;
	void			*buf;
	size_t			 size;
	struct sockaddr_un	 peer;		/* who we are connected to */
	socklen_t		 peerlen;
	int			 fd;		/* stdout, or a pipe's own */
};

/*
 * Set up for replies from vdest within ms each.  A pipe on stdout is
 * written through a non-blocking open file description of our own, so
 * that a reader that stops reading cannot block us where a signal is not
 * seen.  -1 with errno on error.
 */
int	send_reply_init(struct send_reply *, const char *vdest, int ms);

/* 1 if the listener at dest runs as another user (dest is theirs). */
int	send_reply_foreign(const char *dest);

/*
 * u was just connected to dest: note its peer, and let the listener
 * answer when it runs as another user.  Exits on error.
 */
void	send_reply_connected(struct send_reply *, struct udg *u,
	    const char *dest);

/* Throw away what is queued on our socket, before a request goes out. */
void	send_reply_drain(struct send_reply *);

/*
 * Wait for the reply to request number nsent and print it; exits 75 when
 * none comes in time, 69 when the listener went away.
 */
void	send_reply_await(struct send_reply *, unsigned long long nsent);

/* Release what send_reply_init() opened. */
void	send_reply_free(struct send_reply *);

#endif /* UDG_SEND_REPLY_H */
