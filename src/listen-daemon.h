/*
 * listen-daemon.h - udg-listen's pid file, -d and readiness.
 *
 * These run during set-up and exit with a message (the EXIT STATUS of
 * udg-listen(1)) when they fail: there is nothing to go on with.
 */
#ifndef UDG_LISTEN_DAEMON_H
#define UDG_LISTEN_DAEMON_H

#include <libutil.h>

struct pidfile;

/*
 * Open and lock pidfile path (escaped: vpath); exit 73 if it cannot.  The
 * path is kept: it must live until daemon_pidfile_remove().
 */
struct pidfile	*daemon_pidfile_open(const char *path, const char *vpath);

/* Write our pid into pf (NULL: none); exit 73 on failure. */
void	daemon_pidfile_write(struct pidfile *pf, const char *vpath);

/* On exit: remove the file if its path still names it (NULL: none). */
void	daemon_pidfile_remove(struct pidfile *pf);

/*
 * -d: fork; the parent exits 0 once the child has written the pid file
 * (71 if the child died first).  The child starts a session, reads
 * /dev/null and, when null_stdout, writes stdout there too.
 */
void	daemon_detach(struct pidfile *pf, const char *vpath, int null_stdout);

/* Tell NOTIFY_SOCKET we are ready, and hide it from later commands. */
void	daemon_notify_ready(void);

#endif /* UDG_LISTEN_DAEMON_H */
