/*
 * tool-ids.c - user and group option values: a name from the user or
 * group database, or a decimal id.  A file of its own: a statically
 * linked tool that parses no ids (udg-send) then links no name service.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tool-parse.h"

/* A decimal id (no sign, not -1), or -1. */
static int
parse_id(const char *s, uint32_t *id)
{
	const char *errstr;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtonum(s, 0, UINT32_MAX - 1, &errstr);
	if (errstr != NULL)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* A user (group 0) or group name, else a number, into *id. */
static int
parse_one(const char *s, int group, uint32_t *id, const char **errstr)
{
	struct passwd *pw;
	struct group *gr;

	*errstr = NULL;
	if (*s == '\0') {
		*errstr = "empty name";
		return -1;
	}
	if (group && (gr = getgrnam(s)) != NULL) {
		*id = (uint32_t)gr->gr_gid;
		return 0;
	}
	if (!group && (pw = getpwnam(s)) != NULL) {
		*id = (uint32_t)pw->pw_uid;
		return 0;
	}
	if (parse_id(s, id) == 0)
		return 0;
	*errstr = group ? "no such group" : "no such user";
	return -1;
}

/* A group name or number into *gid. */
int
tool_parse_gid(const char *s, gid_t *gid, const char **errstr)
{
	uint32_t id;

	if (parse_one(s, 1, &id, errstr) == -1)
		return -1;
	*gid = (gid_t)id;
	return 0;
}

/* Append the ids of comma list s to *list. */
int
tool_parse_idlist(const char *s, int group, uint32_t **list, size_t *n,
    const char **errstr)
{
	char *copy, *p, *tok;
	uint32_t *nl, id;
	size_t have = *n;

	if ((copy = strdup(s)) == NULL) {
		*errstr = strerror(errno);
		return -1;
	}
	p = copy;
	while ((tok = strsep(&p, ",")) != NULL) {
		if (parse_one(tok, group, &id, errstr) == -1)
			goto fail;
		if ((nl = reallocarray(*list, *n + 1, sizeof(**list))) ==
		    NULL) {
			*errstr = strerror(errno);
			goto fail;
		}
		*list = nl;
		(*list)[(*n)++] = id;
	}
	free(copy);
	return 0;
fail:
	*n = have;
	free(copy);
	return -1;
}
