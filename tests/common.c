/*
 * common.c - fixtures and raw-socket helpers shared by the Check suites.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define SKIP_MAX	16

char		 t_dir[PATH_MAX];
void		(*t_after_bind)(const char *);
int		 t_binds;

/* The suite's own directory: every test's dir lives in it. */
static char	 base[PATH_MAX];
static int	 start_cwd = -1;
static const char *skips[SKIP_MAX][2];
static int	 nskips;

/* A short parent for temp dirs: $TMPDIR unless it is too deep, else /tmp. */
static const char *
tmp_parent(void)
{
	const char *t = getenv("TMPDIR");

	/* Leave ~60 bytes of sun_path for the test's own names. */
	if (t != NULL && t[0] == '/' && strlen(t) <= 40)
		return t;
	return "/tmp";
}

/*
 * bind(2), interposed: the executable's definition wins over libc's for
 * libudg too, which lets a test act inside the library's bind-to-ready
 * window (where a wrong order of steps would show) instead of hoping that
 * a racing process hits it.
 */
int
bind(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)
	    (const void *)addr.__sockaddr__;
	int r, save_errno;

	r = (int)syscall(SYS_bind, fd, addr.__sockaddr__, len);
	if (r == 0 && t_after_bind != NULL && sun->sun_family == AF_UNIX &&
	    sun->sun_path[0] != '\0') {
		save_errno = errno;
		t_binds++;
		t_after_bind(sun->sun_path);
		errno = save_errno;
	}
	return r;
}

void
t_setup(void)
{
	char tmpl[PATH_MAX];

	ck_assert_int_gt(snprintf(tmpl, sizeof(tmpl), "%s/t.XXXXXX", base), 0);
	ck_assert_msg(mkdtemp(tmpl) != NULL, "mkdtemp %s: %s", tmpl,
	    strerror(errno));
	(void)strlcpy(t_dir, tmpl, sizeof(t_dir));
	ck_assert_int_eq(chdir(t_dir), 0);
	umask(022);
}

void
t_teardown(void)
{
	/* Leave the dir first: with CK_FORK=no the next test runs here too. */
	if (start_cwd != -1)
		(void)fchdir(start_cwd);
	if (t_dir[0] != '\0')
		t_rmtree(t_dir);
	t_dir[0] = '\0';
}

TCase *
t_tcase(Suite *s, const char *name, double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

void
t_skip(const char *test, const char *why)
{
	if (nskips < SKIP_MAX) {
		skips[nskips][0] = test;
		skips[nskips][1] = why;
		nskips++;
	}
}

int
t_run(Suite *s)
{
	SRunner *sr;
	char tmpl[PATH_MAX];
	int failed, i;

	(void)snprintf(tmpl, sizeof(tmpl), "%s/udgt.XXXXXX", tmp_parent());
	if (mkdtemp(tmpl) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmpl, strerror(errno));
		return 99;
	}
	(void)strlcpy(base, tmpl, sizeof(base));
	/* Tests drop privileges in children that must reach their sockets. */
	(void)chmod(base, 0711);
	start_cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* A failed test in fork mode never reaches its teardown. */
	t_rmtree(base);
	if (start_cwd != -1)
		(void)close(start_cwd);
	for (i = 0; i < nskips; i++)
		fprintf(stderr, "SKIP: %s: %s\n", skips[i][0], skips[i][1]);
	return failed == 0 ? 0 : 1;
}

long
t_scaled(long n)
{
	const char *e = getenv("UDG_TEST_SCALE");
	long pct;

	if (e == NULL || (pct = strtol(e, NULL, 10)) <= 0 || pct > 100)
		return n;
	return n * pct / 100 > 0 ? n * pct / 100 : 1;
}

socklen_t
t_addr(struct sockaddr_un *sun, const char *path)
{
	size_t n = strlen(path);

	ck_assert_uint_lt(n, sizeof(sun->sun_path));
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n + 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

int
t_raw_socket(const char *path, int passcred)
{
	struct sockaddr_un sun;
	socklen_t len;
	int s, on = 1;

	if ((s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (passcred && setsockopt(s, SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)) == -1)
		goto fail;
	if (path != NULL) {
		len = t_addr(&sun, path);
		if (bind(s, (struct sockaddr *)&sun, len) == -1)
			goto fail;
	}
	return s;
fail:
	on = errno;
	(void)close(s);
	errno = on;
	return -1;
}

void
t_stale_socket(const char *path)
{
	struct stat st;
	int s;

	s = t_raw_socket(path, 0);
	ck_assert_msg(s != -1, "bind %s: %s", path, strerror(errno));
	ck_assert_int_eq(close(s), 0);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
}

ssize_t
t_sendmsg(int s, const char *path, const void *buf, size_t len,
    const int *fds, int nfds, const struct ucred *cred)
{
	struct sockaddr_un sun;
	struct msghdr h;
	struct iovec iov;
	struct cmsghdr *c;
	size_t size;
	void *ctl = NULL;
	ssize_t r;
	int save_errno;

	memset(&h, 0, sizeof(h));
	if (path != NULL) {
		h.msg_namelen = t_addr(&sun, path);
		h.msg_name = &sun;
	}
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	h.msg_iov = &iov;
	h.msg_iovlen = 1;
	size = (nfds > 0 ? CMSG_SPACE(sizeof(int) * (size_t)nfds) : 0) +
	    (cred != NULL ? CMSG_SPACE(sizeof(*cred)) : 0);
	if (size > 0) {
		if ((ctl = calloc(1, size)) == NULL)
			return -1;
		h.msg_control = ctl;
		h.msg_controllen = size;
		c = CMSG_FIRSTHDR(&h);
		if (nfds > 0) {
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
			c = CMSG_NXTHDR(&h, c);
		}
		if (cred != NULL) {
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_CREDENTIALS;
			c->cmsg_len = CMSG_LEN(sizeof(*cred));
			memcpy(CMSG_DATA(c), cred, sizeof(*cred));
		}
	}
	do
		r = sendmsg(s, &h, MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	save_errno = errno;
	free(ctl);
	errno = save_errno;
	return r;
}

int
t_count_fds(void)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	d = opendir("/proc/self/fd");
	ck_assert_msg(d != NULL, "/proc/self/fd: %s", strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	(void)closedir(d);
	return n - 1;
}

int
t_readable(int fd, int timeout_ms)
{
	struct pollfd p;
	int r;

	p.fd = fd;
	p.events = POLLIN;
	p.revents = 0;
	do
		r = poll(&p, 1, timeout_ms);
	while (r == -1 && errno == EINTR);
	return r == 1 && (p.revents & POLLIN);
}

/*
 * Under valgrind (UDG_VALGRIND set by make check-valgrind) a forked child
 * must not run memcheck's exit-time leak check: it holds copies of its
 * parent's endpoints, which it must not close (that would unlink them), so
 * they would show as leaks and turn its exit status into valgrind's.  Such
 * a child passes its status down a pipe and dies by SIGKILL instead.
 */
#define KIDS_MAX	64

static struct {
	pid_t	pid;
	int	fd;
}		 kids[KIDS_MAX];
static int	 status_fd = -1;

pid_t
t_fork(void)
{
	pid_t parent = getpid(), pid;
	int p[2] = { -1, -1 }, i;

	if (getenv("UDG_VALGRIND") != NULL)
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_msg(pid != -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(120);
		if (p[0] != -1)
			(void)close(p[0]);
		status_fd = p[1];
		return 0;
	}
	if (p[0] == -1)
		return pid;
	(void)close(p[1]);
	for (i = 0; i < KIDS_MAX; i++)
		if (kids[i].pid == 0) {
			kids[i].pid = pid;
			kids[i].fd = p[0];
			return pid;
		}
	(void)close(p[0]);
	return pid;
}

void
t_exit(int code)
{
	unsigned char c = (unsigned char)code;

	if (status_fd != -1 && t_write(status_fd, &c, 1) == 0)
		(void)raise(SIGKILL);
	_exit(code);
}

int
t_wait(pid_t pid)
{
	unsigned char c;
	int st, i, fd = -1;
	pid_t r;

	do
		r = waitpid(pid, &st, 0);
	while (r == -1 && errno == EINTR);
	ck_assert_msg(r == pid, "waitpid %ld: %s", (long)pid, strerror(errno));
	for (i = 0; i < KIDS_MAX; i++)
		if (kids[i].pid == pid) {
			fd = kids[i].fd;
			kids[i].pid = 0;
			break;
		}
	if (fd != -1) {
		r = read(fd, &c, 1);
		(void)close(fd);
		if (r == 1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			return c;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

int
t_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int
t_read(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t r;

	while (len > 0) {
		r = read(fd, p, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

void
t_expect(struct udg *u, const void *buf, size_t len)
{
	char got[512];
	struct udg_msg m;
	ssize_t r;

	ck_assert_uint_le(len, sizeof(got));
	ck_assert_msg(udg_wait(u, 5000, NULL) == 1, "no datagram at %s",
	    udg_path(u));
	memset(&m, 0, sizeof(m));
	m.buf = got;
	m.size = sizeof(got);
	r = udg_recv(u, &m);
	ck_assert_msg(r == (ssize_t)len, "udg_recv: %zd (%s), want %zu", r,
	    r == -1 ? strerror(errno) : "", len);
	ck_assert_uint_eq(m.len, len);
	ck_assert_mem_eq(got, buf, len);
}

int
t_got(struct udg *u, const void *buf, size_t len)
{
	char got[512];
	struct udg_msg m;

	if (len > sizeof(got) || udg_wait(u, 5000, NULL) != 1)
		return 0;
	memset(&m, 0, sizeof(m));
	m.buf = got;
	m.size = sizeof(got);
	return udg_recv(u, &m) == (ssize_t)len && m.len == len &&
	    memcmp(got, buf, len) == 0;
}

ssize_t
t_raw_recv(int s, void *buf, size_t size, int timeout_ms)
{
	ssize_t r;

	if (!t_readable(s, timeout_ms))
		return -1;
	do
		r = recv(s, buf, size, MSG_DONTWAIT);
	while (r == -1 && errno == EINTR);
	return r;
}

/* nftw callback: remove one entry, children before their directory. */
static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	(void)remove(path);
	return 0;
}

void
t_rmtree(const char *path)
{
	(void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
t_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

ino_t
t_ino(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_ino : 0;
}

void
t_write_file(const char *path, const char *text)
{
	FILE *f;

	f = fopen(path, "wx");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

int
t_file_is(const char *path, const char *text)
{
	char buf[256];
	size_t n;
	FILE *f;
	struct stat st;

	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return 0;
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	(void)fclose(f);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

ssize_t
t_recv_msg(struct udg *u, struct udg_msg *m, void *buf, size_t size)
{
	ck_assert_msg(udg_wait(u, 5000, NULL) == 1, "no datagram at %s",
	    udg_path(u));
	udg_msg_init(m, buf, size);
	return udg_recv(u, m);
}

const char *
t_path(const char *name)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];
	int n = snprintf(p, PATH_MAX, "%s/%s", t_dir, name);

	ck_assert(n > 0 && n < PATH_MAX);
	return p;
}
