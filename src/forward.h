/*
 * forward.h - udg-listen --forward: pass accepted datagrams on to another
 * datagram socket (the system logger's /dev/log, an rsyslogd imuxsock
 * input), raw or re-framed as RFC 5424 with the sender's identity.
 *
 * Sends never block.  A full or absent target is back-pressure first:
 * the datagram waits in a queue (at most queue_max of them), the caller
 * stops receiving while fwd_queued() says so (so blocking senders wait in
 * turn), and the queue is retried when the target has room (POLLOUT on
 * the connected socket) or every FWD_RETRY_MS while it is absent.  After
 * wait_ms without progress what is queued is dropped and counted, and
 * later datagrams are tried once each, dropped and counted when they do
 * not go, until one goes through again: a dead target costs one wait, not
 * one per datagram.  Drops are reported at most once a second.
 */
#ifndef UDG_FORWARD_H
#define UDG_FORWARD_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "udg.h"
#include "rfc5424.h"

#define FWD_RETRY_MS	100	/* reconnect every, while it is gone */
#define FWD_WAIT_MS	1000	/* back-pressure bound (documented) */

enum fwd_format { FWD_RAW, FWD_RFC5424 };

struct fwd_conf {
	const char	*path;		/* the target socket */
	enum fwd_format	 format;
	const char	*sdid;		/* RFC 5424 SD-ID */
	const char	*host;		/* RFC 5424 HOSTNAME */
	size_t		 maxlen;	/* largest payload handed in */
	int		 queue_max;	/* datagrams held while waiting, >= 1 */
	int		 wait_ms;	/* how long they may wait */
};

struct fwd;

/* A forwarder (conf's strings must outlive it), or NULL and errno. */
struct fwd	*fwd_open(const struct fwd_conf *conf);

/*
 * At the end: what is still queued is dropped, and every drop not yet
 * said is said, with its cause.
 */
void	fwd_finish(struct fwd *);

/* Close it (fwd_finish() first). */
void	fwd_close(struct fwd *);

/* Forward m (id: the sender, now: its arrival), at now_ms. */
void	fwd_send(struct fwd *, const struct udg_msg *m,
	    const struct rfc5424_ident *id, const struct timespec *now,
	    int64_t now_ms);

/*
 * 1 if m was sent by this forwarder (the target is the listener's own
 * socket by a name made after the start): counted as dropped, said once.
 */
int	fwd_came_back(struct fwd *, const struct udg_msg *m);

/* How many datagrams wait for the target (the caller stops receiving). */
int	fwd_queued(const struct fwd *);

/* Fill *pfd when there is an fd to wait for; 1 if so, else 0. */
int	fwd_pollfd(const struct fwd *, struct pollfd *pfd);

/* Milliseconds until fwd_run() has something to do, or -1. */
int	fwd_next_ms(const struct fwd *, int64_t now_ms);

/* Retry the queue; drop it once its wait is over. */
void	fwd_run(struct fwd *, int64_t now_ms);

/* Datagrams sent, and dropped after the wait or for good reasons. */
unsigned long long	fwd_sent(const struct fwd *);
unsigned long long	fwd_dropped(const struct fwd *);

#endif /* UDG_FORWARD_H */
