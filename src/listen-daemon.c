/*
 * listen-daemon.c - udg-listen's pid file, -d and readiness.
 */
#include "config.h"

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "listen-daemon.h"
#include "tool.h"

/*
 * The pid file, written and locked as pidfile(3bsd) does (flock(2), so
 * the tools that read such files still see it held), but opened without
 * following a symbolic link, and only a regular file of ours with one
 * link: root writing at a path in someone else's directory must not be
 * made to truncate whatever file that one points the path at.  It is
 * removed on exit only while the path still names it: a later instance
 * may have made a new one there.
 */
struct pidfile {
	int		 fd;
	dev_t		 dev;
	ino_t		 ino;
	const char	*path;
};

/* The pid in the file held by another process, or -1. */
static long
held_pid(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return (long)strtonum(buf, 1, LONG_MAX, NULL);
}

/* Why the file open at fd is not ours to write, or NULL. */
static const char *
not_ours(int fd, struct stat *st)
{
	if (fstat(fd, st) == -1)
		return strerror(errno);
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_nlink != 1)
		return "has other hard links";
	if (st->st_uid != geteuid())
		return "belongs to another user";
	return NULL;
}

/* Open and lock path, or exit 73: every failure is "cannot create". */
struct pidfile *
daemon_pidfile_open(const char *path, const char *vpath)
{
	struct pidfile *pf;
	struct stat st;
	const char *why;
	long other;
	int fd;

	fd = flopen(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0644);
	if (fd == -1 && errno == EWOULDBLOCK) {
		if ((other = held_pid(path)) > 0)
			errx(EX_CANTCREAT, "%s: already running, pid %ld",
			    vpath, other);
		errx(EX_CANTCREAT, "%s: already running", vpath);
	}
	if (fd == -1 && errno == ELOOP)
		errx(EX_CANTCREAT, "%s: pid file: a symbolic link", vpath);
	if (fd == -1)
		err(EX_CANTCREAT, "%s: pid file", vpath);
	if ((why = not_ours(fd, &st)) != NULL)
		errx(EX_CANTCREAT, "%s: pid file: %s", vpath, why);
	if (ftruncate(fd, 0) == -1)
		err(EX_CANTCREAT, "%s: pid file", vpath);
	if ((pf = malloc(sizeof(*pf))) == NULL)
		err(EX_OSERR, NULL);
	pf->fd = fd;
	pf->dev = st.st_dev;
	pf->ino = st.st_ino;
	pf->path = path;
	return pf;
}

/* Write our pid into pf (NULL: none), or exit 73. */
void
daemon_pidfile_write(struct pidfile *pf, const char *vpath)
{
	char buf[32];
	int n;

	if (pf == NULL)
		return;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(pf->fd, 0) == -1 ||
	    pwrite(pf->fd, buf, (size_t)n, 0) != n)
		err(EX_CANTCREAT, "%s", vpath);
}

/* Remove the pid file if the path still names it; close it. */
void
daemon_pidfile_remove(struct pidfile *pf)
{
	struct stat st;

	if (pf == NULL)
		return;
	if (lstat(pf->path, &st) == 0 && st.st_dev == pf->dev &&
	    st.st_ino == pf->ino)
		(void)unlink(pf->path);
	(void)close(pf->fd);
	free(pf);
}

/*
 * Fork; the parent waits until the child is ready and exits 0 (or 71
 * if the child died first).  The parent must not run the atexit cleanup:
 * the socket is the child's now.  No chdir("/"): relative paths (socket,
 * -o, -p, -e) keep meaning what they meant.
 */
void
daemon_detach(struct pidfile *pf, const char *vpath, int null_stdout)
{
	int fds[2], fd;
	char c;
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) == -1)
		err(EX_OSERR, "pipe");
	(void)fflush(stdout);
	(void)fflush(stderr);
	if ((pid = fork()) == -1)
		err(EX_OSERR, "fork");
	if (pid > 0) {
		(void)close(fds[1]);
		do
			n = read(fds[0], &c, 1);
		while (n == -1 && errno == EINTR);
		_exit(n == 1 ? 0 : EX_OSERR);
	}
	(void)close(fds[0]);
	if (setsid() == -1)
		err(EX_OSERR, "setsid");
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		err(EX_OSERR, "/dev/null");
	if (dup2(fd, STDIN_FILENO) == -1)
		err(EX_OSERR, "dup2");
	/* With -o, stdout is unused: do not hold a caller's pipe open. */
	if (null_stdout && dup2(fd, STDOUT_FILENO) == -1)
		err(EX_OSERR, "dup2");
	(void)close(fd);
	daemon_pidfile_write(pf, vpath);
	if (write(fds[1], "R", 1) != 1)
		err(EX_OSERR, "daemon readiness");
	(void)close(fds[1]);
}

#define NOTIFY_WAIT_MS	1000	/* longest wait for room at NOTIFY_SOCKET */
#define NOTIFY_RETRY_MS	10

/*
 * Send msg to ns from c (non-blocking).  A full queue is tried again for
 * NOTIFY_WAIT_MS at most: nothing tells an unconnected sender when there
 * is room, and a manager that does not read must not hold us up.
 */
static int
notify_send(struct udg *c, const char *ns, const char *msg, size_t len)
{
	const struct timespec pause = { 0, NOTIFY_RETRY_MS * 1000000L };
	int i;

	for (i = 0; udg_sendto(c, ns, msg, len) == -1; i++) {
		if (errno != EAGAIN || i >= NOTIFY_WAIT_MS / NOTIFY_RETRY_MS)
			return -1;
		(void)nanosleep(&pause, NULL);
	}
	return 0;
}

/* sd_notify(3)'s READY=1 and MAINPID, if NOTIFY_SOCKET asks for it. */
void
daemon_notify_ready(void)
{
	char vis[TOOL_VISPATH], msg[64];
	const char *ns;
	struct udg *c;
	int n;

	if ((ns = getenv("NOTIFY_SOCKET")) == NULL || *ns == '\0')
		return;
	(void)tool_vis(vis, sizeof(vis), ns, strlen(ns));
	if (*ns == '@') {
		warnx("NOTIFY_SOCKET %s: abstract sockets are not supported, "
		    "not notifying", vis);
		goto done;
	}
	n = snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld",
	    (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(msg))
		goto done;
	if ((c = udg_client(NULL, UDG_NONBLOCK)) == NULL) {
		warn("NOTIFY_SOCKET %s: client socket", vis);
		goto done;
	}
	if (notify_send(c, ns, msg, (size_t)n) == -1) {
		if (errno == EAGAIN)
			warnx("NOTIFY_SOCKET %s: its queue stayed full for %d "
			    "ms, not notified", vis, NOTIFY_WAIT_MS);
		else
			warn("NOTIFY_SOCKET %s", vis);
	}
	(void)udg_close(c);
done:
	/* The -e commands are not the service. */
	(void)unsetenv("NOTIFY_SOCKET");
}
