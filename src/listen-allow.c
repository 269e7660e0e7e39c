/*
 * listen-allow.c - udg-listen's identity allow-lists.
 *
 * Matching is exact, on strings the library vouched for: the unit is the
 * deepest .service or .scope of the sender's cgroup, the executable the
 * target of /proc/PID/exe.  Anything less than a pinned, readable answer
 * is ALLOW_UNVERIFIED, never a match.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "listen-allow.h"

/* Append s (taken: freed on failure) to list; 0 or -1. */
static int
push(char ***list, size_t *n, char *s)
{
	char **nl;

	if (s == NULL)
		return -1;
	if ((nl = reallocarray(*list, *n + 1, sizeof(**list))) == NULL) {
		free(s);
		return -1;
	}
	*list = nl;
	(*list)[(*n)++] = s;
	return 0;
}

/* Drop list entries from have on (undo a failed append). */
static void
truncate_list(char **list, size_t *n, size_t have)
{
	while (*n > have)
		free(list[--*n]);
}

/* One unit name, checked and completed; NULL and *errstr if bad. */
static char *
unit_name(const char *tok, const char **errstr)
{
	char *s;
	size_t len = strlen(tok);

	if (len == 0 || strchr(tok, '/') != NULL || len > NAME_MAX) {
		*errstr = len == 0 ? "empty unit name" : "not a unit name";
		return NULL;
	}
	if (strchr(tok, '.') != NULL)
		s = strdup(tok);
	else if ((s = malloc(len + sizeof(".service"))) != NULL) {
		memcpy(s, tok, len);
		memcpy(s + len, ".service", sizeof(".service"));
	}
	if (s == NULL)
		*errstr = strerror(errno);
	return s;
}

/* One executable path, resolved if it exists; NULL and *errstr if bad. */
static char *
exe_path(const char *tok, const char **errstr)
{
	char *s;

	if (tok[0] != '/') {
		*errstr = tok[0] == '\0' ? "empty path" :
		    "not an absolute path";
		return NULL;
	}
	if ((s = realpath(tok, NULL)) == NULL && (errno == ENOENT ||
	    errno == ENOTDIR || errno == EACCES || errno == ELOOP))
		s = strdup(tok);
	if (s == NULL)
		*errstr = strerror(errno);
	return s;
}

/* Split list at commas into *out with conv; all or nothing. */
static int
add_list(char ***out, size_t *n, const char *list,
    char *(*conv)(const char *, const char **), const char **errstr)
{
	char *copy, *p, *tok;
	size_t have = *n;

	if ((copy = strdup(list)) == NULL) {
		*errstr = strerror(errno);
		return -1;
	}
	p = copy;
	while ((tok = strsep(&p, ",")) != NULL) {
		*errstr = NULL;
		if (push(out, n, conv(tok, errstr)) == -1) {
			if (*errstr == NULL)
				*errstr = strerror(errno);
			truncate_list(*out, n, have);
			free(copy);
			return -1;
		}
	}
	free(copy);
	return 0;
}

/* --allow-unit. */
int
allow_add_units(struct allow *a, const char *list, const char **errstr)
{
	return add_list(&a->units, &a->nunits, list, unit_name, errstr);
}

/* --allow-exe. */
int
allow_add_exes(struct allow *a, const char *list, const char **errstr)
{
	return add_list(&a->exes, &a->nexes, list, exe_path, errstr);
}

/* Is any list given? */
int
allow_active(const struct allow *a)
{
	return a->nunits > 0 || a->nexes > 0;
}

/* Is s one of list[0, n)? */
static int
listed(char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* The verdict on id for one list (n == 0: no list, no say). */
static enum allow_verdict
check_one(char *const *list, size_t n, const char *s)
{
	if (n == 0)
		return ALLOW_YES;
	if (s == NULL)
		return ALLOW_UNVERIFIED;
	return listed(list, n, s) ? ALLOW_YES : ALLOW_NO;
}

/* Every given list must match the pinned identity. */
enum allow_verdict
allow_check(const struct allow *a, const struct udg_ident *id)
{
	enum allow_verdict u, e;

	if (!allow_active(a))
		return ALLOW_YES;
	if (id == NULL || !(id->flags & UDG_ID_PINNED))
		return ALLOW_UNVERIFIED;
	/* A known cgroup that names no unit is in none of them. */
	u = id->unit == NULL && id->cgroup != NULL && a->nunits > 0 ?
	    ALLOW_NO : check_one(a->units, a->nunits, id->unit);
	e = check_one(a->exes, a->nexes, id->exe);
	if (u == ALLOW_NO || e == ALLOW_NO)
		return ALLOW_NO;
	return u == ALLOW_YES && e == ALLOW_YES ? ALLOW_YES :
	    ALLOW_UNVERIFIED;
}

/* Free both lists. */
void
allow_free(struct allow *a)
{
	truncate_list(a->units, &a->nunits, 0);
	truncate_list(a->exes, &a->nexes, 0);
	free(a->units);
	free(a->exes);
	a->units = a->exes = NULL;
}
