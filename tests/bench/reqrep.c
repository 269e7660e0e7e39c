/*
 * reqrep - request/reply throughput of a datagram server, and a raw C
 * echo server to compare it with.
 *
 * reqrep [-c clients] [-s seconds] socket dir
 *	Fork clients processes; each binds dir/cN and, for seconds, sends a
 *	64-byte request to socket and waits for its reply (one in flight per
 *	client), which must be the request, byte for byte.  Prints
 *	"REQUESTS_PER_SECOND REQUESTS" over all clients; exits 1 on a wrong,
 *	missing (5 s) or failed reply.
 * reqrep -S socket
 *	Bind socket and echo every datagram to its sender with recvfrom(2)
 *	and sendto(2) until SIGTERM: the raw C ping-pong.
 *
 * Plain sockets, no libudg, so that every server is measured by the same
 * client.  The clients start together after a warm-up request each.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"

#define MSGLEN		64
#define REPLY_MS	5000	/* a reply later than this is a failure */
#define MAXCLIENTS	64

static void	usage(void) __attribute__((__noreturn__));
static void	serve(const char *) __attribute__((__noreturn__));
static double	now_s(void);
static void	fill(char *, int, unsigned long);
static void	ask(int, const struct sockaddr_un *, const char *);
static void	client(int, const char *, const char *, double, int, int)
		    __attribute__((__noreturn__));

/* Print the synopsis and exit 1. */
static void
usage(void)
{
	fprintf(stderr, "usage: reqrep [-c clients] [-s seconds] socket dir\n"
	    "       reqrep -S socket\n");
	exit(1);
}

/* -S: echo every datagram to its sender, until a signal ends us. */
static void
serve(const char *path)
{
	char buf[65536];
	struct sockaddr_un from;
	socklen_t fl;
	ssize_t r;
	int fd;

	fd = bench_bind(path);
	for (;;) {
		fl = sizeof(from);
		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		    &fl);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			err(1, "recvfrom");
		/* A sender that is gone is not our failure. */
		(void)sendto(fd, buf, (size_t)r, MSG_DONTWAIT,
		    (struct sockaddr *)&from, fl);
	}
}

/* Monotonic time in seconds. */
static double
now_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Request n of client id: its number first, dashes to MSGLEN bytes. */
static void
fill(char *req, int id, unsigned long n)
{
	char head[MSGLEN];
	int k;

	memset(req, '-', MSGLEN);
	k = snprintf(head, sizeof(head), "client %02d request %08lu ", id, n);
	if (k > 0)
		memcpy(req, head, (size_t)k < sizeof(head) ? (size_t)k :
		    sizeof(head) - 1);
}

/* Send req to srv and wait for the same bytes back. */
static void
ask(int fd, const struct sockaddr_un *srv, const char *req)
{
	char in[MSGLEN * 4];
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t r;
	int n;

	if (sendto(fd, req, MSGLEN, 0, (const struct sockaddr *)srv,
	    sizeof(*srv)) == -1)
		err(1, "sendto %s", srv->sun_path);
	while ((n = poll(&pfd, 1, REPLY_MS)) == -1 && errno == EINTR)
		;
	if (n == -1)
		err(1, "poll");
	if (n == 0)
		errx(1, "no reply from %s in %d ms", srv->sun_path, REPLY_MS);
	if ((r = recv(fd, in, sizeof(in), 0)) == -1)
		err(1, "recv");
	if (r != MSGLEN || memcmp(in, req, MSGLEN) != 0)
		errx(1, "wrong reply (%zd bytes): %.*s", r, (int)r, in);
}

/*
 * Client id: bind dir/cID, ask once, wait for the go byte on start, ask
 * for seconds, write the count to out.
 */
static void
client(int id, const char *spath, const char *dir, double seconds,
    int start, int out)
{
	char cpath[sizeof(((struct sockaddr_un *)0)->sun_path) + 16];
	char req[MSGLEN], c;
	struct sockaddr_un srv;
	unsigned long n = 0;
	double end;
	int fd;

	if ((size_t)snprintf(cpath, sizeof(cpath), "%s/c%d", dir, id) >=
	    sizeof(srv.sun_path))
		errx(1, "%s: path too long", dir);
	bench_set_sun(&srv, spath);
	fd = bench_bind(cpath);
	fill(req, id, n);
	ask(fd, &srv, req);
	if (read(start, &c, 1) != 1)
		errx(1, "no start signal");
	end = now_s() + seconds;
	while (now_s() < end) {
		fill(req, id, n);
		ask(fd, &srv, req);
		n++;
	}
	if (write(out, &n, sizeof(n)) != (ssize_t)sizeof(n))
		err(1, "write count");
	if (close(fd) == -1 || unlink(cpath) == -1)
		err(1, "%s", cpath);
	_exit(0);
}

int
main(int argc, char *argv[])
{
	pid_t pids[MAXCLIENTS];
	unsigned long n, total = 0;
	double seconds = 1, t0, t1;
	int ch, i, nclients = 1, go[2], res[2], status, bad = 0;

	while ((ch = getopt(argc, argv, "+c:s:S:")) != -1) {
		switch (ch) {
		case 'c':
			nclients = (int)bench_number(optarg, 1, MAXCLIENTS, "clients");
			break;
		case 's':
			seconds = (double)bench_number(optarg, 1, 3600, "seconds");
			break;
		case 'S':
			serve(optarg);
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	if (pipe(go) == -1 || pipe(res) == -1)
		err(1, "pipe");
	for (i = 0; i < nclients; i++) {
		if ((pids[i] = fork()) == -1)
			err(1, "fork");
		if (pids[i] == 0) {
			(void)close(go[1]);
			(void)close(res[0]);
			client(i, argv[optind], argv[optind + 1], seconds,
			    go[0], res[1]);
		}
	}
	(void)close(go[0]);
	(void)close(res[1]);
	/* Warm-up done is not waited for: a client starts once it has. */
	t0 = now_s();
	for (i = 0; i < nclients; i++)
		if (write(go[1], "g", 1) != 1)
			err(1, "write start");
	for (i = 0; i < nclients; i++)
		if (read(res[0], &n, sizeof(n)) == (ssize_t)sizeof(n))
			total += n;
	t1 = now_s();
	for (i = 0; i < nclients; i++) {
		if (waitpid(pids[i], &status, 0) == -1)
			err(1, "waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad = 1;
	}
	if (bad)
		errx(1, "a client failed");
	if (printf("%.1f %lu\n", (double)total / (t1 - t0), total) < 0 ||
	    fflush(stdout) == EOF)
		err(1, "stdout");
	return 0;
}
