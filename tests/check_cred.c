/*
 * check_cred.c - sender credentials and passed descriptors.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "udg.h"
#include "common.h"

#define NOBODY		65534
#define NFDS		200	/* fds per datagram: more than any sane ctl buf */
#define FD_ROUNDS	100
#define FIRST_ROUNDS	50

/* Drop to uid/gid, groups and all: 0 or -1. */
static int
become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) == -1 || setgid(gid) == -1 ||
	    setuid(uid) == -1)
		return -1;
	return getuid() == uid && geteuid() == uid ? 0 : -1;
}

START_TEST(creds_of_forked_sender)
{
	struct udg *srv, *cli;
	struct udg_msg m;
	char buf[16];
	pid_t pid;

	srv = udg_server("srv", -1, 0);
	ck_assert_ptr_nonnull(srv);
	if ((pid = t_fork()) == 0) {
		if ((cli = udg_client("cli", 0)) == NULL ||
		    udg_sendto(cli, "srv", "me", 2) == -1)
			t_exit(1);
		t_exit(udg_close(cli) == 0 ? 0 : 2);
	}
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 2);
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert_int_eq(m.flags & UDG_MSG_NOCRED, 0);
	ck_assert_int_eq(m.pid, pid);
	ck_assert_int_ne(m.pid, getpid());
	ck_assert_uint_eq(m.uid, getuid());
	ck_assert_uint_eq(m.gid, getgid());
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* The kernel vouches even for a sender that attached nothing. */
START_TEST(creds_of_plain_raw_sender)
{
	struct udg *srv;
	struct udg_msg m;
	char buf[16];
	int s;

	srv = udg_server("srv", -1, 0);
	ck_assert_ptr_nonnull(srv);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	ck_assert_int_eq(t_sendmsg(s, "srv", "p", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
	ck_assert_int_eq(m.flags & UDG_MSG_NOCRED, 0);
	ck_assert_int_eq(m.pid, getpid());
	ck_assert_uint_eq(m.uid, getuid());
	ck_assert_uint_eq(m.gid, getgid());
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

struct forge_report {
	int	sent_plain;
	int	forged_ok;	/* forged sends the kernel accepted */
	int	forged_err[2];
};

/*
 * As root: a child turned nobody claims to be root (and pid 1).  The
 * kernel refuses (EPERM) or, if the send goes, the receiver must still see
 * the truth: 65534.
 */
START_TEST(creds_cannot_be_forged)
{
	struct forge_report rep;
	struct udg *srv;
	struct udg_msg m;
	struct ucred uc;
	char buf[16];
	pid_t pid;
	int p[2], s, i;

	ck_assert_int_eq(chmod(t_dir, 0711), 0);
	srv = udg_server("srv", 0666, 0);
	ck_assert_ptr_nonnull(srv);
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = t_fork()) == 0) {
		memset(&rep, 0, sizeof(rep));
		if (become(NOBODY, NOBODY) == -1)
			t_exit(1);
		if ((s = t_raw_socket(NULL, 0)) == -1)
			t_exit(2);
		uc.pid = getpid();
		uc.uid = 0;
		uc.gid = 0;
		if (t_sendmsg(s, "srv", "forged", 6, NULL, 0, &uc) == 6)
			rep.forged_ok++;
		else
			rep.forged_err[0] = errno;
		uc.pid = 1;
		uc.uid = NOBODY;
		uc.gid = NOBODY;
		if (t_sendmsg(s, "srv", "forged", 6, NULL, 0, &uc) == 6)
			rep.forged_ok++;
		else
			rep.forged_err[1] = errno;
		rep.sent_plain = t_sendmsg(s, "srv", "plain", 5, NULL, 0,
		    NULL) == 5;
		(void)t_write(p[1], &rep, sizeof(rep));
		t_exit(0);
	}
	ck_assert_int_eq(t_read(p[0], &rep, sizeof(rep)), 0);
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert_msg(rep.sent_plain, "nobody could not send at all");
	for (i = 0; i < 2; i++)
		if (rep.forged_err[i] != 0)
			ck_assert_msg(rep.forged_err[i] == EPERM,
			    "forged send %d: %s", i,
			    strerror(rep.forged_err[i]));
	for (i = 0; i < rep.forged_ok + rep.sent_plain; i++) {
		ck_assert_int_gt(t_recv_msg(srv, &m, buf, sizeof(buf)), 0);
		ck_assert_int_eq(m.flags & UDG_MSG_NOCRED, 0);
		ck_assert_uint_eq(m.uid, NOBODY);
		ck_assert_uint_eq(m.gid, NOBODY);
		ck_assert_int_eq(m.pid, pid);
	}
	ck_assert_int_eq(udg_wait(srv, 100, NULL), 0);
	ck_assert_int_eq(udg_close(srv), 0);
	(void)close(p[0]);
	(void)close(p[1]);
}
END_TEST

/* As root: credentials follow the sender, not the receiver. */
START_TEST(creds_of_other_user)
{
	struct udg *srv;
	struct udg_msg m;
	char buf[16];
	pid_t pid;
	int s;

	ck_assert_int_eq(chmod(t_dir, 0711), 0);
	srv = udg_server("srv", 0666, 0);
	ck_assert_ptr_nonnull(srv);
	if ((pid = t_fork()) == 0) {
		if (become(4242, 4343) == -1 ||
		    (s = t_raw_socket(NULL, 0)) == -1)
			t_exit(1);
		t_exit(t_sendmsg(s, "srv", "u", 1, NULL, 0, NULL) == 1 ? 0 : 2);
	}
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
	ck_assert_uint_eq(m.uid, 4242);
	ck_assert_uint_eq(m.gid, 4343);
	ck_assert_int_eq(m.pid, pid);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/*
 * SO_PASSCRED must be on before bind: a sender hammering the path while
 * udg_server runs gets its very first datagram in with real credentials.
 */
START_TEST(creds_on_first_datagram)
{
	struct udg *srv;
	struct udg_msg m;
	char buf[16];
	long r, rounds = t_scaled(FIRST_ROUNDS);
	pid_t pid;
	int s;

	for (r = 0; r < rounds; r++) {
		if ((pid = t_fork()) == 0) {
			if ((s = t_raw_socket(NULL, 0)) == -1)
				t_exit(1);
			while (t_sendmsg(s, "srv", "first", 5, NULL, 0,
			    NULL) == -1)
				if (errno != ENOENT && errno != ECONNREFUSED)
					t_exit(2);
			t_exit(0);
		}
		srv = udg_server("srv", -1, 0);
		ck_assert_ptr_nonnull(srv);
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 5);
		ck_assert_int_eq(t_wait(pid), 0);
		ck_assert_msg((m.flags & UDG_MSG_NOCRED) == 0 && m.pid == pid,
		    "round %ld: pid %ld uid %ld, want %ld", r, (long)m.pid,
		    (long)m.uid, (long)pid);
		ck_assert_uint_eq(m.uid, getuid());
		ck_assert_uint_eq(m.gid, getgid());
		/* and the same right after udg_server returns, in-process */
		ck_assert_int_eq(udg_close(srv), 0);
		srv = udg_server("srv", -1, 0);
		ck_assert_ptr_nonnull(srv);
		s = t_raw_socket(NULL, 0);
		ck_assert_int_eq(t_sendmsg(s, "srv", "x", 1, NULL, 0, NULL), 1);
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
		ck_assert_int_eq(m.pid, getpid());
		(void)close(s);
		ck_assert_int_eq(udg_close(srv), 0);
	}
}
END_TEST

/* Post a datagram to the socket the library has just bound. */
static void
send_at_bind(const char *path)
{
	int s;

	if ((s = t_raw_socket(NULL, 0)) == -1)
		return;
	(void)t_sendmsg(s, path, "early", 5, NULL, 0, NULL);
	(void)close(s);
}

/* Deterministic: a datagram that arrives the instant bind(2) returns, before
 * the library's next step, still carries real credentials. */
START_TEST(creds_on_datagram_at_bind)
{
	struct udg *srv;
	struct udg_msg m;
	char buf[16];

	t_binds = 0;
	t_after_bind = send_at_bind;
	srv = udg_server("srv", 0600, 0);
	t_after_bind = NULL;
	ck_assert_ptr_nonnull(srv);
	ck_assert_msg(t_binds == 1, "bind interposition did not work");
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 5);
	ck_assert_msg((m.flags & UDG_MSG_NOCRED) == 0 && m.pid == getpid(),
	    "pid %ld uid %ld", (long)m.pid, (long)m.uid);
	ck_assert_uint_eq(m.uid, getuid());
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* ---- passed descriptors: always closed by the library ----------------- */

static int fds[NFDS];

/* NFDS copies of one descriptor, as a sender might stuff a datagram. */
static int
fill_fds(void)
{
	int i, fd;

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ne(fd, -1);
	for (i = 0; i < NFDS; i++)
		fds[i] = fd;
	return fd;
}

START_TEST(fds_closed_many)
{
	struct udg *srv;
	struct udg_msg m;
	char buf[16];
	long i, n = t_scaled(FD_ROUNDS);
	int s, nullfd, before, ctrunc = 0;

	srv = udg_server("srv", -1, 0);
	ck_assert_ptr_nonnull(srv);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	nullfd = fill_fds();
	before = t_count_fds();
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(t_sendmsg(s, "srv", "fds", 3, fds, NFDS,
		    NULL), 3);
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 3);
		ck_assert_mem_eq(buf, "fds", 3);
		ck_assert_msg(m.flags & UDG_MSG_FDS, "no UDG_MSG_FDS");
		/* the credentials come first and survive the truncation */
		ck_assert_int_eq(m.pid, getpid());
		ck_assert_int_eq(t_count_fds(), before);
		if (m.flags & UDG_MSG_CTRUNC)
			ctrunc++;
	}
	ck_assert_int_eq(t_count_fds(), before);
	/* 200 fds do not fit a small control buffer: say so, or take all */
	ck_assert(ctrunc == 0 || ctrunc == n);
	(void)close(nullfd);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

START_TEST(fds_closed_few)
{
	struct udg *srv;
	struct udg_msg m;
	char buf[4];
	int s, nullfd, before;

	srv = udg_server("srv", -1, 0);
	ck_assert_ptr_nonnull(srv);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	nullfd = fill_fds();
	before = t_count_fds();
	ck_assert_int_eq(t_sendmsg(s, "srv", "three", 5, fds, 3, NULL), 5);
	/* truncated payload as well: the fds still get closed */
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 5);
	ck_assert(m.flags & UDG_MSG_TRUNC);
	ck_assert(m.flags & UDG_MSG_FDS);
	ck_assert_int_eq(m.flags & UDG_MSG_CTRUNC, 0);
	ck_assert_int_eq(t_count_fds(), before);
	/* a plain datagram after it carries no such flag */
	ck_assert_int_eq(t_sendmsg(s, "srv", "pl", 2, NULL, 0, NULL), 2);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 2);
	ck_assert_int_eq(m.flags & (UDG_MSG_FDS | UDG_MSG_CTRUNC |
	    UDG_MSG_TRUNC), 0);
	(void)close(nullfd);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

START_TEST(fds_closed_in_batch)
{
	struct udg *srv;
	struct udg_msg m[8];
	char bufs[8][8];
	int s, nullfd, before, i, r, got = 0;

	srv = udg_server("srv", -1, 0);
	ck_assert_ptr_nonnull(srv);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	nullfd = fill_fds();
	before = t_count_fds();
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(t_sendmsg(s, "srv", "b", 1, fds,
		    i % 2 ? NFDS : 5, NULL), 1);
	while (got < 4) {
		ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
		for (i = 0; i < 8; i++)
			udg_msg_init(&m[i], bufs[i], sizeof(bufs[i]));
		r = udg_recvv(srv, m, 8);
		ck_assert_int_ge(r, 1);
		for (i = 0; i < r; i++) {
			ck_assert(m[i].flags & UDG_MSG_FDS);
			ck_assert_int_eq(m[i].pid, getpid());
		}
		got += r;
	}
	ck_assert_int_eq(got, 4);
	ck_assert_int_eq(t_count_fds(), before);
	(void)close(nullfd);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/*
 * Receive exactly n datagrams into m (n <= 8) with udg_recvv, waiting for
 * each batch: how many came.
 */
static int
recv_all(struct udg *srv, struct udg_msg *m, char (*bufs)[8], int n)
{
	int i, r, got = 0;

	for (i = 0; i < n; i++)
		udg_msg_init(&m[i], bufs[i], sizeof(bufs[i]));
	while (got < n) {
		if (udg_wait(srv, 5000, NULL) != 1)
			break;
		r = udg_recvv(srv, m + got, n - got);
		ck_assert_int_ge(r, 1);
		got += r;
	}
	return got;
}

/* The sender's credentials, and nothing else, as a creds-only block says. */
static void
assert_creds_only(const struct udg_msg *m)
{
	ck_assert_int_eq(m->flags, UDG_MSG_UNPINNED);
	ck_assert_int_eq(m->pid, getpid());
	ck_assert_uint_eq(m->uid, getuid());
	ck_assert_uint_eq(m->gid, getgid());
	ck_assert_int_eq(m->pidfd, -1);
	ck_assert_int_eq(m->time.tv_sec, 0);
	ck_assert_int_eq(m->time.tv_nsec, 0);
}

/*
 * Credentials alone, whether the sender attached its own or not, and
 * whatever an earlier receive left in the messages.
 */
START_TEST(creds_only_in_batch)
{
	struct udg *srv;
	struct udg_msg m[8];
	struct ucred uc;
	char bufs[8][8];
	int s, i;

	srv = udg_server("srv", -1, 0);
	ck_assert_ptr_nonnull(srv);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	uc.pid = getpid();
	uc.uid = getuid();
	uc.gid = getgid();
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(t_sendmsg(s, "srv", "c", 1, NULL, 0,
		    i % 2 ? &uc : NULL), 1);
	ck_assert_int_eq(recv_all(srv, m, bufs, 8), 8);
	for (i = 0; i < 8; i++)
		assert_creds_only(&m[i]);
	/* stale output from a datagram with more in it must not survive */
	for (i = 0; i < 8; i++) {
		m[i].flags = -1;
		m[i].pid = 0;
		m[i].pidfd = 1;
		m[i].time.tv_sec = 1;
		ck_assert_int_eq(t_sendmsg(s, "srv", "c", 1, NULL, 0, NULL), 1);
	}
	for (i = 0; i < 8; i += udg_recvv(srv, m + i, 8 - i))
		ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	for (i = 0; i < 8; i++)
		assert_creds_only(&m[i]);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* Payload truncation leaves the credentials block as it is. */
START_TEST(creds_with_truncated_payload)
{
	struct udg *srv;
	struct udg_msg m[4];
	char bufs[4][8];
	int s, i;

	srv = udg_server("srv", -1, 0);
	ck_assert_ptr_nonnull(srv);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(t_sendmsg(s, "srv", "0123456789", 6 + i, NULL,
		    0, NULL), 6 + i);
	ck_assert_int_eq(recv_all(srv, m, bufs, 4), 4);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(m[i].reallen, 6 + i);
		ck_assert_uint_eq(m[i].len, 6 + i < 8 ? 6 + i : 8);
		ck_assert_int_eq(m[i].flags, UDG_MSG_UNPINNED |
		    (6 + i > 8 ? UDG_MSG_TRUNC : 0));
		ck_assert_int_eq(m[i].pid, getpid());
	}
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/*
 * Time and credentials, the block of every datagram under UDG_TIMESTAMP:
 * the kernel's time of each, within the receive's, and who sent it.
 */
START_TEST(creds_and_time_in_batch)
{
	struct udg *srv;
	struct udg_msg m[8];
	struct timespec t0, t1;
	char bufs[8][8];
	int s, i;

	srv = udg_server("srv", -1, UDG_TIMESTAMP);
	ck_assert_ptr_nonnull(srv);
	ck_assert_int_ne(udg_flags(srv) & UDG_TIMESTAMP, 0);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &t0), 0);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(t_sendmsg(s, "srv", "t", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(recv_all(srv, m, bufs, 8), 8);
	ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &t1), 0);
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(m[i].flags, UDG_MSG_KTIME | UDG_MSG_UNPINNED);
		ck_assert_int_eq(m[i].pid, getpid());
		ck_assert_uint_eq(m[i].uid, getuid());
		ck_assert_uint_eq(m[i].gid, getgid());
		ck_assert_int_eq(m[i].pidfd, -1);
		ck_assert_int_ge(m[i].time.tv_sec, t0.tv_sec);
		ck_assert_int_le(m[i].time.tv_sec, t1.tv_sec);
		ck_assert(m[i].time.tv_nsec >= 0 &&
		    m[i].time.tv_nsec < 1000000000L);
	}
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/*
 * Everything at once: time, credentials, passed fds and the pidfd after
 * them, in that order, for each datagram of a batch.
 */
START_TEST(creds_pidfd_time_and_fds)
{
	struct udg *srv;
	struct udg_msg m[4];
	char bufs[4][8];
	int s, i, nullfd, before, want;

	srv = udg_server("srv", -1, UDG_PIDFD | UDG_TIMESTAMP);
	ck_assert_ptr_nonnull(srv);
	want = udg_flags(srv) & (UDG_PIDFD | UDG_TIMESTAMP);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	nullfd = fill_fds();
	before = t_count_fds();
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(t_sendmsg(s, "srv", "a", 1, fds,
		    i % 2 ? 3 : 0, NULL), 1);
	ck_assert_int_eq(recv_all(srv, m, bufs, 4), 4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(m[i].flags & (UDG_MSG_NOCRED |
		    UDG_MSG_CTRUNC | UDG_MSG_TRUNC), 0);
		ck_assert_int_eq((m[i].flags & UDG_MSG_FDS) != 0, i % 2);
		ck_assert_int_eq(m[i].pid, getpid());
		ck_assert_uint_eq(m[i].uid, getuid());
		ck_assert_int_eq((m[i].flags & UDG_MSG_KTIME) != 0,
		    (want & UDG_TIMESTAMP) != 0);
		ck_assert_int_ne(m[i].time.tv_sec, 0);
		if (want & UDG_PIDFD) {
			ck_assert_int_eq(m[i].flags & UDG_MSG_UNPINNED, 0);
			ck_assert_int_ge(m[i].pidfd, 0);
			ck_assert_int_ne(fcntl(m[i].pidfd, F_GETFD), -1);
		} else {
			ck_assert_int_ne(m[i].flags & UDG_MSG_UNPINNED, 0);
			ck_assert_int_eq(m[i].pidfd, -1);
		}
	}
	/* the next receive closes the lent pidfds: nothing is left over */
	ck_assert_int_eq(t_sendmsg(s, "srv", "z", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(recv_all(srv, m, bufs, 1), 1);
	ck_assert_int_eq(t_count_fds(), before + ((want & UDG_PIDFD) != 0));
	(void)close(nullfd);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/*
 * With SO_PASSCRED switched off behind the library's back, datagrams come
 * without credentials: said so, and passed fds are still closed.  A pidfd
 * alone still pins the sender.
 */
START_TEST(no_creds_reported)
{
	struct udg *srv;
	struct udg_msg m[4];
	char bufs[4][8];
	int s, i, off = 0, nullfd, before, pinned, flags;

	for (pinned = 0; pinned < 2; pinned++) {
		srv = udg_server("srv", -1, pinned ? UDG_PIDFD : 0);
		ck_assert_ptr_nonnull(srv);
		pinned = (udg_flags(srv) & UDG_PIDFD) != 0 ? pinned : 0;
		ck_assert_int_eq(setsockopt(udg_fd(srv), SOL_SOCKET,
		    SO_PASSCRED, &off, sizeof(off)), 0);
		s = t_raw_socket(NULL, 0);
		ck_assert_int_ne(s, -1);
		nullfd = fill_fds();
		before = t_count_fds();
		for (i = 0; i < 4; i++)
			ck_assert_int_eq(t_sendmsg(s, "srv", "n", 1, fds,
			    i % 2 ? 2 : 0, NULL), 1);
		ck_assert_int_eq(recv_all(srv, m, bufs, 4), 4);
		for (i = 0; i < 4; i++) {
			flags = UDG_MSG_NOCRED | (i % 2 ? UDG_MSG_FDS : 0) |
			    (pinned ? 0 : UDG_MSG_UNPINNED);
			ck_assert_int_eq(m[i].flags, flags);
			ck_assert_int_eq(m[i].pid, -1);
			ck_assert_int_eq(m[i].uid, (uid_t)-1);
			ck_assert_int_eq(m[i].gid, (gid_t)-1);
			ck_assert_int_eq(m[i].pidfd >= 0, pinned);
		}
		ck_assert_int_eq(t_count_fds(), before + (pinned ? 4 : 0));
		(void)close(nullfd);
		(void)close(s);
		ck_assert_int_eq(udg_close(srv), 0);
	}
}
END_TEST

/*
 * UDG_REFUSE_FDS on a kernel with SO_PASSRIGHTS: the sender's sendmsg gets
 * EPERM and nothing is queued; plain datagrams still pass.
 */
START_TEST(fds_refused_by_kernel)
{
	struct udg *srv;
	struct udg_msg m;
	char buf[16];
	int s, nullfd, before;

	srv = udg_server("srv", -1, UDG_REFUSE_FDS);
	ck_assert_ptr_nonnull(srv);
	ck_assert_int_ne(udg_flags(srv) & UDG_REFUSE_FDS, 0);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	nullfd = fill_fds();
	before = t_count_fds();
	ck_assert_int_eq(t_sendmsg(s, "srv", "fds", 3, fds, 3, NULL), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(udg_wait(srv, 0, NULL), 0);
	ck_assert_int_eq(t_sendmsg(s, "srv", "plain", 5, NULL, 0, NULL), 5);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 5);
	ck_assert_int_eq(m.flags & UDG_MSG_FDS, 0);
	ck_assert_int_eq(m.pid, getpid());
	ck_assert_int_eq(t_count_fds(), before);
	(void)close(nullfd);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* Where the kernel cannot refuse (forced here), fds are closed on receipt. */
START_TEST(fds_refused_fallback)
{
	struct udg *srv;
	struct udg_msg m;
	char buf[16];
	int s, nullfd, before;

	ck_assert_int_eq(setenv("UDG_TEST_DISABLE", "passrights", 1), 0);
	srv = udg_server("srv", -1, UDG_REFUSE_FDS);
	ck_assert_int_eq(unsetenv("UDG_TEST_DISABLE"), 0);
	ck_assert_ptr_nonnull(srv);
	ck_assert_int_eq(udg_flags(srv) & UDG_REFUSE_FDS, 0);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	nullfd = fill_fds();
	before = t_count_fds();
	ck_assert_int_eq(t_sendmsg(s, "srv", "fds", 3, fds, 3, NULL), 3);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 3);
	ck_assert_int_ne(m.flags & UDG_MSG_FDS, 0);
	ck_assert_int_eq(t_count_fds(), before);
	(void)close(nullfd);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* Does this kernel have SO_PASSRIGHTS (Linux 6.16)? */
static int
have_passrights(void)
{
	int s, off = 0, r;

	if ((s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	r = setsockopt(s, SOL_SOCKET, 83, &off, sizeof(off)) == 0;
	(void)close(s);
	return r;
}

static Suite *
cred_suite(void)
{
	Suite *s = suite_create("cred");
	TCase *tc;

	tc = t_tcase(s, "creds", 30);
	tcase_add_test(tc, creds_of_forked_sender);
	tcase_add_test(tc, creds_of_plain_raw_sender);
	tcase_add_test(tc, creds_on_first_datagram);
	tcase_add_test(tc, creds_on_datagram_at_bind);
	if (geteuid() == 0) {
		tcase_add_test(tc, creds_cannot_be_forged);
		tcase_add_test(tc, creds_of_other_user);
	} else {
		t_skip("creds_cannot_be_forged",
		    "needs root to become nobody");
		t_skip("creds_of_other_user",
		    "needs root to become another user");
	}

	tc = t_tcase(s, "fds", 30);
	tcase_add_test(tc, fds_closed_many);
	tcase_add_test(tc, fds_closed_few);
	tcase_add_test(tc, fds_closed_in_batch);
	tcase_add_test(tc, fds_refused_fallback);
	tcase_add_test(tc, creds_only_in_batch);
	tcase_add_test(tc, creds_with_truncated_payload);
	tcase_add_test(tc, creds_and_time_in_batch);
	tcase_add_test(tc, creds_pidfd_time_and_fds);
	tcase_add_test(tc, no_creds_reported);
	if (have_passrights())
		tcase_add_test(tc, fds_refused_by_kernel);
	else
		t_skip("fds_refused_by_kernel",
		    "the kernel has no SO_PASSRIGHTS (Linux 6.16)");
	return s;
}

int
main(void)
{
	return t_run(cred_suite());
}
