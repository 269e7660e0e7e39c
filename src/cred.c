/*
 * cred.c - what the kernel says about a sender: the OS-specific part.
 *
 * Linux: SO_PASSCRED makes the kernel attach SCM_CREDENTIALS (pid, uid,
 * gid) to every datagram, whatever the sender did; an unprivileged sender
 * cannot claim anyone else's.  SO_PASSPIDFD (6.5) adds a pidfd of the
 * sender, which pins the pid to that process; SO_TIMESTAMPNS the arrival
 * time; SO_PASSRIGHTS off (6.16) makes the kernel refuse passed fds at
 * the sender instead of queueing them for us to close.  All must be on
 * before bind(2), or datagrams queued before lack them.  Older kernels
 * say ENOPROTOOPT: the endpoint then works as before, and udg_flags()
 * says which options took.  A BSD port (LOCAL_CREDS_PERSISTENT /
 * SCM_CREDS2) belongs here and nowhere else.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "udg-int.h"

/* Kernel ABI constants newer than the headers we may be built with. */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD		76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD		0x04
#endif
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS		83
#endif
#ifndef SO_TIMESTAMPNS_OLD
#define SO_TIMESTAMPNS_OLD	35
#endif
#ifndef SO_TIMESTAMPNS_NEW
#define SO_TIMESTAMPNS_NEW	64
#endif

/*
 * Has the test suite switched a kernel feature off?  UDG_TEST_DISABLE is a
 * comma-separated list of pidfd, passrights and timestamp, so that the
 * fallbacks for older kernels can be tested on a new one.
 */
static int
disabled(const char *what)
{
	const char *s = secure_getenv("UDG_TEST_DISABLE");
	size_t n = strlen(what);

	if (s == NULL)
		return 0;
	for (;;) {
		if (strncmp(s, what, n) == 0 && (s[n] == '\0' || s[n] == ','))
			return 1;
		if ((s = strchr(s, ',')) == NULL)
			return 0;
		s++;
	}
}

/*
 * Set an int socket option wanted for flag, unless disabled by name:
 * 0 (the flag is granted or the kernel lacks the option) or -1.
 */
static int
grant(struct udg *u, int flag, const char *name, int opt, int val)
{
	if (!(u->flags & flag) || (u->granted & flag) || disabled(name))
		return 0;
	if (setsockopt(u->fd, SOL_SOCKET, opt, &val, sizeof(val)) == 0) {
		u->granted |= flag;
		return 0;
	}
	return errno == ENOPROTOOPT ? 0 : -1;
}

/* Switch on everything the endpoint receives with; before bind(2). */
int
udgi_recv_options(struct udg *u)
{
	int on = 1;

	u->granted = 0;
	if (setsockopt(u->fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == -1)
		return -1;
	if (grant(u, UDG_PIDFD, "pidfd", SO_PASSPIDFD, 1) == -1 ||
	    grant(u, UDG_REFUSE_FDS, "passrights", SO_PASSRIGHTS, 0) == -1)
		return -1;
	/* 64-bit seconds where the kernel has them (5.1), else native. */
	if (grant(u, UDG_TIMESTAMP, "timestamp", SO_TIMESTAMPNS_NEW, 1) == -1 ||
	    grant(u, UDG_TIMESTAMP, "timestamp", SO_TIMESTAMPNS_OLD, 1) == -1)
		return -1;
	return 0;
}

/* Close fds[0, n). */
static void
close_each(const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		(void)close(fds[i]);
}

/*
 * Close the pidfds the last receive handed out: they were only lent.  The
 * kernel installs them at the lowest free numbers, so a batch is usually
 * a run or a few of consecutive fds (a gap where the caller holds one),
 * each closed by one close_range(2); only exact runs, or it would close
 * a caller's fd lying in a gap.
 */
void
udgi_release(struct udg *u)
{
	int i, j;

	for (i = 0; i < u->nheld; i = j) {
		for (j = i + 1; j < u->nheld &&
		    u->held[j] == u->held[j - 1] + 1; j++)
			continue;
		if (j - i < 2 || close_range((unsigned int)u->held[i],
		    (unsigned int)u->held[j - 1], 0) == -1)
			close_each(u->held + i, j - i);
	}
	u->nheld = 0;
}

/*
 * Take a received message's pidfd out of the endpoint's hands: the caller
 * closes it.  EBADF if m has none, or it is from an earlier receive.
 */
int
udg_pidfd_take(struct udg *u, struct udg_msg *m)
{
	int i, fd = m->pidfd;

	if (fd == -1 || m->recvgen != u->recvgen)
		goto bad;
	for (i = 0; i < u->nheld; i++)
		if (u->held[i] == fd) {
			u->held[i] = u->held[--u->nheld];
			m->pidfd = -1;
			m->flags |= UDG_MSG_UNPINNED;
			return fd;
		}
bad:
	errno = EBADF;
	return -1;
}

/* Close every fd of an SCM_RIGHTS message: never leak a sender's fds. */
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

/* Lend the sender's pidfd to the caller until the next receive. */
static void
hold_pidfd(struct udg *u, struct udg_msg *m, struct cmsghdr *c)
{
	int fd;

	if (c->cmsg_len < CMSG_LEN(sizeof(fd)))
		return;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	if (m->pidfd != -1 || u->nheld >= UDGI_BATCH) {
		(void)close(fd);
		return;
	}
	u->held[u->nheld++] = fd;
	m->pidfd = fd;
}

/* The kernel's arrival time, in either of its layouts. */
static void
take_time(struct udg_msg *m, struct cmsghdr *c)
{
	int64_t t64[2];
	long tl[2];

	if (c->cmsg_type == SO_TIMESTAMPNS_NEW &&
	    c->cmsg_len >= CMSG_LEN(sizeof(t64))) {
		memcpy(t64, CMSG_DATA(c), sizeof(t64));
		m->time.tv_sec = (time_t)t64[0];
		m->time.tv_nsec = (long)t64[1];
	} else if (c->cmsg_type == SO_TIMESTAMPNS_OLD &&
	    c->cmsg_len >= CMSG_LEN(sizeof(tl))) {
		memcpy(tl, CMSG_DATA(c), sizeof(tl));
		m->time.tv_sec = (time_t)tl[0];
		m->time.tv_nsec = tl[1];
	} else
		return;
	m->flags |= UDG_MSG_KTIME;
}

/* The credentials of an SCM_CREDENTIALS message. */
static int
take_cred(struct udg_msg *m, struct cmsghdr *c)
{
	struct ucred uc;

	if (c->cmsg_len < CMSG_LEN(sizeof(uc)))
		return 0;
	memcpy(&uc, CMSG_DATA(c), sizeof(uc));
	m->pid = uc.pid;
	m->uid = uc.uid;
	m->gid = uc.gid;
	return 1;
}

/*
 * The header after c, or NULL: CMSG_NXTHDR's bounds checks, done inline
 * on the end of the block.  c's length is not trusted until checked: the
 * rest of the block must hold c, its padding and the next header.
 */
static inline struct cmsghdr *
next_cmsg(const unsigned char *end, struct cmsghdr *c)
{
	size_t left = (size_t)(end - (unsigned char *)c);
	size_t pad = (sizeof(size_t) - (c->cmsg_len & (sizeof(size_t) - 1))) &
	    (sizeof(size_t) - 1);
	size_t need = sizeof(struct cmsghdr) + pad;

	if (c->cmsg_len < sizeof(struct cmsghdr))
		return NULL;
	if (left < need || left - need < c->cmsg_len)
		return NULL;
	return (struct cmsghdr *)((unsigned char *)c + CMSG_ALIGN(c->cmsg_len));
}

/* Take one control message; 1 if it held credentials. */
static int
take_cmsg(struct udg *u, struct udg_msg *m, struct cmsghdr *c)
{
	if (c->cmsg_level != SOL_SOCKET)
		return 0;
	switch (c->cmsg_type) {
	case SCM_RIGHTS:
		close_rights(c);
		m->flags |= UDG_MSG_FDS;
		return 0;
	case SCM_CREDENTIALS:
		return take_cred(m, c);
	case SCM_PIDFD:
		hold_pidfd(u, m, c);
		return 0;
	case SO_TIMESTAMPNS_NEW:
	case SO_TIMESTAMPNS_OLD:
		take_time(m, c);
		return 0;
	default:
		return 0;
	}
}

/* Is c a whole SCM_CREDENTIALS message? */
static inline int
is_cred(const struct cmsghdr *c)
{
	return c->cmsg_len == CMSG_LEN(sizeof(struct ucred)) &&
	    c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS;
}

/* 1 if c is the kernel's 64-bit SO_TIMESTAMPNS_NEW message. */
static int
is_time64(const struct cmsghdr *c)
{
	return c->cmsg_len == CMSG_LEN(2 * sizeof(int64_t)) &&
	    c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS_NEW;
}

/* The time of a message is_time64() accepted. */
static inline void
take_time64(struct udg_msg *m, const struct cmsghdr *c)
{
	int64_t t64[2];

	memcpy(t64, CMSG_DATA(c), sizeof(t64));
	m->time.tv_sec = (time_t)t64[0];
	m->time.tv_nsec = (long)t64[1];
}

/* The time message, then credentials: the block under UDG_TIMESTAMP. */
#define TIME_CRED_SPACE	(CMSG_SPACE(2 * sizeof(int64_t)) + \
	CMSG_SPACE(sizeof(struct ucred)))

/*
 * Walk any control block: every message taken, credentials or not.  Out
 * of line, so that the common block does not pay for the registers the
 * walk needs.
 */
static void __attribute__((__noinline__))
walk(struct udg *u, struct udg_msg *m, void *ctl, size_t ctllen)
{
	unsigned char *end = (unsigned char *)ctl + ctllen;
	struct cmsghdr *c;
	int gotcred = 0;

	m->pid = (pid_t)-1;
	m->uid = (uid_t)-1;
	m->gid = (gid_t)-1;
	c = ctllen >= sizeof(struct cmsghdr) ? ctl : NULL;
	for (; c != NULL; c = next_cmsg(end, c))
		gotcred |= take_cmsg(u, m, c);
	if (!gotcred)
		m->flags |= UDG_MSG_NOCRED;
	if (m->pidfd == -1)
		m->flags |= UDG_MSG_UNPINNED;
}

/*
 * Read the control data of one received datagram into m: credentials,
 * pidfd and time in, passed descriptors closed, truncation reported.
 * msgflags are recvmsg's flags.
 */
void
udgi_cred_parse(struct udg *u, struct udg_msg *m, void *ctl, size_t ctllen,
    int msgflags)
{
	struct cmsghdr *c;

	m->pidfd = -1;
	m->time.tv_sec = 0;
	m->time.tv_nsec = 0;
	m->recvgen = u->recvgen;
	if (msgflags & MSG_CTRUNC) {
		/* The kernel drops, and closes, the fds that did not fit. */
		m->flags |= UDG_MSG_CTRUNC;
	}
	/*
	 * With only SO_PASSCRED on, the kernel attaches one SCM_CREDENTIALS
	 * message filling the block: nearly every datagram's, taken as is.
	 */
	if (ctllen == CMSG_SPACE(sizeof(struct ucred)) && is_cred(ctl)) {
		(void)take_cred(m, ctl);
		m->flags |= UDG_MSG_UNPINNED;
		return;
	}
	/* With SO_TIMESTAMPNS_NEW on too, the time comes first. */
	c = (struct cmsghdr *)((unsigned char *)ctl +
	    CMSG_SPACE(2 * sizeof(int64_t)));
	if (ctllen == TIME_CRED_SPACE && is_time64(ctl) && is_cred(c)) {
		take_time64(m, ctl);
		(void)take_cred(m, c);
		m->flags |= UDG_MSG_KTIME | UDG_MSG_UNPINNED;
		return;
	}
	walk(u, m, ctl, ctllen);
}
