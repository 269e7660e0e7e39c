/*
 * check_activate.c - socket activation as systemd does it: sockets at
 * fd 3 on, LISTEN_PID and LISTEN_FDS set.  Matching sockets are adopted
 * (by path, in any order), the variables are always unset, and every
 * mismatch is refused with a message naming the fd and the path.
 */
#include "config.h"

#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activate.h"
#include "common.h"

#define MAXPASS	4

static int	saved[MAXPASS];
static int	npassed;
static char	why[512];

/* Move socks to fd 3 on, as a service manager does; keep what was there. */
static void
pass(const int *socks, int n, const char *pid)
{
	int hi[MAXPASS], i;
	char num[32];

	ck_assert_int_le(n, MAXPASS);
	for (i = 0; i < n; i++) {
		hi[i] = fcntl(socks[i], F_DUPFD_CLOEXEC, 100);
		ck_assert_int_ge(hi[i], 100);
		ck_assert_int_eq(close(socks[i]), 0);
	}
	for (i = 0; i < n; i++) {
		saved[i] = fcntl(ACT_FDS_START + i, F_DUPFD_CLOEXEC, 200);
		ck_assert_int_eq(dup2(hi[i], ACT_FDS_START + i),
		    ACT_FDS_START + i);
		ck_assert_int_eq(close(hi[i]), 0);
	}
	npassed = n;
	if (pid == NULL) {
		(void)snprintf(num, sizeof(num), "%ld", (long)getpid());
		pid = num;
	}
	ck_assert_int_eq(setenv("LISTEN_PID", pid, 1), 0);
	(void)snprintf(num, sizeof(num), "%d", n);
	ck_assert_int_eq(setenv("LISTEN_FDS", num, 1), 0);
	ck_assert_int_eq(setenv("LISTEN_FDNAMES", "udg", 1), 0);
}

/* Put back the fds that pass() replaced (the Check runner's, maybe). */
static void
unpass(void)
{
	int i;

	for (i = 0; i < npassed; i++) {
		(void)close(ACT_FDS_START + i);
		if (saved[i] != -1) {
			(void)dup2(saved[i], ACT_FDS_START + i);
			(void)close(saved[i]);
		}
	}
	npassed = 0;
}

/* The variables are gone after any call. */
static void
env_unset(void)
{
	ck_assert_ptr_null(getenv("LISTEN_PID"));
	ck_assert_ptr_null(getenv("LISTEN_FDS"));
	ck_assert_ptr_null(getenv("LISTEN_FDNAMES"));
}

/* act_adopt for one path must fail with a message matching all of want. */
static void
refused(const char *const *paths, size_t n, const char *want1,
    const char *want2)
{
	struct udg *out[MAXPASS];

	why[0] = '\0';
	ck_assert_int_eq(act_adopt(paths, n, 0, out, why, sizeof(why)), -1);
	env_unset();
	ck_assert_msg(strstr(why, want1) != NULL, "'%s' lacks '%s'", why,
	    want1);
	if (want2 != NULL)
		ck_assert_msg(strstr(why, want2) != NULL, "'%s' lacks '%s'",
		    why, want2);
}

START_TEST(not_activated)
{
	const char *paths[] = { t_path("s") };
	struct udg *out[1];

	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	ck_assert_int_eq(act_adopt(paths, 1, 0, out, why, sizeof(why)), 0);
	/* Meant for another process: ignored, and not passed on. */
	ck_assert_int_eq(setenv("LISTEN_PID", "1", 1), 0);
	ck_assert_int_eq(setenv("LISTEN_FDS", "1", 1), 0);
	ck_assert_int_eq(act_adopt(paths, 1, 0, out, why, sizeof(why)), 0);
	env_unset();
}
END_TEST

START_TEST(adopt_one_socket)
{
	const char *paths[] = { t_path("s") };
	struct udg *out[1];
	int s;

	s = t_raw_socket(paths[0], 0);
	ck_assert_int_ge(s, 0);
	pass(&s, 1, NULL);
	ck_assert_int_eq(act_adopt(paths, 1, UDG_NONBLOCK, out, why,
	    sizeof(why)), 1);
	env_unset();
	ck_assert_int_eq(udg_fd(out[0]), ACT_FDS_START);
	ck_assert_int_eq(fcntl(ACT_FDS_START, F_GETFD) & FD_CLOEXEC,
	    FD_CLOEXEC);
	ck_assert_int_ne(fcntl(ACT_FDS_START, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(udg_close(out[0]), 0);
	ck_assert(t_exists(paths[0]));
	unpass();
}
END_TEST

START_TEST(adopt_in_any_order)
{
	const char *paths[] = { t_path("a"), t_path("b") };
	struct udg *out[2];
	int s[2];

	s[0] = t_raw_socket(paths[1], 0);
	s[1] = t_raw_socket(paths[0], 0);
	ck_assert_int_ge(s[0], 0);
	ck_assert_int_ge(s[1], 0);
	pass(s, 2, NULL);
	ck_assert_int_eq(act_adopt(paths, 2, 0, out, why, sizeof(why)), 1);
	ck_assert_int_eq(udg_fd(out[0]), ACT_FDS_START + 1);
	ck_assert_int_eq(udg_fd(out[1]), ACT_FDS_START);
	ck_assert_str_eq(udg_path(out[0]), paths[0]);
	(void)udg_close(out[0]);
	(void)udg_close(out[1]);
	unpass();
}
END_TEST

START_TEST(refuse_bad_variables)
{
	const char *paths[] = { t_path("s") };
	char me[32];

	(void)snprintf(me, sizeof(me), "%ld", (long)getpid());
	ck_assert_int_eq(setenv("LISTEN_PID", "12x", 1), 0);
	ck_assert_int_eq(setenv("LISTEN_FDS", "1", 1), 0);
	refused(paths, 1, "LISTEN_PID=12x", "not a pid");
	ck_assert_int_eq(setenv("LISTEN_PID", me, 1), 0);
	ck_assert_int_eq(setenv("LISTEN_FDS", "0", 1), 0);
	refused(paths, 1, "LISTEN_FDS=0", "no socket passed");
	ck_assert_int_eq(setenv("LISTEN_PID", me, 1), 0);
	ck_assert_int_eq(setenv("LISTEN_FDS", "-1", 1), 0);
	refused(paths, 1, "LISTEN_FDS=-1", "no socket passed");
	ck_assert_int_eq(setenv("LISTEN_PID", me, 1), 0);
	refused(paths, 1, "LISTEN_FDS is not set", NULL);
}
END_TEST

START_TEST(refuse_wrong_path)
{
	const char *paths[] = { t_path("s") };
	int s;

	s = t_raw_socket(t_path("elsewhere"), 0);
	pass(&s, 1, NULL);
	refused(paths, 1, "fd 3", t_path("elsewhere"));
	unpass();
}
END_TEST

START_TEST(refuse_stream_and_pipe)
{
	const char *paths[] = { t_path("s") };
	struct sockaddr_un sun;
	int s, p[2];
	socklen_t len = t_addr(&sun, paths[0]);

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, len), 0);
	pass(&s, 1, NULL);
	refused(paths, 1, "fd 3", "not a datagram socket");
	unpass();
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pass(&p[0], 1, NULL);
	refused(paths, 1, "fd 3", "not a socket");
	unpass();
	(void)close(p[1]);
}
END_TEST

START_TEST(refuse_operand_left_over)
{
	const char *paths[] = { t_path("a"), t_path("b") };
	int s;

	s = t_raw_socket(paths[0], 0);
	pass(&s, 1, NULL);
	refused(paths, 2, t_path("b"), "no socket from LISTEN_FDS");
	unpass();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("activate");
	TCase *tc;

	tc = t_tcase(s, "activate", 10);
	tcase_add_test(tc, not_activated);
	tcase_add_test(tc, adopt_one_socket);
	tcase_add_test(tc, adopt_in_any_order);
	tcase_add_test(tc, refuse_bad_variables);
	tcase_add_test(tc, refuse_wrong_path);
	tcase_add_test(tc, refuse_stream_and_pipe);
	tcase_add_test(tc, refuse_operand_left_over);
	return t_run(s);
}
