/*
 * udg-listen - receive datagrams on a Unix-domain socket and print them.
 *
 * One record per datagram: escaped text (default), raw, NUL-ended or a
 * JSON object.  Datagrams are taken in batches into lazily backed buffers
 * big enough for anything an unprivileged sender can send, and each batch
 * is written with one buffered write.  SIGINT, SIGTERM and SIGHUP are
 * blocked except while waiting in udg_wait(), so a batch is always written
 * whole and -o is only ever reopened between batches.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libutil.h>
#include <limits.h>
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
#include "format.h"
#include "tool.h"

#define BATCH		64		/* datagrams per udg_recvv() */
#define OUTBUF		(128 * 1024)	/* output buffer */
#define SLOT_KEEP	(16 * 1024)	/* slot bytes kept resident */
#define OPT_ECHO	256		/* --echo has no short form */
#define REPLY_WAIT_MS	1000		/* how long a reply may wait for room */

enum outfmt { OUT_TEXT, OUT_RAW, OUT_NUL, OUT_JSON };

/* A warning printed at most once a second, with a count of the rest. */
struct ratelim {
	int64_t			last;
	unsigned long long	pending;
};

static enum outfmt	 outfmt = OUT_TEXT;
static int		 show_creds;
static int		 decode_syslog;
static unsigned long long count;	/* -c: 0 = no limit */
static int		 idle_ms = -1;	/* -t: -1 = none */
static int		 echo;
static const char	*execcmd;
static int		 sockmode = -1;
static gid_t		 sockgid = (gid_t)-1;
static uint32_t		*allow_uids, *allow_gids;
static size_t		 nallow_uids, nallow_gids;
static int		 daemonize;
static const char	*pidpath;
static int		 verbose;
static const char	*outpath;
static char		 voutpath[TOOL_VISPATH] = "stdout";
static const char	*sockpath;
static char		 vsockpath[TOOL_VISPATH];

static struct udg	*u;
static struct pidfh	*pfh;
static struct tool_out	 out;
static struct udg_msg	 msgs[BATCH];
static char		*slots;
static size_t		 slotsize;
static char		*replybuf;	/* -e: the command's output */
static size_t		 replysize;
static unsigned long long nrecv, nout, ndropped, ntrunc;
static struct ratelim	 rl_drop, rl_trunc, rl_reply;
static int		 reply_stalled;	/* the last reply found no room */
static sigset_t		 waitmask;	/* the mask while waiting */

static const char optstring[] = "+:0Cc:de:G:g:hJm:o:p:Rst:u:Vv";
static const struct option longopts[] = {
	{ "null",	no_argument,		NULL,	'0' },
	{ "creds",	no_argument,		NULL,	'C' },
	{ "count",	required_argument,	NULL,	'c' },
	{ "daemon",	no_argument,		NULL,	'd' },
	{ "echo",	no_argument,		NULL,	OPT_ECHO },
	{ "exec",	required_argument,	NULL,	'e' },
	{ "allow-gid",	required_argument,	NULL,	'G' },
	{ "group",	required_argument,	NULL,	'g' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "json",	no_argument,		NULL,	'J' },
	{ "mode",	required_argument,	NULL,	'm' },
	{ "output",	required_argument,	NULL,	'o' },
	{ "pidfile",	required_argument,	NULL,	'p' },
	{ "raw",	no_argument,		NULL,	'R' },
	{ "syslog",	no_argument,		NULL,	's' },
	{ "timeout",	required_argument,	NULL,	't' },
	{ "allow-uid",	required_argument,	NULL,	'u' },
	{ "version",	no_argument,		NULL,	'V' },
	{ "verbose",	no_argument,		NULL,	'v' },
	{ NULL,		0,			NULL,	0 }
};

/* Print the synopsis to fp. */
static void
synopsis(FILE *fp)
{
	(void)fprintf(fp, "usage: %s [-0CdJRsv] [-c count] [-e command | "
	    "--echo] [-G gids]\n"
	    "\t[-g group] [-m mode] [-o file] [-p pidfile] [-t seconds] "
	    "[-u uids]\n"
	    "\tsocket\n", getprogname());
}

/* Bad usage: synopsis to stderr, exit 64. */
static void __attribute__((__noreturn__))
usage(void)
{
	synopsis(stderr);
	exit(EX_USAGE);
}

/* atexit: close the endpoint (removing the socket file), the pidfile. */
static void
cleanup(void)
{
	if (u != NULL) {
		(void)udg_close(u);
		u = NULL;
	}
	if (pfh != NULL) {
		(void)pidfile_remove(pfh);
		pfh = NULL;
	}
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

/* The sender of m, escaped, for messages. */
static const char *
peer_name(const struct udg_msg *m, char *buf, size_t size)
{
	switch (m->peer_type) {
	case UDG_PEER_PATH:
		return tool_vis(buf, size, m->peer, m->peer_len);
	case UDG_PEER_ABSTRACT:
		buf[0] = '@';
		(void)tool_vis(buf + 1, size - 1, m->peer, m->peer_len);
		return buf;
	default:
		return "an unbound socket";
	}
}

/* The output failed: say so and exit 74. */
static void __attribute__((__noreturn__))
out_failed(void)
{
	errno = out.err != 0 ? out.err : errno;
	err(EX_IOERR, "%s", voutpath);
}

/* Append bytes to the output. */
static void
out_put(const void *p, size_t len)
{
	if (tool_out_put(&out, p, len) == -1)
		out_failed();
}

/* Append a NUL-terminated string. */
static void
out_str(const char *s)
{
	out_put(s, strlen(s));
}

/* Append p[0, len) through encoder enc, in pieces that fit the buffer. */
static void
out_encode(fmt_encoder *enc, const char *p, size_t len)
{
	size_t room, used, w;
	char *dst;

	while (len > 0) {
		if ((dst = tool_out_room(&out, FMT_MINROOM, &room)) == NULL)
			out_failed();
		w = enc(dst, room, p, len, &used);
		out.len += w;
		p += used;
		len -= used;
	}
}

/* Append a credential as a number, or fallback when there is none. */
static void
out_id(const struct udg_msg *m, long long v, const char *none)
{
	char num[32];

	if (m->flags & UDG_MSG_NOCRED) {
		out_str(none);
		return;
	}
	(void)snprintf(num, sizeof(num), "%lld", v);
	out_str(num);
}

/* Append "KEY":"payload" or "KEY_base64":"..." for p[0, len). */
static void
out_json_data(const char *key, const char *p, size_t len)
{
	out_str(",\"");
	out_str(key);
	if (fmt_utf8_valid(p, len)) {
		out_str("\":\"");
		out_encode(fmt_json, p, len);
	} else {
		out_str("_base64\":\"");
		out_encode(fmt_base64, p, len);
	}
	out_put("\"", 1);
}

/* One JSON object for m, then a newline. */
static void
write_json(const struct udg_msg *m, const struct fmt_syslog *sl)
{
	char tbuf[FMT_TIMELEN];
	struct timespec ts;
	char num[32];

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    fmt_time(tbuf, sizeof(tbuf), &ts) == -1)
		(void)strlcpy(tbuf, "1970-01-01T00:00:00.000000Z",
		    sizeof(tbuf));
	out_str("{\"time\":\"");
	out_str(tbuf);
	out_str("\",\"pid\":");
	out_id(m, (long long)m->pid, "null");
	out_str(",\"uid\":");
	out_id(m, (long long)m->uid, "null");
	out_str(",\"gid\":");
	out_id(m, (long long)m->gid, "null");
	out_str(",\"peer\":");
	switch (m->peer_type) {
	case UDG_PEER_PATH:
		out_put("\"", 1);
		out_encode(fmt_json, m->peer, m->peer_len);
		out_put("\"", 1);
		break;
	case UDG_PEER_ABSTRACT:
		out_str("\"@");
		out_encode(fmt_json, m->peer, m->peer_len);
		out_put("\"", 1);
		break;
	default:
		out_str("null");
		break;
	}
	(void)snprintf(num, sizeof(num), ",\"len\":%zu", m->reallen);
	out_str(num);
	out_str((m->flags & UDG_MSG_TRUNC) ? ",\"truncated\":true" :
	    ",\"truncated\":false");
	out_json_data("data", m->buf, m->len);
	if (decode_syslog) {
		if (sl != NULL) {
			out_str(",\"facility\":\"");
			out_str(sl->facility);
			out_str("\",\"severity\":\"");
			out_str(sl->severity);
			out_put("\"", 1);
			out_json_data("message", (const char *)m->buf +
			    sl->hdrlen, m->len - sl->hdrlen);
		} else {
			out_str(",\"facility\":null,\"severity\":null");
			out_json_data("message", m->buf, m->len);
		}
	}
	out_str("}\n");
}

/* Write the record for datagram m in the chosen format. */
static void
write_record(const struct udg_msg *m)
{
	struct fmt_syslog sl;
	const char *p = m->buf;
	size_t len = m->len;
	int have_sl = 0;

	if (decode_syslog && fmt_syslog(p, len, &sl) == 0)
		have_sl = 1;
	if (outfmt == OUT_JSON) {
		write_json(m, have_sl ? &sl : NULL);
		return;
	}
	if (show_creds) {
		out_id(m, (long long)m->pid, "-1");
		out_put(" ", 1);
		out_id(m, (long long)m->uid, "-1");
		out_put(" ", 1);
		out_id(m, (long long)m->gid, "-1");
		out_put(" ", 1);
	}
	if (have_sl) {
		out_str(sl.facility);
		out_put(".", 1);
		out_str(sl.severity);
		out_str(": ");
		p += sl.hdrlen;
		len -= sl.hdrlen;
	}
	switch (outfmt) {
	case OUT_TEXT:
		out_encode(fmt_vis, p, len);
		out_put("\n", 1);
		break;
	case OUT_RAW:
		out_put(p, len);
		out_put("\n", 1);
		break;
	default:
		out_put(p, len);
		out_put("", 1);
		break;
	}
}

/* 1 if m's sender passes -u/-G (or neither was given). */
static int
allowed(const struct udg_msg *m)
{
	if (nallow_uids == 0 && nallow_gids == 0)
		return 1;
	if (m->flags & UDG_MSG_NOCRED)
		return 0;
	return tool_id_in((uint32_t)m->uid, allow_uids, nallow_uids) ||
	    tool_id_in((uint32_t)m->gid, allow_gids, nallow_gids);
}

/* Answer m with buf[0, len), when its sender can be answered. */
static void
reply(const struct udg_msg *m, const void *buf, size_t len)
{
	struct timespec ms = { 0, 1000000 };
	char vis[TOOL_VISPATH];
	int64_t end;
	int e;

	if (m->peer_type == UDG_PEER_NONE)
		return;
	if (udg_reply(u, m, buf, len) == 0) {
		reply_stalled = 0;
		return;
	}
	/*
	 * Its queue is full, or our send buffer is: replies a peer leaves
	 * unread stay charged to it.  Nothing tells us when there is room
	 * again, so try for a second, with SIGINT/SIGTERM let in so that a
	 * peer that never reads cannot keep us from exiting.  Once that
	 * failed, later replies are not waited for until one goes out:
	 * else one such peer would slow us to a datagram a second.
	 */
	end = tool_now_ms() + (reply_stalled ? 0 : REPLY_WAIT_MS);
	e = errno;
	while (e == EAGAIN && !tool_sig_stop && tool_now_ms() < end) {
		(void)ppoll(NULL, 0, &ms, &waitmask);
		if (tool_sig_stop)
			break;
		if (udg_reply(u, m, buf, len) == 0)
			return;
		e = errno;
	}
	if (e == EAGAIN) {
		reply_stalled = 1;
		if (ratelim_ok(&rl_reply))
			warnx("reply to %s dropped: its queue stayed full",
			    peer_name(m, vis, sizeof(vis)));
		return;
	}
	errno = e;
	/*
	 * A sender that did not wait for an answer is gone, or shut its
	 * socket for reading (udg-send without -r): not news.
	 */
	if ((e == ENOENT || e == ECONNREFUSED || e == EPIPE) && !verbose)
		return;
	if (!ratelim_ok(&rl_reply))
		return;
	if (e == EPIPE)
		warnx("reply to %s: it reads no replies",
		    peer_name(m, vis, sizeof(vis)));
	else
		warn("reply to %s", peer_name(m, vis, sizeof(vis)));
}

/* In the -e child: set a UDG_* variable or die. */
static void
child_setenv(const char *name, const char *value)
{
	if (setenv(name, value, 1) == -1)
		_exit(EX_OSERR);
}

/* In the -e child: wire up stdin/stdout and exec the command. */
static void __attribute__((__noreturn__))
child_exec(const struct udg_msg *m, int in, int outfd)
{
	char num[32], peer[TOOL_VISPATH + 1];
	static const char msg[] = "udg-listen: cannot run /bin/sh\n";

	tool_signals_child();
	if (dup2(in, STDIN_FILENO) == -1 || dup2(outfd, STDOUT_FILENO) == -1)
		_exit(EX_OSERR);
	if (m->flags & UDG_MSG_NOCRED) {
		child_setenv("UDG_PID", "");
		child_setenv("UDG_UID", "");
		child_setenv("UDG_GID", "");
	} else {
		(void)snprintf(num, sizeof(num), "%ld", (long)m->pid);
		child_setenv("UDG_PID", num);
		(void)snprintf(num, sizeof(num), "%lu", (unsigned long)m->uid);
		child_setenv("UDG_UID", num);
		(void)snprintf(num, sizeof(num), "%lu", (unsigned long)m->gid);
		child_setenv("UDG_GID", num);
	}
	switch (m->peer_type) {
	case UDG_PEER_PATH:
		child_setenv("UDG_PEER", m->peer);
		break;
	case UDG_PEER_ABSTRACT:
		/* May hold NULs: escaped, like everywhere else. */
		peer[0] = '@';
		(void)tool_vis(peer + 1, sizeof(peer) - 1, m->peer,
		    m->peer_len);
		child_setenv("UDG_PEER", peer);
		break;
	default:
		child_setenv("UDG_PEER", "");
		break;
	}
	execl("/bin/sh", "sh", "-c", execcmd, (char *)NULL);
	(void)write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(127);
}

/* Run -e COMMAND with m's payload on its stdin; reply with its stdout. */
static void
run_command(const struct udg_msg *m)
{
	struct pollfd pfd[2];
	int inp[2], outp[2], status, nfd;
	size_t off = 0, rlen = 0, dropped = 0;
	const char *p = m->buf;
	char sink[4096];
	ssize_t n;
	pid_t pid;

	if (pipe2(inp, O_CLOEXEC) == -1)
		err(EX_OSERR, "pipe");
	if (pipe2(outp, O_CLOEXEC) == -1)
		err(EX_OSERR, "pipe");
	(void)fflush(stderr);
	if ((pid = fork()) == -1)
		err(EX_OSERR, "fork");
	if (pid == 0)
		child_exec(m, inp[0], outp[1]);
	(void)close(inp[0]);
	(void)close(outp[1]);
	if (fcntl(inp[1], F_SETFL, O_NONBLOCK) == -1)
		err(EX_OSERR, "fcntl");

	/* Feed stdin and drain stdout together: neither side may stall. */
	if (m->len == 0) {
		(void)close(inp[1]);
		inp[1] = -1;
	}
	while (outp[0] != -1) {
		nfd = 0;
		pfd[0].fd = outp[0];
		pfd[0].events = POLLIN;
		nfd++;
		if (inp[1] != -1) {
			pfd[1].fd = inp[1];
			pfd[1].events = POLLOUT;
			nfd++;
		}
		if (poll(pfd, (nfds_t)nfd, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(EX_OSERR, "poll");
		}
		if (nfd == 2 && pfd[1].revents != 0) {
			n = write(inp[1], p + off, m->len - off);
			if (n > 0)
				off += (size_t)n;
			if ((n == -1 && errno != EAGAIN && errno != EINTR) ||
			    off == m->len) {
				/* EPIPE: the command did not read it all. */
				(void)close(inp[1]);
				inp[1] = -1;
			}
		}
		if (pfd[0].revents != 0) {
			if (rlen < replysize)
				n = read(outp[0], replybuf + rlen,
				    replysize - rlen);
			else
				n = read(outp[0], sink, sizeof(sink));
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				(void)close(outp[0]);
				outp[0] = -1;
			} else if (rlen < replysize)
				rlen += (size_t)n;
			else
				dropped += (size_t)n;
		}
	}
	if (inp[1] != -1)
		(void)close(inp[1]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			err(EX_OSERR, "waitpid");
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		warnx("command exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		warnx("command killed by signal %d", WTERMSIG(status));
	if (dropped > 0)
		warnx("command output cut to %zu bytes (the largest reply); "
		    "%zu bytes dropped", replysize, dropped);
	reply(m, replybuf, rlen);
}

/* Account for, filter, write and answer one datagram. */
static void
handle(const struct udg_msg *m)
{
	char vis[TOOL_VISPATH];

	nrecv++;
	if ((m->flags & UDG_MSG_TRUNC) != 0) {
		ntrunc++;
		if (ratelim_ok(&rl_trunc))
			warnx("datagram from %s truncated to %zu of %zu bytes",
			    peer_name(m, vis, sizeof(vis)), m->len,
			    m->reallen);
	}
	if (!allowed(m)) {
		ndropped++;
		if (ratelim_ok(&rl_drop)) {
			warnx("dropped %llu datagram%s from a sender not "
			    "allowed (last: uid %ld gid %ld)",
			    rl_drop.pending + 1, rl_drop.pending ? "s" : "",
			    (m->flags & UDG_MSG_NOCRED) ? -1L : (long)m->uid,
			    (m->flags & UDG_MSG_NOCRED) ? -1L : (long)m->gid);
			rl_drop.pending = 0;
		}
		return;
	}
	write_record(m);
	nout++;
	if (echo)
		reply(m, m->buf, m->len);
	else if (execcmd != NULL)
		run_command(m);
}

/* Open the -o file for appending. */
static int
open_output(void)
{
	int fd;

	fd = open(outpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd == -1)
		return -1;
	return fd;
}

/* SIGHUP: reopen -o (the buffer is empty between batches). */
static void
reopen_output(void)
{
	int fd;

	if (outpath == NULL)
		return;
	if (tool_out_flush(&out) == -1)
		out_failed();
	if ((fd = open_output()) == -1) {
		warn("%s: reopen (keeping the old file)", voutpath);
		return;
	}
	if (close(out.fd) == -1)
		warn("%s: close", voutpath);
	out.fd = fd;
}

/* Tell the service manager we are ready, if it asked (NOTIFY_SOCKET). */
static void
notify_ready(void)
{
	char vis[TOOL_VISPATH], msg[64];
	const char *ns;
	struct udg *c;
	int n;

	if ((ns = getenv("NOTIFY_SOCKET")) == NULL || *ns == '\0')
		return;
	(void)tool_vis(vis, sizeof(vis), ns, strlen(ns));
	if (*ns == '@') {
		warnx("NOTIFY_SOCKET %s: abstract sockets are not supported, "
		    "not notifying", vis);
		goto done;
	}
	n = snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld",
	    (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(msg))
		goto done;
	if ((c = udg_client(NULL, 0)) == NULL) {
		warn("NOTIFY_SOCKET %s: client socket", vis);
		goto done;
	}
	if (udg_sendto(c, ns, msg, (size_t)n) == -1)
		warn("NOTIFY_SOCKET %s", vis);
	(void)udg_close(c);
done:
	/* The -e commands are not the service. */
	(void)unsetenv("NOTIFY_SOCKET");
}

/*
 * -d: fork; the parent waits until the child has written its pidfile
 * and exits 0 (or 71 if the child died first).  The parent must not run
 * the atexit cleanup: the socket is the child's now.  No chdir("/"):
 * relative paths (socket, -o, -p, -e) keep meaning what they meant.
 */
static void
go_daemon(void)
{
	int fds[2], fd;
	char c;
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) == -1)
		err(EX_OSERR, "pipe");
	(void)fflush(stdout);
	(void)fflush(stderr);
	if ((pid = fork()) == -1)
		err(EX_OSERR, "fork");
	if (pid > 0) {
		(void)close(fds[1]);
		do
			n = read(fds[0], &c, 1);
		while (n == -1 && errno == EINTR);
		_exit(n == 1 ? 0 : EX_OSERR);
	}
	(void)close(fds[0]);
	if (setsid() == -1)
		err(EX_OSERR, "setsid");
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		err(EX_OSERR, "/dev/null");
	if (dup2(fd, STDIN_FILENO) == -1)
		err(EX_OSERR, "dup2");
	/* With -o, stdout is unused: do not hold a caller's pipe open. */
	if (outpath != NULL && dup2(fd, STDOUT_FILENO) == -1)
		err(EX_OSERR, "dup2");
	(void)close(fd);
	if (pfh != NULL && pidfile_write(pfh) == -1)
		err(EX_CANTCREAT, "%s", pidpath);
	if (write(fds[1], "R", 1) != 1)
		err(EX_OSERR, "daemon readiness");
	(void)close(fds[1]);
}

/* Parse the command line into the option variables; exit 64 if bad. */
static void
parse_args(int argc, char *argv[])
{
	const char *errstr, *bad;
	int ch, nfmt = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, optstring, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case '0':
			outfmt = OUT_NUL;
			nfmt++;
			break;
		case 'C':
			show_creds = 1;
			break;
		case 'c':
			if (tool_parse_count(optarg, &count, &errstr) == -1)
				errx(EX_USAGE, "count %s: %s", optarg, errstr);
			break;
		case 'd':
			daemonize = 1;
			break;
		case 'e':
			if (*optarg == '\0')
				errx(EX_USAGE, "empty command");
			execcmd = optarg;
			break;
		case 'G':
			if (tool_parse_idlist(optarg, 1, &allow_gids,
			    &nallow_gids, &bad) == -1)
				errx(EX_USAGE, "allow-gid %s: %s", optarg,
				    bad == NULL ? strerror(errno) : *bad ==
				    '\0' ? "empty name" : "no such group");
			break;
		case 'g':
			if (tool_parse_gid(optarg, &sockgid, &errstr) == -1)
				errx(EX_USAGE, "group %s: %s", optarg, errstr);
			break;
		case 'h':
			synopsis(stdout);
			exit(fflush(stdout) == EOF ? EX_IOERR : 0);
		case 'J':
			outfmt = OUT_JSON;
			nfmt++;
			break;
		case 'm':
			if (tool_parse_mode(optarg, &sockmode, &errstr) == -1)
				errx(EX_USAGE, "mode %s: %s", optarg, errstr);
			break;
		case 'o':
			if (*optarg == '\0')
				errx(EX_USAGE, "empty output path");
			outpath = optarg;
			break;
		case 'p':
			if (*optarg == '\0')
				errx(EX_USAGE, "empty pidfile path");
			pidpath = optarg;
			break;
		case 'R':
			outfmt = OUT_RAW;
			nfmt++;
			break;
		case 's':
			decode_syslog = 1;
			break;
		case 't':
			if (tool_parse_seconds(optarg, &idle_ms,
			    &errstr) == -1)
				errx(EX_USAGE, "timeout %s: %s", optarg,
				    errstr);
			break;
		case 'u':
			if (tool_parse_idlist(optarg, 0, &allow_uids,
			    &nallow_uids, &bad) == -1)
				errx(EX_USAGE, "allow-uid %s: %s", optarg,
				    bad == NULL ? strerror(errno) : *bad ==
				    '\0' ? "empty name" : "no such user");
			break;
		case 'V':
			tool_version();
		case 'v':
			verbose = 1;
			break;
		case OPT_ECHO:
			echo = 1;
			break;
		default:
			tool_badopt(ch, argv);
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (nfmt > 1)
		errx(EX_USAGE, "-0, -J and -R cannot be combined");
	if (echo && execcmd != NULL)
		errx(EX_USAGE, "--echo and -e cannot be combined");
	sockpath = argv[optind];
	if (*sockpath == '\0')
		errx(EX_USAGE, "empty socket path");
	(void)tool_vis(vsockpath, sizeof(vsockpath), sockpath,
	    strlen(sockpath));
	if (strlen(sockpath) > UDG_PATH_MAX)
		errx(EX_USAGE, "%s: socket path longer than %d bytes",
		    vsockpath, UDG_PATH_MAX);
	if (outpath != NULL)
		(void)tool_vis(voutpath, sizeof(voutpath), outpath,
		    strlen(outpath));
}

/* Bind, open everything, detach if asked; exit with a message on error. */
static void
setup(void)
{
	pid_t otherpid;
	mode_t mask;
	size_t pg;
	ssize_t m;
	int fd = STDOUT_FILENO;

	if (tool_signals_block(&waitmask) == -1)
		err(EX_OSERR, "signals");
	if (pidpath != NULL) {
		if ((pfh = pidfile_open(pidpath, 0644, &otherpid)) == NULL) {
			if (errno == EEXIST)
				errx(EX_CANTCREAT, "%s: already running, "
				    "pid %ld", pidpath, (long)otherpid);
			err(tool_exitcode(errno), "%s", pidpath);
		}
	}
	if (atexit(cleanup) != 0)
		err(EX_OSERR, "atexit");
	if (outpath != NULL && (fd = open_output()) == -1)
		err(errno == EACCES ? EX_NOPERM : EX_CANTCREAT, "%s",
		    voutpath);
	if (tool_out_init(&out, fd, OUTBUF) == -1)
		err(EX_OSERR, NULL);

	pg = (size_t)sysconf(_SC_PAGESIZE);
	slotsize = (tool_max_recv() + pg - 1) / pg * pg;
	if ((slots = tool_slots_alloc(BATCH, slotsize)) == NULL)
		err(EX_OSERR, "receive buffers");

	if (sockgid == (gid_t)-1) {
		if ((u = udg_server(sockpath, sockmode, UDG_NONBLOCK)) == NULL)
			err(tool_bind_exitcode(errno), "%s", vsockpath);
	} else {
		/*
		 * Owner-only until the group is right, so that the file is
		 * never open to our own group when -g names another.
		 */
		if (sockmode == -1) {
			mask = umask(0);
			(void)umask(mask);
			sockmode = 0777 & ~(int)mask;
		}
		if ((u = udg_server(sockpath, sockmode & 0700,
		    UDG_NONBLOCK)) == NULL)
			err(tool_bind_exitcode(errno), "%s", vsockpath);
		if (udg_set_perm(u, sockmode, (uid_t)-1, sockgid) == -1)
			err(tool_exitcode(errno), "%s: group", vsockpath);
	}
	if (execcmd != NULL) {
		if ((m = udg_max_datagram(u)) == -1)
			err(EX_OSERR, "udg_max_datagram");
		replysize = (size_t)m;
		if ((replybuf = malloc(replysize)) == NULL)
			err(EX_OSERR, NULL);
	}
	if (daemonize)
		go_daemon();
	else if (pfh != NULL && pidfile_write(pfh) == -1)
		err(EX_CANTCREAT, "%s", pidpath);
	notify_ready();
}

/* Receive, write and answer until a signal, -c or -t says stop. */
static void
loop(void)
{
	int64_t last = tool_now_ms(), left;
	int i, n, want, timeout, r;

	while (!tool_sig_stop) {
		if (tool_sig_hup) {
			tool_sig_hup = 0;
			reopen_output();
		}
		timeout = -1;
		if (idle_ms >= 0) {
			if ((left = last + idle_ms - tool_now_ms()) <= 0)
				break;
			timeout = (int)left;
		}
		if ((r = udg_wait(u, timeout, &waitmask)) == -1) {
			if (errno == EINTR)
				continue;
			err(EX_IOERR, "%s: wait", vsockpath);
		}
		if (r == 0)
			continue;
		want = BATCH;
		if (count > 0 && count - nout < (unsigned long long)want)
			want = (int)(count - nout);
		for (i = 0; i < want; i++) {
			msgs[i].buf = slots + (size_t)i * slotsize;
			msgs[i].size = slotsize;
		}
		if ((n = udg_recvv(u, msgs, want)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			err(tool_exitcode(errno), "%s: receive", vsockpath);
		}
		last = tool_now_ms();
		for (i = 0; i < n; i++) {
			handle(&msgs[i]);
			if (msgs[i].len > SLOT_KEEP)
				tool_slot_trim(msgs[i].buf, slotsize,
				    msgs[i].len, SLOT_KEEP);
		}
		if (tool_out_flush(&out) == -1)
			out_failed();
		if (count > 0 && nout >= count)
			break;
	}
}

int
main(int argc, char *argv[])
{
	parse_args(argc, argv);
	setup();
	loop();
	if (tool_out_flush(&out) == -1)
		out_failed();
	if (rl_drop.pending > 0)
		warnx("dropped %llu more datagrams from senders not allowed",
		    rl_drop.pending);
	if (verbose)
		(void)fprintf(stderr, "%s: received %llu, written %llu, "
		    "dropped %llu, truncated %llu\n", getprogname(), nrecv,
		    nout, ndropped, ntrunc);
	return 0;
}
