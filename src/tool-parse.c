/*
 * tool-parse.c - strict parsing of option values: no signs, no spaces,
 * no hex, nothing after the number.  User and group ids are parsed in
 * tool-ids.c, so that a tool that takes none links no user database.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
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

/* Digits only (strtonum(3) alone takes a sign and spaces), in [lo, hi]. */
static int
decimal(const char *s, long long lo, long long hi, long long *v,
    const char **errstr)
{
	if (*s < '0' || *s > '9') {
		*errstr = "invalid";
		return -1;
	}
	*v = strtonum(s, lo, hi, errstr);
	return *errstr != NULL ? -1 : 0;
}

/* Parse a strictly decimal count >= 1. */
int
tool_parse_count(const char *s, unsigned long long *n, const char **errstr)
{
	long long v;

	if (decimal(s, 1, LLONG_MAX, &v, errstr) == -1)
		return -1;
	*n = (unsigned long long)v;
	return 0;
}

/* Parse a strictly decimal number in [0, max]. */
int
tool_parse_upto(const char *s, int max, int *n, const char **errstr)
{
	long long v;

	if (decimal(s, 0, max, &v, errstr) == -1)
		return -1;
	*n = (int)v;
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
