/*
 * check_ident.c - sender pidfds, and naming the sender of a datagram
 * without ever naming the wrong process.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "udg.h"
#include "common.h"

#define NLEAK		10000	/* datagrams through a pidfd endpoint */
#define NPAR		16	/* parallel senders */
#define PAR_EACH	20	/* datagrams per parallel sender */
#define NSHORT		40	/* short-lived senders */
#define REUSE_TRIES	200	/* forks tried to get an old pid back */
#define NFDS_SENT	200	/* more fds than the control buffer holds */

/* Does this kernel hand out pidfds (asked on a throwaway endpoint)? */
static int
have_pidfd(void)
{
	struct udg *u;
	char path[64];
	int r;

	(void)snprintf(path, sizeof(path), "/tmp/udgt-pidfd-%ld",
	    (long)getpid());
	if ((u = udg_server(path, -1, UDG_PIDFD)) == NULL)
		return 0;
	r = (udg_flags(u) & UDG_PIDFD) != 0;
	(void)udg_close(u);
	return r;
}

static struct udg *
server(int flags)
{
	struct udg *u = udg_server("srv", -1, flags);

	ck_assert_msg(u != NULL, "udg_server: %s", strerror(errno));
	return u;
}

/* In a child: take the name comm, send text to srv, return 0 or -1. */
static int
send_as(const char *comm, const char *text)
{
	int s, r;

	if (prctl(PR_SET_NAME, comm) == -1 ||
	    (s = t_raw_socket(NULL, 0)) == -1)
		return -1;
	r = t_sendmsg(s, "srv", text, strlen(text), NULL, 0, NULL) ==
	    (ssize_t)strlen(text) ? 0 : -1;
	(void)close(s);
	return r;
}

/* Is a pidfd open in this process at fd? */
static int
is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* ---- pidfds: handed over, never leaked --------------------------------- */

START_TEST(pidfd_no_leak)
{
	struct udg *srv;
	struct udg_msg m[8];
	char bufs[8][8];
	long i, got = 0, n = t_scaled(NLEAK);
	int s, before, k, r, j;

	before = t_count_fds();
	srv = server(UDG_PIDFD);
	ck_assert_int_ne(udg_flags(srv) & UDG_PIDFD, 0);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	for (i = 0; i < n; i += k) {
		k = n - i < 8 ? (int)(n - i) : 8;
		for (j = 0; j < k; j++)
			ck_assert_int_eq(t_sendmsg(s, "srv", "p", 1, NULL, 0,
			    NULL), 1);
		for (j = 0; j < k; j += r) {
			if (i % 2 == 0) {
				/* one at a time */
				ck_assert_int_eq(t_recv_msg(srv, &m[0], bufs[0],
				    sizeof(bufs[0])), 1);
				r = 1;
			} else {
				ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
				for (r = 0; r < 8; r++)
					udg_msg_init(&m[r], bufs[r],
					    sizeof(bufs[r]));
				r = udg_recvv(srv, m, k - j);
				ck_assert_int_ge(r, 1);
			}
			ck_assert_int_ne(m[0].pidfd, -1);
			ck_assert_int_eq(m[r - 1].flags & UDG_MSG_UNPINNED, 0);
			got += r;
		}
		/* one receive's pidfds, one socket, one lock: no more */
		ck_assert_int_le(t_count_fds(), before + 3 + k);
	}
	ck_assert_int_eq(got, n);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
	ck_assert_int_eq(t_count_fds(), before);
}
END_TEST

/* A pidfd is lent until the next receive; taken, it is the caller's. */
START_TEST(pidfd_lent_or_taken)
{
	struct udg *srv;
	struct udg_msg m, m2;
	char buf[8];
	int s, lentfd, taken;

	srv = server(UDG_PIDFD);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	ck_assert_int_eq(t_sendmsg(s, "srv", "a", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(t_sendmsg(s, "srv", "b", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(t_sendmsg(s, "srv", "c", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
	lentfd = m.pidfd;
	ck_assert_int_ne(lentfd, -1);
	ck_assert(fcntl(lentfd, F_GETFD) & FD_CLOEXEC);
	ck_assert_int_eq(t_recv_msg(srv, &m2, buf, sizeof(buf)), 1);
	/* the first one was closed by the second receive (or reused by it) */
	ck_assert(!is_open(lentfd) || m2.pidfd == lentfd);
	ck_assert_int_eq(udg_pidfd_take(srv, &m), -1);
	ck_assert_int_eq(errno, EBADF);
	taken = udg_pidfd_take(srv, &m2);
	ck_assert_int_ne(taken, -1);
	ck_assert_int_eq(m2.pidfd, -1);
	ck_assert_int_ne(m2.flags & UDG_MSG_UNPINNED, 0);
	ck_assert_int_eq(udg_pidfd_take(srv, &m2), -1);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
	ck_assert(is_open(taken));
	ck_assert_int_ne(m.pidfd, taken);
	ck_assert_int_eq(close(taken), 0);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/*
 * A batch's pidfds may straddle a descriptor of the caller's (the kernel
 * fills the lowest free numbers): releasing them must close exactly them.
 */
START_TEST(pidfd_release_around_callers_fd)
{
	struct udg *srv;
	struct udg_msg m[4];
	char bufs[4][8];
	int s, a, b, c, i, r, before;

	srv = server(UDG_PIDFD);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	a = open("/dev/null", O_RDONLY | O_CLOEXEC);
	b = fcntl(a, F_DUPFD_CLOEXEC, 0);
	c = fcntl(a, F_DUPFD_CLOEXEC, 0);
	ck_assert(a != -1 && a < b && b < c);
	/* holes at a and b: the pidfds go there, then above the caller's c */
	ck_assert_int_eq(close(a), 0);
	ck_assert_int_eq(close(b), 0);
	before = t_count_fds();
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(t_sendmsg(s, "srv", "g", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	for (i = 0; i < 4; i++)
		udg_msg_init(&m[i], bufs[i], sizeof(bufs[i]));
	r = udg_recvv(srv, m, 4);
	ck_assert_int_ge(r, 1);
	/* a later receive releases them; c survives, nothing else is left */
	ck_assert_int_eq(t_sendmsg(s, "srv", "h", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(t_recv_msg(srv, &m[0], bufs[0], sizeof(bufs[0])), 1);
	ck_assert(is_open(c));
	ck_assert_int_eq(t_count_fds(), before + 1);
	ck_assert_int_eq(close(c), 0);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/*
 * Fds passed along with a pidfd: the pidfd still comes (it is put before
 * them), the fds are closed, nothing leaks.
 */
START_TEST(pidfd_with_passed_fds)
{
	struct udg *srv;
	struct udg_msg m;
	char buf[8];
	int s, fds[NFDS_SENT], nullfd, before, i;

	srv = server(UDG_PIDFD);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ne(nullfd, -1);
	for (i = 0; i < NFDS_SENT; i++)
		fds[i] = nullfd;
	before = t_count_fds();
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(t_sendmsg(s, "srv", "f", 1, fds,
		    i == 0 ? 2 : NFDS_SENT, NULL), 1);
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
		ck_assert_int_ne(m.flags & UDG_MSG_FDS, 0);
		ck_assert_int_ne(m.pidfd, -1);
		ck_assert_int_eq(m.pid, getpid());
		/* the lent pidfd is the only new descriptor */
		ck_assert_int_eq(t_count_fds(), before + 1);
	}
	(void)close(nullfd);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* Not asked for, or the kernel is old: no pidfd, and the flag says so. */
START_TEST(pidfd_unpinned)
{
	const char *how[] = { "not asked", "kernel lacks it" };
	const struct udg_ident *id;
	struct udg *srv;
	struct udg_msg m;
	char buf[8];
	int s, i, before;

	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	for (i = 0; i < 2; i++) {
		if (i == 1)
			ck_assert_int_eq(setenv("UDG_TEST_DISABLE",
			    "timestamp,pidfd", 1), 0);
		srv = server(i == 0 ? 0 : UDG_PIDFD);
		ck_assert_msg((udg_flags(srv) & UDG_PIDFD) == 0, "%s", how[i]);
		before = t_count_fds();
		ck_assert_int_eq(t_sendmsg(s, "srv", "u", 1, NULL, 0, NULL), 1);
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
		ck_assert_int_eq(m.pidfd, -1);
		ck_assert_int_ne(m.flags & UDG_MSG_UNPINNED, 0);
		ck_assert_int_eq(m.pid, getpid());
		ck_assert_int_eq(t_count_fds(), before);
		/* no name is vouched for, unless asked to guess */
		id = udg_identity(srv, &m, 0);
		ck_assert_ptr_nonnull(id);
		ck_assert_int_eq(id->flags & UDG_ID_PINNED, 0);
		ck_assert_ptr_null(id->comm);
		id = udg_identity(srv, &m, UDG_IDENT_GUESS);
		ck_assert_ptr_nonnull(id);
		ck_assert_int_eq(id->flags & (UDG_ID_PINNED | UDG_ID_GUESSED),
		    UDG_ID_GUESSED);
		ck_assert_ptr_nonnull(id->comm);
		ck_assert_int_eq(udg_close(srv), 0);
	}
	ck_assert_int_eq(unsetenv("UDG_TEST_DISABLE"), 0);
	(void)close(s);
}
END_TEST

/* ---- identity ---------------------------------------------------------- */

/*
 * A child named comm that sends comm to srv and lives until p[1] (left
 * open in the parent) is closed.
 */
static pid_t
held_sender(const char *comm, int p[2])
{
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	if ((pid = t_fork()) == 0) {
		(void)close(p[1]);
		if (send_as(comm, comm) == -1)
			t_exit(1);
		(void)t_read(p[0], &c, 1);
		t_exit(0);
	}
	(void)close(p[0]);
	return pid;
}

/*
 * A message kept from an earlier receive is not vouched for: its pidfd was
 * closed, and the number may now be another sender's pidfd.
 */
START_TEST(ident_stale_message)
{
	const struct udg_ident *id;
	struct udg *srv;
	struct udg_msg old, m;
	char buf[16];
	pid_t a, b;
	int pa[2], pb[2];

	srv = server(UDG_PIDFD);
	a = held_sender("udgt-first", pa);
	ck_assert_int_eq(t_recv_msg(srv, &old, buf, sizeof(buf)), 10);
	ck_assert_int_ne(old.pidfd, -1);
	ck_assert_int_eq(close(pa[1]), 0);
	ck_assert_int_eq(t_wait(a), 0);
	b = held_sender("udgt-second", pb);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 11);
	/* the lowest free number: most likely the very same */
	if (m.pidfd != old.pidfd)
		fprintf(stderr, "note: pidfd number not reused\n");
	id = udg_identity(srv, &old, 0);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(id->flags & UDG_ID_PINNED, 0);
	ck_assert_ptr_null(id->comm);
	id = udg_identity(srv, &m, 0);
	ck_assert_int_ne(id->flags & UDG_ID_PINNED, 0);
	ck_assert_str_eq(id->comm, "udgt-second");
	ck_assert_int_eq(close(pb[1]), 0);
	ck_assert_int_eq(t_wait(b), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* The text of /proc/PID/FILE, NULs as spaces, without a final newline. */
static void
proc_file(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];
	ssize_t n, i;
	int fd;

	(void)snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ne(fd, -1);
	n = read(fd, buf, size - 1);
	ck_assert_int_gt(n, 0);
	(void)close(fd);
	if (buf[n - 1] == '\n' || buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
}

/* A live sender is named, every field its own. */
START_TEST(ident_live_sender)
{
	const struct udg_ident *id;
	struct udg *srv;
	struct udg_msg m;
	char buf[16], exe[PATH_MAX], cmd[UDG_ID_CMDLINE_MAX + 1], cg[4096];
	char link[64];
	int p[2];
	ssize_t n;
	pid_t pid;

	srv = server(UDG_PIDFD);
	pid = held_sender("udgt-live", p);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 9);
	id = udg_identity(srv, &m, 0);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(id->flags & (UDG_ID_PINNED | UDG_ID_GONE |
	    UDG_ID_CACHED), UDG_ID_PINNED);
	ck_assert_int_eq(id->pid, pid);
	ck_assert_ptr_nonnull(id->comm);
	ck_assert_str_eq(id->comm, "udgt-live");
	/* what the kernel says of the sender, read while it lives */
	(void)snprintf(link, sizeof(link), "/proc/%ld/exe", (long)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	ck_assert_ptr_nonnull(id->exe);
	ck_assert_str_eq(id->exe, exe);
	/* a fork runs the test's binary (valgrind fakes only our own link) */
	if (getenv("UDG_VALGRIND") == NULL) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		ck_assert_int_gt(n, 0);
		exe[n] = '\0';
		ck_assert_str_eq(id->exe, exe);
	}
	proc_file(pid, "cmdline", cmd, sizeof(cmd));
	ck_assert_ptr_nonnull(id->cmdline);
	ck_assert_str_eq(id->cmdline, cmd);
	proc_file(pid, "cgroup", cg, sizeof(cg));
	ck_assert_ptr_nonnull(id->cgroup);
	ck_assert_ptr_nonnull(strstr(cg, id->cgroup));
	ck_assert_int_eq(close(p[1]), 0);
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/*
 * Senders that exit right after sending: each is named by its own comm or
 * not at all.  Some are read before they exit, some after.
 */
START_TEST(ident_short_lived)
{
	const struct udg_ident *id;
	struct udg *srv;
	struct udg_msg m;
	char buf[32], want[32];
	long i, n = t_scaled(NSHORT), named = 0, gone = 0;
	pid_t pid;

	srv = server(UDG_PIDFD);
	for (i = 0; i < n; i++) {
		(void)snprintf(want, sizeof(want), "udgt-s%ld", i);
		if ((pid = t_fork()) == 0)
			t_exit(send_as(want, want) == 0 ? 0 : 1);
		if (i % 2 == 1)
			ck_assert_int_eq(t_wait(pid), 0);
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)),
		    (ssize_t)strlen(want));
		ck_assert_mem_eq(buf, want, strlen(want));
		id = udg_identity(srv, &m, 0);
		ck_assert_ptr_nonnull(id);
		if (id->comm != NULL) {
			ck_assert_str_eq(id->comm, want);
			ck_assert_int_ne(id->flags & UDG_ID_PINNED, 0);
			named++;
		} else {
			/* reaped before it was read: said so */
			ck_assert_int_ne(id->flags & UDG_ID_GONE, 0);
			ck_assert_ptr_null(id->exe);
			ck_assert_ptr_null(id->cmdline);
			gone++;
		}
		if (i % 2 == 0)
			ck_assert_int_eq(t_wait(pid), 0);
	}
	/* every odd one was reaped before its datagram was read */
	ck_assert_int_ge(gone, n / 2);
	ck_assert_int_eq(named + gone, n);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* Write text to a file that exists (procfs, cgroupfs): 0 or -1. */
static int
put(const char *path, const char *text)
{
	int fd, r;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	r = t_write(fd, text, strlen(text));
	if (close(fd) == -1)
		r = -1;
	return r;
}

/* As root: make pid the next one fork(2) hands out, if it is free. */
static void
offer_pid(pid_t pid)
{
	char last[32];

	(void)snprintf(last, sizeof(last), "%ld", (long)pid - 1);
	ck_assert_int_eq(put("/proc/sys/kernel/ns_last_pid", last), 0);
}

/* Make a child that lives until killed, named comm once this returns. */
static pid_t
sleeper(const char *comm)
{
	pid_t pid;
	int p[2];
	char c;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	if ((pid = t_fork()) == 0) {
		(void)prctl(PR_SET_NAME, comm);
		(void)t_write(p[1], "n", 1);
		for (;;)
			(void)pause();
	}
	(void)close(p[1]);
	ck_assert_int_eq(t_read(p[0], &c, 1), 0);
	(void)close(p[0]);
	return pid;
}

/*
 * As root: the sender exits and its pid is handed to an impostor before
 * the datagram is read.  Reading /proc by pid names the impostor; the
 * pidfd-checked answer is "gone".
 */
START_TEST(ident_reused_pid)
{
	const struct udg_ident *id;
	struct udg *srv;
	struct udg_msg m;
	char buf[8];
	pid_t pid, imp = -1;
	int i;

	srv = server(UDG_PIDFD);
	for (i = 0; i < REUSE_TRIES && imp == -1; i++) {
		if ((pid = t_fork()) == 0)
			t_exit(send_as("udgt-sender", "s") == 0 ? 0 : 1);
		ck_assert_int_eq(t_wait(pid), 0);
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
		ck_assert_int_eq(m.pid, pid);
		offer_pid(pid);
		imp = sleeper("udgt-impostor");
		if (imp != pid) {
			(void)kill(imp, SIGKILL);
			(void)t_wait(imp);
			imp = -1;
		}
	}
	ck_assert_msg(imp != -1, "no pid reused in %d tries", REUSE_TRIES);
	id = udg_identity(srv, &m, UDG_IDENT_GUESS);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(id->flags & (UDG_ID_PINNED | UDG_ID_GONE),
	    UDG_ID_GONE);
	ck_assert_ptr_null(id->comm);
	/* what a pid-only reader would have said */
	ck_assert_int_eq(close(udg_pidfd_take(srv, &m)), 0);
	id = udg_identity(srv, &m, UDG_IDENT_GUESS);
	ck_assert_ptr_nonnull(id->comm);
	ck_assert_str_eq(id->comm, "udgt-impostor");
	ck_assert_int_eq(id->flags & UDG_ID_GUESSED, UDG_ID_GUESSED);
	(void)kill(imp, SIGKILL);
	(void)t_wait(imp);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* Many senders at once, each with its own comm: each gets its own. */
START_TEST(ident_parallel)
{
	const struct udg_ident *id;
	struct udg *srv;
	struct udg_msg m;
	char buf[32], comm[16];
	pid_t pids[NPAR];
	int p[2], i, j, got[NPAR] = { 0 }, k;
	char c;

	srv = server(UDG_PIDFD);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	for (i = 0; i < NPAR; i++)
		if ((pids[i] = t_fork()) == 0) {
			(void)close(p[1]);
			(void)snprintf(comm, sizeof(comm), "udgt-p%02d", i);
			for (j = 0; j < PAR_EACH; j++)
				if (send_as(comm, comm) == -1)
					t_exit(1);
			/* live until the parent has read everything */
			(void)t_read(p[0], &c, 1);
			t_exit(0);
		}
	(void)close(p[0]);
	for (i = 0; i < NPAR * PAR_EACH; i++) {
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 8);
		buf[8] = '\0';
		ck_assert_int_eq(sscanf(buf, "udgt-p%2d", &k), 1);
		ck_assert(k >= 0 && k < NPAR);
		got[k]++;
		id = udg_identity(srv, &m, 0);
		ck_assert_ptr_nonnull(id);
		ck_assert_int_ne(id->flags & UDG_ID_PINNED, 0);
		ck_assert_int_eq(id->pid, pids[k]);
		ck_assert_ptr_nonnull(id->comm);
		ck_assert_str_eq(id->comm, buf);
	}
	ck_assert_int_eq(close(p[1]), 0);
	for (i = 0; i < NPAR; i++) {
		ck_assert_int_eq(got[i], PAR_EACH);
		ck_assert_int_eq(t_wait(pids[i]), 0);
	}
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* A repeat sender is answered from the cache, for about a second. */
START_TEST(ident_cached)
{
	const struct udg_ident *id, *first;
	struct udg *srv;
	struct udg_msg m;
	char buf[8];
	int s;
	pid_t pid;

	srv = server(UDG_PIDFD);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	ck_assert_int_eq(t_sendmsg(s, "srv", "1", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(t_sendmsg(s, "srv", "2", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
	first = udg_identity(srv, &m, 0);
	ck_assert_ptr_nonnull(first);
	ck_assert_int_eq(first->flags & (UDG_ID_PINNED | UDG_ID_CACHED),
	    UDG_ID_PINNED);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
	id = udg_identity(srv, &m, 0);
	ck_assert_ptr_eq(id, first);
	ck_assert_int_eq(id->flags & (UDG_ID_PINNED | UDG_ID_CACHED),
	    UDG_ID_PINNED | UDG_ID_CACHED);
	ck_assert_int_eq(id->pid, getpid());
	/* another process is not the cached one */
	if ((pid = t_fork()) == 0)
		t_exit(send_as("udgt-other", "o") == 0 ? 0 : 1);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
	id = udg_identity(srv, &m, 0);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(id->flags & UDG_ID_CACHED, 0);
	ck_assert_int_eq(id->pid, pid);
	ck_assert_int_eq(t_wait(pid), 0);
	/* and an answer older than a second is read again */
	(void)usleep(1500 * 1000);
	ck_assert_int_eq(t_sendmsg(s, "srv", "3", 1, NULL, 0, NULL), 1);
	ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
	id = udg_identity(srv, &m, 0);
	ck_assert_int_eq(id->flags & (UDG_ID_PINNED | UDG_ID_CACHED),
	    UDG_ID_PINNED);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/*
 * A sender read twice in a row is kept by a pidfd of the endpoint's own,
 * and named from the cache in later receives; the descriptor goes with
 * udg_close().
 */
START_TEST(ident_repeat_kept)
{
	const struct udg_ident *id;
	struct udg *srv;
	struct udg_msg m;
	char buf[8];
	int s, before, first = 0, i;

	before = t_count_fds();
	srv = server(UDG_PIDFD);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(t_sendmsg(s, "srv", "r", 1, NULL, 0, NULL), 1);
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
		id = udg_identity(srv, &m, 0);
		ck_assert_ptr_nonnull(id);
		ck_assert_int_eq(id->pid, getpid());
		ck_assert_int_eq(id->flags & (UDG_ID_PINNED | UDG_ID_CACHED),
		    i == 0 ? UDG_ID_PINNED : UDG_ID_PINNED | UDG_ID_CACHED);
		if (i == 0)
			first = t_count_fds();
	}
	/* what the first receive left open, and the kept pidfd */
	ck_assert_int_eq(t_count_fds(), first + 1);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
	ck_assert_int_eq(t_count_fds(), before);
}
END_TEST

/* In a child: send text as comm, then wait for a byte on rfd; exit. */
static void
send_and_wait(const char *comm, const char *text, int rfd)
{
	char c;

	if (send_as(comm, text) == -1)
		t_exit(1);
	(void)t_read(rfd, &c, 1);
	t_exit(0);
}

/*
 * As root: the kept sender exits and its pid goes to an impostor, which
 * sends too.  The impostor's datagram has the kept pid, yet is named as
 * the impostor's: the kept process is checked and found gone.
 */
START_TEST(ident_repeat_reused_pid)
{
	const struct udg_ident *id;
	struct udg *srv;
	struct udg_msg m;
	char buf[8];
	pid_t pid, imp = -1;
	int p[2], q[2], i;

	srv = server(UDG_PIDFD);
	for (i = 0; i < REUSE_TRIES && imp == -1; i++) {
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		if ((pid = t_fork()) == 0) {
			(void)close(p[1]);
			if (send_as("udgt-first", "1") == -1)
				t_exit(1);
			send_and_wait("udgt-first", "2", p[0]);
		}
		(void)close(p[0]);
		/* read twice, in two receives, while it lives: kept */
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
		ck_assert_ptr_nonnull(udg_identity(srv, &m, 0));
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
		id = udg_identity(srv, &m, 0);
		ck_assert_ptr_nonnull(id->comm);
		ck_assert_str_eq(id->comm, "udgt-first");
		ck_assert_int_eq(close(p[1]), 0);
		ck_assert_int_eq(t_wait(pid), 0);
		ck_assert_int_eq(pipe2(q, O_CLOEXEC), 0);
		offer_pid(pid);
		if ((imp = t_fork()) == 0) {
			(void)close(q[1]);
			send_and_wait("udgt-impostor", "3", q[0]);
		}
		(void)close(q[0]);
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
		if (imp != pid) {
			ck_assert_int_eq(close(q[1]), 0);
			ck_assert_int_eq(t_wait(imp), 0);
			imp = -1;
		}
	}
	ck_assert_msg(imp != -1, "no pid reused in %d tries", REUSE_TRIES);
	ck_assert_int_eq(m.pid, imp);
	id = udg_identity(srv, &m, 0);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(id->flags & (UDG_ID_PINNED | UDG_ID_CACHED),
	    UDG_ID_PINNED);
	ck_assert_ptr_nonnull(id->comm);
	ck_assert_str_eq(id->comm, "udgt-impostor");
	ck_assert_int_eq(close(q[1]), 0);
	ck_assert_int_eq(t_wait(imp), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* The cgroup2 mount point, from /proc/self/mountinfo; 0 or -1. */
static int
cgroup2_mount(char *buf, size_t size)
{
	char line[1024], mnt[512];
	FILE *f;
	int r = -1;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (r == -1 && fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " - cgroup2 ") != NULL &&
		    sscanf(line, "%*s %*s %*s %*s %511s", mnt) == 1 &&
		    (size_t)snprintf(buf, size, "%s", mnt) < size)
			r = 0;
	(void)fclose(f);
	return r;
}

/* Our own cgroup2 path ("0::PATH"), or "" on a v1-only system. */
static void
own_cgroup(char *buf, size_t size)
{
	char cg[1024], *p;

	proc_file(getpid(), "cgroup", cg, sizeof(cg));
	buf[0] = '\0';
	if (strncmp(cg, "0::", 3) == 0)
		p = cg + 3;
	else if ((p = strstr(cg, "\n0::")) != NULL)
		p += 4;
	else
		return;
	p[strcspn(p, "\n")] = '\0';
	if ((size_t)snprintf(buf, size, "%s", strcmp(p, "/") == 0 ? "" : p) >=
	    size)
		buf[0] = '\0';
}

/*
 * As root, with cgroup2: a sender moved into a cgroup that looks like a
 * systemd unit is named by that unit, the deepest one when nested.
 */
START_TEST(ident_unit)
{
	const char *sub[] = { "udgt.service/payload",
	    "user@4242.service/app.slice/udgt-app.scope", "plain/.service" };
	const char *unit[] = { "udgt.service", "udgt-app.scope", NULL };
	const struct udg_ident *id;
	struct udg *srv;
	struct udg_msg m;
	char mnt[256], own[1024], dir[2048], procs[2200], pidtxt[32], buf[8];
	char *slash;
	int p[2], i;
	pid_t pid;
	char c;

	ck_assert_int_eq(cgroup2_mount(mnt, sizeof(mnt)), 0);
	own_cgroup(own, sizeof(own));
	srv = server(UDG_PIDFD);
	for (i = 0; i < 3; i++) {
		(void)snprintf(dir, sizeof(dir), "%s%s/udgt-%ld",
		    mnt, own, (long)getpid());
		ck_assert_int_eq(mkdir(dir, 0755), 0);
		(void)snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir),
		    "/%s", sub[i]);
		for (slash = strchr(dir + strlen(mnt) + strlen(own) + 1, '/');
		    slash != NULL; slash = strchr(slash + 1, '/')) {
			*slash = '\0';
			(void)mkdir(dir, 0755);
			*slash = '/';
		}
		ck_assert_int_eq(mkdir(dir, 0755), 0);
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		if ((pid = t_fork()) == 0) {
			(void)close(p[1]);
			(void)t_read(p[0], &c, 1);
			t_exit(send_as("udgt-unit", "u") == 0 ? 0 : 1);
		}
		(void)close(p[0]);
		(void)snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		(void)snprintf(pidtxt, sizeof(pidtxt), "%ld", (long)pid);
		ck_assert_int_eq(put(procs, pidtxt), 0);
		ck_assert_int_eq(t_write(p[1], "g", 1), 0);
		ck_assert_int_eq(t_recv_msg(srv, &m, buf, sizeof(buf)), 1);
		id = udg_identity(srv, &m, 0);
		ck_assert_ptr_nonnull(id);
		if (id->flags & UDG_ID_PINNED) {
			ck_assert_ptr_nonnull(id->cgroup);
			ck_assert_str_eq(id->cgroup, dir + strlen(mnt));
			if (unit[i] == NULL)
				ck_assert_ptr_null(id->unit);
			else {
				ck_assert_ptr_nonnull(id->unit);
				ck_assert_str_eq(id->unit, unit[i]);
			}
		} else
			ck_assert_int_ne(id->flags & UDG_ID_GONE, 0);
		(void)close(p[1]);
		ck_assert_int_eq(t_wait(pid), 0);
		/* remove the cgroups, deepest first */
		while (strlen(dir) > strlen(mnt) + strlen(own)) {
			ck_assert_int_eq(rmdir(dir), 0);
			*strrchr(dir, '/') = '\0';
		}
	}
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* Does each process have its own pidfd inode (pidfs, Linux 6.9)? */
static int
have_pidfs(void)
{
	struct statfs sfs;
	int fd, r;

	if ((fd = (int)syscall(SYS_pidfd_open, getpid(), 0)) == -1)
		return 0;
	r = fstatfs(fd, &sfs) == 0 && sfs.f_type == 0x50494446;
	(void)close(fd);
	return r;
}

/* Can this process make cgroup2 groups and move processes into them? */
static int
cgroup2_writable(void)
{
	char mnt[256];

	return geteuid() == 0 && cgroup2_mount(mnt, sizeof(mnt)) == 0 &&
	    access(mnt, W_OK) == 0;
}

static Suite *
ident_suite(void)
{
	Suite *s = suite_create("ident");
	TCase *tc;

	if (!have_pidfd()) {
		t_skip("ident", "the kernel has no SO_PASSPIDFD (Linux 6.5)");
		tc = t_tcase(s, "unpinned", 30);
		tcase_add_test(tc, pidfd_unpinned);
		return s;
	}
	tc = t_tcase(s, "pidfd", 120);
	tcase_add_test(tc, pidfd_no_leak);
	tcase_add_test(tc, pidfd_lent_or_taken);
	tcase_add_test(tc, pidfd_with_passed_fds);
	tcase_add_test(tc, pidfd_release_around_callers_fd);
	tcase_add_test(tc, pidfd_unpinned);
	tc = t_tcase(s, "ident", 60);
	tcase_add_test(tc, ident_live_sender);
	tcase_add_test(tc, ident_stale_message);
	tcase_add_test(tc, ident_short_lived);
	tcase_add_test(tc, ident_parallel);
	if (have_pidfs()) {
		tcase_add_test(tc, ident_cached);
		tcase_add_test(tc, ident_repeat_kept);
	} else {
		t_skip("ident_cached", "pidfds share one inode before pidfs");
		t_skip("ident_repeat_kept", "no cache before pidfs");
	}
	if (geteuid() == 0 && access("/proc/sys/kernel/ns_last_pid",
	    W_OK) == 0) {
		tcase_add_test(tc, ident_reused_pid);
		if (have_pidfs())
			tcase_add_test(tc, ident_repeat_reused_pid);
		else
			t_skip("ident_repeat_reused_pid",
			    "no cache before pidfs");
	} else {
		t_skip("ident_reused_pid", "needs root to set ns_last_pid");
		t_skip("ident_repeat_reused_pid",
		    "needs root to set ns_last_pid");
	}
	if (cgroup2_writable())
		tcase_add_test(tc, ident_unit);
	else
		t_skip("ident_unit", "needs root and a writable cgroup2");
	return s;
}

int
main(void)
{
	return t_run(ident_suite());
}
