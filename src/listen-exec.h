/*
 * listen-exec.h - udg-listen -e: run a command for each request, as a
 * state machine driven by the caller's poll(2) loop.
 *
 * A job is one run of "/bin/sh -c COMMAND" in a process group of its
 * own, with the request's payload on its standard input (fed through a
 * non-blocking pipe) and its standard output collected, up to maxout
 * bytes, from another.  Nothing here blocks or waits: the caller adds the
 * fds of exec_pollfds() to its poll set, hands the results to
 * exec_events(), calls exec_reap() when SIGCHLD arrives and exec_tick()
 * when the time exec_next_ms() gave has come.  A job ends when its
 * standard output is at end of file and its process has been reaped; the
 * done callback then gets a struct exec_result and decides what to do
 * with it (reply, log): policy stays with the caller.
 *
 * Jobs are keyed by their sender's address, so that a pool running more
 * than one job at a time can keep one sender's requests in order
 * (exec_busy()).  Time limit: past timeout_ms, the job's process group
 * gets SIGTERM, and SIGKILL kill_grace_ms later; exec_stop() does the
 * same to every job at once.
 */
#ifndef UDG_LISTEN_EXEC_H
#define UDG_LISTEN_EXEC_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "udg.h"
#include "listen-spawn.h"

/* Most pollfds one job needs (its stdin and stdout pipes). */
#define EXEC_JOB_FDS	2

enum exec_end {
	EXEC_EXITED,		/* exited by itself: see status */
	EXEC_SIGNALED,		/* killed by a signal we did not send */
	EXEC_TIMEDOUT,		/* past timeout_ms: we killed it */
	EXEC_STOPPED		/* killed by exec_stop() */
};

struct exec_result {
	const struct udg_msg	*req;		/* the request, copied */
	int			 tag;		/* exec_start()'s */
	enum exec_end		 end;
	int			 status;	/* exit status, or signal */
	const char		*out;		/* its stdout, up to maxout */
	size_t			 outlen;
	size_t			 overflow;	/* bytes past maxout, dropped */
	int64_t			 ms;		/* how long it ran */
};

typedef void	exec_done_fn(void *arg, const struct exec_result *);

struct exec_conf {
	struct spawn_conf run;		/* the command and its time limit */
	size_t		 maxout;	/* stdout kept (the largest reply) */
	int		 jobs;		/* most jobs at a time, >= 1 */
	const char *const *sockets;	/* UDG_SOCKET by tag; NULL: none */
	size_t		 nsockets;
	exec_done_fn	*done;		/* called once per job as it ends */
	void		*arg;
};

struct exec;

/* A pool for conf (copied; the sets and arg must outlive it), or NULL. */
struct exec	*exec_new(const struct exec_conf *conf);

/* Free the pool; running jobs are killed with SIGKILL, not reported. */
void	exec_free(struct exec *);

/* How many more jobs may start now. */
int	exec_free_slots(const struct exec *);

/* How many jobs are running (not yet reported). */
int	exec_running(const struct exec *);

/* 1 if a job for m's sender is running. */
int	exec_busy(const struct exec *, const struct udg_msg *m);

/*
 * Start a job for request m (its payload and address are copied), whose
 * sender id names (NULL: unknown) for UDG_COMM, UDG_EXE and UDG_UNIT;
 * tag is the caller's (which socket to answer on), handed back in the
 * result.  -1 with errno when the pipes or the process cannot be made (EMFILE,
 * EAGAIN, ENOMEM...) or no slot is free (EBUSY): nothing is left behind.
 */
int	exec_start(struct exec *, const struct udg_msg *m,
	    const struct udg_ident *id, int tag);

/* Fill pfd[0, max) with the fds to poll; returns how many. */
int	exec_pollfds(const struct exec *, struct pollfd *pfd, int max);

/* Act on what poll(2) said about pfd[0, n) (exec_pollfds()'s order). */
void	exec_events(struct exec *, const struct pollfd *pfd, int n);

/* Collect the jobs that have exited (after SIGCHLD). */
void	exec_reap(struct exec *);

/* Milliseconds from now until the next deadline, or -1 for none. */
int	exec_next_ms(const struct exec *, int64_t now);

/* Act on the deadlines that have passed (time limit, kill grace). */
void	exec_tick(struct exec *, int64_t now);

/* Kill every running job (SIGTERM, SIGKILL after the grace). */
void	exec_stop(struct exec *, int64_t now);

#endif /* UDG_LISTEN_EXEC_H */
