/*
 * check_io.c - sending, receiving, replying, batches, sizes, full queues,
 * signals and threads.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "udg.h"
#include "common.h"

#define NFLOOD		100000	/* datagrams through a slow receiver */
#define NTHREADS	8
#define THREAD_ITER	2000

/* A sequenced datagram, padded so that it is not trivially small. */
struct seqmsg {
	uint32_t	seq;
	char		pad[60];
};

static struct udg *
server(const char *path, int flags)
{
	struct udg *u = udg_server(path, -1, flags);

	ck_assert_msg(u != NULL, "udg_server(%s): %s", path, strerror(errno));
	return u;
}

static struct udg *
client(const char *path, int flags)
{
	struct udg *u = udg_client(path, flags);

	ck_assert_msg(u != NULL, "udg_client: %s", strerror(errno));
	return u;
}

/* Milliseconds on the monotonic clock. */
static long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ---- 3: send, receive with the sender's path, reply ------------------- */

START_TEST(send_receive_reply)
{
	struct udg *srv, *cli;
	struct udg_msg m;
	char buf[64];

	srv = server("srv", 0);
	cli = client("cli", 0);
	ck_assert_int_eq(udg_sendto(cli, "srv", "hello", 5), 0);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	udg_msg_init(&m, buf, sizeof(buf));
	ck_assert_int_eq(udg_recv(srv, &m), 5);
	ck_assert_uint_eq(m.len, 5);
	ck_assert_uint_eq(m.reallen, 5);
	ck_assert_int_eq(m.flags & (UDG_MSG_TRUNC | UDG_MSG_NOCRED), 0);
	ck_assert_mem_eq(buf, "hello", 5);
	ck_assert_int_eq(m.peer_type, UDG_PEER_PATH);
	ck_assert_str_eq(m.peer, "cli");
	ck_assert_uint_eq(m.peer_len, 3);
	ck_assert_int_eq(m.pid, getpid());
	ck_assert_int_eq(udg_reply(srv, &m, "hello back", 10), 0);
	ck_assert_int_eq(udg_wait(cli, 5000, NULL), 1);
	udg_msg_init(&m, buf, sizeof(buf));
	ck_assert_int_eq(udg_recv(cli, &m), 10);
	ck_assert_mem_eq(buf, "hello back", 10);
	ck_assert_int_eq(m.peer_type, UDG_PEER_PATH);
	ck_assert_str_eq(m.peer, "srv");
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

START_TEST(reply_to_auto_client)
{
	struct udg *srv, *cli;
	struct udg_msg m;
	char buf[64], xdg[PATH_MAX];

	(void)snprintf(xdg, sizeof(xdg), "%s/x", t_dir);
	ck_assert_int_eq(mkdir(xdg, 0700), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", xdg, 1), 0);
	srv = server("srv", 0);
	cli = client(NULL, 0);
	ck_assert_int_eq(udg_sendto(cli, "srv", "q", 1), 0);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	udg_msg_init(&m, buf, sizeof(buf));
	ck_assert_int_eq(udg_recv(srv, &m), 1);
	ck_assert_int_eq(m.peer_type, UDG_PEER_PATH);
	ck_assert_str_eq(m.peer, udg_path(cli));
	ck_assert_uint_eq(m.peer_len, strlen(udg_path(cli)));
	ck_assert_int_eq(udg_reply(srv, &m, "a", 1), 0);
	t_expect(cli, "a", 1);
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* An unbound sender is "nobody", not an empty string that looks like a
 * path, and cannot be answered. */
START_TEST(unbound_sender_reported)
{
	struct udg *srv;
	struct udg_msg m;
	char buf[64];
	int s;

	srv = server("srv", 0);
	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	ck_assert_int_eq(t_sendmsg(s, "srv", "anon", 4, NULL, 0, NULL), 4);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	udg_msg_init(&m, buf, sizeof(buf));
	m.peer_type = -1;
	m.peer_len = 99;
	memset(m.peer, 'x', sizeof(m.peer));
	ck_assert_int_eq(udg_recv(srv, &m), 4);
	ck_assert_int_eq(m.peer_type, UDG_PEER_NONE);
	ck_assert_uint_eq(m.peer_len, 0);
	ck_assert_int_eq(m.peer[0], '\0');
	ck_assert_int_eq(m.pid, getpid());
	errno = 0;
	ck_assert_int_eq(udg_reply(srv, &m, "no", 2), -1);
	ck_assert_int_eq(errno, EDESTADDRREQ);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* A Linux abstract name may hold NULs: kept whole, and answerable. */
START_TEST(abstract_sender_answered)
{
	struct sockaddr_un sun;
	struct udg *srv;
	struct udg_msg m;
	char buf[64], name[32];
	socklen_t len;
	size_t n;
	int s;

	srv = server("srv", 0);
	n = (size_t)snprintf(name, sizeof(name), "udgt%ld", (long)getpid());
	name[2] = '\0';			/* a NUL inside the name */
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(s, -1);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, name, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, len), 0);
	ck_assert_int_eq(t_sendmsg(s, "srv", "abs", 3, NULL, 0, NULL), 3);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	udg_msg_init(&m, buf, sizeof(buf));
	ck_assert_int_eq(udg_recv(srv, &m), 3);
	ck_assert_int_eq(m.peer_type, UDG_PEER_ABSTRACT);
	ck_assert_uint_eq(m.peer_len, n);
	ck_assert_mem_eq(m.peer, name, n);
	ck_assert_int_eq(udg_reply(srv, &m, "back", 4), 0);
	ck_assert_int_eq(t_raw_recv(s, buf, sizeof(buf), 5000), 4);
	ck_assert_mem_eq(buf, "back", 4);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

START_TEST(sendto_errors)
{
	struct udg *cli;

	cli = client("cli", 0);
	errno = 0;
	ck_assert_int_eq(udg_sendto(cli, "missing", "x", 1), -1);
	ck_assert_int_eq(errno, ENOENT);
	t_stale_socket("stale");
	errno = 0;
	ck_assert_int_eq(udg_sendto(cli, "stale", "x", 1), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	t_write_file("file", "x");
	errno = 0;
	ck_assert_int_eq(udg_sendto(cli, "file", "x", 1), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert(t_file_is("file", "x"));
	errno = 0;
	ck_assert_int_eq(udg_connect(cli, "missing"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(udg_close(cli), 0);
}
END_TEST

START_TEST(connect_then_send)
{
	struct udg *srv, *cli;
	char buf[8];
	int i;

	srv = server("srv", 0);
	cli = client("cli", 0);
	ck_assert_int_eq(udg_connect(cli, "srv"), 0);
	for (i = 0; i < 5; i++) {
		buf[0] = (char)('a' + i);
		ck_assert_int_eq(udg_send(cli, buf, 1), 0);
	}
	for (i = 0; i < 5; i++) {
		buf[1] = (char)('a' + i);
		t_expect(srv, buf + 1, 1);
	}
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* ---- 5: sizes ---------------------------------------------------------- */

START_TEST(truncation_reported)
{
	struct udg *srv, *cli;
	struct udg_msg m;
	char big[100], buf[10];
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)i;
	srv = server("srv", 0);
	cli = client("cli", 0);
	ck_assert_int_eq(udg_sendto(cli, "srv", big, sizeof(big)), 0);
	ck_assert_int_eq(udg_sendto(cli, "srv", "next", 4), 0);
	ck_assert_int_eq(udg_sendto(cli, "srv", "exactly10!", 10), 0);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	udg_msg_init(&m, buf, sizeof(buf));
	ck_assert_int_eq(udg_recv(srv, &m), 100);
	ck_assert_uint_eq(m.len, 10);
	ck_assert_uint_eq(m.reallen, 100);
	ck_assert(m.flags & UDG_MSG_TRUNC);
	ck_assert_mem_eq(buf, big, 10);
	/* The rest of the long one is gone, not served as the next. */
	udg_msg_init(&m, buf, sizeof(buf));
	ck_assert_int_eq(udg_recv(srv, &m), 4);
	ck_assert_int_eq(m.flags & UDG_MSG_TRUNC, 0);
	ck_assert_mem_eq(buf, "next", 4);
	udg_msg_init(&m, buf, sizeof(buf));
	ck_assert_int_eq(udg_recv(srv, &m), 10);
	ck_assert_int_eq(m.flags & UDG_MSG_TRUNC, 0);
	ck_assert_uint_eq(m.reallen, 10);
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

START_TEST(largest_datagram)
{
	struct udg *srv, *cli;
	struct udg_msg m;
	socklen_t sl;
	ssize_t max;
	char *big;
	int sndbuf;

	srv = server("srv", 0);
	cli = client("cli", 0);
	max = udg_max_datagram(cli);
	sl = sizeof(sndbuf);
	ck_assert_int_eq(getsockopt(udg_fd(cli), SOL_SOCKET, SO_SNDBUF,
	    &sndbuf, &sl), 0);
	ck_assert_int_eq(max, sndbuf - 32);
	ck_assert_int_gt(max, 1024);
	big = calloc(1, (size_t)max + 1);
	ck_assert_ptr_nonnull(big);
	big[0] = 'A';
	big[max - 1] = 'Z';
	ck_assert_msg(udg_sendto(cli, "srv", big, (size_t)max) == 0,
	    "max %zd: %s", max, strerror(errno));
	errno = 0;
	ck_assert_int_eq(udg_sendto(cli, "srv", big, (size_t)max + 1), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	memset(big, 0, (size_t)max);
	udg_msg_init(&m, big, (size_t)max);
	ck_assert_int_eq(udg_recv(srv, &m), max);
	ck_assert_uint_eq(m.reallen, (size_t)max);
	ck_assert_int_eq(m.flags & UDG_MSG_TRUNC, 0);
	ck_assert_int_eq(big[0], 'A');
	ck_assert_int_eq(big[max - 1], 'Z');
	/* the one byte too many was not sent */
	ck_assert_int_eq(udg_wait(srv, 100, NULL), 0);
	free(big);
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

START_TEST(zero_length_delivered)
{
	struct udg *srv, *cli;
	struct udg_msg m, mv[4];
	char buf[16], bufs[4][16];
	int i;

	srv = server("srv", 0);
	cli = client("cli", 0);
	ck_assert_int_eq(udg_sendto(cli, "srv", "", 0), 0);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	udg_msg_init(&m, buf, sizeof(buf));
	m.len = 77;
	m.reallen = 77;
	ck_assert_int_eq(udg_recv(srv, &m), 0);
	ck_assert_uint_eq(m.len, 0);
	ck_assert_uint_eq(m.reallen, 0);
	ck_assert_int_eq(m.flags & UDG_MSG_TRUNC, 0);
	ck_assert_str_eq(m.peer, "cli");
	ck_assert_int_eq(m.pid, getpid());
	/* in a batch, between others, with a zero-size buffer too */
	ck_assert_int_eq(udg_sendto(cli, "srv", "a", 1), 0);
	ck_assert_int_eq(udg_sendto(cli, "srv", NULL, 0), 0);
	ck_assert_int_eq(udg_sendto(cli, "srv", "b", 1), 0);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	for (i = 0; i < 4; i++)
		udg_msg_init(&mv[i], bufs[i], sizeof(bufs[i]));
	mv[1].size = 0;
	ck_assert_int_eq(udg_recvv(srv, mv, 4), 3);
	ck_assert_uint_eq(mv[0].len, 1);
	ck_assert_uint_eq(mv[1].len, 0);
	ck_assert_uint_eq(mv[1].reallen, 0);
	ck_assert_int_eq(mv[1].flags & UDG_MSG_TRUNC, 0);
	ck_assert_uint_eq(mv[2].len, 1);
	ck_assert_int_eq(bufs[2][0], 'b');
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* ---- 6: full queues ---------------------------------------------------- */

START_TEST(nonblock_gets_eagain)
{
	struct udg *srv, *cli;
	struct udg_msg m;
	char buf[16];
	int sent = 0, got = 0;

	srv = server("srv", UDG_NONBLOCK);
	cli = client("cli", UDG_NONBLOCK);
	/* an empty queue: a non-blocking receive does not wait */
	udg_msg_init(&m, buf, sizeof(buf));
	errno = 0;
	ck_assert_int_eq(udg_recv(srv, &m), -1);
	ck_assert_int_eq(errno, EAGAIN);
	while (sent < 100000 && udg_sendto(cli, "srv", &sent,
	    sizeof(sent)) == 0)
		sent++;
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_gt(sent, 0);
	ck_assert_int_lt(sent, 100000);
	/* nothing lost: exactly what was accepted arrives, in order */
	while (udg_wait(srv, 200, NULL) == 1) {
		udg_msg_init(&m, buf, sizeof(buf));
		ck_assert_int_eq(udg_recv(srv, &m), (ssize_t)sizeof(int));
		ck_assert_mem_eq(buf, &got, sizeof(got));
		got++;
	}
	ck_assert_int_eq(got, sent);
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* udg_set_nonblock switches a blocking endpoint, for a connected one too. */
START_TEST(set_nonblock_connected)
{
	struct udg *srv, *cli;
	int i, n = 0;

	srv = server("srv", 0);
	cli = client("cli", 0);
	ck_assert_int_eq(udg_connect(cli, "srv"), 0);
	ck_assert_int_eq(udg_set_nonblock(cli, 1), 0);
	ck_assert(fcntl(udg_fd(cli), F_GETFL) & O_NONBLOCK);
	for (i = 0; i < 100000; i++) {
		if (udg_send(cli, "x", 1) == -1)
			break;
		n++;
	}
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_lt(n, 100000);
	ck_assert_int_eq(udg_set_nonblock(cli, 0), 0);
	ck_assert_int_eq(fcntl(udg_fd(cli), F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* A blocking sender waits for room instead of losing datagrams. */
START_TEST(blocking_sender_waits)
{
	struct udg *srv, *cli;
	struct udg_msg m;
	pid_t pid;
	int i, st, v;
	char buf[16];

	srv = server("srv", 0);
	if ((pid = t_fork()) == 0) {
		if ((cli = udg_client("cli", 0)) == NULL)
			t_exit(1);
		for (i = 0; i < 50; i++)
			if (udg_sendto(cli, "srv", &i, sizeof(i)) == -1)
				t_exit(2);
		t_exit(udg_close(cli) == 0 ? 0 : 3);
	}
	sleep_ms(300);
	/* 50 do not fit the queue: the sender must still be waiting */
	ck_assert_int_eq(waitpid(pid, &st, WNOHANG), 0);
	for (i = 0; i < 50; i++) {
		ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
		udg_msg_init(&m, buf, sizeof(buf));
		ck_assert_int_eq(udg_recv(srv, &m), (ssize_t)sizeof(int));
		memcpy(&v, buf, sizeof(v));
		ck_assert_int_eq(v, i);
	}
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* The receiver naps now and then, so the sender keeps hitting a full queue. */
static void
slow_receive(struct udg *srv, long n, pid_t from)
{
	struct seqmsg sm;
	struct udg_msg m;
	long i;

	for (i = 0; i < n; i++) {
		if (i % 2048 == 0)
			sleep_ms(1);
		ck_assert_msg(udg_wait(srv, 10000, NULL) == 1,
		    "stalled after %ld of %ld", i, n);
		udg_msg_init(&m, &sm, sizeof(sm));
		ck_assert_int_eq(udg_recv(srv, &m), (ssize_t)sizeof(sm));
		ck_assert_msg(sm.seq == (uint32_t)i, "got %u, want %ld",
		    sm.seq, i);
		ck_assert_int_eq(m.pid, from);
	}
	ck_assert_int_eq(udg_wait(srv, 100, NULL), 0);
}

START_TEST(slow_receiver_100k_in_order)
{
	struct udg *srv, *cli;
	struct seqmsg sm;
	long i, n = t_scaled(NFLOOD);
	pid_t pid;

	srv = server("srv", 0);
	if ((pid = t_fork()) == 0) {
		memset(&sm, 0, sizeof(sm));
		if ((cli = udg_client("cli", 0)) == NULL ||
		    udg_connect(cli, "srv") == -1)
			t_exit(1);
		for (i = 0; i < n; i++) {
			sm.seq = (uint32_t)i;
			if (udg_send(cli, &sm, sizeof(sm)) == -1)
				t_exit(2);
		}
		t_exit(udg_close(cli) == 0 ? 0 : 3);
	}
	slow_receive(srv, n, pid);
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* ---- the sender's address, written over messages a receive reuses ---- */

enum { P_LONG, P_UNBOUND, P_SHORT, P_ABSTRACT, P_FULL, NPEERS };

struct peers {
	int	 s[NPEERS];
	char	 lpath[UDG_PATH_MAX + 1];
	char	 full[UDG_PATH_MAX + 2];	/* a sun_path without a NUL */
	char	 abs[16];
	size_t	 nabs;
};

/* A raw socket bound at len bytes of sun_path, or -1. */
static int
bind_raw(const char *path, size_t len)
{
	struct sockaddr_un sun;
	int s;

	if ((s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (bind(s, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct
	    sockaddr_un, sun_path) + len)) == -1) {
		(void)close(s);
		return -1;
	}
	return s;
}

/* One sender of every kind of address. */
static void
peers_open(struct peers *p)
{
	int n;

	n = snprintf(p->lpath, sizeof(p->lpath), "%s/%s", t_dir,
	    "a-sender-with-a-longer-name");
	ck_assert(n > 0 && (size_t)n < sizeof(p->lpath));
	p->s[P_LONG] = t_raw_socket(p->lpath, 0);
	p->s[P_UNBOUND] = t_raw_socket(NULL, 0);
	p->s[P_SHORT] = t_raw_socket("s", 0);
	/* "\0ab\0<pid>": a NUL inside the name as well */
	n = snprintf(p->abs, sizeof(p->abs), "%cab%c%ld", 0, 0,
	    (long)getpid());
	ck_assert(n > 0 && (size_t)n < sizeof(p->abs));
	p->nabs = (size_t)n - 1;
	p->s[P_ABSTRACT] = bind_raw(p->abs, (size_t)n);
	memset(p->full, 'f', sizeof(p->full) - 1);
	p->full[sizeof(p->full) - 1] = '\0';
	p->s[P_FULL] = bind_raw(p->full, UDG_PATH_MAX + 1);
	for (n = 0; n < NPEERS; n++)
		ck_assert_int_ne(p->s[n], -1);
}

/* Is m from peer k, and only that? */
static void
assert_peer(const struct peers *p, const struct udg_msg *m, int k)
{
	const char *path = k == P_LONG ? p->lpath : "s";

	ck_assert_int_eq(m->flags, UDG_MSG_UNPINNED);
	ck_assert_int_eq(m->pid, getpid());
	ck_assert_int_eq(m->pidfd, -1);
	switch (k) {
	case P_UNBOUND:
		ck_assert_int_eq(m->peer_type, UDG_PEER_NONE);
		ck_assert_uint_eq(m->peer_len, 0);
		ck_assert_int_eq(m->peer[0], '\0');
		break;
	case P_ABSTRACT:
		ck_assert_int_eq(m->peer_type, UDG_PEER_ABSTRACT);
		ck_assert_uint_eq(m->peer_len, p->nabs);
		ck_assert_mem_eq(m->peer, p->abs + 1, p->nabs);
		ck_assert_int_eq(m->peer[p->nabs], '\0');
		break;
	case P_FULL:
		ck_assert_int_eq(m->peer_type, UDG_PEER_PATH);
		ck_assert_uint_eq(m->peer_len, sizeof(m->peer));
		ck_assert_mem_eq(m->peer, p->full, sizeof(m->peer));
		break;
	default:
		ck_assert_int_eq(m->peer_type, UDG_PEER_PATH);
		ck_assert_uint_eq(m->peer_len, strlen(path));
		ck_assert_str_eq(m->peer, path);
		break;
	}
}

/* Send one datagram from each of order's n peers, receive them in m. */
static void
peers_round(struct udg *srv, const struct peers *p, struct udg_msg *m,
    const int *order, int n)
{
	int i, got;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(t_sendmsg(p->s[order[i]], "srv", "p", 1, NULL,
		    0, NULL), 1);
	for (got = 0; got < n; got += udg_recvv(srv, m + got, n - got))
		ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	for (i = 0; i < n; i++)
		assert_peer(p, &m[i], order[i]);
}

/*
 * Paths, abstract names and unbound senders in one batch, then again in
 * another order over the same messages: a short name over a long one, no
 * name over any, and a full sun_path, which has no NUL.  Each is answered.
 */
START_TEST(peers_in_batch)
{
	static const int first[] = { P_LONG, P_UNBOUND, P_SHORT, P_ABSTRACT,
	    P_FULL, P_SHORT, P_LONG, P_UNBOUND };
	static const int second[] = { P_SHORT, P_ABSTRACT, P_UNBOUND, P_LONG,
	    P_SHORT, P_FULL, P_UNBOUND, P_ABSTRACT };
	struct udg *srv;
	struct udg_msg m[8];
	struct peers p;
	char bufs[8][8], buf[8];
	int i;

	srv = server("srv", 0);
	peers_open(&p);
	for (i = 0; i < 8; i++) {
		udg_msg_init(&m[i], bufs[i], sizeof(bufs[i]));
		memset(m[i].peer, 'x', sizeof(m[i].peer));
		m[i].peer_len = 99;
	}
	peers_round(srv, &p, m, first, 8);
	peers_round(srv, &p, m, second, 8);
	/* and every name that fits a path is answered where it came from */
	ck_assert_int_eq(udg_reply(srv, &m[0], "r0", 2), 0);
	ck_assert_int_eq(udg_reply(srv, &m[1], "r1", 2), 0);
	ck_assert_int_eq(udg_reply(srv, &m[3], "r3", 2), 0);
	ck_assert_int_eq(t_raw_recv(p.s[P_SHORT], buf, sizeof(buf), 5000), 2);
	ck_assert_mem_eq(buf, "r0", 2);
	ck_assert_int_eq(t_raw_recv(p.s[P_ABSTRACT], buf, sizeof(buf), 5000),
	    2);
	ck_assert_mem_eq(buf, "r1", 2);
	ck_assert_int_eq(t_raw_recv(p.s[P_LONG], buf, sizeof(buf), 5000), 2);
	ck_assert_mem_eq(buf, "r3", 2);
	/* a full sun_path is answered by its length, not read past its end */
	ck_assert_int_eq(udg_reply(srv, &m[5], "r5", 2), 0);
	ck_assert_int_eq(t_raw_recv(p.s[P_FULL], buf, sizeof(buf), 5000), 2);
	ck_assert_mem_eq(buf, "r5", 2);
	for (i = 0; i < NPEERS; i++)
		(void)close(p.s[i]);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* Send the n datagrams "<c><i>", i from 0. */
static void
send_tagged(int s, char c, int n)
{
	char b[2];
	int i;

	for (i = 0; i < n; i++) {
		b[0] = c;
		b[1] = (char)('0' + i);
		ck_assert_int_eq(t_sendmsg(s, "srv", b, 2, NULL, 0, NULL), 2);
	}
}

/* m holds "<c><i>" in its own buffer, sent from "c". */
static void
assert_tagged(const struct udg_msg *m, const char *buf, char c, int i)
{
	char b[2] = { c, (char)('0' + i) };

	ck_assert_ptr_eq(m->buf, buf);
	ck_assert_uint_eq(m->len, 2);
	ck_assert_mem_eq(buf, b, 2);
	ck_assert_str_eq(m->peer, "c");
	ck_assert_int_eq(m->pid, getpid());
}

/*
 * Receives into one array and then another, into more of an array than
 * last time, into a buffer changed in place, and one at a time into a
 * message of either: each datagram lands where its call said.
 */
START_TEST(batch_arrays_switch)
{
	struct udg *srv;
	struct udg_msg a[4], b[4];
	char ba[4][8], bb[4][8], other[2];
	int s, i;

	srv = server("srv", 0);
	s = t_raw_socket("c", 0);
	ck_assert_int_ne(s, -1);
	for (i = 0; i < 4; i++) {
		udg_msg_init(&a[i], ba[i], sizeof(ba[i]));
		udg_msg_init(&b[i], bb[i], sizeof(bb[i]));
	}
	send_tagged(s, 'a', 3);
	ck_assert_int_eq(udg_recvv(srv, a, 4), 3);
	for (i = 0; i < 3; i++)
		assert_tagged(&a[i], ba[i], 'a', i);
	send_tagged(s, 'b', 2);
	ck_assert_int_eq(udg_recvv(srv, b, 4), 2);
	for (i = 0; i < 2; i++)
		assert_tagged(&b[i], bb[i], 'b', i);
	for (i = 0; i < 3; i++)
		assert_tagged(&a[i], ba[i], 'a', i);

	/* the same array, a smaller buffer put in its first message */
	a[0].buf = other;
	a[0].size = sizeof(other);
	send_tagged(s, 'c', 1);
	ck_assert_int_eq(t_sendmsg(s, "srv", "c1x", 3, NULL, 0, NULL), 3);
	ck_assert_int_eq(udg_recvv(srv, a, 1), 1);
	assert_tagged(&a[0], other, 'c', 0);
	a[0].size = 2;
	ck_assert_int_eq(udg_recvv(srv, a, 1), 1);
	ck_assert_uint_eq(a[0].reallen, 3);
	ck_assert_int_ne(a[0].flags & UDG_MSG_TRUNC, 0);
	ck_assert_mem_eq(other, "c1", 2);

	/* more of the array than the last call used */
	a[0].buf = ba[0];
	a[0].size = sizeof(ba[0]);
	send_tagged(s, 'd', 4);
	ck_assert_int_eq(udg_recvv(srv, a, 4), 4);
	for (i = 0; i < 4; i++)
		assert_tagged(&a[i], ba[i], 'd', i);

	/* one at a time, into a message of the last array and another's */
	send_tagged(s, 'e', 2);
	ck_assert_int_eq(udg_recv(srv, &a[0]), 2);
	assert_tagged(&a[0], ba[0], 'e', 0);
	ck_assert_int_eq(udg_recv(srv, &b[3]), 2);
	assert_tagged(&b[3], bb[3], 'e', 1);
	send_tagged(s, 'f', 4);
	ck_assert_int_eq(udg_recvv(srv, b, 4), 4);
	for (i = 0; i < 4; i++)
		assert_tagged(&b[i], bb[i], 'f', i);
	(void)close(s);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* ---- 7: batches -------------------------------------------------------- */

START_TEST(batch_small)
{
	struct udg *srv, *cli;
	struct udg_msg m[16];
	struct iovec iov[8];
	char data[8][8], bufs[16][16];
	int i;

	srv = server("srv", 0);
	cli = client("cli", 0);
	ck_assert_int_eq(udg_connect(cli, "srv"), 0);
	ck_assert_int_eq(udg_sendv(cli, iov, 0), 0);
	for (i = 0; i < 8; i++) {
		memset(data[i], 'a' + i, sizeof(data[i]));
		iov[i].iov_base = data[i];
		iov[i].iov_len = (size_t)i;	/* 0 to 7 bytes */
	}
	ck_assert_int_eq(udg_sendv(cli, iov, 8), 8);
	for (i = 0; i < 16; i++)
		udg_msg_init(&m[i], bufs[i], sizeof(bufs[i]));
	m[7].size = 3;				/* one truncated */
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	ck_assert_int_eq(udg_recvv(srv, m, 16), 8);
	for (i = 0; i < 8; i++) {
		ck_assert_uint_eq(m[i].reallen, (size_t)i);
		ck_assert_mem_eq(bufs[i], data[i], m[i].len);
		ck_assert_str_eq(m[i].peer, "cli");
		ck_assert_int_eq(m[i].pid, getpid());
		ck_assert_int_eq(m[i].uid, getuid());
	}
	ck_assert_uint_eq(m[7].len, 3);
	ck_assert(m[7].flags & UDG_MSG_TRUNC);
	ck_assert_int_eq(m[6].flags & UDG_MSG_TRUNC, 0);
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* Batches through a full queue: the count comes out right, in order. */
START_TEST(batch_many)
{
	struct udg *srv, *cli;
	struct udg_msg m[32];
	struct seqmsg rx[32], tx[50];
	struct iovec iov[50];
	long n = t_scaled(20000), got = 0, i;
	int r, k, calls = 0;
	pid_t pid;

	srv = server("srv", 0);
	if ((pid = t_fork()) == 0) {
		long sent = 0;

		if ((cli = udg_client("cli", 0)) == NULL ||
		    udg_connect(cli, "srv") == -1)
			t_exit(1);
		memset(tx, 0, sizeof(tx));
		while (sent < n) {
			k = n - sent < 50 ? (int)(n - sent) : 50;
			for (i = 0; i < k; i++) {
				tx[i].seq = (uint32_t)(sent + i);
				iov[i].iov_base = &tx[i];
				iov[i].iov_len = sizeof(tx[i]);
			}
			if ((r = udg_sendv(cli, iov, k)) <= 0)
				t_exit(2);
			sent += r;
		}
		t_exit(udg_close(cli) == 0 ? 0 : 3);
	}
	while (got < n) {
		ck_assert_msg(udg_wait(srv, 10000, NULL) == 1,
		    "stalled at %ld", got);
		for (i = 0; i < 32; i++)
			udg_msg_init(&m[i], &rx[i], sizeof(rx[i]));
		r = udg_recvv(srv, m, 32);
		ck_assert_int_ge(r, 1);
		ck_assert_int_le(r, 32);
		for (i = 0; i < r; i++) {
			ck_assert_uint_eq(m[i].len, sizeof(rx[i]));
			ck_assert_msg(rx[i].seq == (uint32_t)got,
			    "got %u, want %ld", rx[i].seq, got);
			ck_assert_int_eq(m[i].pid, pid);
			got++;
		}
		calls++;
	}
	ck_assert_int_eq(udg_wait(srv, 100, NULL), 0);
	ck_assert_int_eq(t_wait(pid), 0);
	/* batching happened: fewer calls than datagrams */
	ck_assert_int_lt(calls, n);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* A non-blocking batch into a nearly full queue: a short count, then
 * EAGAIN, and exactly the counted ones arrive. */
START_TEST(batch_nonblock_short_count)
{
	struct udg *srv, *cli;
	struct udg_msg m;
	struct iovec iov[64];
	int i, r, got = 0, v, vals[64];
	char buf[16];

	srv = server("srv", 0);
	cli = client("cli", UDG_NONBLOCK);
	ck_assert_int_eq(udg_connect(cli, "srv"), 0);
	for (i = 0; i < 64; i++) {
		vals[i] = i;
		iov[i].iov_base = &vals[i];
		iov[i].iov_len = sizeof(vals[i]);
	}
	r = udg_sendv(cli, iov, 64);
	ck_assert_int_gt(r, 0);
	ck_assert_int_lt(r, 64);
	errno = 0;
	ck_assert_int_eq(udg_sendv(cli, iov + r, 64 - r), -1);
	ck_assert_int_eq(errno, EAGAIN);
	while (udg_wait(srv, 200, NULL) == 1) {
		udg_msg_init(&m, buf, sizeof(buf));
		ck_assert_int_eq(udg_recv(srv, &m), (ssize_t)sizeof(int));
		memcpy(&v, buf, sizeof(v));
		ck_assert_int_eq(v, got);
		got++;
	}
	ck_assert_int_eq(got, r);
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* A batch receive waits for the first datagram. */
START_TEST(batch_recv_waits_for_first)
{
	struct udg *srv, *cli;
	struct udg_msg m[4];
	char bufs[4][8];
	long t0;
	pid_t pid;
	int i;

	srv = server("srv", 0);
	if ((pid = t_fork()) == 0) {
		sleep_ms(200);
		if ((cli = udg_client("cli", 0)) == NULL ||
		    udg_sendto(cli, "srv", "late", 4) == -1)
			t_exit(1);
		t_exit(udg_close(cli) == 0 ? 0 : 2);
	}
	for (i = 0; i < 4; i++)
		udg_msg_init(&m[i], bufs[i], sizeof(bufs[i]));
	t0 = now_ms();
	ck_assert_int_eq(udg_recvv(srv, m, 4), 1);
	ck_assert_int_ge(now_ms() - t0, 150);
	ck_assert_mem_eq(bufs[0], "late", 4);
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/* ---- 8: close-on-exec, no SIGPIPE, EINTR, threads --------------------- */

#define MAXFD	4096

/* Mark which fds are open now. */
static void
open_fds(unsigned char *set)
{
	struct dirent *de;
	DIR *d;
	int fd, dfd;

	memset(set, 0, MAXFD);
	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		fd = atoi(de->d_name);
		if (de->d_name[0] != '.' && fd != dfd && fd < MAXFD)
			set[fd] = 1;
	}
	(void)closedir(d);
}

START_TEST(everything_cloexec)
{
	static unsigned char before[MAXFD], after[MAXFD];
	struct udg *u[4];
	char xdg[PATH_MAX];
	int i, fl, nnew = 0;

	(void)snprintf(xdg, sizeof(xdg), "%s/x", t_dir);
	ck_assert_int_eq(mkdir(xdg, 0700), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", xdg, 1), 0);
	open_fds(before);
	u[0] = server("srv", 0);
	u[1] = client(NULL, 0);
	u[2] = client("cli", UDG_NONBLOCK);
	u[3] = udg_server("srv2", 0600, UDG_NONBLOCK);
	ck_assert_ptr_nonnull(u[3]);
	for (i = 0; i < 4; i++) {
		fl = fcntl(udg_fd(u[i]), F_GETFD);
		ck_assert_int_ne(fl, -1);
		ck_assert_msg(fl & FD_CLOEXEC, "udg_fd of endpoint %d", i);
	}
	/* and every other fd the library holds (locks, directories) */
	open_fds(after);
	for (i = 0; i < MAXFD; i++) {
		if (!after[i] || before[i])
			continue;
		nnew++;
		fl = fcntl(i, F_GETFD);
		ck_assert_msg(fl != -1 && (fl & FD_CLOEXEC), "fd %d", i);
	}
	ck_assert_int_ge(nnew, 4);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(udg_close(u[i]), 0);
	open_fds(after);
	ck_assert_mem_eq(after, before, MAXFD);
}
END_TEST

START_TEST(no_fd_leak)
{
	struct udg *u, *c;
	char xdg[PATH_MAX];
	int before, i;

	(void)snprintf(xdg, sizeof(xdg), "%s/x", t_dir);
	ck_assert_int_eq(mkdir(xdg, 0700), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", xdg, 1), 0);
	before = t_count_fds();
	for (i = 0; i < 200; i++) {
		u = server("srv", 0);
		c = client(NULL, 0);
		ck_assert_int_eq(udg_sendto(c, "srv", "x", 1), 0);
		t_expect(u, "x", 1);
		ck_assert_int_eq(udg_close(c), 0);
		ck_assert_int_eq(udg_close(u), 0);
		/* failures must not leak either */
		t_write_file("file", "");
		ck_assert_ptr_null(udg_server("file", -1, 0));
		ck_assert_int_eq(unlink("file"), 0);
	}
	ck_assert_int_eq(t_count_fds(), before);
}
END_TEST

/* Sends that fail with EPIPE must not raise SIGPIPE (default: death). */
START_TEST(no_sigpipe)
{
	struct udg *srv, *cli;

	ck_assert(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	srv = server("srv", 0);
	cli = client("cli", 0);
	ck_assert_int_eq(shutdown(udg_fd(cli), SHUT_WR), 0);
	errno = 0;
	ck_assert_int_eq(udg_sendto(cli, "srv", "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(udg_close(cli), 0);
	/* a connected sender whose peer went away */
	cli = client("cli", 0);
	ck_assert_int_eq(udg_connect(cli, "srv"), 0);
	ck_assert_int_eq(udg_close(srv), 0);
	ck_assert_int_eq(udg_send(cli, "x", 1), -1);
	ck_assert_int_eq(udg_send(cli, "x", 1), -1);
	ck_assert_int_eq(udg_close(cli), 0);
}
END_TEST

static volatile sig_atomic_t nsignals;

static void
count_signal(int sig)
{
	(void)sig;
	nsignals++;
}

/* A signal every 100 us, with handlers that do not restart system calls. */
static void
signal_storm(int on)
{
	struct sigaction sa;
	struct itimerval it;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_signal;
	sa.sa_flags = 0;		/* no SA_RESTART: EINTR surfaces */
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	if (on) {
		it.it_interval.tv_usec = 100;
		it.it_value.tv_usec = 100;
	}
	(void)setitimer(ITIMER_REAL, &it, NULL);
}

struct storm_report {
	long	done;
	long	failed;
	int	err;
	long	signals;
};

/* Blocking sends under a signal storm: every one goes, none twice. */
START_TEST(eintr_send_retried)
{
	struct storm_report rep;
	struct seqmsg sm;
	struct udg *srv, *cli;
	long i, n = t_scaled(NFLOOD);
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	srv = server("srv", 0);
	if ((pid = t_fork()) == 0) {
		memset(&rep, 0, sizeof(rep));
		memset(&sm, 0, sizeof(sm));
		if ((cli = udg_client("cli", 0)) == NULL ||
		    udg_connect(cli, "srv") == -1)
			t_exit(1);
		signal_storm(1);
		for (i = 0; i < n; i++) {
			sm.seq = (uint32_t)i;
			if (udg_send(cli, &sm, sizeof(sm)) == 0)
				rep.done++;
			else {
				rep.failed++;
				rep.err = errno;
			}
		}
		signal_storm(0);
		rep.signals = nsignals;
		(void)t_write(p[1], &rep, sizeof(rep));
		t_exit(udg_close(cli) == 0 ? 0 : 3);
	}
	slow_receive(srv, n, pid);
	ck_assert_int_eq(t_read(p[0], &rep, sizeof(rep)), 0);
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert_msg(rep.failed == 0, "%ld sends failed: %s", rep.failed,
	    strerror(rep.err));
	ck_assert_int_eq(rep.done, n);
	ck_assert_msg(rep.signals > 10, "only %ld signals", rep.signals);
	ck_assert_int_eq(udg_close(srv), 0);
	(void)close(p[0]);
	(void)close(p[1]);
}
END_TEST

/* Blocking receives (single and batch) under a signal storm. */
START_TEST(eintr_recv_retried)
{
	struct storm_report rep;
	struct seqmsg sm[8];
	struct udg_msg m[8];
	struct udg *srv, *cli;
	long i, n = t_scaled(4000), next = 0;
	int p[2], r, k;
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = t_fork()) == 0) {
		memset(&rep, 0, sizeof(rep));
		if ((srv = udg_server("srv", -1, 0)) == NULL)
			t_exit(1);
		c = 'r';
		(void)t_write(p[1], &c, 1);
		signal_storm(1);
		while (next < n) {
			for (k = 0; k < 8; k++)
				udg_msg_init(&m[k], &sm[k], sizeof(sm[k]));
			if (next % 2 == 0)	/* alternate the two calls */
				r = udg_recv(srv, &m[0]) == -1 ? -1 : 1;
			else
				r = udg_recvv(srv, m, 8);
			if (r == -1) {
				rep.failed++;
				rep.err = errno;
				break;
			}
			for (k = 0; k < r; k++, next++)
				if (sm[k].seq != (uint32_t)next)
					rep.failed++;
			rep.done += r;
		}
		signal_storm(0);
		rep.signals = nsignals;
		(void)t_write(p[1], &rep, sizeof(rep));
		t_exit(udg_close(srv) == 0 ? 0 : 3);
	}
	ck_assert_int_eq(t_read(p[0], &c, 1), 0);
	cli = client("cli", 0);
	memset(&sm[0], 0, sizeof(sm[0]));
	/* A receiver that gave up shows as a failed send: its report says why. */
	for (i = 0; i < n; i++) {
		sm[0].seq = (uint32_t)i;
		if (udg_sendto(cli, "srv", &sm[0], sizeof(sm[0])) == -1)
			break;
		if (i % 16 == 0)	/* let the receiver block in between */
			sleep_ms(1);
	}
	ck_assert_int_eq(t_read(p[0], &rep, sizeof(rep)), 0);
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert_msg(rep.failed == 0, "%ld receives failed: %s", rep.failed,
	    strerror(rep.err));
	ck_assert_int_eq(rep.done, n);
	ck_assert_int_eq(i, n);
	ck_assert_msg(rep.signals > 10, "only %ld signals", rep.signals);
	ck_assert_int_eq(udg_close(cli), 0);
	(void)close(p[0]);
	(void)close(p[1]);
}
END_TEST

/* udg_wait is the one call that returns EINTR, and honours its sigmask. */
START_TEST(wait_eintr_and_sigmask)
{
	struct sigaction sa;
	sigset_t usr1, empty, old;
	struct udg *srv, *cli;
	long t0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_signal;
	(void)sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	(void)sigemptyset(&empty);
	(void)sigemptyset(&usr1);
	(void)sigaddset(&usr1, SIGUSR1);
	srv = server("srv", 0);
	cli = client("cli", 0);

	t0 = now_ms();
	ck_assert_int_eq(udg_wait(srv, 100, NULL), 0);
	ck_assert_int_ge(now_ms() - t0, 90);

	/* SIGUSR1 pending but blocked; the wait's mask unblocks it */
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &usr1, &old), 0);
	nsignals = 0;
	ck_assert_int_eq(raise(SIGUSR1), 0);
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(udg_wait(srv, 5000, &empty), -1);
	ck_assert_int_eq(errno, EINTR);
	ck_assert_int_lt(now_ms() - t0, 2000);
	ck_assert_int_eq(nsignals, 1);
	/* a mask that blocks it keeps it pending: a plain timeout */
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(udg_wait(srv, 50, &usr1), 0);
	ck_assert_int_eq(udg_wait(srv, 50, NULL), 0);
	ck_assert_int_eq(nsignals, 1);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	ck_assert_int_eq(nsignals, 2);

	ck_assert_int_eq(udg_sendto(cli, "srv", "x", 1), 0);
	ck_assert_int_eq(udg_wait(srv, -1, NULL), 1);
	ck_assert_int_eq(udg_wait(srv, 0, &empty), 1);
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
	(void)signal(SIGUSR1, SIG_DFL);
}
END_TEST

struct worker {
	pthread_t	 tid;
	int		 id;
	int		 errors;
	long		 received;
};

/* One thread, its own pair of endpoints: send bursts, receive them back. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct udg *srv, *cli;
	struct udg_msg m[8];
	struct seqmsg sm[8], tx;
	char path[32];
	long sent = 0, next = 0;
	int k, r;

	(void)snprintf(path, sizeof(path), "w%d", w->id);
	srv = udg_server(path, -1, 0);
	cli = udg_client(NULL, 0);
	if (srv == NULL || cli == NULL || udg_connect(cli, path) == -1) {
		w->errors++;
		goto out;
	}
	memset(&tx, 0, sizeof(tx));
	while (next < THREAD_ITER) {
		for (k = 0; k < 8 && sent < THREAD_ITER; k++, sent++) {
			tx.seq = (uint32_t)(w->id * 1000000 + sent);
			if (udg_send(cli, &tx, sizeof(tx)) == -1)
				w->errors++;
		}
		while (next < sent) {
			if (udg_wait(srv, 5000, NULL) != 1) {
				w->errors++;
				goto out;
			}
			for (k = 0; k < 8; k++)
				udg_msg_init(&m[k], &sm[k], sizeof(sm[k]));
			if ((r = udg_recvv(srv, m, 8)) < 1) {
				w->errors++;
				goto out;
			}
			for (k = 0; k < r; k++, next++) {
				if (sm[k].seq != (uint32_t)(w->id * 1000000 +
				    next) || m[k].pid != getpid() ||
				    strcmp(m[k].peer, udg_path(cli)) != 0)
					w->errors++;
				w->received++;
			}
		}
	}
out:
	if (udg_close(cli) != 0 || udg_close(srv) != 0)
		w->errors++;
	return NULL;
}

START_TEST(threads_own_endpoints)
{
	struct worker w[NTHREADS];
	char xdg[PATH_MAX];
	int i;

	(void)snprintf(xdg, sizeof(xdg), "%s/x", t_dir);
	ck_assert_int_eq(mkdir(xdg, 0700), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", xdg, 1), 0);
	memset(w, 0, sizeof(w));
	for (i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		ck_assert_int_eq(pthread_create(&w[i].tid, NULL, worker_main,
		    &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_join(w[i].tid, NULL), 0);
	for (i = 0; i < NTHREADS; i++) {
		ck_assert_msg(w[i].errors == 0, "thread %d: %d errors", i,
		    w[i].errors);
		ck_assert_int_eq(w[i].received, THREAD_ITER);
	}
}
END_TEST

/* ---- arrival time and the message's layout ---------------------------- */

/* Nanoseconds between two realtime stamps, b - a. */
static long long
ns_between(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000000000LL +
	    (b->tv_nsec - a->tv_nsec);
}

/*
 * A datagram read a second after it was sent carries its send time when
 * the kernel stamps it, and the receive time when it cannot (forced).
 */
START_TEST(timestamp_is_arrival)
{
	struct udg *srv, *cli;
	struct udg_msg m;
	struct timespec sent, got;
	char buf[8];
	int forced;

	for (forced = 0; forced < 2; forced++) {
		if (forced)
			ck_assert_int_eq(setenv("UDG_TEST_DISABLE",
			    "timestamp", 1), 0);
		srv = server("srv", UDG_TIMESTAMP);
		ck_assert_int_eq((udg_flags(srv) & UDG_TIMESTAMP) != 0,
		    !forced);
		cli = client("cli", 0);
		ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &sent), 0);
		ck_assert_int_eq(udg_sendto(cli, "srv", "t", 1), 0);
		sleep_ms(1000);
		ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
		udg_msg_init(&m, buf, sizeof(buf));
		ck_assert_int_eq(udg_recv(srv, &m), 1);
		ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &got), 0);
		if (!forced) {
			ck_assert_int_ne(m.flags & UDG_MSG_KTIME, 0);
			/* the send time: well before the read a second later */
			ck_assert_int_gt(ns_between(&sent, &m.time), -100000000LL);
			ck_assert_int_lt(ns_between(&sent, &m.time), 500000000LL);
		} else {
			ck_assert_int_eq(m.flags & UDG_MSG_KTIME, 0);
			ck_assert_int_ge(ns_between(&sent, &m.time), 900000000LL);
			ck_assert_int_le(ns_between(&m.time, &got), 0LL + 500000000LL);
		}
		ck_assert_int_eq(udg_close(cli), 0);
		ck_assert_int_eq(udg_close(srv), 0);
	}
	ck_assert_int_eq(unsetenv("UDG_TEST_DISABLE"), 0);
}
END_TEST

/* Without UDG_TIMESTAMP no time is taken: the plain path stays plain. */
START_TEST(timestamp_only_when_asked)
{
	struct udg *srv, *cli;
	struct udg_msg m[2];
	char bufs[2][8];

	srv = server("srv", 0);
	cli = client("cli", 0);
	ck_assert_int_eq(udg_flags(srv), 0);
	ck_assert_int_eq(udg_sendto(cli, "srv", "a", 1), 0);
	ck_assert_int_eq(udg_sendto(cli, "srv", "b", 1), 0);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	udg_msg_init(&m[0], bufs[0], sizeof(bufs[0]));
	udg_msg_init(&m[1], bufs[1], sizeof(bufs[1]));
	ck_assert_int_ge(udg_recvv(srv, m, 2), 1);
	ck_assert_int_eq(m[0].flags & UDG_MSG_KTIME, 0);
	ck_assert_int_eq(m[0].time.tv_sec, 0);
	ck_assert_int_eq(m[0].time.tv_nsec, 0);
	ck_assert_int_eq(udg_close(cli), 0);
	ck_assert_int_eq(udg_close(srv), 0);
}
END_TEST

/*
 * The layout callers compiled against stays put: same size, old members
 * at their old offsets, so udg_recvv() arrays keep their stride.
 */
START_TEST(msg_layout_fixed)
{
	struct udg_msg m;
	char buf[4];

#if __SIZEOF_POINTER__ == 8 && __SIZEOF_LONG__ == 8
	ck_assert_uint_eq(sizeof(struct udg_msg), 256);
	ck_assert_uint_eq(offsetof(struct udg_msg, peer), 64);
	ck_assert_uint_eq(offsetof(struct udg_msg, pidfd), 172);
#endif
	memset(&m, 0x5a, sizeof(m));
	udg_msg_init(&m, buf, sizeof(buf));
	ck_assert_ptr_eq(m.buf, buf);
	ck_assert_uint_eq(m.size, sizeof(buf));
	ck_assert_int_eq(m.pidfd, -1);
	ck_assert_int_eq(m.flags, 0);
	ck_assert_uint_eq(m.reserved[6], 0);
}
END_TEST

static Suite *
io_suite(void)
{
	Suite *s = suite_create("io");
	TCase *tc;

	tc = t_tcase(s, "basic", 10);
	tcase_add_test(tc, send_receive_reply);
	tcase_add_test(tc, reply_to_auto_client);
	tcase_add_test(tc, unbound_sender_reported);
	tcase_add_test(tc, abstract_sender_answered);
	tcase_add_test(tc, sendto_errors);
	tcase_add_test(tc, connect_then_send);

	tc = t_tcase(s, "sizes", 10);
	tcase_add_test(tc, truncation_reported);
	tcase_add_test(tc, largest_datagram);
	tcase_add_test(tc, zero_length_delivered);

	/* 100,000 datagrams take ~1 s here; leave room for slow machines. */
	tc = t_tcase(s, "queue", 60);
	tcase_add_test(tc, nonblock_gets_eagain);
	tcase_add_test(tc, set_nonblock_connected);
	tcase_add_test(tc, blocking_sender_waits);
	tcase_add_test(tc, slow_receiver_100k_in_order);

	tc = t_tcase(s, "batch", 30);
	tcase_add_test(tc, batch_small);
	tcase_add_test(tc, batch_arrays_switch);
	tcase_add_test(tc, peers_in_batch);
	tcase_add_test(tc, batch_many);
	tcase_add_test(tc, batch_nonblock_short_count);
	tcase_add_test(tc, batch_recv_waits_for_first);

	tc = t_tcase(s, "process", 60);
	tcase_add_test(tc, everything_cloexec);
	tcase_add_test(tc, no_fd_leak);
	tcase_add_test(tc, no_sigpipe);
	tcase_add_test(tc, eintr_send_retried);
	tcase_add_test(tc, eintr_recv_retried);
	tcase_add_test(tc, wait_eintr_and_sigmask);
	tcase_add_test(tc, threads_own_endpoints);

	tc = t_tcase(s, "time", 30);
	tcase_add_test(tc, timestamp_is_arrival);
	tcase_add_test(tc, timestamp_only_when_asked);
	tcase_add_test(tc, msg_layout_fixed);
	return s;
}

int
main(void)
{
	return t_run(io_suite());
}
