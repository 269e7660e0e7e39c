/*
 * listen-ops.c - the hooks behind udg-listen's production options.
 */
#include "config.h"

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "activate.h"
#include "format.h"
#include "listen-allow.h"
#include "listen-ops.h"
#include "tool.h"

#define KEYBUF		(RATE_KEYMAX + 8)

struct ops {
	const struct ops_opts	*o;
	int			 json;
	struct tool_out		*out;
	struct rate_table	*rate;
	unsigned long long	 suppressed;	/* all rate-limited so far */
	unsigned long long	 summaries;	/* -J summary records made */
	struct fwd		*fwd;
	struct fwd_conf		 fc;	/* for fwd_open() */
	char			 host[256];
};

static void	open_fwd(struct ops *);

/* Defaults. */
void
ops_opts_init(struct ops_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rate_key = RATE_KEY_UID;
	o->fwd_format = FWD_RAW;
	o->fwd_sdid = RFC5424_SDID_DEFAULT;
}

/* Parse one of our options. */
int
ops_parse_opt(struct ops_opts *o, int ch, const char *arg,
    const char **errstr)
{
	*errstr = NULL;
	switch (ch) {
	case OPT_RATE_LIMIT:
		o->rate_on = 1;
		return rate_parse(arg, &o->rate, errstr) == -1 ? -1 : 1;
	case OPT_RATE_KEY:
		o->rate_key_set = 1;
		if (rate_parse_key(arg, &o->rate_key) == -1)
			*errstr = "not uid, pid or unit";
		break;
	case 'U':
		if (priv_parse(arg, &o->user, errstr) == -1)
			return -1;
		o->user_on = 1;
		(void)tool_vis(o->vuser, sizeof(o->vuser), arg, strlen(arg));
		return 1;
	case OPT_FORWARD:
		if (*arg == '\0')
			*errstr = "empty path";
		else if (strlen(arg) > UDG_PATH_MAX)
			*errstr = "longer than a socket path can be";
		o->fwd_path = arg;
		break;
	case OPT_FWD_FORMAT:
		o->fwd_opts = 1;
		if (strcmp(arg, "raw") == 0)
			o->fwd_format = FWD_RAW;
		else if (strcmp(arg, "rfc5424") == 0)
			o->fwd_format = FWD_RFC5424;
		else
			*errstr = "not raw or rfc5424";
		break;
	case OPT_FWD_SDID:
		o->fwd_opts = 1;
		/* one without "@" is IANA's, with parameters of its own */
		if (!rfc5424_sdid_valid(arg))
			*errstr = "not an SD-ID (NAME@NUMBER)";
		else if (strchr(arg, '@') == NULL)
			*errstr = "an SD-ID without @NUMBER is IANA's, not a "
			    "site's (NAME@NUMBER)";
		o->fwd_sdid = arg;
		o->fwd_sdid_set = 1;
		break;
	default:
		*errstr = "unknown option";
		return 0;
	}
	return *errstr == NULL ? 1 : -1;
}

/* Options that only make sense with another one; exit 64 if alone. */
void
ops_opts_check(const struct ops_opts *o)
{
	if (o->fwd_path == NULL && o->fwd_opts)
		errx(EX_USAGE, "--forward-format and --forward-sd-id need "
		    "--forward");
	if (o->fwd_sdid_set && o->fwd_format != FWD_RFC5424)
		errx(EX_USAGE, "--forward-sd-id needs --forward-format=rfc5424");
	if (!o->rate_on && o->rate_key_set)
		errx(EX_USAGE, "--rate-key needs --rate-limit");
}

/* Exit 64 if the --forward target is one of the n sockets at paths. */
static void
check_loop(const char *fwd_path, const char *const *paths, size_t n)
{
	struct stat fst, sst;
	size_t i;

	if (stat(fwd_path, &fst) == -1)
		return;
	for (i = 0; i < n; i++)
		if (stat(paths[i], &sst) == 0 && fst.st_dev == sst.st_dev &&
		    fst.st_ino == sst.st_ino)
			errx(EX_USAGE, "--forward to a socket it listens on "
			    "would loop");
}

/*
 * Set up the rate table and the forwarder; exit 71 if we cannot, 64 if
 * the target is one of our own sockets (every datagram would come back).
 */
struct ops *
ops_new(const struct ops_opts *o, const char *const *sockpaths,
    size_t nsocks, int json, struct tool_out *out, size_t maxlen)
{
	struct fwd_conf *fc;
	struct ops *ops;

	if ((ops = calloc(1, sizeof(*ops))) == NULL)
		err(EX_OSERR, NULL);
	ops->o = o;
	ops->json = json;
	ops->out = out;
	if (o->rate_on && (ops->rate = rate_new(&o->rate, RATE_TRACK_DEFAULT,
	    tool_now_ms())) == NULL)
		err(EX_OSERR, "rate limit");
	if (o->fwd_path == NULL)
		return ops;
	check_loop(o->fwd_path, sockpaths, nsocks);
	if (gethostname(ops->host, sizeof(ops->host)) == -1)
		ops->host[0] = '\0';
	ops->host[sizeof(ops->host) - 1] = '\0';
	fc = &ops->fc;
	fc->path = o->fwd_path;
	fc->format = o->fwd_format;
	fc->sdid = o->fwd_sdid;
	fc->host = ops->host;
	fc->maxlen = maxlen;
	fc->queue_max = OPS_FWD_QUEUE;
	fc->wait_ms = FWD_WAIT_MS;
	/* with -U, once root is gone (see ops_drop()) */
	if (!o->user_on)
		open_fwd(ops);
	return ops;
}

/* The forwarder: its socket, and its first connect to the target. */
static void
open_fwd(struct ops *ops)
{
	if ((ops->fwd = fwd_open(&ops->fc)) == NULL)
		err(EX_OSERR, "forward");
}

/* Free everything (queued forwards are counted and reported). */
void
ops_free(struct ops *ops)
{
	if (ops == NULL)
		return;
	rate_free(ops->rate);
	fwd_close(ops->fwd);
	free(ops);
}

/* Adopt the passed sockets, or exit 78 saying why they do not fit. */
int
ops_adopt(const char *const *paths, size_t n, int flags, struct udg **out)
{
	char why[512];

	switch (act_adopt(paths, n, flags, out, why, sizeof(why))) {
	case 1:
		return 1;
	case 0:
		return 0;
	default:
		errx(EX_CONFIG, "socket activation: %s", why);
	}
}

/* -U: the output file first (root may still chown), then the drop. */
void
ops_drop(struct ops *ops, int outfd)
{
	const struct ops_opts *o = ops->o;
	struct stat st;

	if (!o->user_on)
		return;
	if (outfd != -1 && fstat(outfd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && priv_own(outfd, &o->user) == -1)
		err(EX_NOPERM, "-U %s: output file", o->vuser);
	if (priv_drop(&o->user) == -1)
		err(errno == EPERM ? EX_NOPERM : EX_OSERR, "-U %s", o->vuser);
	/* root's runtime directory: the user's commands cannot bind there */
	if (unsetenv("XDG_RUNTIME_DIR") == -1)
		err(EX_OSERR, "-U %s: unsetenv", o->vuser);
	/*
	 * The forwarder's socket is the user's, in the user's private
	 * directory, so that it is removed at exit, and its connect is the
	 * user's to make: root's would let the user send where it may not.
	 */
	if (o->fwd_path != NULL)
		open_fwd(ops);
}

/* The rate key for m as a string. */
static const char *
rate_key(const struct ops_opts *o, const struct udg_msg *m,
    const struct udg_ident *id, char *buf, size_t size)
{
	const char *unit;
	size_t n;

	if (m->flags & UDG_MSG_NOCRED)
		return "unknown";
	/*
	 * unit: only a pinned identity names one; without it, the uid.  The
	 * system unit, as --allow-unit matches: below it names are made by
	 * whoever it delegates to (a user may call theirs cron.service),
	 * and must not share a system unit's bucket.
	 */
	if (o->rate_key == RATE_KEY_UNIT && id != NULL &&
	    (id->flags & UDG_ID_PINNED) && id->cgroup != NULL &&
	    (unit = allow_system_unit(id->cgroup, &n)) != NULL)
		(void)snprintf(buf, size, "unit:%.*s", (int)n, unit);
	else if (o->rate_key == RATE_KEY_PID)
		(void)snprintf(buf, size, "pid:%ld", (long)m->pid);
	else
		(void)snprintf(buf, size, "uid:%lu", (unsigned long)m->uid);
	return buf;
}

/* Take a token for m's sender; our own forwarding's comes back never. */
int
ops_admit(struct ops *ops, const struct udg_msg *m,
    const struct udg_ident *id, int64_t now_ms)
{
	char key[KEYBUF];

	if (ops->fwd != NULL && fwd_came_back(ops->fwd, m))
		return 0;
	if (ops->rate == NULL)
		return 1;
	if (rate_allow(ops->rate, rate_key(ops->o, m, id, key, sizeof(key)),
	    now_ms))
		return 1;
	ops->suppressed++;
	return 0;
}

/* Forward m with its kernel credentials, and what a pidfd vouched for. */
void
ops_forward(struct ops *ops, const struct udg_msg *m,
    const struct udg_ident *who, const struct timespec *when, int64_t now_ms)
{
	struct rfc5424_ident id;

	if (ops->fwd == NULL)
		return;
	memset(&id, 0, sizeof(id));
	id.have_cred = (m->flags & UDG_MSG_NOCRED) == 0;
	id.pid = m->pid;
	id.uid = m->uid;
	id.gid = m->gid;
	if (who != NULL && (who->flags & UDG_ID_PINNED)) {
		id.comm = who->comm;
		id.unit = who->unit;
	}
	fwd_send(ops->fwd, m, &id, when, now_ms);
}

/* 1 if forwarding needs each datagram's arrival time. */
int
ops_needs_clock(const struct ops *ops)
{
	return ops->fwd != NULL && ops->o->fwd_format == FWD_RFC5424;
}

/* Hold receiving while forwards are queued. */
int
ops_hold(const struct ops *ops)
{
	return ops->fwd != NULL && fwd_queued(ops->fwd) > 0;
}

/* The forwarder's fd while it waits for room. */
int
ops_pollfds(const struct ops *ops, struct pollfd *pfd, int max)
{
	if (ops->fwd == NULL || max < 1)
		return 0;
	return fwd_pollfd(ops->fwd, pfd);
}

/* The nearer of the summary and the forward retry. */
int
ops_next_ms(const struct ops *ops, int64_t now_ms)
{
	int t = -1, f;
	int64_t r;

	if (ops->rate != NULL) {
		r = rate_due_in(ops->rate, now_ms);
		t = r > INT32_MAX ? INT32_MAX : (int)r;
	}
	if (ops->fwd != NULL && (f = fwd_next_ms(ops->fwd, now_ms)) >= 0 &&
	    (t == -1 || f < t))
		t = f;
	return t;
}

/* Append a JSON string for s to the output. */
static void
json_str(struct tool_out *out, const char *s)
{
	size_t len = strlen(s), room, used;
	char *dst;

	(void)tool_out_putc(out, '"');
	while (len > 0) {
		if ((dst = tool_out_room(out, FMT_MINROOM, &room)) == NULL)
			return;
		out->len += fmt_json(dst, room, s, len, &used);
		s += used;
		len -= used;
	}
	(void)tool_out_putc(out, '"');
}

/* One sender's summary: a line on stderr and, with -J, a record. */
static void
report(void *arg, const char *key, unsigned long long n)
{
	struct ops *ops = arg;
	char vis[4 * KEYBUF], buf[96], tbuf[FMT_TIMELEN];
	long secs = (long)(ops->o->rate.interval_ms / 1000);
	struct timespec ts;

	if (key != NULL)
		(void)tool_vis(vis, sizeof(vis), key, strlen(key));
	warnx("rate limit: %llu datagram%s from %s suppressed in %ld s", n,
	    n == 1 ? "" : "s", key != NULL ? vis : "senders no longer tracked",
	    secs);
	if (!ops->json)
		return;
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    fmt_time(tbuf, sizeof(tbuf), &ts) == -1)
		(void)strlcpy(tbuf, "1970-01-01T00:00:00.000000Z",
		    sizeof(tbuf));
	(void)snprintf(buf, sizeof(buf), "{\"time\":\"%s\",\"suppressed\":%llu,"
	    "\"key\":", tbuf, n);
	(void)tool_out_put(ops->out, buf, strlen(buf));
	if (key != NULL)
		json_str(ops->out, key);
	else
		(void)tool_out_put(ops->out, "null", 4);
	(void)snprintf(buf, sizeof(buf), ",\"interval\":%ld}\n", secs);
	(void)tool_out_put(ops->out, buf, strlen(buf));
	(void)tool_out_mark(ops->out);
	ops->summaries++;
}

/* Summaries once an interval is over; forward retries. */
void
ops_tick(struct ops *ops, int64_t now_ms)
{
	if (ops->fwd != NULL)
		fwd_run(ops->fwd, now_ms);
	if (ops->rate != NULL && rate_due_in(ops->rate, now_ms) == 0)
		(void)rate_summary(ops->rate, now_ms, report, ops);
}

/* The last summary, whatever is left of the interval. */
void
ops_finish(struct ops *ops, int64_t now_ms)
{
	if (ops->rate != NULL)
		(void)rate_summary(ops->rate, now_ms +
		    rate_due_in(ops->rate, now_ms), report, ops);
	fwd_finish(ops->fwd);
}

/* Our counters into st. */
void
ops_stats(const struct ops *ops, struct stats *st)
{
	st->rate_limited = ops->suppressed;
	/* they are records of the output as much as the datagrams' */
	st->written += ops->summaries;
	if (ops->fwd != NULL) {
		st->forwarded = fwd_sent(ops->fwd);
		st->forward_drops = fwd_dropped(ops->fwd);
	}
}
