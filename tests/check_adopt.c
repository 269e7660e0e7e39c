/*
 * check_adopt.c - udg_server_fd(): an endpoint on a socket someone else
 * bound.  It receives with credentials, answers, never locks or unlinks
 * the path, and refuses every socket that is not an AF_UNIX datagram
 * socket bound to exactly the path given, leaving the fd to the caller.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

/* Adoption must fail with e and leave fd open. */
static void
refused(int fd, const char *path, int flags, int e)
{
	errno = 0;
	ck_assert_ptr_null(udg_server_fd(fd, path, flags));
	ck_assert_msg(errno == e, "errno %d (%s), want %d (%s)", errno,
	    strerror(errno), e, strerror(e));
	if (e != EBADF)
		ck_assert_int_ne(fcntl(fd, F_GETFD), -1);
}

START_TEST(adopt_receive_reply_close)
{
	const char *path = t_path("s"), *cpath = t_path("c");
	char buf[64];
	struct udg_msg m;
	struct udg *u;
	int s, c;

	s = t_raw_socket(path, 0);
	ck_assert_int_ge(s, 0);
	u = udg_server_fd(s, path, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(udg_fd(u), s);
	ck_assert_str_eq(udg_path(u), path);
	ck_assert_int_eq(fcntl(s, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert(!t_exists(t_path("s.lock")));

	c = t_raw_socket(cpath, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(t_sendmsg(c, path, "ping", 4, NULL, 0, NULL), 4);
	memset(&m, 0, sizeof(m));
	m.buf = buf;
	m.size = sizeof(buf);
	ck_assert_int_eq(udg_recv(u, &m), 4);
	ck_assert_int_eq(memcmp(buf, "ping", 4), 0);
	/* Credentials were switched on at adoption. */
	ck_assert_int_eq(m.flags & UDG_MSG_NOCRED, 0);
	ck_assert_int_eq(m.pid, getpid());
	ck_assert_int_eq(m.uid, getuid());
	ck_assert_int_eq(udg_reply(u, &m, "pong", 4), 0);
	ck_assert_int_eq(t_raw_recv(c, buf, sizeof(buf), 5000), 4);
	ck_assert_int_eq(memcmp(buf, "pong", 4), 0);

	/* The path belongs to whoever bound it: close leaves it. */
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert_int_eq(fcntl(s, F_GETFD), -1);
	ck_assert(t_exists(path));
	ck_assert(!t_exists(t_path("s.lock")));
	ck_assert_int_eq(close(c), 0);
}
END_TEST

START_TEST(adopt_nonblock_as_asked)
{
	const char *path = t_path("s");
	char buf[8];
	struct udg_msg m;
	struct udg *u;
	int s;

	s = t_raw_socket(path, 0);
	ck_assert_int_ge(s, 0);
	u = udg_server_fd(s, path, UDG_NONBLOCK);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_ne(fcntl(s, F_GETFL) & O_NONBLOCK, 0);
	memset(&m, 0, sizeof(m));
	m.buf = buf;
	m.size = sizeof(buf);
	ck_assert_int_eq(udg_recv(u, &m), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(udg_close(u), 0);

	/* A non-blocking fd handed over without the flag becomes blocking. */
	s = t_raw_socket(t_path("t"), 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(fcntl(s, F_SETFL, O_NONBLOCK), 0);
	u = udg_server_fd(s, t_path("t"), 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(fcntl(s, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(udg_close(u), 0);
}
END_TEST

START_TEST(refuse_wrong_sockets)
{
	char longpath[UDG_PATH_MAX + 8];
	struct sockaddr_un sun;
	socklen_t len;
	int s, p[2];

	refused(-1, t_path("s"), 0, EBADF);
	s = t_raw_socket(t_path("s"), 0);
	ck_assert_int_ge(s, 0);
	refused(s, t_path("s"), 0x100, EINVAL);
	refused(s, t_path("other"), 0, EADDRNOTAVAIL);
	refused(s, "s", 0, EADDRNOTAVAIL);	/* exactly: not relative */
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	refused(s, longpath, 0, ENAMETOOLONG);
	ck_assert_int_eq(close(s), 0);

	s = t_raw_socket(NULL, 0);		/* unbound */
	refused(s, t_path("s"), 0, EADDRNOTAVAIL);
	ck_assert_int_eq(close(s), 0);

	s = t_raw_socket(NULL, 0);		/* abstract "\0PATH" */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	len = (socklen_t)snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
	    "%s", t_path("u"));
	len += (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, len), 0);
	refused(s, t_path("u"), 0, EADDRNOTAVAIL);
	ck_assert_int_eq(close(s), 0);

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	len = t_addr(&sun, t_path("stream"));
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, len), 0);
	refused(s, t_path("stream"), 0, EPROTOTYPE);
	ck_assert_int_eq(close(s), 0);

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s, 0);
	refused(s, t_path("s"), 0, EAFNOSUPPORT);
	ck_assert_int_eq(close(s), 0);

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	refused(p[0], t_path("s"), 0, ENOTSOCK);
	ck_assert_int_eq(close(p[0]), 0);
	ck_assert_int_eq(close(p[1]), 0);
	refused(p[0], t_path("s"), 0, EBADF);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("adopt");
	TCase *tc;

	tc = t_tcase(s, "adopt", 10);
	tcase_add_test(tc, adopt_receive_reply_close);
	tcase_add_test(tc, adopt_nonblock_as_asked);
	tcase_add_test(tc, refuse_wrong_sockets);
	return t_run(s);
}
