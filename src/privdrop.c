/*
 * privdrop.c - parse -U USER[:GROUP] and drop root to it, irrevocably.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"

/* A decimal id (no sign), below the (id_t)-1 that means "unchanged". */
static int
parse_number(const char *s, unsigned long *id)
{
	const char *errstr;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtonum(s, 0, (long long)UINT32_MAX - 1, &errstr);
	if (errstr != NULL)
		return -1;
	*id = (unsigned long)v;
	return 0;
}

/* USER: a name (then its passwd entry) or a number (entry optional). */
static int
parse_user(const char *s, struct priv_user *pu, int *have_gid,
    const char **errstr)
{
	struct passwd *pw;
	unsigned long id;

	*have_gid = 0;
	if (*s == '\0') {
		*errstr = "empty user";
		return -1;
	}
	errno = 0;
	if (parse_number(s, &id) == 0) {
		pu->uid = (uid_t)id;
		pw = getpwuid(pu->uid);
	} else if ((pw = getpwnam(s)) == NULL) {
		*errstr = errno != 0 ? strerror(errno) : "no such user";
		return -1;
	}
	pu->name[0] = '\0';
	if (pw != NULL) {
		if (strlcpy(pu->name, pw->pw_name, sizeof(pu->name)) >=
		    sizeof(pu->name)) {
			*errstr = "user name too long";
			return -1;
		}
		pu->uid = pw->pw_uid;
		pu->gid = pw->pw_gid;
		*have_gid = 1;
	}
	return 0;
}

/* GROUP: a name or a number. */
static int
parse_group(const char *s, struct priv_user *pu, const char **errstr)
{
	struct group *gr;
	unsigned long id;

	if (*s == '\0') {
		*errstr = "empty group";
		return -1;
	}
	if (parse_number(s, &id) == 0) {
		pu->gid = (gid_t)id;
		return 0;
	}
	errno = 0;
	if ((gr = getgrnam(s)) == NULL) {
		*errstr = errno != 0 ? strerror(errno) : "no such group";
		return -1;
	}
	pu->gid = gr->gr_gid;
	return 0;
}

/* Parse USER[:GROUP]. */
int
priv_parse(const char *spec, struct priv_user *pu, const char **errstr)
{
	char user[PRIV_NAMEMAX];
	const char *colon = strchr(spec, ':');
	size_t len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	int have_gid;

	if (len >= sizeof(user)) {
		*errstr = "user name too long";
		return -1;
	}
	memcpy(user, spec, len);
	user[len] = '\0';
	if (parse_user(user, pu, &have_gid, errstr) == -1)
		return -1;
	if (colon != NULL) {
		if (parse_group(colon + 1, pu, errstr) == -1)
			return -1;
	} else if (!have_gid) {
		*errstr = "no passwd entry for it: say USER:GROUP";
		return -1;
	}
	if (pu->uid == 0) {
		*errstr = "is root: nothing to drop";
		return -1;
	}
	*errstr = NULL;
	return 0;
}

/* Drop to pu; abort if root comes back. */
int
priv_drop(const struct priv_user *pu)
{
	uid_t r, e, s;

	if (pu->name[0] != '\0') {
		if (initgroups(pu->name, pu->gid) == -1)
			return -1;
	} else if (setgroups(1, &pu->gid) == -1)
		return -1;
	if (setresgid(pu->gid, pu->gid, pu->gid) == -1)
		return -1;
	if (setresuid(pu->uid, pu->uid, pu->uid) == -1)
		return -1;
	if (setuid(0) != -1 || seteuid(0) != -1 ||
	    (pu->gid != 0 && setgid(0) != -1))
		abort();
	if (getresuid(&r, &e, &s) == -1 || r != pu->uid || e != pu->uid ||
	    s != pu->uid)
		abort();
	return 0;
}

/* Make pu the owner of fd's file. */
int
priv_own(int fd, const struct priv_user *pu)
{
	return fchown(fd, pu->uid, pu->gid);
}
