/*
 * listen-ops.h - udg-listen's production options: --rate-limit and
 * --rate-key, -U, socket activation and --forward, as hooks the main
 * loop calls (one per place), so that udg-listen.c keeps the policy and
 * the mechanisms stay in ratelimit.c, privdrop.c, activate.c, forward.c.
 *
 * Set-up steps exit with a message (udg-listen(1)'s EXIT STATUS) when
 * they fail, as the other set-up steps do.
 */
#ifndef UDG_LISTEN_OPS_H
#define UDG_LISTEN_OPS_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "udg.h"
#include "forward.h"
#include "listen-stats.h"
#include "privdrop.h"
#include "ratelimit.h"
#include "tool-out.h"

/* Long options without a short form. */
#define OPT_RATE_LIMIT	320
#define OPT_RATE_KEY	321
#define OPT_FORWARD	322
#define OPT_FWD_FORMAT	323
#define OPT_FWD_SDID	324

#define OPS_FWD_QUEUE	64	/* forwards held while the target waits */

struct ops_opts {
	int		 rate_on;
	struct rate_spec rate;
	enum rate_key	 rate_key;
	int		 rate_key_set;
	int		 user_on;
	struct priv_user user;
	char		 vuser[PRIV_NAMEMAX];
	const char	*fwd_path;
	enum fwd_format	 fwd_format;
	const char	*fwd_sdid;
	int		 fwd_opts;	/* --forward-format or -sd-id given */
	int		 fwd_sdid_set;	/* --forward-sd-id given */
};

/* Defaults: no limit (key uid), no user, no forwarding. */
void	ops_opts_init(struct ops_opts *o);

/* Option ch (-U or OPT_*): 1 taken, 0 not ours, -1 and *errstr if bad. */
int	ops_parse_opt(struct ops_opts *o, int ch, const char *arg,
	    const char **errstr);

/* Exit 64 for an option given without the one it needs. */
void	ops_opts_check(const struct ops_opts *o);

struct ops;

/*
 * The hooks' state, for the sockets bound at sockpaths[0, nsocks); json:
 * summaries are records on out too (appended and marked as records; the
 * caller writes them out).
 */
struct ops	*ops_new(const struct ops_opts *o,
		    const char *const *sockpaths, size_t nsocks, int json,
		    struct tool_out *out, size_t maxlen);
void		 ops_free(struct ops *);

/*
 * The sockets a service manager passed, one per path into out[0, n): 1,
 * or 0 when none were passed (bind them yourself).
 */
int	ops_adopt(const char *const *paths, size_t n, int flags,
	    struct udg **out);

/*
 * -U: give the -o file (outfd, -1: none) to USER, then become USER; then
 * open the forwarder, as USER.
 */
void	ops_drop(struct ops *, int outfd);

/*
 * --rate-limit: 1 if m may pass now, 0 if it is suppressed; id (or NULL)
 * is the sender's identity, for the unit key.  0 too for a datagram that
 * --forward sent and that came back (see fwd_came_back()).
 */
int	ops_admit(struct ops *, const struct udg_msg *m,
	    const struct udg_ident *id, int64_t now_ms);

/* --forward: pass m (arrived at when) on. */
void	ops_forward(struct ops *, const struct udg_msg *m,
	    const struct udg_ident *who, const struct timespec *when,
	    int64_t now_ms);

/* 1 if ops_forward() needs the real arrival time (RFC 5424 TIMESTAMP). */
int	ops_needs_clock(const struct ops *);

/* 1 while forwards wait for their target: receive nothing more. */
int	ops_hold(const struct ops *);

/* The fds to poll (at most 1), the time of the next tick (-1: none). */
int	ops_pollfds(const struct ops *, struct pollfd *pfd, int max);
int	ops_next_ms(const struct ops *, int64_t now_ms);

/* Timers: rate summaries (records appended to out), forward retries. */
void	ops_tick(struct ops *, int64_t now_ms);

/* At exit: the last summary, and the forwarder's last drops said. */
void	ops_finish(struct ops *, int64_t now_ms);

/* Add what the hooks counted to st. */
void	ops_stats(const struct ops *, struct stats *st);

#endif /* UDG_LISTEN_OPS_H */
