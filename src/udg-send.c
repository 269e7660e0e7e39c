/*
 * udg-send - send datagrams to a Unix-domain datagram socket.
 *
 * Operands after SOCKET are joined by spaces into one datagram; without
 * them, standard input is split into records (lines, NUL-ended records, or
 * all of it) and each record is one datagram.  The socket is connected
 * once and records go out in batches, straight from the read buffer.
 */
#include "config.h"

#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "udg.h"
#include "records.h"
#include "tool.h"

#define BATCH		64		/* datagrams per udg_sendv() */
#define READSIZE	(256 * 1024)	/* least stdin buffer */
#define RETRY_MS	20		/* -W: pause between attempts */

static int		 sep = '\n';	/* '\n', '\0' or REC_WHOLE */
static int		 from_stdin;
static int		 want_reply;
static int		 reply_ms = 5000;
static int		 wait_ms = -1;	/* -W: -1 = do not wait */
static int		 nonblock;
static const char	*bindpath;
static const char	*dest;
static char		 vdest[TOOL_VISPATH];

static struct udg	*u;
static size_t		 maxdgram;
static int64_t		 deadline;	/* -W: give up at this time */
static unsigned long long nsent, nreplies;
static struct tool_out	 out;
static void		*replybuf;
static size_t		 replysize;

static const struct option longopts[] = {
	{ "all",	no_argument,		NULL,	'a' },
	{ "null",	no_argument,		NULL,	'0' },
	{ "bind",	required_argument,	NULL,	'b' },
	{ "reply",	no_argument,		NULL,	'r' },
	{ "timeout",	required_argument,	NULL,	't' },
	{ "wait",	required_argument,	NULL,	'W' },
	{ "nonblock",	no_argument,		NULL,	'n' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 }
};

/* Print the synopsis to fp. */
static void
synopsis(FILE *fp)
{
	(void)fprintf(fp, "usage: %s [-0anr] [-b path] [-t seconds] "
	    "[-W seconds] socket [message ...]\n", getprogname());
}

/* Bad usage: synopsis to stderr, exit 64. */
static void __attribute__((__noreturn__))
usage(void)
{
	synopsis(stderr);
	exit(EX_USAGE);
}

/* atexit: close the endpoint, which removes our socket file. */
static void
cleanup(void)
{
	sigset_t all;

	if (u == NULL)
		return;
	/* No signal handler may run while the file is being removed. */
	(void)sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, NULL);
	(void)udg_close(u);
	u = NULL;
}

/* 1 if e means "not there yet" and -W allows another try. */
static int
may_retry(int e)
{
	if (e != ENOENT && e != ECONNREFUSED && e != ENOTCONN)
		return 0;
	return wait_ms >= 0 && tool_now_ms() < deadline;
}

/* Say why sending stopped, with how many got out, and exit. */
static void __attribute__((__noreturn__))
send_failed(int e, size_t len)
{
	int code = tool_exitcode(e);

	if (e == EMSGSIZE)
		errx(EX_DATAERR, "message too long (%zu bytes; the limit is "
		    "%zu)", len, maxdgram);
	if (!from_stdin) {
		if (e == EAGAIN)
			errx(code, "%s: receiver's queue is full: message not "
			    "sent", vdest);
		errno = e;
		err(code, "%s", vdest);
	}
	/* Records go out in input order, so the first one not sent is
	 * where a retry (for example with tail -n +N) should start. */
	if (e == EAGAIN)
		errx(code, "%s: receiver's queue is full (sent %llu "
		    "datagrams; not sent: record %llu and all after it)",
		    vdest, nsent, nsent + 1);
	errx(code, "%s: %s (sent %llu datagrams; not sent: record %llu and "
	    "all after it)", vdest, strerror(e), nsent, nsent + 1);
}

/* Connect to dest, retrying until the -W deadline. */
static void
connect_dest(void)
{
	while (udg_connect(u, dest) == -1) {
		if (errno == EINTR || may_retry(errno)) {
			tool_sleep_ms(RETRY_MS);
			continue;
		}
		if (nsent > 0)
			send_failed(errno, 0);
		err(tool_exitcode(errno), "%s", vdest);
	}
}

/* Send iov[0, n), one datagram each, reconnecting under -W. */
static void
send_batch(const struct iovec *iov, int n)
{
	int k;

	while (n > 0) {
		if ((k = udg_sendv(u, iov, n)) > 0) {
			iov += k;
			n -= k;
			nsent += (unsigned long long)k;
			continue;
		}
		if (k == -1 && may_retry(errno)) {
			tool_sleep_ms(RETRY_MS);
			connect_dest();
			continue;
		}
		if (k == 0)
			errno = EIO;
		send_failed(errno, iov[0].iov_len);
	}
}

/* Wait for one reply and copy it to stdout with a newline. */
static void
await_reply(void)
{
	struct udg_msg m;
	int64_t end = tool_now_ms() + reply_ms, left;
	char vis[TOOL_VISPATH];
	int r;

	if (replybuf == NULL) {
		replysize = tool_max_recv();
		if ((replybuf = tool_slots_alloc(1, replysize)) == NULL)
			err(EX_OSERR, "reply buffer");
	}
	for (;;) {
		if ((left = end - tool_now_ms()) <= 0)
			errx(EX_TEMPFAIL, "timed out waiting for reply "
			    "(got %llu of %llu)", nreplies, nsent);
		if ((r = udg_wait(u, (int)left, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			err(EX_IOERR, "wait");
		}
		if (r == 0)
			continue;
		memset(&m, 0, sizeof(m));
		m.buf = replybuf;
		m.size = replysize;
		if (udg_recv(u, &m) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			err(tool_exitcode(errno), "%s: receive", vdest);
		}
		if (m.flags & UDG_MSG_TRUNC)
			warnx("reply from %s truncated (%zu of %zu bytes)",
			    tool_vis(vis, sizeof(vis), m.peer, m.peer_len),
			    m.len, m.reallen);
		if (tool_out_put(&out, replybuf, m.len) == -1 ||
		    tool_out_putc(&out, '\n') == -1 ||
		    tool_out_flush(&out) == -1)
			err(EX_IOERR, "stdout");
		tool_slot_trim(replybuf, replysize, m.len, 64 * 1024);
		nreplies++;
		return;
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
		send_batch(&iov[i], 1);
		await_reply();
	}
}

/* read(2) that retries EINTR; exits 74 on error. */
static size_t
read_in(char *buf, size_t len)
{
	ssize_t n;

	for (;;) {
		if ((n = read(STDIN_FILENO, buf, len)) >= 0)
			return (size_t)n;
		if (errno != EINTR)
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

/* Make the client endpoint with our socket file removed on any exit. */
static void
open_endpoint(void)
{
	sigset_t block, old;
	ssize_t m;

	(void)sigemptyset(&block);
	(void)sigaddset(&block, SIGINT);
	(void)sigaddset(&block, SIGTERM);
	(void)sigaddset(&block, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &block, &old) == -1)
		err(EX_OSERR, "sigprocmask");
	if ((u = udg_client(bindpath, nonblock ? UDG_NONBLOCK : 0)) == NULL) {
		char vis[TOOL_VISPATH];

		if (bindpath == NULL)
			err(tool_bind_exitcode(errno), "client socket");
		err(tool_bind_exitcode(errno), "%s", tool_vis(vis, sizeof(vis),
		    bindpath, strlen(bindpath)));
	}
	if (atexit(cleanup) != 0)
		err(EX_OSERR, "atexit");
	if (tool_unlink_on_signal(udg_path(u)) == -1)
		err(EX_OSERR, "signals");
	if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
		err(EX_OSERR, "sigprocmask");
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

int
main(int argc, char *argv[])
{
	const char *errstr;
	int ch, all = 0, null = 0;

	/* Printable UTF-8 passes unescaped in a UTF-8 locale. */
	(void)setlocale(LC_CTYPE, "");
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:0ab:hnrt:VW:", longopts,
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
			synopsis(stdout);
			return fflush(stdout) == EOF ? EX_IOERR : 0;
		case 'n':
			nonblock = 1;
			break;
		case 'r':
			want_reply = 1;
			break;
		case 't':
			if (tool_parse_seconds(optarg, &reply_ms,
			    &errstr) == -1)
				errx(EX_USAGE, "timeout %s: %s", optarg,
				    errstr);
			break;
		case 'V':
			tool_version();
		case 'W':
			if (tool_parse_seconds(optarg, &wait_ms, &errstr) == -1)
				errx(EX_USAGE, "wait %s: %s", optarg, errstr);
			break;
		default:
			tool_badopt(ch, argv);
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (all && null)
		errx(EX_USAGE, "-a and -0 cannot be used together");
	if ((all || null) && argc > 1)
		errx(EX_USAGE, "-a and -0 read standard input: no message "
		    "operands");
	if (bindpath != NULL && *bindpath == '\0')
		errx(EX_USAGE, "empty bind path");
	dest = argv[0];
	if (*dest == '\0')
		errx(EX_USAGE, "empty socket path");
	if (strlen(dest) > UDG_PATH_MAX)
		errx(EX_USAGE, "%s: socket path longer than %d bytes",
		    tool_vis(vdest, sizeof(vdest), dest, strlen(dest)),
		    UDG_PATH_MAX);
	(void)tool_vis(vdest, sizeof(vdest), dest, strlen(dest));
	if (all)
		sep = REC_WHOLE;
	else if (null)
		sep = '\0';
	from_stdin = argc == 1;
	/* Only replies go to stdout: a send without -r needs no buffer. */
	if (want_reply && tool_out_init(&out, STDOUT_FILENO, 16 * 1024) == -1)
		err(EX_OSERR, NULL);

	open_endpoint();
	deadline = tool_now_ms() + (wait_ms > 0 ? wait_ms : 0);
	connect_dest();
	if (from_stdin)
		send_stdin();
	else
		send_args(argc - 1, argv + 1);
	tool_out_free(&out);
	return 0;
}
