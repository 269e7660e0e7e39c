/*
 * io.c - sending and receiving datagrams, one at a time or in batches.
 *
 * A datagram is a message: it goes whole or not at all, so a send or
 * receive interrupted by a signal (EINTR) did nothing and is simply
 * retried.  MSG_NOSIGNAL keeps SIGPIPE away from the caller.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udg-int.h"

/* Per-datagram receive scratch: the control data. */
struct slot {
	union {
		struct cmsghdr	 align;
		unsigned char	 buf[UDG_CTLBUF_SIZE];
	}			 ctl;
};

/*
 * A udg_msg begins as an iovec does, so a header's msg_iov points at the
 * caller's message itself: the kernel reads buf and size from there, and
 * nothing has to be copied per datagram.
 */
_Static_assert(offsetof(struct udg_msg, buf) ==
    offsetof(struct iovec, iov_base), "udg_msg.buf is not an iov_base");
_Static_assert(offsetof(struct udg_msg, size) ==
    offsetof(struct iovec, iov_len), "udg_msg.size is not an iov_len");
_Static_assert(sizeof(((struct udg_msg *)0)->size) ==
    sizeof(((struct iovec *)0)->iov_len), "udg_msg.size is not a size_t");

/*
 * The endpoint's receive scratch.  Each header points at its slot from
 * the time the scratch is made, and keeps the full room for address and
 * control data except while the kernel fills it: a receive only resets
 * the lengths of the headers the kernel wrote.  Payload and address go
 * straight into the messages of the caller's array msgs (its first
 * nmsgs), which the headers point at until another array comes.
 */
struct rx {
	uintptr_t		 msgs;
	int			 nmsgs;
	struct mmsghdr		 hdr[UDGI_BATCH];
	struct slot		 slot[];
};

/* Send one datagram to an address (NULL: the connected peer). */
static int
send_one(struct udg *u, const struct sockaddr_un *sun, socklen_t len,
    const void *buf, size_t size)
{
	ssize_t r;

	do
		r = sendto(u->fd, buf, size, MSG_NOSIGNAL,
		    (const struct sockaddr *)sun, sun != NULL ? len : 0);
	while (r == -1 && errno == EINTR);
	return r == -1 ? -1 : 0;
}

/* Send one datagram to the endpoint bound at path. */
int
udg_sendto(struct udg *u, const char *path, const void *buf, size_t len)
{
	struct sockaddr_un sun;
	socklen_t sl;

	if (udgi_addr_path(&sun, &sl, path) == -1)
		return -1;
	return send_one(u, &sun, sl, buf, len);
}

/*
 * Fix the destination of later udg_send() and udg_sendv() calls: the kernel
 * then resolves the path once, not per datagram.  NULL dissolves it.
 */
int
udg_connect(struct udg *u, const char *path)
{
	struct sockaddr_un sun;
	socklen_t sl;
	int r;

	if (path == NULL) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNSPEC;
		sl = sizeof(sun.sun_family);
	} else if (udgi_addr_path(&sun, &sl, path) == -1)
		return -1;
	do
		r = connect(u->fd, (struct sockaddr *)&sun, sl);
	while (r == -1 && errno == EINTR);
	return r;
}

/* Send one datagram to the connected peer. */
int
udg_send(struct udg *u, const void *buf, size_t len)
{
	return send_one(u, NULL, 0, buf, len);
}

/*
 * Send up to n datagrams, one per iovec, to the connected peer.  Returns
 * how many went (a short count means the next one failed: call again to
 * see why), or -1 if the first one could not be sent.
 */
int
udg_sendv(struct udg *u, const struct iovec *dgrams, int n)
{
	struct mmsghdr hdr[UDGI_BATCH];
	int i, k, r, done = 0;

	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	while (done < n) {
		k = n - done < UDGI_BATCH ? n - done : UDGI_BATCH;
		memset(hdr, 0, sizeof(hdr[0]) * (size_t)k);
		for (i = 0; i < k; i++) {
			hdr[i].msg_hdr.msg_iov = (struct iovec *)(uintptr_t)
			    &dgrams[done + i];
			hdr[i].msg_hdr.msg_iovlen = 1;
		}
		do
			r = sendmmsg(u->fd, hdr, (unsigned int)k, MSG_NOSIGNAL);
		while (r == -1 && errno == EINTR);
		if (r == -1)
			return done > 0 ? done : -1;
		done += r;
		if (r < k)
			break;
	}
	return done;
}

/* Answer the sender of a received datagram. */
int
udg_reply(struct udg *u, const struct udg_msg *to, const void *buf, size_t len)
{
	struct sockaddr_un sun;
	socklen_t sl;

	if (udgi_addr_msg(&sun, &sl, to) == -1)
		return -1;
	return send_one(u, &sun, sl, buf, len);
}

/* Give header i the full room of its slot. */
static inline void
rearm(struct rx *rx, int i)
{
	rx->hdr[i].msg_hdr.msg_namelen = UDGI_ADDR_ROOM;
	rx->hdr[i].msg_hdr.msg_controllen = sizeof(rx->slot[i].ctl.buf);
}

/* Point header i at its slot, for good. */
static void
build(struct rx *rx, int i)
{
	struct msghdr *h = &rx->hdr[i].msg_hdr;

	memset(h, 0, sizeof(*h));
	h->msg_iovlen = 1;
	h->msg_control = rx->slot[i].ctl.buf;
	rearm(rx, i);
}

/* Make room for n receive slots, reusing what earlier calls allocated. */
static struct rx *
scratch(struct udg *u, int n)
{
	struct rx *rx;
	int i;

	if (n <= u->nscratch)
		return u->scratch;
	if ((rx = realloc(u->scratch, offsetof(struct rx, slot) +
	    (size_t)n * sizeof(rx->slot[0]))) == NULL)
		return NULL;
	/* realloc may have moved it: every pointer into it is rebuilt */
	for (i = 0; i < n; i++)
		build(rx, i);
	rx->msgs = 0;
	rx->nmsgs = 0;
	u->scratch = rx;
	u->nscratch = n;
	return rx;
}

/* Point the first n headers at the caller's messages m. */
static inline void
prepare(struct rx *rx, struct udg_msg *m, int n)
{
	int i;

	if (rx->msgs == (uintptr_t)m && rx->nmsgs >= n)
		return;
	for (i = 0; i < n; i++) {
		rx->hdr[i].msg_hdr.msg_iov = (struct iovec *)(void *)&m[i];
		rx->hdr[i].msg_hdr.msg_name = udgi_addr_name(&m[i]);
	}
	rx->msgs = (uintptr_t)m;
	rx->nmsgs = n;
}

/* The size callers' arrays were compiled with: growth uses reserved. */
#if __SIZEOF_POINTER__ == 8 && __SIZEOF_LONG__ == 8
_Static_assert(sizeof(struct udg_msg) == 256, "struct udg_msg changed size");
#endif

/* Zero a message and point it at a payload buffer. */
void
udg_msg_init(struct udg_msg *m, void *buf, size_t size)
{
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->size = size;
	m->pidfd = -1;
}

/*
 * Start a receive: the pidfds lent by the previous one are closed, and
 * messages filled from now on carry a new generation.
 */
static void
begin(struct udg *u)
{
	if (u->nheld > 0)
		udgi_release(u);
	u->recvgen++;
}

/*
 * Fill a udg_msg from what the kernel said about the datagram it put in
 * slot i, and give the slot its full room back.
 */
static inline void
finish(struct udg *u, struct udg_msg *m, struct rx *rx, int i,
    size_t reallen)
{
	const struct msghdr *h = &rx->hdr[i].msg_hdr;
	int flags = 0;

	m->reallen = reallen;
	m->len = reallen;
	if (reallen > m->size) {
		m->len = m->size;
		flags = UDG_MSG_TRUNC;
	}
	if (h->msg_flags & MSG_TRUNC)
		flags = UDG_MSG_TRUNC;
	m->flags = flags;
	udgi_addr_peer(m, h->msg_namelen);
	udgi_cred_parse(u, m, h->msg_control, h->msg_controllen, h->msg_flags);
	rearm(rx, i);
}

/*
 * Datagrams that came without the kernel's time (an old kernel, or one
 * queued before the option took) get the time they were received.
 */
static void
stamp(const struct udg *u, struct udg_msg *m, int n)
{
	struct timespec now;
	int i, have = 0;

	if (!(u->flags & UDG_TIMESTAMP))
		return;
	for (i = 0; i < n; i++) {
		if (m[i].flags & UDG_MSG_KTIME)
			continue;
		if (!have && clock_gettime(CLOCK_REALTIME, &now) == 0)
			have = 1;
		if (have)
			m[i].time = now;
	}
}

/*
 * Receive one datagram into m.  Returns its real length, which is larger
 * than m->size when it was truncated (UDG_MSG_TRUNC), or -1.
 */
ssize_t
udg_recv(struct udg *u, struct udg_msg *m)
{
	struct rx *rx;
	ssize_t r;

	if ((rx = scratch(u, 1)) == NULL)
		return -1;
	begin(u);
	prepare(rx, m, 1);
	do
		r = recvmsg(u->fd, &rx->hdr[0].msg_hdr,
		    MSG_TRUNC | MSG_CMSG_CLOEXEC);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		return -1;
	finish(u, m, rx, 0, (size_t)r);
	stamp(u, m, 1);
	return r;
}

/*
 * Receive up to n datagrams: wait for the first (unless non-blocking), then
 * take whatever else is queued.  Returns how many, or -1.
 */
int
udg_recvv(struct udg *u, struct udg_msg *m, int n)
{
	struct rx *rx;
	int i, r;

	if (n <= 0) {
		errno = EINVAL;
		return -1;
	}
	if (n > UDGI_BATCH)
		n = UDGI_BATCH;
	if ((rx = scratch(u, n)) == NULL)
		return -1;
	begin(u);
	prepare(rx, m, n);
	do
		r = recvmmsg(u->fd, rx->hdr, (unsigned int)n,
		    MSG_TRUNC | MSG_CMSG_CLOEXEC | MSG_WAITFORONE, NULL);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		return -1;
	for (i = 0; i < r; i++)
		finish(u, &m[i], rx, i, rx->hdr[i].msg_len);
	stamp(u, m, r);
	return r;
}

/*
 * Wait until a datagram can be read, at most timeout_ms (-1: forever).
 * sigmask is installed while waiting, as ppoll(2) does, so a caller can
 * keep its signals blocked except here.  1 ready, 0 timed out, -1 (EINTR
 * when a signal arrived: unlike send and receive, this is not retried).
 */
int
udg_wait(struct udg *u, int timeout_ms, const sigset_t *sigmask)
{
	struct pollfd pfd;
	struct timespec ts, *tsp = NULL;
	int r;

	pfd.fd = u->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	r = ppoll(&pfd, 1, tsp, sigmask);
	if (r > 0)
		return 1;
	return r;
}
