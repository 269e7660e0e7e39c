/*
 * forward.c - send accepted datagrams on, with bounded back-pressure.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"
#include "tool.h"

static void	dequeue(struct fwd *);

/* What a send attempt found. */
enum try { TRY_SENT, TRY_FULL, TRY_GONE, TRY_FAILED };

struct fwd_item {
	char	*buf;
	size_t	 len;
};

struct fwd {
	struct fwd_conf	 conf;
	struct udg	*u;
	char		 vpath[TOOL_VISPATH];
	int		 connected;
	int		 stalled;	/* a wait ran out: try each once */
	int		 full;		/* the last try found it full */
	int		 looped;	/* fwd_came_back() has said so */
	int64_t		 deadline;	/* of the queue's wait */
	struct fwd_item	*q;
	int		 qhead, qlen;
	char		*fmtbuf;	/* RFC 5424 output */
	size_t		 fmtsize;
	unsigned long long sent, dropped, unreported;
	int		 lasterr;
	int64_t		 lastwarn;
};

/* Open the forwarder's own socket and try to connect to the target. */
struct fwd *
fwd_open(const struct fwd_conf *conf)
{
	struct fwd *f;

	if (conf->queue_max < 1 || conf->wait_ms < 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->conf = *conf;
	(void)tool_vis(f->vpath, sizeof(f->vpath), conf->path,
	    strlen(conf->path));
	f->fmtsize = conf->maxlen + RFC5424_OVERHEAD;
	f->q = calloc((size_t)conf->queue_max, sizeof(*f->q));
	if (f->q == NULL || (conf->format == FWD_RFC5424 &&
	    (f->fmtbuf = malloc(f->fmtsize)) == NULL) ||
	    (f->u = udg_client(NULL, UDG_NONBLOCK)) == NULL) {
		fwd_close(f);
		return NULL;
	}
	if (udg_connect(f->u, conf->path) == 0)
		f->connected = 1;
	else
		warn("forward to %s (will retry)", f->vpath);
	return f;
}

/* See forward.h. */
void
fwd_finish(struct fwd *f)
{
	unsigned long long n = 0;

	if (f == NULL)
		return;
	/* no queue (fwd_open() failed making it): nothing in it */
	while (f->q != NULL && f->qlen > 0) {
		dequeue(f);
		n++;
	}
	f->dropped += n;
	f->unreported += n;
	if (f->unreported == 0)
		return;
	warnx("forward to %s: %llu datagram%s dropped: %s", f->vpath,
	    f->unreported, f->unreported == 1 ? "" : "s", f->lasterr != 0 ?
	    strerror(f->lasterr) : "the target took none before the exit");
	f->unreported = 0;
}

/* Free the queue's buffers and everything else. */
void
fwd_close(struct fwd *f)
{
	if (f == NULL)
		return;
	fwd_finish(f);
	free(f->q);
	free(f->fmtbuf);
	(void)udg_close(f->u);
	free(f);
}

/* Count a dropped datagram; warn about drops at most once a second. */
static void
drop(struct fwd *f, int e, int64_t now_ms, unsigned long long n)
{
	f->dropped += n;
	f->unreported += n;
	f->lasterr = e;
	if (f->lastwarn != 0 && now_ms - f->lastwarn < 1000)
		return;
	f->lastwarn = now_ms;
	errno = f->lasterr;
	warn("forward to %s: %llu datagram%s dropped", f->vpath,
	    f->unreported, f->unreported == 1 ? "" : "s");
	f->unreported = 0;
}

/* See forward.h.  A loop caught here is one datagram, not one a turn. */
int
fwd_came_back(struct fwd *f, const struct udg_msg *m)
{
	const char *own = udg_path(f->u);

	if (m->peer_type != UDG_PEER_PATH || own == NULL ||
	    strcmp(m->peer, own) != 0)
		return 0;
	f->dropped++;
	if (!f->looped)
		warnx("forward to %s: a datagram came back from it: it is "
		    "this listener's own socket; what comes back is dropped",
		    f->vpath);
	f->looped = 1;
	return 1;
}

/* Try to send buf[0, len) once. */
static enum try
try_send(struct fwd *f, const void *buf, size_t len, int *e)
{
	if (!f->connected) {
		if (udg_connect(f->u, f->conf.path) == -1) {
			*e = errno;
			return TRY_GONE;
		}
		f->connected = 1;
	}
	if (udg_send(f->u, buf, len) == 0) {
		f->stalled = f->full = 0;
		return TRY_SENT;
	}
	*e = errno;
	switch (*e) {
	case EAGAIN:
		f->full = 1;
		return TRY_FULL;
	case ECONNREFUSED:
	case ENOTCONN:
	case ENOENT:
		f->connected = f->full = 0;	/* restarted: connect again */
		return TRY_GONE;
	default:
		return TRY_FAILED;		/* EMSGSIZE...: this one only */
	}
}

/* Keep a copy of buf[0, len) at the queue's tail; 0, or -1 if full. */
static int
enqueue(struct fwd *f, const void *buf, size_t len)
{
	struct fwd_item *it;

	if (f->qlen == f->conf.queue_max)
		return -1;
	it = &f->q[(f->qhead + f->qlen) % f->conf.queue_max];
	if ((it->buf = malloc(len > 0 ? len : 1)) == NULL)
		return -1;
	memcpy(it->buf, buf, len);
	it->len = len;
	f->qlen++;
	return 0;
}

/* Drop the queue's head. */
static void
dequeue(struct fwd *f)
{
	free(f->q[f->qhead].buf);
	f->q[f->qhead].buf = NULL;
	f->qhead = (f->qhead + 1) % f->conf.queue_max;
	f->qlen--;
}

/* Forward m now, or queue it behind the others. */
void
fwd_send(struct fwd *f, const struct udg_msg *m,
    const struct rfc5424_ident *id, const struct timespec *now,
    int64_t now_ms)
{
	struct rfc5424_ctx ctx;
	const char *buf = m->buf;
	size_t len = m->len;
	ssize_t n;
	int e = 0;

	if (f->conf.format == FWD_RFC5424) {
		ctx.host = f->conf.host;
		ctx.sdid = f->conf.sdid;
		ctx.now = *now;
		n = rfc5424_format(f->fmtbuf, f->fmtsize, m->buf, m->len, id,
		    &ctx);
		if (n == -1) {
			drop(f, errno, now_ms, 1);
			return;
		}
		buf = f->fmtbuf;
		len = (size_t)n;
	}
	if (f->qlen == 0) {
		switch (try_send(f, buf, len, &e)) {
		case TRY_SENT:
			f->sent++;
			return;
		case TRY_FAILED:
			drop(f, e, now_ms, 1);
			return;
		default:
			if (f->stalled) {
				drop(f, e, now_ms, 1);
				return;
			}
			f->deadline = now_ms + f->conf.wait_ms;
			f->lasterr = e;
			break;
		}
	}
	if (enqueue(f, buf, len) == -1)
		drop(f, ENOBUFS, now_ms, 1);
}

/* Datagrams waiting for the target. */
int
fwd_queued(const struct fwd *f)
{
	return f->qlen;
}

/* POLLOUT on the connected socket while a full target holds the queue. */
int
fwd_pollfd(const struct fwd *f, struct pollfd *pfd)
{
	if (f->qlen == 0 || !f->connected || !f->full)
		return 0;
	pfd->fd = udg_fd(f->u);
	pfd->events = POLLOUT;
	pfd->revents = 0;
	return 1;
}

/* The queue's deadline, and the next reconnect while the target is gone. */
int
fwd_next_ms(const struct fwd *f, int64_t now_ms)
{
	int64_t t;

	if (f->qlen == 0)
		return -1;
	t = f->deadline - now_ms;
	if (!f->full && t > FWD_RETRY_MS)
		t = FWD_RETRY_MS;
	return t < 0 ? 0 : (int)t;
}

/* Send what the target takes; drop the rest once the wait is over. */
void
fwd_run(struct fwd *f, int64_t now_ms)
{
	enum try r;
	int e = 0;

	while (f->qlen > 0) {
		r = try_send(f, f->q[f->qhead].buf, f->q[f->qhead].len, &e);
		if (r == TRY_SENT) {
			f->sent++;
			dequeue(f);
			f->deadline = now_ms + f->conf.wait_ms;
			continue;
		}
		if (r == TRY_FAILED) {
			drop(f, e, now_ms, 1);
			dequeue(f);
			continue;
		}
		if (now_ms < f->deadline)
			return;
		drop(f, e, now_ms, (unsigned long long)f->qlen);
		while (f->qlen > 0)
			dequeue(f);
		f->stalled = 1;
	}
}

/* Datagrams the target got. */
unsigned long long
fwd_sent(const struct fwd *f)
{
	return f->sent;
}

/* Datagrams dropped: after the wait, refused for good, or no memory. */
unsigned long long
fwd_dropped(const struct fwd *f)
{
	return f->dropped;
}
