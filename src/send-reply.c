/*
 * send-reply.c - udg-send -r: the reply to each request.
 *
 * A reply is taken only from the socket we are connected to: the kernel
 * delivers nothing else to a connected datagram socket, what was queued
 * before the request went out is thrown away, and the sender's address is
 * checked against the peer's.  That is what makes it safe to open our
 * socket to the listener's user when that is someone else.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "send-peer.h"
#include "send-reply.h"
#include "send-wait.h"
#include "tool.h"

#define CHECK_MS	100		/* how often the peer is checked */
#define REPLY_MODE	0622		/* our socket, for another user */

/* Buffers for replies from vdest, ms each at most. */
int
send_reply_init(struct send_reply *r, const char *vdest, int ms)
{
	struct stat st;
	int fd;

	memset(r, 0, sizeof(*r));
	r->vdest = vdest;
	r->ms = ms;
	r->fd = STDOUT_FILENO;
	if (fstat(STDOUT_FILENO, &st) == -1)
		return -1;
	/*
	 * O_NONBLOCK on fd 1 itself would change the file for everyone who
	 * shares it (the shell, the other commands of a pipeline).  Without
	 * /proc, or with no reader (ENXIO), fd 1 is used as it is.
	 */
	if (S_ISFIFO(st.st_mode) && (fd = open("/proc/self/fd/1",
	    O_WRONLY | O_NONBLOCK | O_CLOEXEC)) != -1)
		r->fd = fd;
	return 0;
}

/* 1 if the listener at dest runs as another user: dest is theirs. */
int
send_reply_foreign(const char *dest)
{
	struct stat st;

	return stat(dest, &st) == 0 && st.st_uid != geteuid();
}

/* Note who u is connected to; open our socket to them if need be. */
void
send_reply_connected(struct send_reply *r, struct udg *u, const char *dest)
{
	r->u = u;
	r->peerlen = sizeof(r->peer);
	if (getpeername(udg_fd(u), (struct sockaddr *)&r->peer,
	    &r->peerlen) == -1)
		err(EX_OSERR, "%s: getpeername", r->vdest);
	/*
	 * A listener running as another user cannot write to a socket only
	 * we may write to.  Connected, ours takes datagrams from it alone.
	 */
	if (send_reply_foreign(dest) &&
	    udg_set_perm(u, REPLY_MODE, (uid_t)-1, (gid_t)-1) == -1)
		err(EX_OSERR, "%s: chmod", udg_path(u));
}

/* Did m come from the socket we are connected to? */
static int
from_peer(const struct send_reply *r, const struct udg_msg *m)
{
	size_t off = offsetof(struct sockaddr_un, sun_path), n;

	if (m->peer_type != UDG_PEER_PATH || r->peerlen <= off)
		return 0;
	n = strnlen(r->peer.sun_path, r->peerlen - off);
	return n == m->peer_len && memcmp(r->peer.sun_path, m->peer, n) == 0;
}

/* Take one datagram: 1 if it is a reply, 0 if ignored, -1 if none. */
static int
take(struct send_reply *r, struct udg_msg *m)
{
	udg_msg_init(m, r->buf, r->size);
	if (udg_recv(r->u, m) == -1) {
		if (errno == EAGAIN)
			return -1;
		if (errno == EINTR)
			return 0;
		err(tool_exitcode(errno), "%s: receive", r->vdest);
	}
	if (!from_peer(r, m)) {
		r->nignored++;
		return 0;
	}
	return 1;
}

/* Throw away what is queued: nothing sent before this request is its
 * reply (a late answer to an earlier request on a reused -b path). */
void
send_reply_drain(struct send_reply *r)
{
	struct udg_msg m;
	int k;

	if (r->buf == NULL) {
		r->size = tool_max_recv();
		if ((r->buf = tool_slots_alloc(1, r->size)) == NULL)
			err(EX_OSERR, "reply buffer");
	}
	while (udg_wait(r->u, 0, NULL) == 1 && (k = take(r, &m)) >= 0)
		if (k == 1)
			r->nignored++;
}

/*
 * Copy a reply to stdout with a newline, waiting for a full pipe in poll;
 * a reader that has gone ends us quietly, as a filter ends.
 */
static void
print_reply(struct send_reply *r, size_t len)
{
	static char nl[] = "\n";
	struct iovec iov[2], *v = iov;
	int left = 2;
	ssize_t n;

	iov[0].iov_base = r->buf;
	iov[0].iov_len = len;
	iov[1].iov_base = nl;
	iov[1].iov_len = 1;
	while (left > 0) {
		if ((n = writev(r->fd, v, left)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN &&
			    send_wait(r->fd, POLLOUT, -1) != -1)
				continue;
			if (errno == EPIPE)
				send_die(SIGPIPE);
			err(EX_IOERR, "stdout");
		}
		for (; left > 0 && (size_t)n >= v->iov_len; v++, left--)
			n -= (ssize_t)v->iov_len;
		if (left > 0) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= (size_t)n;
		}
	}
}

/* Wait up to slice ms for a datagram: 1 if one came, 0 if not; exit 69
 * if the listener has gone. */
static int
await_some(struct send_reply *r, int slice, unsigned long long nsent)
{
	int k;

	if ((k = send_wait(udg_fd(r->u), POLLIN, slice)) == -1)
		err(EX_OSERR, "%s: wait", r->vdest);
	if (k == 0 && send_peer_alive(udg_fd(r->u)) == 0)
		errx(EX_UNAVAILABLE, "%s: the listener went away without "
		    "replying (got %llu of %llu)", r->vdest, r->nreplies,
		    nsent);
	return k;
}

/* Wait for one reply from the peer and copy it to stdout. */
void
send_reply_await(struct send_reply *r, unsigned long long nsent)
{
	struct udg_msg m;
	int64_t end = tool_now_ms() + r->ms, left;
	char vis[TOOL_VISPATH];
	int slice;

	for (;;) {
		slice = CHECK_MS;
		if (r->ms > 0) {
			if ((left = end - tool_now_ms()) <= 0)
				errx(EX_TEMPFAIL, "timed out waiting for a "
				    "reply from %s after %d.%03d s (got %llu "
				    "of %llu)", r->vdest, r->ms / 1000,
				    r->ms % 1000, r->nreplies, nsent);
			if (left < slice)
				slice = (int)left;
		}
		if (!await_some(r, slice, nsent) || take(r, &m) != 1)
			continue;
		if (m.flags & UDG_MSG_TRUNC)
			warnx("reply from %s truncated (%zu of %zu bytes)",
			    tool_peer_name(vis, sizeof(vis), &m), m.len,
			    m.reallen);
		print_reply(r, m.len);
		tool_slot_trim(r->buf, r->size, m.len, 64 * 1024);
		r->nreplies++;
		return;
	}
}

/* Close our own stdout (the reply buffer goes with the process). */
void
send_reply_free(struct send_reply *r)
{
	if (r->fd != STDOUT_FILENO)
		(void)close(r->fd);
	r->fd = STDOUT_FILENO;
}
