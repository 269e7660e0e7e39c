/*
 * udg-listen - receive datagrams on Unix-domain sockets and print them.
 *
 * This file holds the policy: options, set-up and one poll(2) loop over
 * the sockets, the signals (a signalfd: nothing runs in a handler), the
 * -e commands and the -E worker.  The mechanisms live beside it:
 * listen-record.c formats a record, listen-exec.c runs the commands,
 * listen-worker.c the worker, listen-queue.c holds the requests that
 * wait, listen-daemon.c does -d, -p and readiness.  Datagrams are taken
 * in batches into lazily backed buffers big enough for anything an
 * unprivileged sender can send, and each batch is written with one
 * buffered write, so -o is only ever reopened between batches.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/sockios.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "udg.h"
#include "listen-allow.h"
#include "listen-daemon.h"
#include "listen-exec.h"
#include "listen-ops.h"
#include "listen-output.h"
#include "listen-queue.h"
#include "listen-record.h"
#include "listen-stats.h"
#include "listen-worker.h"
#include "tool.h"

#define BATCH		64		/* datagrams per udg_recvv() */
#define RECV_ROUNDS	4		/* udg_recvv()s a socket a loop turn */
#define FINISH_MS	1000		/* to finish a record cut at exit */
#define STALLED_MAX	16		/* peers remembered not to wait for */
#define STALLED_USER	2		/* of one user: then none of its waits */
#define STALL_SLACK	2048		/* a datagram's cost beyond its bytes */
#define OUTBUF		(128 * 1024)	/* output buffer, and back-pressure */
#define WRITE_CHUNK	(OUTBUF / 4)	/* written within a burst past this */
#define SLOT_KEEP	(16 * 1024)	/* slot bytes kept resident */
#define SLOT_BUDGET	(16 * 1024 * 1024) /* and more while under this */
#define SLOT_IDLE_MS	1000		/* until idle this long */
#define OPT_ECHO	256		/* --echo has no short form */
#define OPT_PEER	257		/* nor these */
#define OPT_STAMP	258
#define OPT_ALLOW_UNIT	259
#define OPT_ALLOW_EXE	260
#define OPT_REFUSE_FDS	261
#define OPT_SPIN	262
#define REPLY_WAIT_MS	1000		/* how long a reply may wait for room */
#define REPLY_QUIET_MS	10000		/* none may, after one waited in vain */
#define REPLY_RETRY_MS	5		/* and how often it is tried again */
#define EXEC_JOBS	1		/* -j's default */
#define JOBS_MAX	256		/* -j at most */
#define WORKER_PENDING	1024		/* -E: most unanswered requests */
#define LOST_SHOWN	10		/* -E: lost requests named per death */
#define EXEC_TIMEOUT_MS	30000		/* -T default */
#define KILL_GRACE_MS	500		/* -e, -E: SIGTERM to SIGKILL */
#define STOP_GRACE_MS	1000		/* after a stop: drain and write */
#define MAXSOCKS	64		/* socket operands */

/* A warning printed at most once a second, with a count of the rest. */
struct ratelim {
	int64_t			last;
	unsigned long long	pending;
};

/* What the command line asked for. */
struct options {
	struct record_opts	 rec;
	unsigned long long	 count;		/* -c: 0 = no limit */
	int			 idle_ms;	/* -t: -1 = none */
	int			 exec_ms;	/* -T: 0 = none */
	int			 exec_ms_set;	/* -T was given */
	int			 echo;
	int			 refuse_fds;	/* --refuse-fds */
	int			 spin_us;	/* --spin: -1 = default */
	const char		*execcmd;
	int			 jobs;		/* -j: 0 = not given */
	const char		*workercmd;	/* -E */
	char			 vworkercmd[256];
	int			 sockmode;	/* -m: -1 = umask */
	gid_t			 sockgid;	/* -g: -1 = none */
	uint32_t		*allow_uids, *allow_gids;
	size_t			 nallow_uids, nallow_gids;
	struct allow		 allow;		/* --allow-unit, --allow-exe */
	int			 daemonize;
	const char		*pidpath;
	char			 vpidpath[TOOL_VISPATH];
	int			 verbose;
	const char		*outpath;
	char			 voutpath[TOOL_VISPATH];
	/* The socket operands; socket si is the one at index si. */
	const char		*sockpaths[MAXSOCKS];
	char			 vsockpaths[MAXSOCKS][TOOL_VISPATH];
	size_t			 nsocks;
	struct ops_opts		 ops;		/* listen-ops.h */
};

/* The running listener. */
/* A peer whose reply was dropped because its queue stayed full. */
struct stalled {
	int	 type;			/* UDG_PEER_*; UDG_PEER_NONE: free */
	int	 nocred;		/* it came without credentials */
	uid_t	 uid;			/* else its user */
	size_t	 len;
	char	 addr[UDG_PATH_MAX];
};

struct listener {
	const struct options	*opt;
	struct udg		*u[MAXSOCKS];	/* opt->sockpaths[i]'s */
	struct pidfile		*pfh;
	struct output		 out;
	struct exec		*exec;
	struct reqq		*wait;		/* -j: busy senders' requests */
	struct worker		*worker;
	struct pollfd		*pfd;
	int			 maxpoll;
	int			 sigfd;
	sigset_t		 childmask;	/* the mask for -e commands */
	sigset_t		 childdefault;	/* SIG_DFL in -e commands */
	struct udg_msg		 msgs[BATCH];
	char			*slots;
	size_t			 slotsize;
	size_t			 touched[BATCH]; /* slot bytes in use past
						    SLOT_KEEP, or 0 */
	size_t			 resident;	/* their sum */
	unsigned long long	 nrecv, nout, ndropped, ntrunc;
	unsigned long long	 nunverified;	/* no pinned identity */
	struct ratelim		 rl_unverified;
	struct timespec		 rt_now, mono_now;	/* this batch's */
	struct fmt_timecache	 tcache;	/* records' last second */
	struct record_ids	 ids;		/* and last credentials */
	int			 need_id;	/* -I, --allow-*, unit key */
	int			 need_ops;	/* a rate limit or forwarding */
	int			 screen;	/* handle() filters: admit() */
	int			 follow;	/* handle() goes on: follow() */
	int			 timed;		/* records or ops read clocks */
	unsigned long long	 nunanswerable;	/* senders we cannot answer */
	unsigned long long	 nleft;		/* read at a stalled stop, lost */
	int			 unbound_shown, relative_shown;
	unsigned long long	 nfailed;	/* -e: failed or killed */
	unsigned long long	 nskipped;	/* -e: could not be started */
	unsigned long long	 nrefused, nlost; /* -E */
	size_t			 lost_shown;	/* -E: since it started */
	struct ratelim		 rl_drop, rl_trunc, rl_reply, rl_exec;
	struct ratelim		 rl_refuse, rl_extra;
	int			 reply_stalled;	/* our send buffer stayed full */
	struct stalled		 stalled[STALLED_MAX]; /* see reply() */
	size_t			 stalled_next;	/* the slot to reuse next */
	size_t			 nstalled;	/* slots in use */
	int			 held;		/* a reply waits for room: */
	struct udg_msg		 held_to;	/* its address */
	size_t			 held_sock;	/* the socket it goes out on */
	char			*held_buf;	/* its payload */
	size_t			 held_cap;
	int64_t			 held_until;	/* when it is dropped */
	int64_t			 quiet_until;	/* no reply waits till then */
	int			 stop;		/* stopping: see loop() */
	int			 gave_up;	/* -E: the worker kept dying */
	uid_t			 euid;		/* once -U dropped root */
	int			 drained;	/* stopping: queue is empty */
	int			 spin;		/* a burst: wait_events() spins */
	unsigned long long	 nspins, nslept;	/* spins, vain ones */
	int64_t			 stop_by;	/* stopping: give up then */
	int64_t			 last;		/* -t: last busy moment */
	struct ops		*ops;
	struct stats		 st;		/* the other counters */
};

/* For the atexit cleanup only: the endpoints and pid file to remove. */
static struct listener	*cleanup_l;

/*
 * Every option once, in the order of the manual page: getopt_long()'s
 * table and --help are made from it.
 */
static const struct optdef {
	const char	*name;
	int		 ch;
	const char	*arg;		/* NULL: takes no argument */
	const char	*help;
} optdefs[] = {
	{ "null",	'0', NULL,	"write payloads raw, NUL after each" },
	{ "creds",	'C', NULL,	"begin records with pid uid gid" },
	{ "count",	'c', "count",	"exit after count records" },
	{ "daemon",	'd', NULL,	"fork once the socket is bound" },
	{ "worker",	'E', "command",	"run command once; it answers every "
					"datagram" },
	{ "exec",	'e', "command",	"run command per datagram, reply "
					"with its output" },
	{ "echo",	OPT_ECHO, NULL,	"send each datagram back" },
	{ "forward",	OPT_FORWARD, "socket", "send each accepted datagram "
					"on to socket" },
	{ "forward-format", OPT_FWD_FORMAT, "fmt", "raw (as it came) or "
					"rfc5424 (with identity)" },
	{ "forward-sd-id", OPT_FWD_SDID, "id", "RFC 5424 SD-ID "
					"(default udg@32473)" },
	{ "allow-gid",	'G', "gids",	"accept only these groups (and -u)" },
	{ "allow-exe",	OPT_ALLOW_EXE, "paths", "accept only senders running "
					"these executables" },
	{ "allow-unit",	OPT_ALLOW_UNIT, "units", "accept only senders in "
					"these systemd units" },
	{ "group",	'g', "group",	"give the socket file this group" },
	{ "help",	'h', NULL,	"print this help and exit" },
	{ "identity",	'I', NULL,	"name each sender (comm; -J: exe, "
					"cmdline, ...)" },
	{ "json",	'J', NULL,	"write JSON objects" },
	{ "jobs",	'j', "jobs",	"-e: run up to jobs commands at once" },
	{ "mode",	'm', "mode",	"socket file mode (octal)" },
	{ "output",	'o', "file",	"append records to file" },
	{ "peer",	OPT_PEER, NULL,	"show the sender's address (text)" },
	{ "pidfile",	'p', "pidfile",	"write and lock a pid file" },
	{ "rate-limit",	OPT_RATE_LIMIT, "limit", "at most n/seconds[:burst] "
					"datagrams per sender" },
	{ "rate-key",	OPT_RATE_KEY, "key", "uid, pid or unit: one sender "
					"for --rate-limit" },
	{ "raw",	'R', NULL,	"write payloads raw, newline after "
					"each" },
	{ "refuse-fds",	OPT_REFUSE_FDS, NULL, "have the kernel refuse "
					"datagrams that carry fds" },
	{ "spin",	OPT_SPIN, "usec", "after a burst, poll this long "
					"before sleeping (50)" },
	{ "syslog",	's', NULL,	"decode syslog headers" },
	{ "exec-timeout", 'T', "seconds", "-e, -E: no reply after seconds "
					"(0: never)" },
	{ "timeout",	't', "seconds",	"exit after seconds idle" },
	{ "timestamp",	OPT_STAMP, "[=utc|local|mono]", "begin text records "
					"with the arrival time" },
	{ "user",	'U', "user[:group]", "drop root to user once set up" },
	{ "allow-uid",	'u', "uids",	"accept only these users (and -G)" },
	{ "version",	'V', NULL,	"print the version and exit" },
	{ "verbose",	'v', NULL,	"print every counter on exit" },
};
#define NOPTS	(sizeof(optdefs) / sizeof(optdefs[0]))

static const char synopsis_fmt[] =
    "usage: %s [-0CdIJRsv] [-c count] [-E command | -e command [-j jobs] |\n"
    "\t--echo] [-G gids] [-g group] [-m mode] [-o file] [-p pidfile]\n"
    "\t[-T seconds] [-t seconds] [-U user[:group]] [-u uids]\n"
    "\t[--allow-exe paths] [--allow-unit units] [--forward socket\n"
    "\t[--forward-format raw|rfc5424] [--forward-sd-id name@number]]\n"
    "\t[--peer] [--rate-limit n/seconds[:burst]] [--rate-key key]\n"
    "\t[--refuse-fds] [--spin=usec] [--timestamp[=utc|local|mono]]\n"
    "\tsocket ...\n";

/* Bad usage: the synopsis to stderr, exit 64. */
static void __attribute__((__noreturn__))
usage(void)
{
	(void)fprintf(stderr, synopsis_fmt, getprogname());
	exit(EX_USAGE);
}

/* -h: the synopsis and every option to stdout, exit 0. */
static void __attribute__((__noreturn__))
help(void)
{
	const char *arg;
	char opt[64];
	size_t i;

	(void)printf(synopsis_fmt, getprogname());
	(void)printf("\n");
	for (i = 0; i < NOPTS; i++) {
		arg = optdefs[i].arg != NULL ? optdefs[i].arg : "";
		if (optdefs[i].ch < 256)
			(void)snprintf(opt, sizeof(opt), "-%c, --%s%s%s",
			    optdefs[i].ch, optdefs[i].name,
			    *arg != '\0' && *arg != '[' ? " " : "", arg);
		else
			(void)snprintf(opt, sizeof(opt), "    --%s%s%s",
			    optdefs[i].name,
			    *arg != '\0' && *arg != '[' ? " " : "", arg);
		(void)printf("  %-28s %s\n", opt, optdefs[i].help);
	}
	exit(fflush(stdout) == EOF ? EX_IOERR : 0);
}

/* The long name of option ch, for messages. */
static const char *
opt_name(int ch)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (optdefs[i].ch == ch)
			return optdefs[i].name;
	return "?";
}

/* getopt_long()'s short and long tables from optdefs. */
static void
make_opt_tables(char *shorts, size_t size, struct option *longs)
{
	size_t i, k = 0;

	shorts[k++] = '+';
	shorts[k++] = ':';
	for (i = 0; i < NOPTS; i++) {
		longs[i].name = optdefs[i].name;
		/* An argument shown as "[=...]" may be left out. */
		longs[i].has_arg = optdefs[i].arg == NULL ? no_argument :
		    optdefs[i].arg[0] == '[' ? optional_argument :
		    required_argument;
		longs[i].flag = NULL;
		longs[i].val = optdefs[i].ch;
		if (optdefs[i].ch > 255 || k + 3 > size)
			continue;
		shorts[k++] = (char)optdefs[i].ch;
		if (optdefs[i].arg != NULL)
			shorts[k++] = ':';
	}
	shorts[k] = '\0';
	memset(&longs[i], 0, sizeof(struct option));
}

/* atexit: close the endpoints (removing their files), the pidfile. */
static void
cleanup(void)
{
	struct listener *l = cleanup_l;
	size_t i;

	if (l == NULL)
		return;
	cleanup_l = NULL;
	exec_free(l->exec);
	l->exec = NULL;
	ops_free(l->ops);
	l->ops = NULL;
	worker_free(l->worker);
	l->worker = NULL;
	reqq_free(l->wait);
	l->wait = NULL;
	free(l->pfd);
	l->pfd = NULL;
	output_close(&l->out);
	for (i = 0; i < MAXSOCKS; i++) {
		(void)udg_close(l->u[i]);
		l->u[i] = NULL;
	}
	daemon_pidfile_remove(l->pfh);
	l->pfh = NULL;
}

/* 1 if a rate-limited warning may be printed now; else count it. */
static int
ratelim_ok(struct ratelim *rl)
{
	int64_t now = tool_now_ms();

	if (rl->last != 0 && now - rl->last < 1000) {
		rl->pending++;
		return 0;
	}
	rl->last = now;
	return 1;
}

/* The output failed: say so and exit 74. */
static void __attribute__((__noreturn__))
out_failed(struct listener *l)
{
	if (l->out.o.err != 0)
		errno = l->out.o.err;
	err(EX_IOERR, "%s", l->opt->voutpath);
}

/* 1 if m's sender passes -u/-G (or neither was given). */
static int
allowed(const struct options *o, const struct udg_msg *m)
{
	size_t i;

	if (o->nallow_uids == 0 && o->nallow_gids == 0)
		return 1;
	if (m->flags & UDG_MSG_NOCRED)
		return 0;
	for (i = 0; i < o->nallow_uids; i++)
		if (o->allow_uids[i] == (uint32_t)m->uid)
			return 1;
	for (i = 0; i < o->nallow_gids; i++)
		if (o->allow_gids[i] == (uint32_t)m->gid)
			return 1;
	return 0;
}

/* The slot remembering m's sender as stalled, or NULL. */
static struct stalled *
stalled_slot(struct listener *l, const struct udg_msg *m)
{
	size_t i;

	/* every reply asks: most often with none remembered */
	if (l->nstalled == 0)
		return NULL;
	for (i = 0; i < STALLED_MAX; i++)
		if (l->stalled[i].type == m->peer_type &&
		    l->stalled[i].type != UDG_PEER_NONE &&
		    l->stalled[i].len == m->peer_len &&
		    memcmp(l->stalled[i].addr, m->peer, m->peer_len) == 0)
			return &l->stalled[i];
	return NULL;
}

/* Remember m's sender as one whose queue stayed full. */
static void
stall(struct listener *l, const struct udg_msg *m)
{
	struct stalled *st;

	if (stalled_slot(l, m) != NULL || m->peer_len > sizeof(st->addr))
		return;
	st = &l->stalled[l->stalled_next];
	l->stalled_next = (l->stalled_next + 1) % STALLED_MAX;
	if (st->type == UDG_PEER_NONE)
		l->nstalled++;
	st->type = m->peer_type;
	st->nocred = (m->flags & UDG_MSG_NOCRED) != 0;
	st->uid = st->nocred ? 0 : m->uid;
	st->len = m->peer_len;
	memcpy(st->addr, m->peer, m->peer_len);
}

/*
 * 1 if a reply to m must not wait for room: its sender is remembered as
 * one whose queue stayed full, or STALLED_USER others of its user are
 * (senders without credentials count as one user).  A user with more
 * sockets than are remembered would else earn a wait with each one
 * forgotten, and hold up everyone else's replies a second at a time.
 * More users than are remembered (root, or a user with subordinate
 * uids) could take turns: so for REPLY_QUIET_MS after a reply waited
 * its second in vain, none waits.
 */
static int
no_wait(struct listener *l, const struct udg_msg *m)
{
	int nocred = (m->flags & UDG_MSG_NOCRED) != 0;
	size_t i, n = 0;

	if (l->quiet_until != 0 && tool_now_ms() < l->quiet_until)
		return 1;
	if (l->nstalled == 0)
		return 0;
	if (stalled_slot(l, m) != NULL)
		return 1;
	for (i = 0; i < STALLED_MAX; i++)
		if (l->stalled[i].type != UDG_PEER_NONE &&
		    l->stalled[i].nocred == nocred &&
		    (nocred || l->stalled[i].uid == m->uid))
			n++;
	return n >= STALLED_USER;
}

/* A reply to m's sender went out: it reads again. */
static void
unstall(struct listener *l, const struct udg_msg *m)
{
	struct stalled *st;

	if ((st = stalled_slot(l, m)) != NULL) {
		st->type = UDG_PEER_NONE;
		l->nstalled--;
	}
}

/*
 * A reply of len bytes to m found no room on socket si, and waiting did
 * not help: remember whose room it was.  Our own send buffer is full when
 * a peer that connected to us leaves our replies unread (the kernel's
 * queue limit spares a peer connected back): then no reply goes out to
 * anyone, until one does.  Else it was m's queue.
 */
static void
note_stall(struct listener *l, size_t si, const struct udg_msg *m,
    size_t len)
{
	int outq, sndbuf;
	socklen_t sl = sizeof(sndbuf);
	int fd = udg_fd(l->u[si]);

	if (ioctl(fd, SIOCOUTQ, &outq) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl) == 0 &&
	    (size_t)outq + len + STALL_SLACK >= (size_t)sndbuf)
		l->reply_stalled = 1;
	else
		stall(l, m);
}

/* Report a reply to m that failed with e (rate-limited). */
static void
reply_failed(struct listener *l, const struct udg_msg *m, int e)
{
	char vis[TOOL_VISPATH];

	l->st.replies_failed++;
	if (e == EAGAIN) {
		if (ratelim_ok(&l->rl_reply))
			warnx("reply to %s dropped: its queue stayed full",
			    tool_peer_name(vis, sizeof(vis), m));
		return;
	}
	/*
	 * A sender that did not wait for an answer is gone, or shut its
	 * socket for reading (udg-send without -r): not news.
	 */
	if ((e == ENOENT || e == ECONNREFUSED || e == EPIPE) &&
	    !l->opt->verbose)
		return;
	if (!ratelim_ok(&l->rl_reply))
		return;
	errno = e;
	if (e == EPIPE)
		warnx("reply to %s: it reads no replies",
		    tool_peer_name(vis, sizeof(vis), m));
	else
		warn("reply to %s", tool_peer_name(vis, sizeof(vis), m));
}

/*
 * An unbound sender has no address to answer.  A relative sender address
 * names a file relative to the sender's directory, which a reply from
 * here would resolve against ours: that could reach another process.
 * Neither is answered; each kind is reported once, and counted.
 */
static int
answerable(struct listener *l, const struct udg_msg *m)
{
	char vis[TOOL_VISPATH];
	int unbound = m->peer_type == UDG_PEER_NONE;
	int *shown = unbound ? &l->unbound_shown : &l->relative_shown;

	if (!unbound && (m->peer_type != UDG_PEER_PATH || m->peer[0] == '/'))
		return 1;
	l->nunanswerable++;
	if (!*shown)
		warnx("not answering %s: %s (reported once)",
		    tool_peer_name(vis, sizeof(vis), m), unbound ?
		    "it has no address" : "a relative socket address cannot "
		    "be answered safely");
	*shown = 1;
	return 0;
}

#define WHY_REBOUND	"its socket was bound anew since it asked"
#define WHY_ABSTRACT	"a late reply to another user's abstract name, " \
			"which anyone may have taken since"

/* 1 if the file st was changed after m arrived (known with -e and -E). */
static int
changed_since(const struct stat *st, const struct udg_msg *m)
{
	if (!(m->flags & UDG_MSG_KTIME))
		return 0;
	return st->st_ctim.tv_sec > m->time.tv_sec ||
	    (st->st_ctim.tv_sec == m->time.tv_sec &&
	    st->st_ctim.tv_nsec > m->time.tv_nsec);
}

/*
 * Open (O_PATH) the socket file m's sender is bound at (path, m's address
 * NUL-terminated), for the reply to go out through: the file checked is then the file answered, whatever
 * is renamed meanwhile.  -1 with errno when it cannot be opened, or with
 * *why (errno EACCES) when it must not be answered:
 * - a symlink or other file now at the asker's address is not its socket;
 * - a socket file bound since m arrived: the asker is gone, and whoever
 *   holds its path now did not ask (it may be waiting for another reply);
 * - another user's socket: the directories on the path are the asker's
 *   to rename, so it could point its address at a socket it may not
 *   write to, and have us write there instead, with our credentials.
 */
static int
open_asker(const struct udg_msg *m, const char *path, const char **why)
{
	struct stat st;
	int fd, e;

	if ((fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		e = errno;
		(void)close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISSOCK(st.st_mode))
		*why = "it is no longer a socket";
	else if (changed_since(&st, m))
		*why = WHY_REBOUND;
	else if ((m->flags & UDG_MSG_NOCRED) || st.st_uid != m->uid)
		*why = "the socket there belongs to another user";
	if (*why == NULL)
		return fd;
	(void)close(fd);
	errno = EACCES;
	return -1;
}

/*
 * udg_reply() to m; -1 with errno, or with *why when it must not go out.
 * Root, or our own user, could write anywhere we can: for them there is
 * no one to guard, only a path bound anew to tell, by name.  For anyone
 * else the reply goes through the file open_asker() checked
 * (/proc/self/fd/N: the kernel follows the descriptor, not the path),
 * and a late one (not --echo's, in the turn its request came) does not
 * go to an abstract name at all.
 */
static int
reply_to_asker(const struct listener *l, size_t si, const struct udg_msg *m,
    const void *buf, size_t len, int late, const char **why)
{
	struct udg_msg via;
	struct stat st;
	char path[sizeof(m->peer) + 1];
	int fd, n, r, e, trusted;

	*why = NULL;
	trusted = !(m->flags & UDG_MSG_NOCRED) && (m->uid == 0 ||
	    m->uid == l->euid);
	/* an abstract name has no owner to check, nor a time it was bound */
	if (m->peer_type == UDG_PEER_ABSTRACT && late && !trusted) {
		*why = WHY_ABSTRACT;
		errno = EACCES;
		return -1;
	}
	if (m->peer_type != UDG_PEER_PATH || m->peer_len >= sizeof(path))
		return udg_reply(l->u[si], m, buf, len);
	/* a path of all 108 bytes comes without its NUL */
	memcpy(path, m->peer, m->peer_len);
	path[m->peer_len] = '\0';
	if (trusted) {
		if (lstat(path, &st) == 0 && changed_since(&st, m)) {
			*why = WHY_REBOUND;
			errno = EACCES;
			return -1;
		}
		return udg_reply(l->u[si], m, buf, len);
	}
	if ((fd = open_asker(m, path, why)) == -1)
		return -1;
	via = *m;
	n = snprintf(via.peer, sizeof(via.peer), "/proc/self/fd/%d", fd);
	via.peer_len = (size_t)n;
	r = udg_reply(l->u[si], &via, buf, len);
	e = errno;
	(void)close(fd);
	errno = e;
	return r;
}

/* A reply to m was refused for why: count it, and say so. */
static void
reply_refused(struct listener *l, const struct udg_msg *m, const char *why)
{
	char vis[TOOL_VISPATH];

	l->st.replies_failed++;
	/* a client that timed out and one that took its path: not news */
	if (strcmp(why, WHY_REBOUND) == 0 && !l->opt->verbose)
		return;
	if (ratelim_ok(&l->rl_reply))
		warnx("reply to %s refused: %s", tool_peer_name(vis,
		    sizeof(vis), m), why);
}

/* Keep a reply to m (from socket si) that found no room, to try again. */
static int
hold_reply(struct listener *l, size_t si, const struct udg_msg *m,
    const void *buf, size_t len)
{
	char *nb;

	if (len > l->held_cap) {
		if ((nb = realloc(l->held_buf, len)) == NULL)
			return -1;
		l->held_buf = nb;
		l->held_cap = len;
	}
	memcpy(l->held_buf, buf, len);
	l->held_to = *m;
	l->held_to.buf = l->held_buf;
	l->held_to.len = len;
	l->held = 1;
	l->held_sock = si;
	l->held_until = tool_now_ms() + REPLY_WAIT_MS;
	return 0;
}

/*
 * Answer m, which came in on socket si, with buf[0, len), when its sender
 * can be answered: from that socket, the address it wrote to.  When its
 * queue is full, or our send buffer is (replies a peer leaves unread stay
 * charged to it), nothing tells us when there is room again: the reply is
 * held and tried again from the loop for a second, while no new datagram
 * is taken, and signals, output and commands are still seen.  Once one
 * was dropped, later replies to that peer are not held until one to it
 * goes out: else a peer that never reads would slow us, and everyone we
 * answer, to a datagram a second.  Nor are replies to a user with
 * STALLED_USER such peers (see no_wait()).
 */
static void
reply(struct listener *l, size_t si, const struct udg_msg *m,
    const void *buf, size_t len, int late)
{
	const char *why;

	if (!answerable(l, m))
		return;
	if (reply_to_asker(l, si, m, buf, len, late, &why) == 0) {
		l->reply_stalled = 0;
		unstall(l, m);
		l->st.replies++;
		return;
	}
	if (why != NULL) {
		reply_refused(l, m, why);
		return;
	}
	if (errno != EAGAIN || l->reply_stalled || no_wait(l, m) || l->held ||
	    hold_reply(l, si, m, buf, len) == -1)
		reply_failed(l, m, errno == EAGAIN || errno == ENOMEM ?
		    EAGAIN : errno);
}

/* Try the held reply again; drop it once its second is up (or now). */
static void
retry_reply(struct listener *l, int64_t now, int give_up)
{
	const char *why;

	if (!l->held)
		return;
	if (reply_to_asker(l, l->held_sock, &l->held_to, l->held_buf,
	    l->held_to.len, 1, &why) == 0) {
		l->held = 0;
		l->reply_stalled = 0;
		unstall(l, &l->held_to);
		l->st.replies++;
		return;
	}
	if (why == NULL && errno == EAGAIN && now < l->held_until &&
	    !give_up)
		return;
	l->held = 0;
	if (why != NULL) {
		reply_refused(l, &l->held_to, why);
		return;
	}
	if (errno == EAGAIN) {
		if (!give_up)
			l->quiet_until = now + REPLY_QUIET_MS;
		note_stall(l, l->held_sock, &l->held_to, l->held_to.len);
	}
	reply_failed(l, &l->held_to, errno);
}

/* Why a command's result is no reply, or NULL when it is one. */
static const char *
no_reply_reason(const struct exec_result *r, char *buf, size_t size)
{
	switch (r->end) {
	case EXEC_EXITED:
		if (r->status != 0) {
			(void)snprintf(buf, size, "exited %d", r->status);
			return buf;
		}
		if (r->overflow > 0) {
			(void)snprintf(buf, size, "wrote %zu bytes, more than "
			    "a datagram holds (%zu)", r->outlen + r->overflow,
			    r->outlen);
			return buf;
		}
		return NULL;
	case EXEC_SIGNALED:
		(void)snprintf(buf, size, "killed by signal %d", r->status);
		return buf;
	case EXEC_TIMEDOUT:
		(void)snprintf(buf, size, "timed out after %lld ms%s",
		    (long long)r->ms, r->overflow > 0 ? ", having written "
		    "more than a datagram holds" : "");
		return buf;
	default:
		return "stopped: udg-listen is exiting";
	}
}

/*
 * -e: a command ended.  Only a command that exited 0 with output that
 * fits one datagram is answered; for any other, no reply is sent (the
 * asker times out rather than take a failure or a cut reply for an
 * answer) and the sender and the reason are logged.
 */
static void
command_done(void *arg, const struct exec_result *r)
{
	struct listener *l = arg;
	char vis[TOOL_VISPATH], why[128];
	const char *reason;

	l->last = tool_now_ms();
	l->st.commands++;
	if (r->end == EXEC_TIMEDOUT)
		l->st.commands_timedout++;
	if ((reason = no_reply_reason(r, why, sizeof(why))) == NULL) {
		reply(l, (size_t)r->tag, r->req, r->out, r->outlen, 1);
		return;
	}
	l->nfailed++;
	warnx("command for %s %s: no reply", tool_peer_name(vis, sizeof(vis),
	    r->req), reason);
}

/*
 * -e: start the command for m, which came in on socket si (where its
 * reply goes); if that fails, skip m and go on.
 */
static void
command_start(struct listener *l, size_t si, const struct udg_msg *m,
    const struct udg_ident *id)
{
	char vis[TOOL_VISPATH];

	if (exec_start(l->exec, m, id, (int)si) == 0)
		return;
	l->nskipped++;
	if (ratelim_ok(&l->rl_exec))
		warn("command for %s not started, request skipped",
		    tool_peer_name(vis, sizeof(vis), m));
}

/*
 * -e with -j: start m's command, or keep m until its sender's previous
 * request has been answered (one sender's requests in the order sent).
 */
static void
command_request(struct listener *l, size_t si, const struct udg_msg *m,
    const struct udg_ident *id)
{
	if (l->wait == NULL || (!exec_busy(l->exec, m) &&
	    !reqq_has_sender(l->wait, m, reqq_len(l->wait)))) {
		command_start(l, si, m, id);
		return;
	}
	/* The identity is read now, while the pidfd vouches for it. */
	if (reqq_push(l->wait, m, 1, 0, (int)si) == -1 ||
	    (id != NULL && reqq_keep_ident(l->wait, id) == -1))
		err(EX_OSERR, "request queue");
}

/* -j: start the kept requests whose senders are free, oldest first. */
static void
command_dispatch(struct listener *l)
{
	const struct udg_msg *m;
	size_t i = 0;

	while (exec_free_slots(l->exec) > 0 &&
	    (m = reqq_at(l->wait, i)) != NULL) {
		if (exec_busy(l->exec, m) || reqq_has_sender(l->wait, m, i)) {
			i++;
			continue;
		}
		command_start(l, (size_t)reqq_tag(l->wait, i), m,
		    reqq_ident(l->wait, i));
		reqq_remove(l->wait, i);
	}
}

/* -E: why a request got no reply, or a worker ended, in words. */
static const char *
worker_why_text(enum worker_why why)
{
	switch (why) {
	case WORKER_EXITED:
		return "the worker exited";
	case WORKER_SIGNALED:
		return "the worker was killed by a signal";
	case WORKER_CLOSED:
		return "the worker closed its standard input or output";
	case WORKER_TIMEDOUT:
		return "no reply within the time limit (-T)";
	case WORKER_STOPPED:
		return "stopped by a signal";
	default:
		return "the worker's reply was longer than the largest "
		    "datagram";
	}
}

/*
 * -E: the worker answered req (NULL: nobody asked), which came in on
 * socket tag.  While a reply waits for room, the next is not taken (-1):
 * the worker's replies stay in its pipe, in order, rather than be dropped.
 */
static int
worker_replied(void *arg, const struct udg_msg *req, int tag,
    const char *buf, size_t len)
{
	struct listener *l = arg;

	if (req != NULL && l->held)
		return -1;
	if (req != NULL)
		reply(l, (size_t)tag, req, buf, len, 1);
	else if (ratelim_ok(&l->rl_extra))
		warnx("worker wrote a reply with no request waiting: dropped");
	return 0;
}

/* -E: req will get no reply; name its sender (a few per worker). */
static void
worker_lost(void *arg, const struct udg_msg *req, enum worker_why why)
{
	struct listener *l = arg;
	char vis[TOOL_VISPATH];

	l->nlost++;
	if (why == WORKER_TOOBIG ? !ratelim_ok(&l->rl_refuse) :
	    l->lost_shown++ >= LOST_SHOWN)
		return;
	warnx("no reply to %s: %s", tool_peer_name(vis, sizeof(vis), req),
	    worker_why_text(why));
}

/* -E: a worker is gone; say how, and what comes next. */
static void
worker_ended(void *arg, const struct worker_end *e)
{
	struct listener *l = arg;
	char how[64];

	if (e->unanswered > LOST_SHOWN)
		warnx("no reply to %zu more requests", e->unanswered -
		    LOST_SHOWN);
	l->lost_shown = 0;
	if (e->why == WORKER_STOPPED)
		return;
	if (e->why == WORKER_EXITED && e->status >= 0)
		(void)snprintf(how, sizeof(how), "exited %d", e->status);
	else if (e->why == WORKER_SIGNALED)
		(void)snprintf(how, sizeof(how), "killed by signal %d",
		    e->status);
	else
		(void)strlcpy(how, e->why == WORKER_TIMEDOUT ? "ended: a "
		    "request waited past -T" : "ended: it closed a pipe",
		    sizeof(how));
	if (e->restart_ms >= 0)
		warnx("worker %s after %lld ms (unanswered: %zu); restarting "
		    "in %d ms", how, (long long)e->lived_ms, e->unanswered,
		    e->restart_ms);
	else
		warnx("worker %s after %lld ms (unanswered: %zu)", how,
		    (long long)e->lived_ms, e->unanswered);
}

/* -E: give m (from socket si) to the worker, unless it holds a separator. */
static void
worker_request(struct listener *l, size_t si, const struct udg_msg *m)
{
	char vis[TOOL_VISPATH];

	if ((m->flags & UDG_MSG_TRUNC) == 0 &&
	    worker_submit(l->worker, m, (int)si, tool_now_ms()) == 0)
		return;
	if (errno == ENOMEM && (m->flags & UDG_MSG_TRUNC) == 0)
		err(EX_OSERR, "worker");
	l->nrefused++;
	if (ratelim_ok(&l->rl_refuse))
		warnx("request from %s refused: %s",
		    tool_peer_name(vis, sizeof(vis), m),
		    (m->flags & UDG_MSG_TRUNC) ? "it was truncated" :
		    errno == ENOBUFS ? "the worker cannot take it now" :
		    l->opt->rec.format == RECORD_NUL ?
		    "it holds a NUL (-0 records end in one)" :
		    "it holds a newline (records are lines)");
}

/* Count and report a truncated datagram. */
static void
note_truncated(struct listener *l, const struct udg_msg *m)
{
	char vis[TOOL_VISPATH];

	l->ntrunc++;
	if (ratelim_ok(&l->rl_trunc))
		warnx("datagram from %s truncated to %zu of %zu bytes",
		    tool_peer_name(vis, sizeof(vis), m), m->len, m->reallen);
}

/* Count and report a datagram from a sender -u/-G do not allow. */
static void
note_dropped(struct listener *l, const struct udg_msg *m)
{
	l->ndropped++;
	if (!ratelim_ok(&l->rl_drop))
		return;
	warnx("dropped %llu datagram%s from a sender not allowed (last: uid "
	    "%ld gid %ld)", l->rl_drop.pending + 1,
	    l->rl_drop.pending ? "s" : "",
	    (m->flags & UDG_MSG_NOCRED) ? -1L : (long)m->uid,
	    (m->flags & UDG_MSG_NOCRED) ? -1L : (long)m->gid);
	l->rl_drop.pending = 0;
}

/*
 * Why id does not name its sender, for a message; gone when it was named
 * but has exited since.
 */
static const char *
unnamed_why(const struct udg_msg *m, const struct udg_ident *id, int gone)
{
	if (id == NULL)
		return "its identity could not be read";
	if ((id->flags & UDG_ID_GONE) || gone)
		return "it had exited";
	if (id->flags & UDG_ID_NESTED)
		return "it is in a pid namespace of its own";
	if (m->pidfd == -1)
		return "no pidfd came with it";
	return "its executable or cgroup could not be read";
}

/* Count and report a datagram --allow-unit/--allow-exe turned away. */
static void
note_refused(struct listener *l, const struct udg_msg *m,
    const struct udg_ident *id, enum allow_verdict v, int gone)
{
	char exe[TOOL_VISPATH], unit[TOOL_VISPATH];
	struct ratelim *rl = v == ALLOW_NO ? &l->rl_drop : &l->rl_unverified;
	const char *su = NULL;
	size_t sulen = 0;

	l->ndropped++;
	if (v == ALLOW_UNVERIFIED)
		l->nunverified++;
	if (!ratelim_ok(rl))
		return;
	if (v == ALLOW_UNVERIFIED)
		warnx("dropped %llu datagram%s from a sender that could not be "
		    "identified (last: pid %ld: %s)", rl->pending + 1,
		    rl->pending ? "s" : "", (m->flags & UDG_MSG_NOCRED) ? -1L :
		    (long)m->pid, unnamed_why(m, id, gone));
	else {
		/* the unit --allow-unit matched, not the deepest */
		if (id->cgroup != NULL)
			su = allow_system_unit(id->cgroup, &sulen);
		warnx("dropped %llu datagram%s from a sender not allowed "
		    "(last: pid %ld, exe %s, unit %s)", rl->pending + 1,
		    rl->pending ? "s" : "", (long)m->pid, id->exe == NULL ?
		    "unknown" : tool_vis(exe, sizeof(exe), id->exe,
		    strlen(id->exe)), su == NULL ? "none" :
		    tool_vis(unit, sizeof(unit), su, sulen));
	}
	rl->pending = 0;
}

/*
 * Who sent m (on socket si), when a record or an allow-list needs it;
 * NULL when not needed or unreadable (ENOMEM): unknown, which refuses it.
 */
static const struct udg_ident *
sender(struct listener *l, size_t si, const struct udg_msg *m)
{
	if (!l->opt->rec.identity && !allow_active(&l->opt->allow) &&
	    l->opt->ops.rate_key != RATE_KEY_UNIT)
		return NULL;
	return udg_identity(l->u[si], m, 0);
}

/* Count what the kernel flagged on m: fds it carried, a cut payload. */
static void
note_flags(struct listener *l, const struct udg_msg *m)
{
	if ((m->flags & UDG_MSG_FDS) != 0)
		l->st.fds++;
	if ((m->flags & UDG_MSG_TRUNC) != 0)
		note_truncated(l, m);
}

/*
 * 1 if m passes -u/-G, the identity rules and the rate limit; meta->id
 * is its sender when one was needed, *now_ms the batch's clock.
 */
static int
admit(struct listener *l, size_t si, const struct udg_msg *m,
    struct record_meta *meta, int64_t *now_ms)
{
	enum allow_verdict v;
	struct stat exe, *exep = NULL;
	int gone = 0;

	if (!allowed(l->opt, m)) {
		note_dropped(l, m);
		return 0;
	}
	if (l->need_id) {
		meta->id = sender(l, si, m);
		if (l->opt->allow.nexes > 0) {
			if (allow_exe_file(meta->id, m->pidfd, &exe) == 0)
				exep = &exe;
			else
				gone = errno == ESRCH;
		}
		v = allow_check(&l->opt->allow, meta->id, exep);
		if (v != ALLOW_YES) {
			note_refused(l, m, meta->id, v, gone);
			return 0;
		}
	}
	if (l->need_ops) {
		*now_ms = (int64_t)l->mono_now.tv_sec * 1000 +
		    l->mono_now.tv_nsec / 1000000;
		if (!ops_admit(l->ops, m, meta->id, *now_ms))
			return 0;
	}
	return 1;
}

/* After m's record: forward it, and answer it (-E, -e, --echo). */
static void
follow(struct listener *l, size_t si, const struct udg_msg *m,
    const struct record_meta *meta, int64_t now_ms)
{
	if (l->need_ops)
		ops_forward(l->ops, m, meta->id, &meta->time, now_ms);
	if (l->opt->echo)
		reply(l, si, m, m->buf, m->len, 0);
	else if (l->exec != NULL)
		command_request(l, si, m, meta->id);
	else if (l->worker != NULL)
		worker_request(l, si, m);
}

/*
 * Filter, write and answer one datagram; meta has the batch's part.
 * What no option asked for costs one test (l->screen, l->follow): this
 * runs once per datagram.
 */
static void
handle(struct listener *l, size_t si, const struct udg_msg *m,
    struct record_meta *meta)
{
	int64_t now_ms = 0;

	if ((m->flags & (UDG_MSG_FDS | UDG_MSG_TRUNC)) != 0)
		note_flags(l, m);
	meta->id = NULL;
	if (l->screen && !admit(l, si, m, meta, &now_ms))
		return;
	/* The kernel's arrival time; the batch's when it gave none. */
	if (l->timed) {
		meta->time = m->time.tv_sec != 0 || m->time.tv_nsec != 0 ?
		    m->time : l->rt_now;
		if (l->opt->rec.stamp == RECORD_STAMP_MONO)
			meta->mono = record_mono(&meta->time, &l->rt_now,
			    &l->mono_now);
	}
	if (record_write(&l->out.o, &l->opt->rec, m, meta) == -1 ||
	    tool_out_mark(&l->out.o) == -1)
		out_failed(l);
	l->nout++;
	l->st.bytes += m->len;
	if (l->follow)
		follow(l, si, m, meta, now_ms);
}

/* Exit 64 with "OPTION ARG: why". */
static void __attribute__((__noreturn__))
bad_value(int ch, const char *arg, const char *why)
{
	char vis[256];

	errx(EX_USAGE, "%s %s: %s", opt_name(ch), tool_vis(vis, sizeof(vis),
	    arg, strlen(arg)), why);
}

/* --timestamp's clock (none given: utc); -1 and *errstr if unknown. */
static int
parse_stamp(const char *arg, enum record_stamp *how, const char **errstr)
{
	if (arg == NULL || strcmp(arg, "utc") == 0)
		*how = RECORD_STAMP_UTC;
	else if (strcmp(arg, "local") == 0)
		*how = RECORD_STAMP_LOCAL;
	else if (strcmp(arg, "mono") == 0)
		*how = RECORD_STAMP_MONO;
	else {
		*errstr = "not utc, local or mono";
		return -1;
	}
	return 0;
}

/* The value of option ch into o; -1 and *errstr if it is bad. */
static int
parse_value(struct options *o, int ch, const char *arg, const char **errstr)
{
	switch (ch) {
	case 'c':
		return tool_parse_count(arg, &o->count, errstr);
	case 'G':
		return tool_parse_idlist(arg, 1, &o->allow_gids,
		    &o->nallow_gids, errstr);
	case 'j':
		o->jobs = (int)strtonum(arg, 1, JOBS_MAX, errstr);
		return *errstr != NULL ? -1 : 0;
	case 'g':
		return tool_parse_gid(arg, &o->sockgid, errstr);
	case 'm':
		return tool_parse_mode(arg, &o->sockmode, errstr);
	case 't':
		return tool_parse_seconds(arg, &o->idle_ms, errstr);
	case 'T':
		o->exec_ms_set = 1;
		return tool_parse_seconds(arg, &o->exec_ms, errstr);
	case 'u':
		return tool_parse_idlist(arg, 0, &o->allow_uids,
		    &o->nallow_uids, errstr);
	case OPT_STAMP:
		return parse_stamp(arg, &o->rec.stamp, errstr);
	case OPT_SPIN:
		return tool_parse_upto(arg, TOOL_SPIN_MAX, &o->spin_us, errstr);
	case OPT_ALLOW_UNIT:
		return allow_add_units(&o->allow, arg, errstr);
	case OPT_ALLOW_EXE:
		return allow_add_exes(&o->allow, arg, errstr);
	default:
		return ops_parse_opt(&o->ops, ch, arg, errstr) == 1 ? 0 : -1;
	}
}

/* The path or command option ch sets, and its name when it is empty. */
static const char **
string_opt(struct options *o, int ch, const char **what)
{
	switch (ch) {
	case 'E':
		*what = "worker command";
		return &o->workercmd;
	case 'e':
		*what = "command";
		return &o->execcmd;
	case 'o':
		*what = "output path";
		return &o->outpath;
	default:
		*what = "pidfile path";
		return &o->pidpath;
	}
}

/* The flag option ch sets. */
static int *
flag_opt(struct options *o, int ch)
{
	switch (ch) {
	case 'C':
		return &o->rec.creds;
	case 'd':
		return &o->daemonize;
	case 'I':
		return &o->rec.identity;
	case OPT_PEER:
		return &o->rec.peer;
	case OPT_REFUSE_FDS:
		return &o->refuse_fds;
	case 's':
		return &o->rec.syslog;
	case 'v':
		return &o->verbose;
	default:
		return &o->echo;
	}
}

/* Act on option ch with optarg; *nfmt counts -0, -J and -R. */
static void
parse_opt(struct options *o, int ch, int *nfmt, char *argv[])
{
	const char *errstr, *what, **sp;

	switch (ch) {
	case '0':
	case 'J':
	case 'R':
		o->rec.format = ch == '0' ? RECORD_NUL : ch == 'J' ?
		    RECORD_JSON : RECORD_RAW;
		*nfmt |= 1 << o->rec.format;	/* repeating one is fine */
		break;
	case 'C':
	case 'd':
	case 'I':
	case 's':
	case 'v':
	case OPT_ECHO:
	case OPT_PEER:
	case OPT_REFUSE_FDS:
		*flag_opt(o, ch) = 1;
		break;
	case 'E':
	case 'e':
	case 'o':
	case 'p':
		sp = string_opt(o, ch, &what);
		if (*optarg == '\0')
			errx(EX_USAGE, "empty %s", what);
		*sp = optarg;
		break;
	case 'h':
		help();
	case 'V':
		tool_version();
	case ':':
	case '?':
		tool_badopt(ch, argv);
		usage();
	default:
		if (parse_value(o, ch, optarg, &errstr) == -1)
			bad_value(ch, optarg, errstr);
		break;
	}
}

/*
 * The socket operands argv[0, n) into o; exit 64 if there are none or
 * too many, one is given twice, or an option follows them.
 */
static void
operands(struct options *o, int n, char *argv[])
{
	char vis[256];
	int i, k;

	if (n == 0) {
		warnx("no socket given");
		usage();
	}
	if (n > MAXSOCKS)
		errx(EX_USAGE, "%d sockets: at most %d", n, MAXSOCKS);
	for (i = 0; i < n; i++) {
		(void)tool_vis(vis, sizeof(vis), argv[i], strlen(argv[i]));
		if (i > 0 && argv[i][0] == '-') {
			warnx("option %s after the socket: options must come "
			    "first", vis);
			usage();
		}
		for (k = 0; k < i; k++)
			if (strcmp(argv[k], argv[i]) == 0)
				errx(EX_USAGE, "socket %s given twice", vis);
		tool_socket_operand(argv[i], o->vsockpaths[i],
		    sizeof(o->vsockpaths[i]));
		o->sockpaths[i] = argv[i];
	}
	o->nsocks = (size_t)n;
}

/* Parse the command line into o; exit 64 if it is bad. */
static void
parse_args(struct options *o, int argc, char *argv[])
{
	struct option longs[NOPTS + 1];
	char shorts[2 * NOPTS + 3];
	int ch, nfmt = 0;

	make_opt_tables(shorts, sizeof(shorts), longs);
	memset(o, 0, sizeof(*o));
	record_opts_init(&o->rec);
	if (fmt_locale_utf8())
		o->rec.text = fmt_vis_utf8;
	ops_opts_init(&o->ops);
	o->idle_ms = -1;
	o->spin_us = -1;
	o->exec_ms = EXEC_TIMEOUT_MS;
	o->sockmode = -1;
	o->sockgid = (gid_t)-1;
	(void)strlcpy(o->voutpath, "stdout", sizeof(o->voutpath));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1)
		parse_opt(o, ch, &nfmt, argv);
	operands(o, argc - optind, argv + optind);
	if ((nfmt & (nfmt - 1)) != 0)
		errx(EX_USAGE, "-0, -J and -R cannot be combined");
	if (o->echo && o->execcmd != NULL)
		errx(EX_USAGE, "--echo and -e cannot be combined");
	if (o->rec.format == RECORD_JSON && (o->rec.peer ||
	    o->rec.stamp != RECORD_STAMP_NONE))
		errx(EX_USAGE, "--peer and --timestamp are for text records: "
		    "JSON has peer and time");
	ops_opts_check(&o->ops);
	record_opts_finish(&o->rec);
	if (o->workercmd != NULL && (o->echo || o->execcmd != NULL ||
	    o->jobs > 0))
		errx(EX_USAGE, "-E cannot be combined with %s", o->echo ?
		    "--echo" : o->execcmd != NULL ? "-e" : "-j");
	if (o->jobs > 0 && o->execcmd == NULL)
		errx(EX_USAGE, "-j needs -e");
	if (o->exec_ms_set && o->execcmd == NULL && o->workercmd == NULL)
		errx(EX_USAGE, "-T needs -e or -E");
	if (o->workercmd != NULL)
		(void)tool_vis(o->vworkercmd, sizeof(o->vworkercmd),
		    o->workercmd, strlen(o->workercmd));
	if (o->outpath != NULL)
		(void)tool_vis(o->voutpath, sizeof(o->voutpath), o->outpath,
		    strlen(o->outpath));
	if (o->pidpath != NULL)
		(void)tool_vis(o->vpidpath, sizeof(o->vpidpath), o->pidpath,
		    strlen(o->pidpath));
	if (o->spin_us == -1)
		o->spin_us = tool_spin_default();
}

/*
 * Block the signals we act on: they are read from a signalfd in the
 * loop.  SIGPIPE is ignored: a closed output is a write error.
 */
static void
setup_signals(struct listener *l)
{
	struct sigaction sa;
	sigset_t set;

	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGTERM);
	(void)sigaddset(&set, SIGHUP);
	(void)sigaddset(&set, SIGCHLD);
	(void)sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, &l->childmask) == -1)
		err(EX_OSERR, "sigprocmask");
	memset(&sa, 0, sizeof(sa));
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		err(EX_OSERR, "sigaction");
	if ((l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		err(EX_OSERR, "signalfd");
	l->childdefault = set;
	(void)sigaddset(&l->childdefault, SIGPIPE);
}

/*
 * udg_server() failed for socket si: say why in the user's terms and
 * exit (the atexit cleanup removes the sockets bound before it).
 */
static void __attribute__((__noreturn__))
bind_failed(const struct options *o, size_t si)
{
	const char *vpath = o->vsockpaths[si];
	struct stat st, mine;
	int e = errno, have;
	size_t k;

	have = lstat(o->sockpaths[si], &st) == 0;
	/* "s" and "./s": the live listener is this one. */
	for (k = 0; e == EADDRINUSE && have && k < si; k++)
		if (lstat(o->sockpaths[k], &mine) == 0 &&
		    mine.st_dev == st.st_dev && mine.st_ino == st.st_ino)
			errx(EX_USAGE, "socket %s given twice (as %s)", vpath,
			    o->vsockpaths[k]);
	tool_bind_blame("", o->sockpaths[si], vpath, e);
	errno = e;
	err(tool_bind_exitcode(e), "%s", vpath);
}

/* 1 if records or forwarded messages show a time (-J, --timestamp, 5424). */
static int
wants_time(const struct options *o)
{
	return o->rec.format == RECORD_JSON ||
	    o->rec.stamp != RECORD_STAMP_NONE ||
	    (o->ops.fwd_path != NULL && o->ops.fwd_format == FWD_RFC5424);
}

/*
 * The endpoint's flags: a pidfd per datagram only when a sender must be
 * named (it costs a descriptor per datagram), the kernel's arrival time
 * only when a record shows a time.
 */
static int
endpoint_flags(const struct options *o)
{
	int f = UDG_NONBLOCK;

	if (o->rec.identity || allow_active(&o->allow) ||
	    o->ops.rate_key == RATE_KEY_UNIT)
		f |= UDG_PIDFD;
	if (o->refuse_fds)
		f |= UDG_REFUSE_FDS;
	/* -e and -E: to tell a late answer's asker from a new process. */
	if (wants_time(o) || o->execcmd != NULL || o->workercmd != NULL)
		f |= UDG_TIMESTAMP;
	return f;
}

/*
 * Bind socket si with -m and -g as asked, and give it to -U's user: the
 * file's owner is who answers (udg-send -r goes by it).  Exit on error.
 */
static struct udg *
bind_socket(const struct options *o, size_t si)
{
	struct udg *u;
	mode_t mask;
	uid_t uid = o->ops.user_on ? o->ops.user.uid : (uid_t)-1;
	int mode = o->sockmode, flags = endpoint_flags(o), e;

	if (o->sockgid == (gid_t)-1 && uid == (uid_t)-1) {
		if ((u = udg_server(o->sockpaths[si], mode, flags)) == NULL)
			bind_failed(o, si);
		return u;
	}
	/*
	 * Owner-only until the group is right, so that the file is never
	 * open to our own group when -g names another.
	 */
	if (mode == -1) {
		mask = umask(0);
		(void)umask(mask);
		mode = 0777 & ~(int)mask;
	}
	if ((u = udg_server(o->sockpaths[si], mode & 0700, flags)) == NULL)
		bind_failed(o, si);
	if (udg_set_perm(u, mode, uid, o->sockgid) == -1) {
		e = errno;
		(void)udg_close(u);
		errno = e;
		err(tool_exitcode(errno), "%s: giving it to %s",
		    o->vsockpaths[si], o->sockgid == (gid_t)-1 ?
		    "-U's user" : uid == (uid_t)-1 ? "-g's group" :
		    "-U's user and -g's group");
	}
	return u;
}

/* The largest reply: replies go out on any socket, so the least of all. */
static size_t
max_reply(const struct listener *l)
{
	ssize_t m, least = -1;
	size_t i;

	for (i = 0; i < l->opt->nsocks; i++) {
		if ((m = udg_max_datagram(l->u[i])) == -1)
			err(EX_OSERR, "udg_max_datagram");
		if (least == -1 || m < least)
			least = m;
	}
	return (size_t)least;
}

/* How -e commands and the -E worker run: -T, the kill grace, signals. */
static void
spawn_conf_fill(const struct listener *l, struct spawn_conf *run,
    const char *command)
{
	run->command = command;
	run->timeout_ms = l->opt->exec_ms;
	run->kill_grace_ms = KILL_GRACE_MS;
	run->childmask = &l->childmask;
	run->childdefault = &l->childdefault;
}

/* -e: the pool of commands, replies up to the largest datagram. */
static void
setup_exec(struct listener *l)
{
	struct exec_conf c;

	memset(&c, 0, sizeof(c));
	spawn_conf_fill(l, &c.run, l->opt->execcmd);
	c.maxout = max_reply(l);
	c.jobs = l->opt->jobs > 0 ? l->opt->jobs : EXEC_JOBS;
	c.sockets = l->opt->sockpaths;
	c.nsockets = l->opt->nsocks;
	c.done = command_done;
	c.arg = l;
	if ((l->exec = exec_new(&c)) == NULL)
		err(EX_OSERR, "exec");
	if (c.jobs > 1 && (l->wait = reqq_new((size_t)c.jobs)) == NULL)
		err(EX_OSERR, "exec");
}

/* -E: start the worker; its records are lines, or end in NUL with -0. */
static void
setup_worker(struct listener *l)
{
	struct worker_conf c;

	memset(&c, 0, sizeof(c));
	spawn_conf_fill(l, &c.run, l->opt->workercmd);
	c.sep = l->opt->rec.format == RECORD_NUL ? '\0' : '\n';
	c.creds = l->opt->rec.creds;
	c.maxreply = max_reply(l);
	c.maxpending = WORKER_PENDING;
	c.reply = worker_replied;
	c.lost = worker_lost;
	c.ended = worker_ended;
	c.arg = l;
	if ((l->worker = worker_new(&c)) == NULL)
		err(EX_OSERR, "worker");
}

/* Exit for an -o file that cannot be opened (errno says why). */
static void
output_failed(const struct options *o)
{
	if (o->ops.user_on && (errno == ELOOP || errno == EMLINK))
		errx(EX_NOPERM, "%s: %s: with -U, root opens the output file "
		    "only by its own name and link", o->voutpath,
		    errno == ELOOP ? "a symbolic link" : "has other hard links");
	err(errno == EACCES ? EX_NOPERM : errno == ENOMEM ? EX_OSERR :
	    EX_CANTCREAT, "%s", o->voutpath);
}

/* Bind, open everything, detach if asked; exit with a message on error. */
static void
setup(struct listener *l)
{
	const struct options *o = l->opt;
	size_t pg, i;

	setup_signals(l);
	if (o->pidpath != NULL)
		l->pfh = daemon_pidfile_open(o->pidpath, o->vpidpath);
	cleanup_l = l;
	if (atexit(cleanup) != 0)
		err(EX_OSERR, "atexit");
	if (output_open(&l->out, o->outpath, o->voutpath, OUTBUF,
	    o->ops.user_on, tool_now_ms()) == -1)
		output_failed(o);

	pg = (size_t)sysconf(_SC_PAGESIZE);
	l->slotsize = (tool_max_recv() + pg - 1) / pg * pg;
	if ((l->slots = tool_slots_alloc(BATCH, l->slotsize)) == NULL)
		err(EX_OSERR, "receive buffers");
	for (i = 0; i < BATCH; i++)
		udg_msg_init(&l->msgs[i], l->slots + i * l->slotsize,
		    l->slotsize);

	/* Every socket or none: a failure exits, and cleanup() unbinds. */
	if (!ops_adopt(o->sockpaths, o->nsocks, endpoint_flags(o), l->u))
		for (i = 0; i < o->nsocks; i++)
			l->u[i] = bind_socket(o, i);
	if ((endpoint_flags(o) & ~udg_flags(l->u[0]) & UDG_PIDFD) != 0)
		warnx("%s: this kernel gives no pidfds (Linux 6.5): senders "
		    "cannot be named%s", o->vsockpaths[0],
		    allow_active(&o->allow) ? ", so --allow-unit/--allow-exe "
		    "refuse every datagram" : "");
	if ((endpoint_flags(o) & ~udg_flags(l->u[0]) & UDG_REFUSE_FDS) != 0)
		warnx("%s: this kernel cannot refuse file descriptors (Linux "
		    "6.16): they are closed as they come", o->vsockpaths[0]);
	l->ops = ops_new(&o->ops, o->sockpaths, o->nsocks,
	    o->rec.format == RECORD_JSON, &l->out.o, l->slotsize);
	/* Decided once: handle() skips what no option asked for. */
	l->need_id = o->rec.identity || allow_active(&o->allow) ||
	    o->ops.rate_key == RATE_KEY_UNIT;
	l->need_ops = o->ops.rate_on || o->ops.fwd_path != NULL;
	l->screen = o->nallow_uids > 0 || o->nallow_gids > 0 || l->need_id ||
	    l->need_ops;
	l->follow = l->need_ops || o->echo || o->execcmd != NULL ||
	    o->workercmd != NULL;
	l->timed = wants_time(o) || l->need_ops;
	/* the signalfd, the sockets, the output and a forward target */
	l->maxpoll = 3 + (int)o->nsocks + WORKER_FDS + EXEC_JOB_FDS *
	    (o->jobs > 0 ? o->jobs : EXEC_JOBS);
	if ((l->pfd = calloc((size_t)l->maxpoll, sizeof(*l->pfd))) == NULL)
		err(EX_OSERR, NULL);
	if (o->daemonize)
		daemon_detach(l->pfh, o->vpidpath, o->outpath != NULL);
	else
		daemon_pidfile_write(l->pfh, o->vpidpath);
	ops_drop(l->ops, o->outpath != NULL ? l->out.o.fd : -1);
	/* after -d and -U: the worker starts as the daemon's child, as USER */
	if (o->execcmd != NULL)
		setup_exec(l);
	if (o->workercmd != NULL)
		setup_worker(l);
	l->euid = geteuid();
	daemon_notify_ready();
}

/* The kernel's receive-queue drops on every socket; -1: unknown. */
static long long
kernel_drops(const struct listener *l)
{
	long long n, sum = -1;
	size_t i;

	for (i = 0; i < l->opt->nsocks; i++)
		if ((n = stats_kernel_drops(udg_fd(l->u[i]))) != -1)
			sum = (sum == -1 ? 0 : sum) + n;
	return sum;
}

/* SIGUSR1 and -v: every counter on stderr (see udg-listen(1)). */
static void
print_stats(const struct listener *l)
{
	struct stats st = l->st;

	st.received = l->nrecv;
	st.written = l->nout - output_unwritten(&l->out);
	st.lost = output_unwritten(&l->out) + l->nleft;
	/* ndropped counts every refusal; the unverified are their own. */
	st.not_allowed = l->ndropped - l->nunverified;
	st.truncated = l->ntrunc;
	st.unanswerable = l->nunanswerable;
	st.commands_failed = l->nfailed;
	st.commands_skipped = l->nskipped;
	st.bad_identity = l->nunverified;
	st.spins = l->nspins;
	st.spins_slept = l->nslept;
	ops_stats(l->ops, &st);
	stats_print(stderr, &st, kernel_drops(l));
}

/*
 * Stop taking new work: -e commands and the -E worker are killed, what
 * is queued on the socket is still read and written (not for -e or -E:
 * those are requests nobody will answer), for at most STOP_GRACE_MS.
 */
static void
begin_stop(struct listener *l, int64_t now)
{
	if (l->stop)
		return;
	l->stop = 1;
	l->stop_by = now + STOP_GRACE_MS;
	retry_reply(l, now, 1);
	if (l->exec != NULL) {
		exec_stop(l->exec, now);
		l->drained = 1;
	}
	if (l->worker != NULL) {
		worker_stop(l->worker, now);
		l->drained = 1;
	}
}

/* Read the signalfd: stop, reopen -o, reap commands, print counters. */
static void
read_signals(struct listener *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
			begin_stop(l, tool_now_ms());
			break;
		case SIGHUP:
			output_hup(&l->out);
			break;
		case SIGCHLD:
			if (l->exec != NULL)
				exec_reap(l->exec);
			if (l->worker != NULL)
				worker_reap(l->worker, tool_now_ms());
			break;
		case SIGUSR1:
			print_stats(l);
			break;
		default:
			break;
		}
	}
}

/* How many datagrams the loop may take now (0: leave them queued). */
static int
want_now(const struct listener *l)
{
	const struct options *o = l->opt;
	int want = BATCH;

	if ((l->stop && l->drained) || l->held ||
	    output_blocked(&l->out, OUTBUF) || ops_hold(l->ops))
		return 0;
	if (o->count > 0) {
		if (l->nout >= o->count)
			return 0;
		if (o->count - l->nout < (unsigned long long)want)
			want = (int)(o->count - l->nout);
	}
	if (l->exec != NULL && exec_free_slots(l->exec) -
	    (l->wait != NULL ? (int)reqq_len(l->wait) : 0) < want)
		want = exec_free_slots(l->exec) -
		    (l->wait != NULL ? (int)reqq_len(l->wait) : 0);
	if (l->worker != NULL && worker_room(l->worker) < (size_t)want)
		want = (int)worker_room(l->worker);
	return want;
}

/* Write out what the output takes now; exit 74 on a hard error. */
static void
write_out(struct listener *l, int64_t now)
{
	if (output_flush(&l->out, now) == -1)
		out_failed(l);
}

/*
 * Slot i held len bytes.  What a large datagram touched stays resident
 * for the next one (giving it back costs a page fault a page) until the
 * slots hold SLOT_BUDGET or the listener is idle (trim_slots()).
 */
static void
note_slot(struct listener *l, int i, size_t len)
{
	if (len <= SLOT_KEEP || len <= l->touched[i])
		return;
	l->resident += len - (l->touched[i] > 0 ? l->touched[i] : SLOT_KEEP);
	l->touched[i] = len;
}

/* Give back what the slots hold past SLOT_KEEP each. */
static void
trim_slots(struct listener *l)
{
	int i;

	for (i = 0; i < BATCH; i++) {
		if (l->touched[i] == 0)
			continue;
		tool_slot_trim(l->slots + (size_t)i * l->slotsize,
		    l->slotsize, l->touched[i], SLOT_KEEP);
		l->touched[i] = 0;
	}
	l->resident = 0;
}

/* Take up to want datagrams from socket si, handle them: how many came. */
static int
receive(struct listener *l, size_t si, int want)
{
	struct record_meta meta;
	int i, n;

	if ((n = udg_recvv(l->u[si], l->msgs, want)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		err(tool_exitcode(errno), "%s: receive",
		    l->opt->vsockpaths[si]);
	}
	l->nrecv += (unsigned long long)n;
	if (l->timed &&
	    (clock_gettime(CLOCK_REALTIME, &l->rt_now) == -1 ||
	    clock_gettime(CLOCK_MONOTONIC, &l->mono_now) == -1))
		err(EX_OSERR, "clock_gettime");
	memset(&meta, 0, sizeof(meta));
	meta.cache = &l->tcache;
	meta.ids = &l->ids;
	/* With one socket, records stay as they were: no socket named. */
	meta.socket = l->opt->nsocks > 1 ? l->opt->sockpaths[si] : NULL;
	for (i = 0; i < n; i++) {
		handle(l, si, &l->msgs[i], &meta);
		/* Large records go out as they come, not a batch at once. */
		if (l->msgs[i].len > SLOT_KEEP) {
			note_slot(l, i, l->msgs[i].len);
			if (tool_out_pending(&l->out.o) > OUTBUF)
				write_out(l, tool_now_ms());
		}
	}
	if (l->resident > SLOT_BUDGET)
		trim_slots(l);
	if (l->worker != NULL)
		worker_flush(l->worker);
	return n;
}

/* The nearer of deadline a (-1: none) and b (-1: none). */
static int
nearer(int a, int b)
{
	if (a == -1 || (b != -1 && b < a))
		return b;
	return a;
}

/* The poll timeout: the nearest deadline of every part. */
static int
poll_timeout(const struct listener *l, int64_t now)
{
	int64_t left;
	int t = -1;

	/* stopping, the queue is read at once if it can be */
	if (l->stop)
		t = l->stop_by <= now || (!l->drained && want_now(l) > 0) ? 0 :
		    (int)(l->stop_by - now);
	else if (l->opt->idle_ms >= 0) {
		left = l->last + l->opt->idle_ms - now;
		t = left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
	}
	if (l->exec != NULL)
		t = nearer(t, exec_next_ms(l->exec, now));
	t = nearer(t, ops_next_ms(l->ops, now));
	if (l->worker != NULL)
		t = nearer(t, worker_next_ms(l->worker, now));
	if (l->held)
		t = nearer(t, REPLY_RETRY_MS);
	if (l->resident > 0)
		t = nearer(t, l->last + SLOT_IDLE_MS <= now ? 0 :
		    (int)(l->last + SLOT_IDLE_MS - now));
	return nearer(t, output_next_ms(&l->out, now));
}

/*
 * -t counts idle time only: not while a command runs or a request waits
 * for one, the worker owes a reply (or, stopping, is still there),
 * records wait to be written, a reply waits for room, or datagrams wait
 * because the output is blocked.
 */
static int
busy(const struct listener *l)
{
	if (l->exec != NULL && exec_running(l->exec) > 0)
		return 1;
	if (l->wait != NULL && reqq_len(l->wait) > 0 && !l->stop)
		return 1;
	if (l->worker != NULL && (worker_pending(l->worker) > 0 ||
	    (l->stop && worker_alive(l->worker))))
		return 1;
	return tool_out_pending(&l->out.o) > 0 || l->out.waiting || l->held ||
	    ops_hold(l->ops);
}

/*
 * Giving up on a stop that could not drain (the output stalled): what is
 * still queued would go with the socket, uncounted, and senders blocked
 * on the full queue would be let in only to be dropped.  Shut the sockets
 * for reading (a sender now gets EPIPE), then take what they hold, so
 * that it counts as received and lost.
 */
static void
take_left(struct listener *l)
{
	size_t i;
	int n;

	for (i = 0; i < l->opt->nsocks; i++) {
		if (shutdown(udg_fd(l->u[i]), SHUT_RD) == -1)
			continue;
		while ((n = udg_recvv(l->u[i], l->msgs, BATCH)) > 0) {
			l->nrecv += (unsigned long long)n;
			l->nleft += (unsigned long long)n;
			while (n-- > 0)
				l->st.bytes += l->msgs[n].len;
		}
	}
}

/* 1 once the loop has nothing more to do. */
static int
finished(struct listener *l, int64_t now)
{
	const struct options *o = l->opt;

	/* stopped the usual way: what was received is written, -v counts */
	if (l->worker != NULL && !l->gave_up && worker_failed(l->worker)) {
		warnx("worker %s: it ended within %d ms of its start %d times "
		    "in a row; giving up", o->vworkercmd, WORKER_QUICK_MS,
		    WORKER_TRIES);
		l->gave_up = 1;
		begin_stop(l, now);
	}
	if (l->out.gone)
		return 1;
	if (l->stop) {
		if (l->drained && !busy(l))
			return 1;
		if (now < l->stop_by)
			return 0;
		if (!l->drained)
			take_left(l);
		return 1;
	}
	if (busy(l)) {
		l->last = now;
		return 0;
	}
	if ((o->count > 0 && l->nout >= o->count) ||
	    (o->idle_ms >= 0 && now - l->last >= o->idle_ms)) {
		begin_stop(l, now);
		/* -c: exactly count records; the rest stays queued. */
		if (o->count > 0 && l->nout >= o->count)
			l->drained = 1;
		return l->drained && !busy(l);
	}
	return 0;
}

/*
 * Fill pfd with what to wait for; the sockets from *sockix, the output
 * at *outix, then *nx and *nw of the commands' and the worker's fds.
 */
static int
fill_poll(struct listener *l, struct pollfd *pfd, int *sockix, int *outix,
    int *nx, int *nw)
{
	size_t i;
	short ev;
	int n = 0, fd;

	pfd[n].fd = l->sigfd;
	pfd[n++].events = POLLIN;
	*sockix = *outix = -1;
	if (want_now(l) > 0 && !l->stop) {
		*sockix = n;
		for (i = 0; i < l->opt->nsocks; i++) {
			pfd[n].fd = udg_fd(l->u[i]);
			pfd[n++].events = POLLIN;
		}
	}
	if ((fd = output_pollfd(&l->out, &ev)) != -1) {
		*outix = n;
		pfd[n].fd = fd;
		pfd[n++].events = ev;
	}
	*nx = l->exec != NULL ?
	    exec_pollfds(l->exec, pfd + n, l->maxpoll - n) : 0;
	*nw = l->worker != NULL ?
	    worker_pollfds(l->worker, pfd + n + *nx, l->maxpoll - n - *nx) : 0;
	return n;
}

/*
 * Stopping: take what each socket holds, as the output allows; drained
 * once every socket gave less than was asked for.
 */
static void
drain(struct listener *l)
{
	size_t i;
	int want, all = 1;

	for (i = 0; i < l->opt->nsocks; i++) {
		if ((want = want_now(l)) == 0)
			return;
		if (receive(l, i, want) == want)
			all = 0;
	}
	l->drained = all;
}

/*
 * Take from every socket poll found readable, as the output allows.  A
 * burst (more than one datagram a batch) is taken for up to RECV_ROUNDS
 * batches before the loop turns: the kernel's queue holds only about ten,
 * and the sender refills it meanwhile.  What they make is written at the
 * turn, one write(2) for them all (a write to a file costs about as much
 * as a batch of small records), or as soon as WRITE_CHUNK waits, so that
 * a full disk is found before much more is taken in.
 */
static void
receive_ready(struct listener *l, const struct pollfd *pfd, int64_t now)
{
	size_t i;
	int k, n, want;

	for (i = 0; i < l->opt->nsocks; i++) {
		if (pfd[i].revents == 0)
			continue;
		for (k = 0; k < RECV_ROUNDS; k++) {
			/* what the output took decides whether to go on */
			if (k > 0 && tool_out_pending(&l->out.o) > WRITE_CHUNK)
				write_out(l, now);
			if ((want = want_now(l)) == 0)
				break;
			if ((n = receive(l, i, want)) > 0)
				l->last = now;
			if (n < 2)
				break;
			l->spin = l->opt->spin_us > 0;
		}
	}
}

/*
 * poll(2), but after a burst (a receive that found a queue) first for up
 * to --spin microseconds without sleeping.  The kernel's queue holds only
 * about ten datagrams: a receiver that sleeps each time it empties it
 * pays, with the sender, a sleep and a wake-up per few datagrams, which
 * cost more than taking them.  A spin that finds nothing ends the burst;
 * the loop turns (writing what waits) before it sleeps.
 */
static int
wait_events(struct listener *l, struct pollfd *pfd, nfds_t n, int timeout)
{
	int64_t end;
	int r;

	if (!l->spin || timeout == 0)
		return poll(pfd, n, timeout);
	l->nspins++;
	end = tool_now_us() + l->opt->spin_us;
	do {
		if ((r = poll(pfd, n, 0)) != 0)
			return r;
	} while (tool_now_us() < end);
	l->nslept++;
	l->spin = 0;
	return 0;
}

/*
 * Receive, write and answer until a signal, -c or -t says stop, or the
 * output's reader leaves.  Stopping drains the queues (see begin_stop).
 */
static void
loop(struct listener *l)
{
	struct pollfd *pfd = l->pfd;
	int n, nx, nw, no, sockix, outix;
	int64_t now;

	l->last = tool_now_ms();
	for (;;) {
		now = tool_now_ms();
		if (l->exec != NULL)
			exec_tick(l->exec, now);
		ops_tick(l->ops, now);
		retry_reply(l, now, 0);
		if (l->worker != NULL) {
			if (!l->held)
				worker_resume(l->worker, now);
			worker_tick(l->worker, now);
		}
		if (l->wait != NULL && !l->stop)
			command_dispatch(l);
		write_out(l, now);
		if (l->resident > 0 && now - l->last >= SLOT_IDLE_MS)
			trim_slots(l);
		if (l->stop && !l->drained) {
			drain(l);
			write_out(l, now);
		}
		if (finished(l, now))
			break;
		n = fill_poll(l, pfd, &sockix, &outix, &nx, &nw);
		no = ops_pollfds(l->ops, pfd + n + nx + nw,
		    l->maxpoll - n - nx - nw);
		if (wait_events(l, pfd, (nfds_t)n + (nfds_t)nx + (nfds_t)nw +
		    (nfds_t)no, poll_timeout(l, now)) == -1) {
			if (errno == EINTR)
				continue;
			err(EX_OSERR, "poll");
		}
		now = tool_now_ms();
		if (pfd[0].revents != 0)
			read_signals(l);
		if (outix != -1 && pfd[outix].revents != 0)
			output_events(&l->out, pfd[outix].revents, now);
		if (nx > 0)
			exec_events(l->exec, pfd + n, nx);
		if (nw > 0)
			worker_events(l->worker, pfd + n + nx, nw, now);
		if (sockix != -1)
			receive_ready(l, pfd + sockix, now);
	}
}

/* On exit: what was not written, and -v's counts. */
static int
report(struct listener *l)
{
	size_t lost;

	if (output_finish(&l->out, FINISH_MS) == -1)
		warnx("%s: the last record written was cut short: its reader "
		    "took no more", l->opt->voutpath);
	lost = output_unwritten(&l->out) + (size_t)l->nleft;

	if (l->rl_drop.pending > 0)
		warnx("dropped %llu more datagram%s from senders not allowed",
		    l->rl_drop.pending, l->rl_drop.pending == 1 ? "" : "s");
	if (l->rl_unverified.pending > 0)
		warnx("dropped %llu more datagram%s from senders that could "
		    "not be identified", l->rl_unverified.pending,
		    l->rl_unverified.pending == 1 ? "" : "s");
	if (lost > 0 && !l->out.gone)
		warnx("%s: %zu record%s received but not written", 
		    l->opt->voutpath, lost, lost == 1 ? "" : "s");
	if (l->opt->verbose)
		print_stats(l);
	if (l->wait != NULL && reqq_len(l->wait) > 0)
		warnx("stopped with %zu requests not started",
		    reqq_len(l->wait));
	if (l->opt->verbose && l->opt->workercmd != NULL)
		(void)fprintf(stderr, "%s: worker: refused %llu, unanswered "
		    "%llu\n", getprogname(), l->nrefused, l->nlost);
	return lost > 0 && !l->out.gone ? EX_IOERR : 0;
}

/*
 * Standard input, output and error must be open before anything else is:
 * else the -o file would get our diagnostics (a sender can cause some),
 * or a record would go to the signalfd.  Closed ones get /dev/null, but
 * records need a real standard output.
 */
static void
check_fds(const struct options *o)
{
	int closed[3];

	if (tool_std_fds(closed) == -1)
		_exit(EX_OSERR);
	if (closed[1] && o->outpath == NULL)
		errx(EX_IOERR, "standard output is closed: nowhere to write "
		    "records (use -o)");
}

int
main(int argc, char *argv[])
{
	/* static: the atexit cleanup uses them after main has returned */
	static struct options o;
	static struct listener l;
	int status;

	/* Printable UTF-8 passes unescaped in a UTF-8 locale. */
	(void)setlocale(LC_CTYPE, "");
	parse_args(&o, argc, argv);
	check_fds(&o);
	memset(&l, 0, sizeof(l));
	l.opt = &o;
	l.sigfd = -1;
	setup(&l);
	loop(&l);
	ops_finish(l.ops, tool_now_ms());
	(void)output_flush(&l.out, tool_now_ms());
	status = report(&l);
	if (l.gave_up)
		status = EX_UNAVAILABLE;
	free(o.allow_uids);
	free(o.allow_gids);
	allow_free(&o.allow);
	free(l.held_buf);
	return status;
}
