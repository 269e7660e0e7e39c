/*
 * ratelimit.h - per-sender token buckets for udg-listen --rate-limit.
 *
 * Each key (a uid, a pid or a unit name, as a string) gets a bucket that
 * holds at most BURST tokens and refills at N tokens per SECONDS.  A
 * datagram takes one token or is suppressed.  The table tracks a bounded
 * number of keys; when it is full the least recently seen key is forgotten
 * (its suppressed count is kept in an "untracked" total, so the summary
 * still adds up).  The caller passes the clock in, so tests can drive it.
 */
#ifndef UDG_RATELIMIT_H
#define UDG_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define RATE_KEYMAX		256	/* longest key + NUL (unit: 255) */
#define RATE_TRACK_DEFAULT	1024	/* senders tracked at once */
#define RATE_N_MAX		1000000	/* largest N and BURST */
#define RATE_SECONDS_MAX	3600	/* largest SECONDS */

struct rate_spec {
	unsigned long	 n;		/* tokens per interval */
	unsigned long	 burst;		/* bucket size (default n) */
	int64_t		 interval_ms;	/* SECONDS in milliseconds */
};

enum rate_key { RATE_KEY_UID, RATE_KEY_PID, RATE_KEY_UNIT };

struct rate_table;

/* Called once per key with suppressed datagrams; key NULL: untracked. */
typedef void	rate_report_fn(void *arg, const char *key,
		    unsigned long long suppressed);

/* Parse "N/SECONDS[:BURST]"; -1 and *errstr on a bad spec. */
int	rate_parse(const char *s, struct rate_spec *spec, const char **errstr);

/* Parse "uid", "pid" or "unit"; -1 if it is none of them. */
int	rate_parse_key(const char *s, enum rate_key *key);

/* A table tracking at most max keys, its interval starting at now_ms. */
struct rate_table *rate_new(const struct rate_spec *spec, size_t max,
	    int64_t now_ms);

void	rate_free(struct rate_table *t);

/* Take a token for key at now_ms: 1 pass, 0 suppressed. */
int	rate_allow(struct rate_table *t, const char *key, int64_t now_ms);

/* Milliseconds until the current interval ends (0: a summary is due). */
int64_t	rate_due_in(const struct rate_table *t, int64_t now_ms);

/*
 * End the interval if it is over: report every key that had datagrams
 * suppressed in it (most recently seen first), reset the counts and start
 * the next interval.  Returns the datagrams suppressed in the interval
 * (0 when none, or when the interval is not over yet).
 */
unsigned long long rate_summary(struct rate_table *t, int64_t now_ms,
	    rate_report_fn *fn, void *arg);

/* Keys tracked now, and keys forgotten to make room so far. */
size_t	rate_tracked(const struct rate_table *t);
unsigned long long rate_evicted(const struct rate_table *t);

#endif /* UDG_RATELIMIT_H */
