/*
 * udg-send - send datagrams to a Unix-domain datagram socket.
 *
 * Operands after SOCKET are joined by spaces into one datagram; without
 * them, standard input is split into records (lines, NUL-ended records, or
 * all of it) and each record is one datagram.  The socket is connected
 * once and records go out in batches, straight from the read buffer.
 * Every wait (for input, for the listener to come back, for a reply, for
 * room on stdout) is a poll that also sees SIGINT, SIGTERM and SIGHUP
 * (send-wait.c), and a send to a full queue looks at them every 100 ms,
 * so a signal ends udg-send through udg_close().
 * Replies (-r) are send-reply.c's.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "udg.h"
#include "records.h"
#include "send-reply.h"
#include "send-wait.h"
#include "tool.h"

#define BATCH		64		/* datagrams per udg_sendv() */
#define READSIZE	(256 * 1024)	/* least stdin buffer */
#define RETRY_MS	20		/* -W: pause between attempts */
#define SIGNAL_MS	100		/* longest send between signal checks */
#define AUTO_NAME_MAX	19		/* libudg's "PID-XXXXXXXX" */
#define SPIN_BACKOFF	6		/* after vain spins, skip up to 63 */
#define OPT_SPIN	256		/* --spin has no short form */

static int		 sep = '\n';	/* '\n', '\0' or REC_WHOLE */
static int		 from_stdin;
static int		 want_reply;
static int		 reply_ms = 5000;	/* -t: 0 = no limit */
static int		 wait_ms = -1;	/* -W: -1 = do not wait */
static int		 nonblock;
static int		 spin_us = -1;	/* --spin: -1 = tool_spin_default() */
static int		 spin_skip;	/* full queues to sleep on unspun */
static int		 spin_vain;	/* spins in a row that found no room */
static int		 verbose;
static const char	*bindpath;
static char		 absbind[UDG_PATH_MAX + 1];
static const char	*dest;
static char		 vdest[TOOL_VISPATH];

static struct udg	*u;
static size_t		 maxdgram;
static int64_t		 absent_since = -1;	/* -W: when it went away */
static unsigned long long nsent;
static struct send_reply reply;

static const struct option longopts[] = {
	{ "null",	no_argument,		NULL,	'0' },
	{ "all",	no_argument,		NULL,	'a' },
	{ "bind",	required_argument,	NULL,	'b' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "nonblock",	no_argument,		NULL,	'n' },
	{ "reply",	no_argument,		NULL,	'r' },
	{ "spin",	required_argument,	NULL,	OPT_SPIN },
	{ "timeout",	required_argument,	NULL,	't' },
	{ "version",	no_argument,		NULL,	'V' },
	{ "verbose",	no_argument,		NULL,	'v' },
	{ "wait",	required_argument,	NULL,	'W' },
	{ NULL,		0,			NULL,	0 }
};
#define SHORTOPTS	"+:0ab:hnrt:VvW:"

/* One line per option, in the order of udg-send(1). */
static const char *const helplines[] = {
	"  -0, --null             read NUL-ended records from standard input",
	"  -a, --all              send all of standard input as one datagram",
	"  -b, --bind=PATH        bind the client socket at PATH",
	"  -h, --help             print this help and exit",
	"  -n, --nonblock         fail (75) instead of waiting on a full queue",
	"  -r, --reply            print one reply to each datagram sent",
	"      --spin=USEC        on a full queue, retry this long before "
	    "sleeping (50)",
	"  -t, --timeout=SECONDS  -r: wait this long for each reply "
	    "(5; 0: no limit)",
	"  -V, --version          print the version and exit",
	"  -v, --verbose          report counts on standard error at exit",
	"  -W, --wait=SECONDS     wait this long whenever nobody listens",
	NULL
};

/* Print the synopsis to fp. */
static void
synopsis(FILE *fp)
{
	(void)fprintf(fp, "usage: %s [-0anrv] [-b path] [-t seconds] "
	    "[-W seconds]\n\t[--spin=usec] socket [message ...]\n",
	    getprogname());
}

/* Bad usage: synopsis to stderr, exit 64. */
static void __attribute__((__noreturn__))
usage(void)
{
	synopsis(stderr);
	exit(EX_USAGE);
}

/* -h: the synopsis and every option, to stdout; exit 0. */
static void __attribute__((__noreturn__))
help(void)
{
	const char *const *l;

	synopsis(stdout);
	for (l = helplines; *l != NULL; l++)
		(void)printf("%s\n", *l);
	exit(fflush(stdout) == EOF ? EX_IOERR : 0);
}

/* atexit: close the endpoint, which removes our socket file. */
static void
cleanup(void)
{
	if (u == NULL)
		return;
	(void)udg_close(u);
	u = NULL;
}

/* atexit, with -v: what was sent and received. */
static void
report(void)
{
	if (want_reply)
		warnx("%s: sent %llu, replies %llu, ignored %llu", vdest,
		    nsent, reply.nreplies, reply.nignored);
	else
		warnx("%s: sent %llu", vdest, nsent);
}

/*
 * 1 if e means "nobody there" and -W allows another try.  The -W time
 * counts from when the listener went missing, each time it does.
 */
static int
may_retry(int e)
{
	int64_t now;

	if (e != ENOENT && e != ECONNREFUSED && e != ENOTCONN)
		return 0;
	if (wait_ms < 0)
		return 0;
	now = tool_now_ms();
	if (absent_since < 0)
		absent_since = now;
	return now - absent_since < wait_ms;
}

/* Why nobody takes datagrams at dest, in the user's terms; NULL: errno. */
static const char *
why_unavailable(int e)
{
	struct stat st;

	if (nsent > 0 && (e == ECONNREFUSED || e == ENOTCONN || e == ENOENT))
		return "the listener went away";
	if (e == EPROTOTYPE)
		return "not a datagram socket";
	if (e != ECONNREFUSED)
		return NULL;
	if (stat(dest, &st) == -1)
		return NULL;
	if (S_ISDIR(st.st_mode))
		return "not a socket (a directory)";
	if (!S_ISSOCK(st.st_mode))
		return "not a socket";
	return "nobody is listening (a stale socket)";
}

/* Say why sending stopped, with how many got out, and exit. */
static void __attribute__((__noreturn__))
send_failed(int e, size_t len)
{
	int code = tool_exitcode(e);
	const char *why = why_unavailable(e);

	if (why == NULL)
		why = e == EAGAIN ? "receiver's queue is full" : strerror(e);
	if (e == EMSGSIZE && !from_stdin)
		errx(EX_DATAERR, "message too long (%zu bytes; the limit is "
		    "%zu)", len, maxdgram);
	if (e == EMSGSIZE)
		errx(EX_DATAERR, "record %llu is too long (%zu bytes; the "
		    "limit is %zu)", nsent + 1, len, maxdgram);
	if (!from_stdin)
		errx(code, "%s: %s%s", vdest, why, e == EAGAIN ?
		    ": message not sent" : "");
	/* Records go out in input order, so the first one not sent is
	 * where a retry (for example with tail -n +N) should start. */
	errx(code, "%s: %s (sent %llu datagrams; not sent: record %llu and "
	    "all after it)", vdest, why, nsent, nsent + 1);
}

/* Before a death by signal: the -v counts, then our socket goes. */
static void
dying(void)
{
	if (verbose)
		report();
	cleanup();
}

/* -W: the pause between attempts, in which a signal is seen. */
static void
pause_retry(void)
{
	if (send_wait(-1, 0, RETRY_MS) == -1)
		err(EX_OSERR, "poll");
}

/* Whether a full queue is spun on: not with -n (it fails) or -r. */
static int
spinning(void)
{
	return spin_us > 0 && !nonblock && !want_reply;
}

/* Connect to dest, retrying while -W allows. */
static void
connect_dest(void)
{
	const char *why;

	while (udg_connect(u, dest) == -1) {
		if (errno == EINTR || may_retry(errno)) {
			pause_retry();
			continue;
		}
		if (nsent > 0)
			send_failed(errno, 0);
		if ((why = why_unavailable(errno)) != NULL)
			errx(tool_exitcode(errno), "%s: %s", vdest, why);
		err(tool_exitcode(errno), "%s", vdest);
	}
	absent_since = -1;
	if (want_reply)
		send_reply_connected(&reply, u, dest);
}

/*
 * On a full queue, retry for spin_us before sleeping: the listener takes
 * a datagram within microseconds, and a sleep and a wake-up cost more
 * than that on both sides.  Spins that find no room (a stopped or slow
 * listener) are skipped more and more often, up to 63 full queues in 64.
 */
static int
spin_send(const struct iovec *iov, int n)
{
	int64_t end;
	int k;

	if (spin_skip > 0) {
		spin_skip--;
		errno = EAGAIN;
		return -1;
	}
	end = tool_now_us() + spin_us;
	do {
		if ((k = udg_sendv(u, iov, n)) != -1 || errno != EAGAIN) {
			spin_vain = 0;
			return k;
		}
	} while (tool_now_us() < end);
	if (spin_vain < SPIN_BACKOFF)
		spin_vain++;
	spin_skip = (1 << spin_vain) - 1;
	return -1;
}

/* A sleeping send: SO_SNDTIMEO bounds it (open_endpoint()). */
static int
blocking_send(const struct iovec *iov, int n)
{
	int k, e;

	if (udg_set_nonblock(u, 0) == -1)
		err(EX_OSERR, "%s: fcntl", vdest);
	k = udg_sendv(u, iov, n);
	e = errno;
	if (udg_set_nonblock(u, 1) == -1)
		err(EX_OSERR, "%s: fcntl", vdest);
	errno = e;
	return k;
}

/* Send some of iov[0, n): spin first, then sleep, on a full queue. */
static int
send_some(const struct iovec *iov, int n)
{
	int k;

	if (!spinning())
		return udg_sendv(u, iov, n);
	if ((k = udg_sendv(u, iov, n)) != -1 || errno != EAGAIN)
		return k;
	if ((k = spin_send(iov, n)) != -1 || errno != EAGAIN)
		return k;
	return blocking_send(iov, n);
}

/* Send iov[0, n), one datagram each, reconnecting under -W. */
static void
send_batch(const struct iovec *iov, int n)
{
	int k;

	while (n > 0) {
		if ((k = send_some(iov, n)) > 0) {
			iov += k;
			n -= k;
			nsent += (unsigned long long)k;
			absent_since = -1;
			continue;
		}
		if (k == -1 && errno == EAGAIN && !nonblock) {
			/* SO_SNDTIMEO ran out on a full queue: a signal? */
			if (send_wait(-1, 0, 0) == -1)
				err(EX_OSERR, "%s: poll", vdest);
			continue;
		}
		if (k == -1 && may_retry(errno)) {
			pause_retry();
			connect_dest();
			continue;
		}
		if (k == 0)
			errno = EIO;
		send_failed(errno, iov[0].iov_len);
	}
}

/* Send n records; with -r, one at a time, each followed by its reply. */
static void
send_records(const struct iovec *iov, int n)
{
	int i;

	if (!want_reply) {
		send_batch(iov, n);
		return;
	}
	for (i = 0; i < n; i++) {
		send_reply_drain(&reply);
		send_batch(&iov[i], 1);
		send_reply_await(&reply, nsent);
	}
}

/* read(2) once stdin is readable (or a signal ends us); exits 74 on
 * error. */
static size_t
read_in(char *buf, size_t len)
{
	ssize_t n;

	for (;;) {
		if (send_wait(STDIN_FILENO, POLLIN, -1) == -1)
			err(EX_OSERR, "stdin: poll");
		if ((n = read(STDIN_FILENO, buf, len)) >= 0)
			return (size_t)n;
		if (errno != EINTR && errno != EAGAIN)
			err(EX_IOERR, "stdin");
	}
}

/* A record of at least have bytes is too long: measure it, exit 65. */
static void __attribute__((__noreturn__))
too_long(char *buf, size_t cap, size_t have)
{
	size_t n, total = have;
	const char *p;

	for (;;) {
		if ((n = read_in(buf, cap)) == 0)
			break;
		if (sep != REC_WHOLE &&
		    (p = memchr(buf, (unsigned char)sep, n)) != NULL) {
			total += (size_t)(p - buf);
			break;
		}
		total += n;
	}
	send_failed(EMSGSIZE, total);
}

/* Split standard input into records and send them in batches. */
static void
send_stdin(void)
{
	struct iovec iov[BATCH];
	size_t cap, len = 0, off, used, k;
	char *buf;
	int eof = 0, n, i;

	cap = maxdgram + 1 > READSIZE ? maxdgram + 1 : READSIZE;
	if ((buf = malloc(cap)) == NULL)
		err(EX_OSERR, NULL);
	while (!eof) {
		if ((k = read_in(buf + len, cap - len)) == 0)
			eof = 1;
		len += k;
		off = 0;
		while ((n = records_split(buf + off, len - off, sep, eof,
		    iov, BATCH, &used)) > 0) {
			for (i = 0; i < n; i++) {
				if (iov[i].iov_len <= maxdgram)
					continue;
				send_records(iov, i);
				send_failed(EMSGSIZE, iov[i].iov_len);
			}
			send_records(iov, n);
			off += used;
		}
		if (off > 0 && off < len)
			memmove(buf, buf + off, len - off);
		len -= off;
		if (!eof && len > maxdgram)
			too_long(buf, cap, len);
	}
	if (sep == REC_WHOLE && nsent == 0) {
		/* -a with empty input: one empty datagram. */
		iov[0].iov_base = buf;
		iov[0].iov_len = 0;
		send_records(iov, 1);
	}
	free(buf);
}

/* Join the message operands with spaces and send them as one datagram. */
static void
send_args(int argc, char **argv)
{
	struct iovec iov;
	size_t total = 0, l;
	char *msg, *p;
	int i;

	for (i = 0; i < argc; i++)
		total += strlen(argv[i]) + 1;
	if ((msg = malloc(total + 1)) == NULL)
		err(EX_OSERR, NULL);
	p = msg;
	for (i = 0; i < argc; i++) {
		if (i > 0)
			*p++ = ' ';
		l = strlen(argv[i]);
		memcpy(p, argv[i], l);
		p += l;
	}
	iov.iov_base = msg;
	iov.iov_len = (size_t)(p - msg);
	if (iov.iov_len > maxdgram)
		send_failed(EMSGSIZE, iov.iov_len);
	send_records(&iov, 1);
	free(msg);
}

/* The private directory udg_client() uses, as libudg(3) chooses it. */
static void
private_dir(char *dir, size_t size)
{
	const char *xdg;
	struct stat st;

	xdg = secure_getenv("XDG_RUNTIME_DIR");
	if (xdg != NULL && xdg[0] == '/' && stat(xdg, &st) == 0 &&
	    strlen(xdg) + 5 + AUTO_NAME_MAX <= UDG_PATH_MAX &&
	    S_ISDIR(st.st_mode))
		(void)snprintf(dir, size, "%s/udg", xdg);
	else
		(void)snprintf(dir, size, "/tmp/udg-%lu",
		    (unsigned long)geteuid());
}

/*
 * Why udg_client() refused its private directory; exits 77.  Called only
 * after EPERM.
 */
static void __attribute__((__noreturn__))
unsafe_dir(void)
{
	char dir[PATH_MAX], vis[TOOL_VISPATH];
	const char *why = "is unsafe";
	struct stat st;

	private_dir(dir, sizeof(dir));
	if (lstat(dir, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			why = "is a symbolic link";
		else if (!S_ISDIR(st.st_mode))
			why = "is not a directory";
		else if (st.st_uid != geteuid())
			why = "belongs to another user";
		else if (st.st_mode & (S_IWGRP | S_IWOTH))
			why = "is writable by group or others";
	}
	errx(EX_NOPERM, "private directory %s %s: not binding a client "
	    "socket there (see udg-send(1), FILES)",
	    tool_vis(vis, sizeof(vis), dir, strlen(dir)), why);
}

/* udg_client() failed: say why and exit. */
static void __attribute__((__noreturn__))
client_failed(void)
{
	char dir[PATH_MAX], vis[TOOL_VISPATH];
	int code = tool_bind_exitcode(errno), e;

	if (bindpath != NULL) {
		e = errno;
		(void)tool_vis(vis, sizeof(vis), bindpath, strlen(bindpath));
		tool_bind_blame("-b ", bindpath, vis, e);
		errno = e;
		err(code, "-b %s", vis);
	}
	if (errno == EPERM)
		unsafe_dir();
	e = errno;
	private_dir(dir, sizeof(dir));
	errno = e;
	err(code, "client socket in %s", tool_vis(vis, sizeof(vis), dir,
	    strlen(dir)));
}

/*
 * Make the client endpoint, with our socket file removed on any exit.
 * A send to a full queue blocks in the kernel, which keeps a stream at
 * the receiver's pace (a poll for POLLOUT before each retry cost a
 * quarter of the throughput), but never longer than SIGNAL_MS at a
 * time, so that the signalfd is looked at (send_batch()).
 */
static void
open_endpoint(void)
{
	struct timeval tv = { 0, SIGNAL_MS * 1000 };
	ssize_t m;

	if (spin_us == -1)
		spin_us = tool_spin_default();
	/* Spinning, the socket sleeps only in blocking_send(). */
	if ((u = udg_client(bindpath, nonblock || spinning() ? UDG_NONBLOCK :
	    0)) == NULL)
		client_failed();
	if (setsockopt(udg_fd(u), SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)) == -1)
		err(EX_OSERR, "SO_SNDTIMEO");
	if (atexit(cleanup) != 0)
		err(EX_OSERR, "atexit");
	if ((m = udg_max_datagram(u)) == -1)
		err(EX_OSERR, "udg_max_datagram");
	maxdgram = (size_t)m;
	/*
	 * Without -r nothing reads this socket.  Replies (from udg-listen -e
	 * or --echo) would pile up in its queue, charged to the replier's
	 * send buffer until that is full and it stalls; shut for reading,
	 * they fail at once with EPIPE instead.
	 */
	if (!want_reply && shutdown(udg_fd(u), SHUT_RD) == -1)
		err(EX_OSERR, "shutdown");
}

/*
 * -r to a socket of another user: the automatic socket must be in a
 * directory that user can enter.  $XDG_RUNTIME_DIR is private to us
 * (mode 0700); /tmp/udg-UID is not listable but can be entered.
 */
static void
choose_dir(void)
{
	if (!want_reply || bindpath != NULL)
		return;
	if (send_reply_foreign(dest) && unsetenv("XDG_RUNTIME_DIR") == -1)
		err(EX_OSERR, "unsetenv");
}

/*
 * A relative -b path is made absolute: the listener resolves the address
 * it replies to in its own directory, not in ours.
 */
static void
absolute_bind(void)
{
	char cwd[PATH_MAX], vis[TOOL_VISPATH];
	int n;

	(void)tool_vis(vis, sizeof(vis), bindpath, strlen(bindpath));
	if (bindpath[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			err(tool_bind_exitcode(errno), "-b %s: current "
			    "directory", vis);
		n = snprintf(absbind, sizeof(absbind), "%s/%s",
		    strcmp(cwd, "/") == 0 ? "" : cwd, bindpath);
		if (n < 0 || (size_t)n >= sizeof(absbind))
			errx(EX_USAGE, "-b %s: bind path longer than %d bytes "
			    "once made absolute (in %s)", vis, UDG_PATH_MAX,
			    tool_vis(absbind, sizeof(absbind), cwd,
			    strlen(cwd)));
		bindpath = absbind;
	} else if (strlen(bindpath) > UDG_PATH_MAX)
		errx(EX_USAGE, "-b %s: bind path longer than %d bytes", vis,
		    UDG_PATH_MAX);
}

/*
 * Standard input, output and error must be open: a socket that took one
 * of their numbers would be read as input or get our output.  A closed
 * one we need is an error; others get /dev/null.
 */
static void
check_fds(void)
{
	int closed[3];

	if (tool_std_fds(closed) == -1)
		_exit(EX_OSERR);
	if (from_stdin && closed[0])
		errx(EX_IOERR, "standard input is closed: nothing to send");
	if (want_reply && closed[1])
		errx(EX_IOERR, "standard output is closed: nowhere to write "
		    "replies");
}

/* 1 if s would be an option of ours: one given after the operands. */
static int
looks_like_option(const char *s)
{
	const struct option *o;
	size_t n;

	if (s[0] != '-' || s[1] == '\0')
		return 0;
	if (s[1] != '-')
		return strchr(&SHORTOPTS[2], s[1]) != NULL && s[1] != ':';
	n = strcspn(s + 2, "=");
	if (n == 0)
		return 1;		/* "--" itself */
	for (o = longopts; o->name != NULL; o++)
		if (strncmp(o->name, s + 2, n) == 0)
			return 1;
	return 0;
}

/* Check the operands; exit 64 on anything wrong. */
static void
check_operands(int argc, char **argv, int dashdash)
{
	char vis[256];
	int i;

	if (argc < 1)
		usage();
	for (i = 1; i < argc && !dashdash; i++)
		if (looks_like_option(argv[i])) {
			(void)tool_vis(vis, sizeof(vis), argv[i],
			    strlen(argv[i]));
			warnx("option %s after the socket operand: options "
			    "must come before socket (put -- before socket "
			    "to send it as a message)", vis);
			usage();
		}
	dest = argv[0];
	if (*dest == '\0')
		errx(EX_USAGE, "empty socket path");
	(void)tool_vis(vdest, sizeof(vdest), dest, strlen(dest));
	if (strlen(dest) > UDG_PATH_MAX)
		errx(EX_USAGE, "%s: socket path longer than %d bytes", vdest,
		    UDG_PATH_MAX);
}

/* Parse the options; returns the index of the first operand. */
static int
parse_options(int argc, char *argv[])
{
	const char *errstr;
	int ch, all = 0, null = 0, timeout_given = 0;

	/* Printable UTF-8 passes unescaped in a UTF-8 locale. */
	(void)setlocale(LC_CTYPE, "");
	opterr = 0;
	while ((ch = getopt_long(argc, argv, SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case '0':
			null = 1;
			break;
		case 'a':
			all = 1;
			break;
		case 'b':
			bindpath = optarg;
			break;
		case 'h':
			help();
		case 'n':
			nonblock = 1;
			break;
		case 'r':
			want_reply = 1;
			break;
		case OPT_SPIN:
			if (tool_parse_upto(optarg, TOOL_SPIN_MAX, &spin_us,
			    &errstr) == -1)
				errx(EX_USAGE, "spin %s: %s", optarg, errstr);
			break;
		case 't':
			if (tool_parse_seconds(optarg, &reply_ms,
			    &errstr) == -1)
				errx(EX_USAGE, "timeout %s: %s", optarg,
				    errstr);
			timeout_given = 1;
			break;
		case 'V':
			tool_version();
		case 'v':
			verbose = 1;
			break;
		case 'W':
			if (tool_parse_seconds(optarg, &wait_ms, &errstr) == -1)
				errx(EX_USAGE, "wait %s: %s", optarg, errstr);
			break;
		default:
			tool_badopt(ch, argv);
			usage();
		}
	}
	if (all && null)
		errx(EX_USAGE, "-a and -0 cannot be used together");
	if ((all || null) && argc - optind > 1)
		errx(EX_USAGE, "-a and -0 read standard input: no message "
		    "operands");
	if (timeout_given && !want_reply)
		errx(EX_USAGE, "-t needs -r: without -r no reply is awaited");
	if (bindpath != NULL && *bindpath == '\0')
		errx(EX_USAGE, "empty bind path");
	if (all)
		sep = REC_WHOLE;
	else if (null)
		sep = '\0';
	return optind;
}

int
main(int argc, char *argv[])
{
	int first;

	first = parse_options(argc, argv);
	check_operands(argc - first, argv + first, first > 0 &&
	    strcmp(argv[first - 1], "--") == 0);
	argc -= first;
	argv += first;
	from_stdin = argc == 1;
	check_fds();
	if (bindpath != NULL)
		absolute_bind();
	/* Only replies go to stdout. */
	if (want_reply && send_reply_init(&reply, vdest, reply_ms) == -1)
		err(EX_OSERR, "stdout");
	/* Before anything is bound: no signal may leave a socket file. */
	if (send_wait_init(dying) == -1)
		err(EX_OSERR, "signals");
	choose_dir();
	open_endpoint();
	if (verbose && atexit(report) != 0)
		err(EX_OSERR, "atexit");
	connect_dest();
	if (from_stdin)
		send_stdin();
	else
		send_args(argc - 1, argv + 1);
	if (want_reply)
		send_reply_free(&reply);
	return 0;
}
