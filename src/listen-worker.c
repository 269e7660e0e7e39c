/*
 * listen-worker.c - the -E worker: start, feed, read, end, restart.
 *
 * States: RUNNING (fed and read), ENDING (killed or closing: no new
 * requests; replies are still read unless a time limit passed, since a
 * late reply would be taken for the next request's), WAITING (the
 * back-off before a restart), FAILED and STOPPED (for good).  A worker
 * is only over once it has been reaped: then whatever it wrote before it
 * exited is read, its process group is killed (a child of it may hold
 * its pipes), and the requests still unanswered are lost.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen-queue.h"
#include "listen-spawn.h"
#include "listen-worker.h"
#include "tool.h"

#define IBUF_KEEP	(64 * 1024)	/* input buffer kept between batches */
#define PREFIX_MAX	64		/* "pid uid gid " at most */

extern char	**environ;

enum wstate { W_RUNNING, W_ENDING, W_WAITING, W_FAILED, W_STOPPED };

struct worker {
	struct worker_conf c;
	char		*cmd;		/* c.command, for argv */
	char		**env;		/* environ less UDG_* */
	enum wstate	 state;
	pid_t		 pid;		/* also its process group; 0: none */
	int		 wstatus;
	int		 in, out;	/* our ends of its stdin, stdout */
	char		*ibuf;		/* records not yet in the pipe */
	size_t		 ilen, ioff, isize;
	int		 full;		/* the pipe took not all of it */
	char		*obuf;		/* its output, maxreply + 1 bytes */
	size_t		 olen;
	int		 skipping;	/* in a record longer than maxreply */
	int		 stalled;	/* the reply callback said "not now" */
	int64_t		 stalled_at;	/* since when */
	struct reqq	*pending;	/* given to it, not answered */
	enum worker_why	 why;		/* why it is ending */
	int64_t		 start, kill_at, restart_at;
	int		 backoff_ms;
	int		 quick;		/* quick deaths in a row */
	int		 stopping;
};

/* Close *fd if open. */
static void
close_fd(int *fd)
{
	if (*fd != -1) {
		(void)close(*fd);
		*fd = -1;
	}
}

/*
 * environ without UDG_PID, UDG_UID, UDG_GID and UDG_PEER: a worker
 * serves every sender, so no value of one request's may reach it (not
 * even one inherited from an -e command that started this listener).
 */
static char **
worker_env(void)
{
	static const char *const ours[] = {
		"UDG_PID=", "UDG_UID=", "UDG_GID=", "UDG_PEER="
	};
	char **env;
	size_t n = 0, i, k, j;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 1, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0, k = 0; i < n; i++) {
		for (j = 0; j < sizeof(ours) / sizeof(ours[0]); j++)
			if (strncmp(environ[i], ours[j], strlen(ours[j])) == 0)
				break;
		if (j == sizeof(ours) / sizeof(ours[0]))
			env[k++] = environ[i];
	}
	return env;
}

/* Start a worker process now; -1 with errno if it cannot be. */
static int
start(struct worker *w, int64_t now)
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, e;

	if (pipe2(inp, O_CLOEXEC) == -1 || pipe2(outp, O_CLOEXEC) == -1 ||
	    fcntl(inp[1], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(outp[0], F_SETFL, O_NONBLOCK) == -1)
		goto fail;
	if ((e = spawn_sh(w->cmd, inp[0], outp[1], w->c.run.childmask,
	    w->c.run.childdefault, w->env, &w->pid)) != 0) {
		errno = e;
		goto fail;
	}
	(void)close(inp[0]);
	(void)close(outp[1]);
	w->in = inp[1];
	w->out = outp[0];
	w->state = W_RUNNING;
	w->why = WORKER_EXITED;
	w->start = now;
	w->kill_at = 0;
	w->olen = 0;
	w->skipping = 0;
	w->stalled = 0;
	return 0;
fail:
	e = errno;
	close_fd(&inp[0]);
	close_fd(&inp[1]);
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	w->pid = 0;
	errno = e;
	return -1;
}

/* The worker for conf, started. */
struct worker *
worker_new(const struct worker_conf *conf)
{
	struct worker *w;

	if (conf->maxpending < 1 || conf->maxreply < 1) {
		errno = EINVAL;
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->c = *conf;
	w->in = w->out = -1;
	w->backoff_ms = WORKER_BACKOFF_MIN_MS;
	w->obuf = malloc(conf->maxreply + 1);
	w->pending = reqq_new(conf->maxpending);
	w->env = worker_env();
	w->cmd = strdup(conf->run.command);
	if (w->obuf == NULL || w->pending == NULL || w->env == NULL ||
	    w->cmd == NULL) {
		worker_free(w);
		errno = ENOMEM;
		return NULL;
	}
	w->state = W_WAITING;
	w->restart_at = 0;
	worker_tick(w, tool_now_ms());
	return w;
}

/* Free w, killing its process. */
void
worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	close_fd(&w->in);
	close_fd(&w->out);
	if (w->pid > 0) {
		(void)kill(-w->pid, SIGKILL);
		(void)waitpid(w->pid, NULL, 0);
	}
	reqq_free(w->pending);
	free(w->cmd);
	free(w->env);
	free(w->ibuf);
	free(w->obuf);
	free(w);
}

/* Requests it may take. */
size_t
worker_room(const struct worker *w)
{
	if (w->state != W_RUNNING || w->full)
		return 0;
	return reqq_room(w->pending);
}

/* Unanswered requests. */
size_t
worker_pending(const struct worker *w)
{
	return reqq_len(w->pending);
}

/* Gave up restarting. */
int
worker_failed(const struct worker *w)
{
	return w->state == W_FAILED;
}

/* A process is there. */
int
worker_alive(const struct worker *w)
{
	return w->pid > 0;
}

/* SIGTERM the worker's group for why; SIGKILL after the grace. */
static void
term(struct worker *w, enum worker_why why, int64_t now)
{
	if (w->state != W_RUNNING)
		return;
	w->state = W_ENDING;
	w->why = why;
	close_fd(&w->in);
	w->ilen = w->ioff = 0;
	w->full = 0;
	if (why == WORKER_TIMEDOUT)
		close_fd(&w->out);
	w->kill_at = now + w->c.run.kill_grace_ms;
	if (w->kill_at == 0)
		w->kill_at = 1;
	(void)kill(-w->pid, SIGTERM);
}

/* Room for n more bytes in the input buffer; -1 if there is none. */
static int
ibuf_reserve(struct worker *w, size_t n)
{
	size_t size;
	char *p;

	if (w->ilen + n <= w->isize)
		return 0;
	size = w->isize > 0 ? w->isize : IBUF_KEEP;
	while (size < w->ilen + n)
		size *= 2;
	if ((p = realloc(w->ibuf, size)) == NULL)
		return -1;
	w->ibuf = p;
	w->isize = size;
	return 0;
}

/* Queue m's record. */
int
worker_submit(struct worker *w, const struct udg_msg *m, int tag,
    int64_t now)
{
	char prefix[PREFIX_MAX];
	int plen = 0;

	if (w->state != W_RUNNING || reqq_room(w->pending) == 0) {
		errno = ENOBUFS;
		return -1;
	}
	if (m->len > 0 && memchr(m->buf, w->c.sep, m->len) != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (w->c.creds && (m->flags & UDG_MSG_NOCRED))
		plen = snprintf(prefix, sizeof(prefix), "-1 -1 -1 ");
	else if (w->c.creds)
		plen = snprintf(prefix, sizeof(prefix), "%ld %lu %lu ",
		    (long)m->pid, (unsigned long)m->uid,
		    (unsigned long)m->gid);
	if (plen < 0 || ibuf_reserve(w, (size_t)plen + m->len + 1) == -1 ||
	    reqq_push(w->pending, m, 0, w->c.run.timeout_ms > 0 ?
	    now + w->c.run.timeout_ms : 0, tag) == -1)
		return -1;
	memcpy(w->ibuf + w->ilen, prefix, (size_t)plen);
	w->ilen += (size_t)plen;
	memcpy(w->ibuf + w->ilen, m->buf, m->len);
	w->ilen += m->len;
	w->ibuf[w->ilen++] = (char)w->c.sep;
	return 0;
}

/* All of the input buffer went out: empty it, give back a large one. */
static void
ibuf_done(struct worker *w)
{
	w->ilen = w->ioff = 0;
	w->full = 0;
	if (w->isize > IBUF_KEEP) {
		free(w->ibuf);
		w->ibuf = NULL;
		w->isize = 0;
	}
}

/* Write queued records. */
void
worker_flush(struct worker *w)
{
	ssize_t n;

	while (w->in != -1 && w->ioff < w->ilen) {
		n = write(w->in, w->ibuf + w->ioff, w->ilen - w->ioff);
		if (n > 0) {
			w->ioff += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			w->full = 1;
			return;
		}
		/* EPIPE: it closed its stdin; it can answer no more. */
		term(w, WORKER_CLOSED, tool_now_ms());
		return;
	}
	if (w->ioff == w->ilen)
		ibuf_done(w);
}

/* One whole output record buf[0, len): the oldest request's reply. */
static int
record(struct worker *w, const char *buf, size_t len)
{
	const struct udg_msg *req = reqq_at(w->pending, 0);

	if (req != NULL && w->skipping)
		w->c.lost(w->c.arg, req, WORKER_TOOBIG);
	else if (w->c.reply(w->c.arg, req, req != NULL ?
	    reqq_tag(w->pending, 0) : 0, buf, len) == -1)
		return -1;
	w->skipping = 0;
	if (req != NULL)
		reqq_remove(w->pending, 0);
	return 0;
}

/* Split what has been read into records; keep an unfinished one. */
static void
split(struct worker *w, size_t from)
{
	size_t done = 0;
	char *p;

	while (!w->stalled && (p = memchr(w->obuf + from, w->c.sep,
	    w->olen - from)) != NULL) {
		if (record(w, w->obuf + done, (size_t)(p - w->obuf) -
		    done) == -1) {
			w->stalled = 1;
			w->stalled_at = tool_now_ms();
			break;
		}
		done = from = (size_t)(p - w->obuf) + 1;
	}
	if (done > 0) {
		memmove(w->obuf, w->obuf + done, w->olen - done);
		w->olen -= done;
	} else if (!w->stalled && w->olen == w->c.maxreply + 1) {
		/* Longer than any reply can be: never sent cut. */
		w->skipping = 1;
		w->olen = 0;
	}
}

/*
 * Take up the replies again.  The time they were not taken is not the
 * worker's: it had answered, and what it wrote next waited in the pipe
 * unread, so the time limits are moved on by as much.
 */
void
worker_resume(struct worker *w, int64_t now)
{
	if (!w->stalled)
		return;
	w->stalled = 0;
	if (now > w->stalled_at)
		reqq_postpone(w->pending, now - w->stalled_at);
	split(w, 0);
}

/* Read its stdout once: 1 if it gave bytes, 0 at its end, -1 for later. */
static int
read_out(struct worker *w)
{
	ssize_t n;
	size_t from = w->olen;

	if (w->stalled)
		return -1;
	n = read(w->out, w->obuf + w->olen, w->c.maxreply + 1 - w->olen);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return -1;
	if (n <= 0) {
		close_fd(&w->out);
		return 0;
	}
	w->olen += (size_t)n;
	split(w, from);
	return 1;
}

/* The fds to poll. */
int
worker_pollfds(const struct worker *w, struct pollfd *pfd, int max)
{
	int n = 0;

	if (w->in != -1 && w->ioff < w->ilen && n < max) {
		pfd[n].fd = w->in;
		pfd[n].events = POLLOUT;
		pfd[n++].revents = 0;
	}
	if (w->out != -1 && !w->stalled && n < max) {
		pfd[n].fd = w->out;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	return n;
}

/* Act on the pipes. */
void
worker_events(struct worker *w, const struct pollfd *pfd, int n,
    int64_t now)
{
	int i;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].fd == w->in && w->in != -1)
			worker_flush(w);
		else if (pfd[i].fd == w->out && w->out != -1 &&
		    read_out(w) == 0 && w->state == W_RUNNING)
			term(w, WORKER_CLOSED, now);
	}
}

/* The delay before the next start, after a worker that lived lived ms. */
static int
next_backoff(struct worker *w, int64_t lived, enum worker_why why)
{
	int d;

	if (lived >= WORKER_QUICK_MS) {
		w->backoff_ms = WORKER_BACKOFF_MIN_MS;
		w->quick = 0;
	} else if (why != WORKER_TIMEDOUT) {
		w->quick++;
	}
	if (w->quick >= WORKER_TRIES)
		return -1;
	d = w->backoff_ms;
	w->backoff_ms = d * 2 > WORKER_BACKOFF_MAX_MS ? WORKER_BACKOFF_MAX_MS :
	    d * 2;
	return d;
}

/* The worker is gone: report it, its lost requests; plan what is next. */
static void
over(struct worker *w, int64_t now)
{
	struct worker_end e;
	const struct udg_msg *req;

	memset(&e, 0, sizeof(e));
	e.why = w->why;
	e.status = -1;
	/* Closing a pipe and exiting look alike for a moment. */
	if (w->why == WORKER_CLOSED && WIFEXITED(w->wstatus))
		e.why = WORKER_EXITED;
	if (e.why == WORKER_EXITED && WIFEXITED(w->wstatus))
		e.status = WEXITSTATUS(w->wstatus);
	else if (e.why == WORKER_EXITED && WIFSIGNALED(w->wstatus)) {
		e.why = WORKER_SIGNALED;
		e.status = WTERMSIG(w->wstatus);
	}
	e.lived_ms = now - w->start;
	e.unanswered = reqq_len(w->pending);
	while ((req = reqq_at(w->pending, 0)) != NULL) {
		w->c.lost(w->c.arg, req, e.why);
		reqq_remove(w->pending, 0);
	}
	if (w->stopping) {
		w->state = W_STOPPED;
		e.restart_ms = -1;
	} else if ((e.restart_ms = next_backoff(w, e.lived_ms, e.why)) < 0) {
		w->state = W_FAILED;
	} else {
		w->state = W_WAITING;
		w->restart_at = now + e.restart_ms;
	}
	w->c.ended(w->c.arg, &e);
}

/* Collect it if it exited. */
void
worker_reap(struct worker *w, int64_t now)
{
	pid_t r;

	if (w->pid <= 0)
		return;
	r = waitpid(w->pid, &w->wstatus, WNOHANG);
	if (r != w->pid && !(r == -1 && errno == ECHILD))
		return;
	/*
	 * What it wrote before it went is in the pipe; whatever it left
	 * in its group is killed first, so that the pipe has an end.
	 */
	(void)kill(-w->pid, SIGKILL);
	while (w->out != -1 && read_out(w) == 1)
		;
	close_fd(&w->out);
	close_fd(&w->in);
	w->pid = 0;
	w->ilen = w->ioff = 0;
	w->full = 0;
	if (w->state == W_RUNNING)
		w->state = W_ENDING;
	over(w, now);
}

/* Time to the next deadline. */
int
worker_next_ms(const struct worker *w, int64_t now)
{
	int64_t next = 0;

	/* while its replies are not read, no time limit runs */
	if (w->state == W_RUNNING && reqq_len(w->pending) > 0 && !w->stalled)
		next = reqq_deadline(w->pending, 0);
	else if (w->state == W_ENDING)
		next = w->kill_at;
	else if (w->state == W_WAITING)
		next = w->restart_at > 0 ? w->restart_at : now;
	if (next == 0)
		return -1;
	return next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next -
	    now);
}

/* Act on the deadlines. */
void
worker_tick(struct worker *w, int64_t now)
{
	int64_t d;

	switch (w->state) {
	case W_RUNNING:
		d = reqq_deadline(w->pending, 0);
		if (reqq_len(w->pending) > 0 && !w->stalled && d != 0 &&
		    now >= d)
			term(w, WORKER_TIMEDOUT, now);
		break;
	case W_ENDING:
		if (w->kill_at != 0 && now >= w->kill_at) {
			(void)kill(-w->pid, SIGKILL);
			w->kill_at = 0;
		}
		break;
	case W_WAITING:
		if (now < w->restart_at)
			break;
		if (start(w, now) == 0)
			break;
		/* Not even started: a death at start, as far as trying goes. */
		w->start = now;
		w->why = WORKER_EXITED;
		w->wstatus = 127 << 8;
		over(w, now);
		break;
	default:
		break;
	}
}

/* End it for good. */
void
worker_stop(struct worker *w, int64_t now)
{
	w->stopping = 1;
	if (w->state == W_RUNNING)
		term(w, WORKER_STOPPED, now);
	else if (w->state == W_WAITING || w->state == W_FAILED)
		w->state = W_STOPPED;
}
