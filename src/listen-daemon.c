/*
 * listen-daemon.c - udg-listen's pid file, -d and readiness.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "listen-daemon.h"
#include "tool.h"

/* pidfile_open(3bsd) path, or exit 73: every failure is "cannot create". */
struct pidfh *
daemon_pidfile_open(const char *path, const char *vpath)
{
	struct pidfh *pfh;
	pid_t other;

	if ((pfh = pidfile_open(path, 0644, &other)) != NULL)
		return pfh;
	if (errno == EEXIST)
		errx(EX_CANTCREAT, "%s: already running, pid %ld", vpath,
		    (long)other);
	err(EX_CANTCREAT, "%s: pid file", vpath);
}

/* pidfile_write(3bsd), or exit 73. */
void
daemon_pidfile_write(struct pidfh *pfh, const char *vpath)
{
	if (pfh != NULL && pidfile_write(pfh) == -1)
		err(EX_CANTCREAT, "%s", vpath);
}

/*
 * Fork; the parent waits until the child is ready and exits 0 (or 71
 * if the child died first).  The parent must not run the atexit cleanup:
 * the socket is the child's now.  No chdir("/"): relative paths (socket,
 * -o, -p, -e) keep meaning what they meant.
 */
void
daemon_detach(struct pidfh *pfh, const char *vpath, int null_stdout)
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
	daemon_pidfile_write(pfh, vpath);
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
