/*
 * tool-parse.c - strict parsing of option values: no signs, no spaces,
 * no hex, nothing after the number.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "tool-parse.h"

/* Parse non-negative decimal seconds (e.g. "1.5") into milliseconds. */
int
tool_parse_seconds(const char *s, int *ms, const char **errstr)
{
	const char *p;
	char *end;
	double d;

	*errstr = "invalid";
	if (*s == '\0')
		return -1;
	/* Digits and at most one dot: no signs, spaces, hex, inf or nan. */
	for (p = s; *p != '\0'; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return -1;
	if (strchr(s, '.') != strrchr(s, '.') || strcmp(s, ".") == 0)
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(d) || d < 0)
		return -1;
	if (d > (double)(INT_MAX / 1000)) {
		*errstr = "too large";
		return -1;
	}
	d *= 1000.0;
	*ms = (int)d;
	if ((double)*ms < d)
		(*ms)++;		/* round up: never wait less */
	*errstr = NULL;
	return 0;
}

/* Parse a strictly decimal count >= 1. */
int
tool_parse_count(const char *s, unsigned long long *n, const char **errstr)
{
	long long v;

	if (*s < '0' || *s > '9') {
		*errstr = "invalid";
		return -1;
	}
	v = strtonum(s, 1, LLONG_MAX, errstr);
	if (*errstr != NULL)
		return -1;
	*n = (unsigned long long)v;
	return 0;
}

/* Parse an octal mode of at most 07777, digits only. */
int
tool_parse_mode(const char *s, int *mode, const char **errstr)
{
	const char *p;
	long v = 0;

	*errstr = "not an octal mode";
	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '7')
			return -1;
		v = v * 8 + (*p - '0');
	}
	if (v > 07777) {
		*errstr = "too large";
		return -1;
	}
	*mode = (int)v;
	*errstr = NULL;
	return 0;
}

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
