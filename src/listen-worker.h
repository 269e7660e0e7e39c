/*
 * listen-worker.h - udg-listen -E: one long-running command that answers
 * every request, as a state machine driven by the caller's poll(2) loop.
 *
 * The worker is "/bin/sh -c COMMAND" in a process group of its own.
 * Each request is written to its standard input as one record: the
 * payload, optionally after "pid uid gid " (the sender's credentials in
 * decimal, -1 for each when there are none), then the separator ('\n',
 * or '\0').  Each record it writes to its standard output, without the
 * separator, is the reply to the oldest request it has not answered.
 * A payload holding the separator is refused (worker_submit()), so a
 * sender can never make one request look like two.
 *
 * Both pipes are non-blocking on our side.  Requests go to the pipe in
 * one write per batch (worker_flush()); while some of a batch is still
 * waiting for room in the pipe, or maxpending requests are unanswered,
 * worker_room() is 0 and the caller must leave further requests in its
 * socket's queue: memory stays bounded by one batch.
 *
 * When the reply callback cannot take a reply now, the worker's output
 * is no longer read (it waits in the pipe, and the worker blocks on it)
 * until worker_resume().  Meanwhile no time limit runs: the worker has
 * answered, and what it wrote since is not read.
 *
 * A worker that exits, is killed, closes a pipe, or leaves the oldest
 * request unanswered past timeout_ms is ended (SIGTERM to its group,
 * SIGKILL kill_grace_ms later); its unanswered requests are handed to
 * the lost callback, and it is started again after a back-off of
 * WORKER_BACKOFF_MIN_MS, doubling up to WORKER_BACKOFF_MAX_MS, reset
 * once a worker has lived WORKER_QUICK_MS.  After WORKER_TRIES deaths in
 * a row that each came within WORKER_QUICK_MS of the start (and that
 * were not a time limit), worker_failed() is 1 and nothing is restarted.
 */
#ifndef UDG_LISTEN_WORKER_H
#define UDG_LISTEN_WORKER_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "udg.h"
#include "listen-spawn.h"

#define WORKER_FDS		2	/* most pollfds: stdin and stdout */
#define WORKER_BACKOFF_MIN_MS	100
#define WORKER_BACKOFF_MAX_MS	5000
#define WORKER_QUICK_MS		1000
#define WORKER_TRIES		5

/* Why a request got no reply, or why a worker ended. */
enum worker_why {
	WORKER_EXITED,		/* it exited by itself: see status */
	WORKER_SIGNALED,	/* a signal we did not send killed it */
	WORKER_CLOSED,		/* it closed its stdin or stdout */
	WORKER_TIMEDOUT,	/* a request waited past timeout_ms */
	WORKER_STOPPED,		/* worker_stop() */
	WORKER_TOOBIG		/* (a request only) its reply was too long */
};

/* How a worker ended, for the ended callback. */
struct worker_end {
	enum worker_why	 why;
	int		 status;	/* exit status, or signal; -1: none */
	int64_t		 lived_ms;
	size_t		 unanswered;	/* requests handed to lost */
	int		 restart_ms;	/* -1: it will not be restarted */
};

/*
 * The reply to req, which worker_submit() was given with tag.  0: taken;
 * -1: not now (keep it and read no more, see worker_resume).
 */
typedef int	worker_reply_fn(void *arg, const struct udg_msg *req, int tag,
		    const char *buf, size_t len);
typedef void	worker_lost_fn(void *arg, const struct udg_msg *req,
		    enum worker_why why);
typedef void	worker_ended_fn(void *arg, const struct worker_end *);

struct worker_conf {
	struct spawn_conf run;		/* timeout_ms: request to reply */
	int		 sep;		/* record separator: '\n' or '\0' */
	int		 creds;		/* prefix "pid uid gid " */
	size_t		 maxreply;	/* longest reply: largest datagram */
	size_t		 maxpending;	/* most unanswered requests, >= 1 */
	worker_reply_fn	*reply;		/* a reply to req */
	worker_lost_fn	*lost;		/* req will get no reply */
	worker_ended_fn	*ended;		/* a worker is gone */
	void		*arg;
};

struct worker;

/*
 * Start the worker for conf (copied; the sets and arg must outlive it),
 * or NULL with errno.
 */
struct worker	*worker_new(const struct worker_conf *conf);

/* Kill the worker (SIGKILL) and free everything; nothing is reported. */
void	worker_free(struct worker *);

/* How many requests worker_submit() may take now (0: leave them queued). */
size_t	worker_room(const struct worker *);

/* Requests given to the worker and not answered yet. */
size_t	worker_pending(const struct worker *);

/* 1 once the worker kept dying at start and will not be started again. */
int	worker_failed(const struct worker *);

/* 1 while a worker process is alive. */
int	worker_alive(const struct worker *);

/*
 * Queue request m for the worker (sent by worker_flush()); tag is the
 * caller's (which socket to answer on), handed back with the reply.  -1
 * with errno: EINVAL if its payload holds the separator, ENOBUFS if
 * worker_room() is 0, ENOMEM.
 */
int	worker_submit(struct worker *, const struct udg_msg *m, int tag,
	    int64_t now);

/*
 * After the reply callback said "not now": hand it the replies again; the
 * unanswered requests' time limits move on by the time they waited.
 */
void	worker_resume(struct worker *, int64_t now);

/* Write what worker_submit() queued, as far as the pipe takes it. */
void	worker_flush(struct worker *);

/* Fill pfd[0, max) with the fds to poll; returns how many. */
int	worker_pollfds(const struct worker *, struct pollfd *pfd, int max);

/* Act on what poll(2) said about pfd[0, n) (worker_pollfds()'s order). */
void	worker_events(struct worker *, const struct pollfd *pfd, int n,
	    int64_t now);

/* Collect the worker if it has exited (after SIGCHLD). */
void	worker_reap(struct worker *, int64_t now);

/* Milliseconds until the next deadline, or -1 for none. */
int	worker_next_ms(const struct worker *, int64_t now);

/* Act on passed deadlines: time limit, kill grace, restart. */
void	worker_tick(struct worker *, int64_t now);

/* End the worker for good: its stdin closed, SIGTERM, then SIGKILL. */
void	worker_stop(struct worker *, int64_t now);

#endif /* UDG_LISTEN_WORKER_H */
