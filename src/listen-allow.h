/*
 * listen-allow.h - udg-listen --allow-unit and --allow-exe: accept a
 * datagram only when its sender's identity, pinned by a pidfd, is on a
 * list.  A sender that cannot be pinned (no pidfd, exited, unreadable)
 * is never matched on a guess: it is unverified, and refused.
 */
#ifndef UDG_LISTEN_ALLOW_H
#define UDG_LISTEN_ALLOW_H

#include <sys/types.h>

#include <stddef.h>

#include "udg.h"

struct stat;

/* The file an allowed path named when last looked at; ino 0: none. */
struct allow_file {
	dev_t	 dev;
	ino_t	 ino;
};

struct allow {
	char	**units;	/* systemd unit names, suffix included */
	size_t	  nunits;
	char	**exes;		/* absolute paths, resolved when they exist */
	struct allow_file *files;	/* the file each of exes names */
	size_t	  nexes;
};

enum allow_verdict {
	ALLOW_YES,		/* no list given, or every given list matched */
	ALLOW_NO,		/* pinned, and not on a list */
	ALLOW_UNVERIFIED	/* could not be pinned or read: refused */
};

/*
 * Append a comma list of units to a ("NAME" alone means NAME.service, as
 * for systemctl).  0, or -1 with *errstr; on error nothing is appended.
 */
int	allow_add_units(struct allow *a, const char *list,
	    const char **errstr);

/*
 * Append a comma list of absolute executable paths to a; those that
 * exist are resolved (realpath), as /proc/PID/exe is, and the file each
 * names is noted.  0, or -1 with *errstr; on error nothing is appended.
 */
int	allow_add_exes(struct allow *a, const char *list,
	    const char **errstr);

/* 1 if a has any list, so that senders must be identified. */
int	allow_active(const struct allow *a);

/*
 * Fill *st with stat(2) of the executable the pinned sender id runs,
 * proven its own by its pidfd; 0, or -1 when that cannot be done (errno
 * ESRCH: the process has exited since id was read).
 */
int	allow_exe_file(const struct udg_ident *id, int pidfd,
	    struct stat *st);

/*
 * May the sender described by id (NULL: unknown) pass a?  exe is the file
 * it runs (allow_exe_file()), NULL if unknown: a listed path alone is not
 * enough, the file must be the one that path names here.
 */
enum allow_verdict allow_check(const struct allow *a,
	    const struct udg_ident *id, const struct stat *exe);

/* Release the lists. */
void	allow_free(struct allow *a);

/*
 * The system unit cgroup is in, as journald's _SYSTEMD_UNIT: its first
 * component that is not a slice, if that is a service or a scope (*len
 * bytes, not NUL-ended); else NULL.  A user's units are all in theirs,
 * user@UID.service.
 */
const char *allow_system_unit(const char *cgroup, size_t *len);

#endif /* UDG_LISTEN_ALLOW_H */
