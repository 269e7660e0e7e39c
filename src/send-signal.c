/*
 * send-signal.c - udg-send's socket file removal when a signal kills it.
 *
 * udg-send blocks in send and receive calls with no event loop to come
 * back to, so a handler has to remove its automatic socket itself.  The
 * handler only uses async-signal-safe calls and removes the file only if
 * it is still the one udg-send bound.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

static char	unlink_path[PATH_MAX];
static char	unlink_lock[PATH_MAX];
static dev_t	unlink_dev;
static ino_t	unlink_ino;

/* Remove our socket file (if still ours) and its lock, die of sig. */
static void
on_fatal(int sig)
{
	struct stat st;

	if (lstat(unlink_path, &st) == 0 && st.st_dev == unlink_dev &&
	    st.st_ino == unlink_ino) {
		(void)unlink(unlink_path);
		(void)unlink(unlink_lock);
	}
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/* Arrange for path to be removed if a signal kills us. */
int
tool_unlink_on_signal(const char *path)
{
	struct sigaction sa;
	struct stat st;
	int n;

	if (strlcpy(unlink_path, path, sizeof(unlink_path)) >=
	    sizeof(unlink_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n = snprintf(unlink_lock, sizeof(unlink_lock), "%s.lock", path);
	if (n < 0 || (size_t)n >= sizeof(unlink_lock)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (lstat(path, &st) == -1)
		return -1;
	unlink_dev = st.st_dev;
	unlink_ino = st.st_ino;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_fatal;
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}
