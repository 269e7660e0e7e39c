/*
 * privdrop.h - udg-listen -U USER[:GROUP]: who to become, and becoming it.
 *
 * The listener binds its socket, opens -o and writes -p as root, then
 * drops to USER for good: supplementary groups, group, user, in that
 * order, and checks that root cannot be regained.
 */
#ifndef UDG_PRIVDROP_H
#define UDG_PRIVDROP_H

#include <sys/types.h>

#define PRIV_NAMEMAX	256	/* longest user name kept (+ NUL) */

struct priv_user {
	uid_t	 uid;
	gid_t	 gid;			/* GROUP, or USER's primary group */
	char	 name[PRIV_NAMEMAX];	/* "" for a uid with no passwd entry */
};

/* Parse USER[:GROUP] (names or numbers); -1 and *errstr if unusable. */
int	priv_parse(const char *spec, struct priv_user *pu,
	    const char **errstr);

/*
 * Become pu for good: initgroups (or only GROUP for a nameless uid),
 * setresgid, setresuid.  -1 and errno if a step fails.  If root can be
 * regained afterwards the process aborts: going on would be worse.
 */
int	priv_drop(const struct priv_user *pu);

/* Give the open file fd to pu (uid and gid), so it can reopen it later. */
int	priv_own(int fd, const struct priv_user *pu);

#endif /* UDG_PRIVDROP_H */
