/*
 * check_endpoint.c - binding, guarding and removing endpoints (issue 2:
 * behaviours 1a-1f, 2, and the path half of 5).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "udg.h"
#include "common.h"

#define NRACE		16	/* processes racing for one path */
#define NROUNDS		50	/* rounds of that race */
#define NCHURN		4	/* processes binding and closing in a loop */
#define CHURN_ITER	300

/* Send text to path from a fresh unbound raw socket; 0 or errno. */
static int
poke(const char *path, const char *text)
{
	int s, r;

	s = t_raw_socket(NULL, 0);
	ck_assert_int_ne(s, -1);
	r = t_sendmsg(s, path, text, strlen(text), NULL, 0, NULL) == -1 ?
	    errno : 0;
	(void)close(s);
	return r;
}

/* Assert that the endpoint u is the one receiving at path. */
static void
assert_receives(struct udg *u, const char *path)
{
	ck_assert_int_eq(poke(path, "ping"), 0);
	t_expect(u, "ping", 4);
}

/* Mode bits of path (lstat), or -1. */
static int
mode_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return -1;
	return (int)(st.st_mode & 07777);
}

static int
is_sock(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* udg_server must fail with want, leaving errno for the message. */
static void
assert_server_fails(const char *path, int want)
{
	struct udg *u;

	errno = 0;
	u = udg_server(path, -1, 0);
	ck_assert_msg(u == NULL, "udg_server(%s) succeeded", path);
	ck_assert_msg(errno == want, "udg_server(%s): %s, want %s", path,
	    strerror(errno), strerror(want));
}

/* ---- 1a: a stale socket is replaced ----------------------------------- */

START_TEST(stale_socket_replaced)
{
	struct udg *u;

	t_stale_socket("s");
	/* Nobody may receive there now: the probe's ECONNREFUSED. */
	ck_assert_int_eq(poke("s", "x"), ECONNREFUSED);
	u = udg_server("s", -1, 0);
	ck_assert_msg(u != NULL, "udg_server: %s", strerror(errno));
	ck_assert(is_sock("s"));
	assert_receives(u, "s");
	ck_assert_int_eq(udg_close(u), 0);
}
END_TEST

START_TEST(stale_absolute_path)
{
	char path[PATH_MAX];
	struct udg *u;

	(void)snprintf(path, sizeof(path), "%s/abs", t_dir);
	t_stale_socket(path);
	u = udg_server(path, -1, 0);
	ck_assert_msg(u != NULL, "udg_server: %s", strerror(errno));
	ck_assert_str_eq(udg_path(u), path);
	assert_receives(u, path);
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert(!t_exists(path));
}
END_TEST

/* A killed udg process leaves its socket and its lock file behind. */
START_TEST(stale_from_killed_endpoint)
{
	struct udg *u;
	int p[2];
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = t_fork()) == 0) {
		u = udg_server("s", -1, 0);
		c = u != NULL ? 'y' : 'n';
		(void)t_write(p[1], &c, 1);
		for (;;)
			pause();
	}
	ck_assert_int_eq(t_read(p[0], &c, 1), 0);
	ck_assert_int_eq(c, 'y');
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(t_wait(pid), 128 + SIGKILL);
	ck_assert(is_sock("s"));
	u = udg_server("s", -1, 0);
	ck_assert_msg(u != NULL, "udg_server after kill: %s", strerror(errno));
	assert_receives(u, "s");
	ck_assert_int_eq(udg_close(u), 0);
	(void)close(p[0]);
	(void)close(p[1]);
}
END_TEST

/* ---- 1b: a live socket is never touched ------------------------------- */

START_TEST(live_raw_socket_kept)
{
	char buf[16];
	ino_t ino;
	int s;

	s = t_raw_socket("s", 0);
	ck_assert_int_ne(s, -1);
	ino = t_ino("s");
	assert_server_fails("s", EADDRINUSE);
	ck_assert(udg_client("s", 0) == NULL);
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_uint_eq(t_ino("s"), ino);
	ck_assert_int_eq(poke("s", "still"), 0);
	ck_assert_int_eq(t_raw_recv(s, buf, sizeof(buf), 5000), 5);
	ck_assert_mem_eq(buf, "still", 5);
	(void)close(s);
}
END_TEST

START_TEST(live_endpoint_kept)
{
	struct udg *u;
	ino_t ino;

	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	ino = t_ino("s");
	assert_server_fails("s", EADDRINUSE);
	ck_assert_uint_eq(t_ino("s"), ino);
	assert_receives(u, "s");
	ck_assert_int_eq(udg_close(u), 0);
}
END_TEST

/* The lock, not only the probe, guards the path: a live owner whose file
 * someone removed still owns it. */
START_TEST(live_lock_holder_kept)
{
	struct udg *u;

	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(unlink("s"), 0);
	assert_server_fails("s", EADDRINUSE);
	ck_assert(!t_exists("s"));
	ck_assert_int_eq(udg_close(u), 0);
}
END_TEST

START_TEST(live_endpoint_other_process)
{
	struct udg *u;
	int p[2];
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = t_fork()) == 0) {
		u = udg_server("s", -1, 0);
		c = u != NULL ? 'y' : 'n';
		(void)t_write(p[1], &c, 1);
		if (u == NULL || !t_got(u, "ping", 4))
			t_exit(1);
		t_exit(udg_close(u) == 0 ? 0 : 2);
	}
	ck_assert_int_eq(t_read(p[0], &c, 1), 0);
	ck_assert_int_eq(c, 'y');
	assert_server_fails("s", EADDRINUSE);
	ck_assert(is_sock("s"));
	ck_assert_int_eq(poke("s", "ping"), 0);
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert(!t_exists("s"));
	(void)close(p[0]);
	(void)close(p[1]);
}
END_TEST

/* A live receiver connected elsewhere refuses the probe with EPERM. */
START_TEST(live_connected_socket_kept)
{
	struct sockaddr_un sun;
	socklen_t len;
	int other, s;

	other = t_raw_socket("other", 0);
	s = t_raw_socket("s", 0);
	ck_assert(other != -1 && s != -1);
	len = t_addr(&sun, "other");
	ck_assert_int_eq(connect(s, (struct sockaddr *)&sun, len), 0);
	assert_server_fails("s", EADDRINUSE);
	ck_assert(is_sock("s"));
	(void)close(s);
	(void)close(other);
}
END_TEST

/* A live stream socket answers the probe with EPROTOTYPE. */
START_TEST(live_stream_socket_kept)
{
	struct sockaddr_un sun;
	socklen_t len;
	int s;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(s, -1);
	len = t_addr(&sun, "s");
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, len), 0);
	ck_assert_int_eq(listen(s, 1), 0);
	assert_server_fails("s", EADDRINUSE);
	ck_assert(is_sock("s"));
	(void)close(s);
}
END_TEST

/* ---- 1c: what is not a socket is never removed or followed ----------- */

START_TEST(notsock_regular_file)
{
	ino_t ino;

	t_write_file("s", "precious data\n");
	ino = t_ino("s");
	assert_server_fails("s", EEXIST);
	ck_assert(t_file_is("s", "precious data\n"));
	ck_assert_uint_eq(t_ino("s"), ino);
	ck_assert(udg_client("s", 0) == NULL);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert(t_file_is("s", "precious data\n"));
}
END_TEST

START_TEST(notsock_directory)
{
	struct stat st;

	ck_assert_int_eq(mkdir("s", 0755), 0);
	t_write_file("s/inside", "x");
	assert_server_fails("s", EEXIST);
	ck_assert_int_eq(lstat("s", &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert(t_file_is("s/inside", "x"));
}
END_TEST

START_TEST(notsock_fifo)
{
	struct stat st;

	ck_assert_int_eq(mkfifo("s", 0644), 0);
	assert_server_fails("s", EEXIST);
	ck_assert_int_eq(lstat("s", &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
}
END_TEST

START_TEST(notsock_symlink_to_live_socket)
{
	char buf[16];
	int s;

	s = t_raw_socket("target", 0);
	ck_assert_int_ne(s, -1);
	ck_assert_int_eq(symlink("target", "s"), 0);
	assert_server_fails("s", EEXIST);
	ck_assert_int_eq((int)readlink("s", buf, sizeof(buf)), 6);
	ck_assert(is_sock("target"));
	(void)close(s);
}
END_TEST

/* Following the link would find a stale socket and remove it: never. */
START_TEST(notsock_symlink_to_stale_socket)
{
	char buf[16];
	ino_t ino;

	t_stale_socket("target");
	ino = t_ino("target");
	ck_assert_int_eq(symlink("target", "s"), 0);
	assert_server_fails("s", EEXIST);
	ck_assert_int_eq((int)readlink("s", buf, sizeof(buf)), 6);
	ck_assert_mem_eq(buf, "target", 6);
	ck_assert(is_sock("target"));
	ck_assert_uint_eq(t_ino("target"), ino);
}
END_TEST

/* Binding through a dangling link would create the socket at its target. */
START_TEST(notsock_dangling_symlink)
{
	char buf[16];

	ck_assert_int_eq(symlink("nowhere", "s"), 0);
	assert_server_fails("s", EEXIST);
	ck_assert(!t_exists("nowhere"));
	ck_assert_int_eq((int)readlink("s", buf, sizeof(buf)), 7);
}
END_TEST

/* ---- 1d: racing binders ----------------------------------------------- */

struct race_result {
	pid_t	pid;
	int	won;
	int	err;
};

/* A racer: wait for the start, bind, report; the winner then takes one
 * datagram (proof its socket still owns the path) and closes. */
static void
racer(const char *path, int go, int res)
{
	struct race_result r;
	struct udg *u;
	char c;

	(void)read(go, &c, 1);		/* EOF: everybody starts now */
	u = udg_server(path, -1, 0);
	r.pid = getpid();
	r.won = u != NULL;
	r.err = errno;
	if (t_write(res, &r, sizeof(r)) == -1)
		t_exit(10);
	if (u == NULL)
		t_exit(0);
	if (!t_got(u, "winner", 6))
		t_exit(11);
	t_exit(udg_close(u) == 0 ? 0 : 12);
}

static void
race_round(const char *path, int stale, int round)
{
	struct race_result r;
	pid_t kids[NRACE], winner = -1;
	int go[2], res[2], i, nwin = 0, st;

	if (stale)
		t_stale_socket(path);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(res), 0);
	for (i = 0; i < NRACE; i++) {
		if ((kids[i] = t_fork()) == 0) {
			(void)close(go[1]);
			(void)close(res[0]);
			racer(path, go[0], res[1]);
		}
	}
	(void)close(go[0]);
	(void)close(res[1]);
	(void)close(go[1]);		/* the starting shot */
	for (i = 0; i < NRACE; i++) {
		ck_assert_int_eq(t_read(res[0], &r, sizeof(r)), 0);
		if (r.won) {
			nwin++;
			winner = r.pid;
		} else
			ck_assert_msg(r.err == EADDRINUSE,
			    "round %d: loser got %s", round, strerror(r.err));
	}
	(void)close(res[0]);
	ck_assert_msg(nwin == 1, "round %d: %d winners", round, nwin);
	for (i = 0; i < NRACE; i++)
		if (kids[i] != winner)
			ck_assert_int_eq(t_wait(kids[i]), 0);
	/* Every loser is gone: the winner's socket must still be there. */
	ck_assert_msg(is_sock(path), "round %d: socket removed", round);
	ck_assert_int_eq(poke(path, "winner"), 0);
	st = t_wait(winner);
	ck_assert_msg(st == 0, "round %d: winner exited %d", round, st);
	ck_assert(!t_exists(path));
}

START_TEST(race_fresh_path)
{
	long i, n = t_scaled(NROUNDS);

	for (i = 0; i < n; i++)
		race_round("s", 0, (int)i);
}
END_TEST

START_TEST(race_stale_path)
{
	long i, n = t_scaled(NROUNDS);

	for (i = 0; i < n; i++)
		race_round("s", 1, (int)i);
}
END_TEST

/* A churner: bind, prove the path is ours, close; over and over. */
static void
churner(const char *path, int res, int iter)
{
	struct udg *u;
	char tok[32];
	int i, s, wins = 0;

	if ((s = t_raw_socket(NULL, 0)) == -1)
		t_exit(20);
	for (i = 0; i < iter; i++) {
		if ((u = udg_server(path, -1, 0)) == NULL) {
			if (errno != EADDRINUSE)
				t_exit(21);
			continue;
		}
		(void)snprintf(tok, sizeof(tok), "%ld.%d", (long)getpid(), i);
		if (t_sendmsg(s, path, tok, strlen(tok), NULL, 0, NULL) == -1)
			t_exit(22);
		if (!t_got(u, tok, strlen(tok)))
			t_exit(23);
		if (udg_close(u) != 0)
			t_exit(25);
		wins++;
	}
	(void)t_write(res, &wins, sizeof(wins));
	t_exit(0);
}

/* Bind and close in several processes at once: ownership stays exclusive,
 * and closing (which removes the lock file) never lets two owners in. */
START_TEST(race_churn_exclusive)
{
	pid_t kids[NCHURN];
	int res[2], i, w, total = 0, iter = (int)t_scaled(CHURN_ITER);

	ck_assert_int_eq(pipe(res), 0);
	for (i = 0; i < NCHURN; i++)
		if ((kids[i] = t_fork()) == 0) {
			(void)close(res[0]);
			churner("s", res[1], iter);
		}
	(void)close(res[1]);
	for (i = 0; i < NCHURN; i++) {
		w = t_wait(kids[i]);
		ck_assert_msg(w == 0, "churner exited %d", w);
	}
	for (i = 0; i < NCHURN; i++) {
		ck_assert_int_eq(t_read(res[0], &w, sizeof(w)), 0);
		total += w;
	}
	(void)close(res[0]);
	ck_assert_int_gt(total, 0);
	ck_assert(!t_exists("s"));
	ck_assert(!t_exists("s.lock"));
}
END_TEST

/* ---- 1e: socket modes ------------------------------------------------- */

static void
assert_mode(int mask, int mode)
{
	struct udg *u;

	umask((mode_t)mask);
	u = udg_server("s", mode, 0);
	ck_assert_msg(u != NULL, "udg_server: %s", strerror(errno));
	ck_assert_msg(mode_of("s") == mode, "umask %03o mode %04o: got %04o",
	    mask, mode, mode_of("s"));
	ck_assert_int_eq(udg_close(u), 0);
}

START_TEST(mode_exact_umask0)
{
	assert_mode(0, 0600);
	assert_mode(0, 0640);
	assert_mode(0, 0666);
}
END_TEST

START_TEST(mode_exact_umask077)
{
	assert_mode(077, 0600);
	assert_mode(077, 0660);
	assert_mode(077, 0666);
}
END_TEST

START_TEST(mode_exact_after_stale)
{
	t_stale_socket("s");
	assert_mode(0, 0600);
}
END_TEST

/* mode -1: what a plain creat(0666) would give under the umask. */
START_TEST(mode_default_follows_umask)
{
	struct udg *u;
	int m022, m077;

	/* close before asserting: no leak to blame on valgrind runs */
	umask(022);
	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	m022 = mode_of("s");
	ck_assert_int_eq(udg_close(u), 0);
	umask(077);
	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	m077 = mode_of("s");
	ck_assert_int_eq(udg_close(u), 0);
	/* Linux creates sockets 0777 less the umask, as libudg(3) says. */
	ck_assert_msg(m022 == 0755, "umask 022: got %04o", m022);
	ck_assert_msg(m077 == 0700, "umask 077: got %04o", m077);
}
END_TEST

struct watch {
	long	seen;		/* lstat calls that found the socket */
	long	bad;		/* ... with a mode more open than asked */
	int	worst;
};

/* Watch path in a tight loop until told to stop; report what was seen. */
static void
watcher(const char *path, int allowed, int stop, int res)
{
	struct watch w;
	struct pollfd p;
	struct stat st;
	long i;

	memset(&w, 0, sizeof(w));	/* padding too: it goes down a pipe */

	p.fd = stop;
	p.events = POLLIN;
	for (i = 0;; i++) {
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
			w.seen++;
			if ((int)(st.st_mode & 07777) & ~allowed) {
				w.bad++;
				w.worst = (int)(st.st_mode & 07777);
			}
		}
		if ((i & 255) == 0 && poll(&p, 1, 0) != 0)
			break;
	}
	(void)t_write(res, &w, sizeof(w));
	t_exit(0);
}

static int mode_at_bind;

static void
record_mode(const char *path)
{
	mode_at_bind = mode_of(path);
}

/* Deterministic: the mode the file has the instant bind(2) made it. */
START_TEST(mode_right_at_bind)
{
	struct udg *u;

	umask(0);
	mode_at_bind = -1;
	t_binds = 0;
	t_after_bind = record_mode;
	u = udg_server("s", 0640, 0);
	t_after_bind = NULL;
	ck_assert_ptr_nonnull(u);
	ck_assert_msg(t_binds == 1, "bind interposition did not work");
	ck_assert_msg(mode_at_bind != -1 && (mode_at_bind & ~0640) == 0,
	    "bind made mode %04o for a requested 0640", mode_at_bind);
	ck_assert_int_eq(mode_of("s"), 0640);
	ck_assert_int_eq(udg_close(u), 0);
}
END_TEST

/* Best effort for "not even for an instant": chmod after bind would show
 * the umask-0 mode 0777 to a watcher on the other core. */
START_TEST(mode_never_more_open)
{
	struct watch w;
	struct udg *u;
	int stop[2], res[2], i, n = (int)t_scaled(3000);
	pid_t pid;

	ck_assert_int_eq(pipe(stop), 0);
	ck_assert_int_eq(pipe(res), 0);
	if ((pid = t_fork()) == 0) {
		(void)close(stop[1]);
		(void)close(res[0]);
		watcher("s", 0640, stop[0], res[1]);
	}
	umask(0);
	for (i = 0; i < n; i++) {
		u = udg_server("s", 0640, 0);
		ck_assert_msg(u != NULL, "udg_server: %s", strerror(errno));
		ck_assert_int_eq(mode_of("s"), 0640);
		ck_assert_int_eq(udg_close(u), 0);
	}
	(void)close(stop[1]);
	ck_assert_int_eq(t_read(res[0], &w, sizeof(w)), 0);
	ck_assert_int_eq(t_wait(pid), 0);
	ck_assert_msg(w.bad == 0, "%ld of %ld looks saw mode %04o", w.bad,
	    w.seen, w.worst);
	/* A watcher that never saw the file proves nothing. */
	ck_assert_int_gt(w.seen, 0);
	(void)close(stop[0]);
	(void)close(res[0]);
}
END_TEST

/* ---- 1f: closing removes only what the endpoint made ------------------ */

START_TEST(close_removes_own)
{
	struct udg *u;

	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert(is_sock("s"));
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert(!t_exists("s"));
	ck_assert(!t_exists("s.lock"));
	/* and the path is free again at once */
	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert_int_eq(udg_close(NULL), 0);
}
END_TEST

START_TEST(close_spares_replacement_file)
{
	struct udg *u;

	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(unlink("s"), 0);
	t_write_file("s", "replacement");
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert(t_file_is("s", "replacement"));
}
END_TEST

START_TEST(close_spares_replacement_socket)
{
	struct udg *u;
	char buf[16];
	int s;

	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(rename("s", "moved"), 0);
	s = t_raw_socket("s", 0);
	ck_assert_int_ne(s, -1);
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert(is_sock("s"));
	ck_assert_int_eq(poke("s", "mine"), 0);
	ck_assert_int_eq(t_raw_recv(s, buf, sizeof(buf), 5000), 4);
	(void)close(s);
}
END_TEST

START_TEST(close_spares_replacement_symlink)
{
	struct udg *u;
	char buf[16];

	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(rename("s", "moved"), 0);
	ck_assert_int_eq(symlink("moved", "s"), 0);
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert_int_eq((int)readlink("s", buf, sizeof(buf)), 5);
}
END_TEST

/* A relative path names something else after chdir: leave that alone,
 * and still remove the endpoint's own socket. */
START_TEST(close_after_chdir)
{
	struct udg *u;

	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(mkdir("other", 0755), 0);
	ck_assert_int_eq(chdir("other"), 0);
	t_write_file("s", "other file");
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert(t_file_is("s", "other file"));
	ck_assert_int_eq(chdir(t_dir), 0);
	ck_assert(!t_exists("s"));
}
END_TEST

/* ---- 5: path lengths -------------------------------------------------- */

/* An absolute path in t_dir exactly len bytes long. */
static void
path_of_len(char *buf, size_t size, size_t len)
{
	size_t n = strlen(t_dir) + 1;

	ck_assert_uint_lt(n + 1, len);
	ck_assert_uint_lt(len, size);
	(void)snprintf(buf, size, "%s/", t_dir);
	memset(buf + n, 'p', len - n);
	buf[len] = '\0';
	ck_assert_uint_eq(strlen(buf), len);
}

/* Entries in the test dir. */
static int
count_entries(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir(t_dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	(void)closedir(d);
	return n;
}

START_TEST(path_107_fits)
{
	char path[256];
	struct udg *u;

	path_of_len(path, sizeof(path), UDG_PATH_MAX);
	u = udg_server(path, -1, 0);
	ck_assert_msg(u != NULL, "udg_server: %s", strerror(errno));
	ck_assert_str_eq(udg_path(u), path);
	assert_receives(u, path);
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert(!t_exists(path));
	u = udg_client(path, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(udg_close(u), 0);
}
END_TEST

START_TEST(path_108_too_long)
{
	char path[256], shorter[256];
	struct udg *u;
	int before;

	path_of_len(path, sizeof(path), UDG_PATH_MAX + 1);
	path_of_len(shorter, sizeof(shorter), UDG_PATH_MAX);
	before = count_entries();
	assert_server_fails(path, ENAMETOOLONG);
	errno = 0;
	ck_assert(udg_client(path, 0) == NULL);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	/* never a silently shortened path */
	ck_assert(!t_exists(path));
	ck_assert(!t_exists(shorter));
	ck_assert_int_eq(count_entries(), before);
	path_of_len(path, sizeof(path), 200);
	assert_server_fails(path, ENAMETOOLONG);
	/* sending to such a path: the same error, not another file */
	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	errno = 0;
	ck_assert_int_eq(udg_sendto(u, path, "x", 1), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	errno = 0;
	ck_assert_int_eq(udg_connect(u, path), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(udg_close(u), 0);
}
END_TEST

START_TEST(path_relative)
{
	char abs[PATH_MAX];
	struct udg *u, *v;

	u = udg_server("s", -1, 0);
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(udg_path(u), "s");
	(void)snprintf(abs, sizeof(abs), "%s/s", t_dir);
	assert_receives(u, abs);
	ck_assert_int_eq(mkdir("sub", 0755), 0);
	v = udg_server("sub/t", -1, 0);
	ck_assert_ptr_nonnull(v);
	ck_assert(is_sock("sub/t"));
	ck_assert_int_eq(udg_sendto(v, "s", "rel", 3), 0);
	t_expect(u, "rel", 3);
	ck_assert_int_eq(udg_close(v), 0);
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert(!t_exists("sub/t"));
	ck_assert(!t_exists("s"));
}
END_TEST

/* A relative path works where the absolute one would not fit. */
START_TEST(path_relative_in_deep_dir)
{
	char deep[PATH_MAX];
	struct udg *u;
	int i;

	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(mkdir("dddddddddddddddddddddddddddddd", 0755),
		    0);
		ck_assert_int_eq(chdir("dddddddddddddddddddddddddddddd"), 0);
	}
	ck_assert_ptr_nonnull(getcwd(deep, sizeof(deep)));
	ck_assert_uint_gt(strlen(deep), UDG_PATH_MAX);
	u = udg_server("s", -1, 0);
	ck_assert_msg(u != NULL, "udg_server: %s", strerror(errno));
	assert_receives(u, "s");
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert(!t_exists("s"));
}
END_TEST

/* ---- 2: client endpoints ---------------------------------------------- */

static char xdg[PATH_MAX], xdg_udg[PATH_MAX];

/* Point XDG_RUNTIME_DIR into the test dir (which must exist, 0700). */
static void
use_xdg(void)
{
	(void)snprintf(xdg, sizeof(xdg), "%s/x", t_dir);
	(void)snprintf(xdg_udg, sizeof(xdg_udg), "%s/x/udg", t_dir);
	ck_assert_int_eq(mkdir(xdg, 0700), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", xdg, 1), 0);
}

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

START_TEST(client_auto_in_xdg)
{
	struct udg *a, *b, *srv;
	struct udg_msg m;
	struct stat st;
	char buf[16], pa[PATH_MAX];

	use_xdg();
	umask(0);		/* the 0711 must not depend on the umask */
	a = udg_client(NULL, 0);
	ck_assert_msg(a != NULL, "udg_client: %s", strerror(errno));
	b = udg_client(NULL, 0);
	ck_assert_ptr_nonnull(b);
	ck_assert_msg(has_prefix(udg_path(a), xdg_udg) &&
	    udg_path(a)[strlen(xdg_udg)] == '/', "path %s", udg_path(a));
	ck_assert_str_ne(udg_path(a), udg_path(b));
	ck_assert(is_sock(udg_path(a)));
	ck_assert_int_eq(lstat(xdg_udg, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0711);
	ck_assert_uint_eq(st.st_uid, geteuid());
	ck_assert_int_eq(lstat(udg_path(a), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);

	/* It can be answered: that is what a client binds for. */
	srv = udg_server("srv", -1, 0);
	ck_assert_ptr_nonnull(srv);
	ck_assert_int_eq(udg_sendto(a, "srv", "ask", 3), 0);
	ck_assert_int_eq(udg_wait(srv, 5000, NULL), 1);
	memset(&m, 0, sizeof(m));
	m.buf = buf;
	m.size = sizeof(buf);
	ck_assert_int_eq(udg_recv(srv, &m), 3);
	ck_assert_int_eq(m.peer_type, UDG_PEER_PATH);
	ck_assert_str_eq(m.peer, udg_path(a));
	ck_assert_int_eq(udg_reply(srv, &m, "answer", 6), 0);
	t_expect(a, "answer", 6);

	ck_assert_int_eq(udg_close(srv), 0);
	(void)snprintf(pa, sizeof(pa), "%s", udg_path(a));
	ck_assert_int_eq(udg_close(a), 0);
	ck_assert(!t_exists(pa));
	ck_assert_int_eq(udg_close(b), 0);
}
END_TEST

/* Without a usable XDG_RUNTIME_DIR: /tmp/udg-UID. */
static void
assert_tmp_fallback(void)
{
	char prefix[64], pa[PATH_MAX];
	struct udg *a;
	struct stat st;

	(void)snprintf(prefix, sizeof(prefix), "/tmp/udg-%lu/",
	    (unsigned long)geteuid());
	a = udg_client(NULL, 0);
	ck_assert_msg(a != NULL, "udg_client: %s", strerror(errno));
	ck_assert_msg(has_prefix(udg_path(a), prefix), "path %s", udg_path(a));
	ck_assert(is_sock(udg_path(a)));
	prefix[strlen(prefix) - 1] = '\0';
	ck_assert_int_eq(lstat(prefix, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_uid, geteuid());
	ck_assert_int_eq(st.st_mode & 077, 011);
	(void)snprintf(pa, sizeof(pa), "%s", udg_path(a));
	ck_assert_int_eq(udg_close(a), 0);
	ck_assert(!t_exists(pa));
}

/* An XDG_RUNTIME_DIR that leaves no room for a name in sun_path. */
static void
assert_long_xdg_fallback(void)
{
	char long_xdg[PATH_MAX];
	size_t n;

	n = (size_t)snprintf(long_xdg, sizeof(long_xdg), "%s/", t_dir);
	while (n < UDG_PATH_MAX - 20)
		long_xdg[n++] = 'x';
	long_xdg[n] = '\0';
	ck_assert_int_eq(mkdir(long_xdg, 0700), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", long_xdg, 1), 0);
	assert_tmp_fallback();
	ck_assert_int_eq(rmdir(long_xdg), 0);
}

START_TEST(client_auto_tmp_fallback)
{
	ck_assert_int_eq(unsetenv("XDG_RUNTIME_DIR"), 0);
	assert_tmp_fallback();
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", "relative/dir", 1), 0);
	assert_tmp_fallback();
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", "/nonexistent/udg-test",
	    1), 0);
	assert_tmp_fallback();
	assert_long_xdg_fallback();
}
END_TEST

/* A private directory left 0700 (umask, older udg) is opened for search. */
START_TEST(client_dir_made_enterable)
{
	struct udg *a;
	struct stat st;

	use_xdg();
	ck_assert_int_eq(mkdir(xdg_udg, 0700), 0);
	a = udg_client(NULL, 0);
	ck_assert_msg(a != NULL, "udg_client: %s", strerror(errno));
	ck_assert_int_eq(lstat(xdg_udg, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0711);
	ck_assert_int_eq(udg_close(a), 0);
}
END_TEST

static void
assert_client_refused(void)
{
	errno = 0;
	ck_assert_msg(udg_client(NULL, 0) == NULL, "client accepted %s",
	    xdg_udg);
	ck_assert_msg(errno == EPERM, "errno %s, want EPERM", strerror(errno));
}

START_TEST(client_refuses_symlink_dir)
{
	char real[PATH_MAX + 8];

	use_xdg();
	(void)snprintf(real, sizeof(real), "%s/real", xdg);
	ck_assert_int_eq(mkdir(real, 0700), 0);
	ck_assert_int_eq(symlink("real", xdg_udg), 0);
	assert_client_refused();
	ck_assert_int_eq(rmdir(real), 0);	/* nothing was made inside */
}
END_TEST

START_TEST(client_refuses_writable_dir)
{
	static const int modes[] = { 0777, 0770, 0720, 0702, 01777 };
	size_t i;

	use_xdg();
	ck_assert_int_eq(mkdir(xdg_udg, 0700), 0);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_int_eq(chmod(xdg_udg, (mode_t)modes[i]), 0);
		assert_client_refused();
	}
	ck_assert_int_eq(rmdir(xdg_udg), 0);	/* still empty */
}
END_TEST

START_TEST(client_refuses_foreign_dir)
{
	use_xdg();
	ck_assert_int_eq(mkdir(xdg_udg, 0700), 0);
	ck_assert_int_eq(chown(xdg_udg, 65534, 65534), 0);
	assert_client_refused();
	ck_assert_int_eq(rmdir(xdg_udg), 0);
}
END_TEST

START_TEST(client_refuses_file_as_dir)
{
	use_xdg();
	t_write_file(xdg_udg, "not a dir");
	ck_assert(udg_client(NULL, 0) == NULL);
	ck_assert(t_file_is(xdg_udg, "not a dir"));
}
END_TEST

/* Clients killed before udg_close leave sockets: the next client reaps the
 * stale ones and leaves live ones and other files alone. */
START_TEST(client_reaps_stale)
{
	char dead[3][PATH_MAX], live[PATH_MAX], notes[PATH_MAX + 8];
	char rlive[PATH_MAX + 32], rdead[PATH_MAX + 32];
	struct udg *u;
	pid_t pid, lpid;
	int p[2], hold[2], i, ls;
	size_t n;

	use_xdg();
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(hold), 0);
	for (i = 0; i < 3; i++) {
		if ((pid = t_fork()) == 0) {
			u = udg_client(NULL, 0);
			if (u == NULL)
				t_exit(1);
			n = strlen(udg_path(u)) + 1;
			(void)t_write(p[1], &n, sizeof(n));
			(void)t_write(p[1], udg_path(u), n);
			(void)raise(SIGKILL);	/* killed: no udg_close */
			t_exit(1);
		}
		ck_assert_int_eq(t_read(p[0], &n, sizeof(n)), 0);
		ck_assert_uint_le(n, sizeof(dead[i]));
		ck_assert_int_eq(t_read(p[0], dead[i], n), 0);
		ck_assert_int_eq(t_wait(pid), 128 + SIGKILL);
		ck_assert(is_sock(dead[i]));
	}
	if ((lpid = t_fork()) == 0) {
		char c;

		(void)close(hold[1]);	/* or its own copy would hold it */
		u = udg_client(NULL, 0);
		if (u == NULL)
			t_exit(1);
		n = strlen(udg_path(u)) + 1;
		(void)t_write(p[1], &n, sizeof(n));
		(void)t_write(p[1], udg_path(u), n);
		(void)read(hold[0], &c, 1);
		if (!t_got(u, "alive", 5))	/* still reachable */
			t_exit(2);
		t_exit(udg_close(u) == 0 ? 0 : 3);
	}
	ck_assert_int_eq(t_read(p[0], &n, sizeof(n)), 0);
	ck_assert_int_eq(t_read(p[0], live, n), 0);
	(void)snprintf(notes, sizeof(notes), "%s/notes", xdg_udg);
	t_write_file(notes, "keep me");
	/* udg-made names whose pid cannot exist: only the probe tells them apart. */
	(void)snprintf(rlive, sizeof(rlive), "%s/999999999-0abcdef0", xdg_udg);
	(void)snprintf(rdead, sizeof(rdead), "%s/999999998-deadbeef", xdg_udg);
	ls = t_raw_socket(rlive, 0);
	ck_assert_int_ne(ls, -1);
	t_stale_socket(rdead);

	u = udg_client(NULL, 0);
	ck_assert_msg(u != NULL, "udg_client: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		ck_assert_msg(!t_exists(dead[i]), "stale %s not reaped",
		    dead[i]);
	ck_assert_msg(is_sock(live), "live %s reaped", live);
	ck_assert_msg(is_sock(rlive), "live %s reaped", rlive);
	ck_assert_msg(!t_exists(rdead), "stale %s not reaped", rdead);
	(void)close(ls);
	ck_assert(t_file_is(notes, "keep me"));
	ck_assert_int_eq(udg_sendto(u, live, "alive", 5), 0);
	(void)close(hold[1]);
	ck_assert_int_eq(t_wait(lpid), 0);
	ck_assert_int_eq(udg_close(u), 0);
	(void)close(hold[0]);
	(void)close(p[0]);
	(void)close(p[1]);
}
END_TEST

/* Reaping is bounded: a start probes at most 16 stale sockets, so a
 * directory full of them is emptied over several starts, not in one. */
START_TEST(client_reap_bounded)
{
	char path[PATH_MAX + 32];
	struct udg *u;
	int i, left, prev = 40;

	use_xdg();
	u = udg_client(NULL, 0);	/* makes the directory */
	ck_assert_int_eq(udg_close(u), 0);
	for (i = 0; i < 40; i++) {
		(void)snprintf(path, sizeof(path), "%s/%d-%08x", xdg_udg,
		    999999000 + i, (unsigned)i);
		t_stale_socket(path);
	}
	while (prev > 0) {
		u = udg_client(NULL, 0);
		ck_assert_msg(u != NULL, "udg_client: %s", strerror(errno));
		ck_assert_int_eq(udg_close(u), 0);
		for (i = left = 0; i < 40; i++) {
			(void)snprintf(path, sizeof(path), "%s/%d-%08x",
			    xdg_udg, 999999000 + i, (unsigned)i);
			left += t_exists(path);
		}
		ck_assert_int_eq(left, prev > 16 ? prev - 16 : 0);
		prev = left;
	}
}
END_TEST

/* udg_client(path): the same rules as a server. */
START_TEST(client_given_path)
{
	struct udg *u, *v;

	t_stale_socket("c");
	u = udg_client("c", 0);
	ck_assert_msg(u != NULL, "udg_client: %s", strerror(errno));
	ck_assert_str_eq(udg_path(u), "c");
	assert_receives(u, "c");
	errno = 0;
	v = udg_client("c", 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_int_eq(udg_close(u), 0);
	ck_assert(!t_exists("c"));
	t_write_file("f", "file");
	ck_assert_ptr_null(udg_client("f", 0));
	ck_assert_int_eq(errno, EEXIST);
	ck_assert(t_file_is("f", "file"));
}
END_TEST

static Suite *
endpoint_suite(void)
{
	Suite *s = suite_create("endpoint");
	TCase *tc;

	tc = t_tcase(s, "stale", 10);
	tcase_add_test(tc, stale_socket_replaced);
	tcase_add_test(tc, stale_absolute_path);
	tcase_add_test(tc, stale_from_killed_endpoint);

	tc = t_tcase(s, "live", 10);
	tcase_add_test(tc, live_raw_socket_kept);
	tcase_add_test(tc, live_endpoint_kept);
	tcase_add_test(tc, live_lock_holder_kept);
	tcase_add_test(tc, live_endpoint_other_process);
	tcase_add_test(tc, live_connected_socket_kept);
	tcase_add_test(tc, live_stream_socket_kept);

	tc = t_tcase(s, "notsock", 10);
	tcase_add_test(tc, notsock_regular_file);
	tcase_add_test(tc, notsock_directory);
	tcase_add_test(tc, notsock_fifo);
	tcase_add_test(tc, notsock_symlink_to_live_socket);
	tcase_add_test(tc, notsock_symlink_to_stale_socket);
	tcase_add_test(tc, notsock_dangling_symlink);

	/* 50 rounds of 16 forks; generous for slow CI and valgrind. */
	tc = t_tcase(s, "race", 90);
	tcase_add_test(tc, race_fresh_path);
	tcase_add_test(tc, race_stale_path);
	tcase_add_test(tc, race_churn_exclusive);

	tc = t_tcase(s, "mode", 30);
	tcase_add_test(tc, mode_exact_umask0);
	tcase_add_test(tc, mode_exact_umask077);
	tcase_add_test(tc, mode_exact_after_stale);
	tcase_add_test(tc, mode_default_follows_umask);
	tcase_add_test(tc, mode_right_at_bind);
	tcase_add_test(tc, mode_never_more_open);

	tc = t_tcase(s, "close", 10);
	tcase_add_test(tc, close_removes_own);
	tcase_add_test(tc, close_spares_replacement_file);
	tcase_add_test(tc, close_spares_replacement_socket);
	tcase_add_test(tc, close_spares_replacement_symlink);
	tcase_add_test(tc, close_after_chdir);

	tc = t_tcase(s, "paths", 10);
	tcase_add_test(tc, path_107_fits);
	tcase_add_test(tc, path_108_too_long);
	tcase_add_test(tc, path_relative);
	tcase_add_test(tc, path_relative_in_deep_dir);

	tc = t_tcase(s, "client", 10);
	tcase_add_test(tc, client_auto_in_xdg);
	tcase_add_test(tc, client_dir_made_enterable);
	tcase_add_test(tc, client_auto_tmp_fallback);
	tcase_add_test(tc, client_refuses_symlink_dir);
	tcase_add_test(tc, client_refuses_writable_dir);
	tcase_add_test(tc, client_refuses_file_as_dir);
	tcase_add_test(tc, client_reaps_stale);
	tcase_add_test(tc, client_reap_bounded);
	tcase_add_test(tc, client_given_path);
	if (geteuid() == 0)
		tcase_add_test(tc, client_refuses_foreign_dir);
	else
		t_skip("client_refuses_foreign_dir",
		    "needs root to chown a directory to another user");
	return s;
}

int
main(void)
{
	return t_run(endpoint_suite());
}
