/*
 * cred.c - sender credentials and passed descriptors: the OS-specific part.
 *
 * Linux: SO_PASSCRED makes the kernel attach SCM_CREDENTIALS (pid, uid,
 * gid) to every datagram, whatever the sender did; an unprivileged sender
 * cannot claim anyone else's.  It must be on before bind(2), or datagrams
 * queued before it was set arrive without real credentials.  A BSD port
 * (LOCAL_CREDS_PERSISTENT / SCM_CREDS2) belongs here and nowhere else.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "udg-int.h"

/* Ask the kernel to attach credentials to every datagram received on s. */
int
udg_cred_enable(int s)
{
	int on = 1;

	return setsockopt(s, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
}

/* Close every descriptor of an SCM_RIGHTS message: never leak a sender's fds. */
static void
close_rights(struct cmsghdr *c)
{
	const unsigned char *p = CMSG_DATA(c);
	size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int), i;
	int fd;

	for (i = 0; i < n; i++) {
		memcpy(&fd, p + i * sizeof(int), sizeof(fd));
		(void)close(fd);
	}
}

/*
 * Read the control data of one received datagram into m: credentials in,
 * descriptors closed, truncation reported.  msgflags are recvmsg's flags.
 */
void
udg_cred_parse(struct udg_msg *m, void *ctl, size_t ctllen, int msgflags)
{
	struct msghdr h;
	struct cmsghdr *c;
	struct ucred uc;
	int gotcred = 0;

	m->pid = (pid_t)-1;
	m->uid = (uid_t)-1;
	m->gid = (gid_t)-1;
	memset(&h, 0, sizeof(h));
	h.msg_control = ctl;
	h.msg_controllen = ctllen;
	for (c = CMSG_FIRSTHDR(&h); c != NULL; c = CMSG_NXTHDR(&h, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS) {
			close_rights(c);
			m->flags |= UDG_MSG_FDS;
		} else if (c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(uc))) {
			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			m->pid = uc.pid;
			m->uid = uc.uid;
			m->gid = uc.gid;
			gotcred = 1;
		}
	}
	if (msgflags & MSG_CTRUNC) {
		/* The kernel drops, and closes, the fds that did not fit. */
		m->flags |= UDG_MSG_CTRUNC;
	}
	if (!gotcred)
		m->flags |= UDG_MSG_NOCRED;
}
