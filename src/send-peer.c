/*
 * send-peer.c - is the peer of a connected datagram socket still there?
 *
 * Nothing on a connected AF_UNIX datagram socket changes when its peer
 * closes: poll(2) reports nothing, SO_ERROR stays 0 and getpeername(2)
 * still names it; only the next send fails.  A client waiting for a reply
 * must not send to find out (that would be a datagram), so it asks the
 * kernel's socket diagnostics (sock_diag(7), UNIX_DIAG_PEER): the inode of
 * a peer that was closed reads as 0.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "send-peer.h"

/* Ask sock_diag about socket inode ino; the answer goes to buf. */
static ssize_t
diag_query(uint32_t ino, void *buf, size_t size)
{
	struct {
		struct nlmsghdr		nlh;
		struct unix_diag_req	req;
	} q;
	ssize_t n;
	int nl, save_errno;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl == -1)
		return -1;
	memset(&q, 0, sizeof(q));
	q.nlh.nlmsg_len = sizeof(q);
	q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.nlh.nlmsg_flags = NLM_F_REQUEST;
	q.req.sdiag_family = AF_UNIX;
	q.req.udiag_states = UINT32_MAX;
	q.req.udiag_ino = ino;
	q.req.udiag_show = UDIAG_SHOW_PEER;
	q.req.udiag_cookie[0] = q.req.udiag_cookie[1] = UINT32_MAX;
	do
		n = send(nl, &q, sizeof(q), 0);
	while (n == -1 && errno == EINTR);
	/* The kernel answers within send(): never wait for it. */
	if (n != -1)
		do
			n = recv(nl, buf, size, MSG_DONTWAIT);
		while (n == -1 && errno == EINTR);
	save_errno = errno;
	(void)close(nl);
	errno = save_errno;
	return n;
}

/* The peer inode in one sock_diag answer: 0 gone, -1 no answer. */
static int64_t
peer_ino(struct nlmsghdr *h, size_t n)
{
	struct unix_diag_msg *dm;
	struct rtattr *a;
	int len;

	if (!NLMSG_OK(h, n) || h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*dm)))
		return -1;
	dm = NLMSG_DATA(h);
	a = (struct rtattr *)(void *)(dm + 1);
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*dm)));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == UNIX_DIAG_PEER &&
		    RTA_PAYLOAD(a) >= sizeof(uint32_t))
			return *(uint32_t *)RTA_DATA(a);
	return 0;		/* no peer at all: disconnected */
}

/* 1 if the socket fd is connected to is open, 0 if closed, -1 unknown. */
int
send_peer_alive(int fd)
{
	union {
		struct nlmsghdr	h;
		char		b[1024];
	} r;
	struct stat st;
	ssize_t n;
	int64_t ino;

	if (fstat(fd, &st) == -1 || st.st_ino > UINT32_MAX)
		return -1;
	if ((n = diag_query((uint32_t)st.st_ino, &r, sizeof(r))) <= 0)
		return -1;
	if ((ino = peer_ino(&r.h, (size_t)n)) == -1)
		return -1;
	return ino != 0;
}
