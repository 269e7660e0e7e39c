/*
 * tool-parse.h - strict parsing of option values.
 *
 * One convention for all: 0 on success with the result stored; -1 on
 * error with *errstr set to a short static reason ("invalid", "too
 * large", "no such user", ...) for a message "OPTION VALUE: reason".
 * Nothing is stored on error.
 */
#ifndef UDG_TOOL_PARSE_H
#define UDG_TOOL_PARSE_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/* Decimal "SECONDS" (fractions allowed) into milliseconds, rounded up. */
int	tool_parse_seconds(const char *, int *ms, const char **errstr);

/* Decimal count in [1, LLONG_MAX]. */
int	tool_parse_count(const char *, unsigned long long *,
	    const char **errstr);

/* Decimal number in [0, max]. */
int	tool_parse_upto(const char *, int max, int *n, const char **errstr);

/* Octal file mode, at most 07777. */
int	tool_parse_mode(const char *, int *mode, const char **errstr);

/* One group: a name, or a decimal number. */
int	tool_parse_gid(const char *, gid_t *, const char **errstr);

/*
 * A comma list of users (group 0) or groups (group 1), appended to *list
 * (grown with reallocarray).  On error, nothing is appended.
 */
int	tool_parse_idlist(const char *, int group, uint32_t **list,
	    size_t *n, const char **errstr);

#endif /* UDG_TOOL_PARSE_H */
