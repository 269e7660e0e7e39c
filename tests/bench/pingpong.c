/*
 * pingpong - request/reply round trips between two processes.
 *
 * pingpong [-1] raw|udg DIR ITERATIONS ROUNDS
 *
 * A forked child binds DIR/s and echoes every datagram back to its sender;
 * the parent binds DIR/c and, ROUNDS times, sends ITERATIONS 64-byte
 * requests one after the other, each waiting for its reply.  raw: socket,
 * bind, sendto and recvfrom directly.  udg: the same through libudg
 * (udg_server, udg_client, udg_sendto, udg_recv, udg_reply), credentials
 * and all.  A zero-length datagram tells the child to exit.  -1 runs both
 * processes on one CPU: each round trip is then two context switches and
 * the system calls, without the cross-CPU wake-up latency that dominates
 * (and scatters) the figure on a small virtual machine.
 *
 * Prints "MEDIAN MIN MAX": nanoseconds per round trip, over the rounds.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"
#include "udg.h"

#define MSGLEN	64

struct end {
	int		 raw;
	int		 fd;	/* raw */
	struct udg	*u;	/* udg */
	struct sockaddr_un server;
};

static void usage(void) __attribute__((__noreturn__));
static void echo(int, const char *, int) __attribute__((__noreturn__));
static void ping(struct end *, const char *, const char *, int);
static void one_cpu(void);
static double now_ns(void);
static int cmp_double(const void *, const void *);

/* Print the synopsis and exit 1. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: pingpong [-1] raw|udg dir iterations rounds\n");
	exit(1);
}

/*
 * The child: bind path, write one byte to ready, then echo every datagram
 * to its sender until a zero-length one arrives.
 */
static void
echo(int raw, const char *path, int ready)
{
	char buf[MSGLEN * 4];
	struct sockaddr_un from;
	struct udg_msg m;
	struct udg *u = NULL;
	socklen_t fl;
	ssize_t r;
	int fd = -1;

	if (raw)
		fd = bench_bind(path);
	else if ((u = udg_server(path, -1, 0)) == NULL)
		err(1, "udg_server %s", path);
	if (write(ready, "", 1) != 1)
		err(1, "write ready");
	(void)close(ready);
	for (;;) {
		if (raw) {
			fl = sizeof(from);
			r = recvfrom(fd, buf, sizeof(buf), 0,
			    (struct sockaddr *)&from, &fl);
			if (r == -1) {
				if (errno == EINTR)
					continue;
				err(1, "recvfrom");
			}
			if (r == 0)
				break;
			if (sendto(fd, buf, (size_t)r, 0,
			    (struct sockaddr *)&from, fl) == -1)
				err(1, "sendto");
		} else {
			memset(&m, 0, sizeof(m));
			m.buf = buf;
			m.size = sizeof(buf);
			if ((r = udg_recv(u, &m)) == -1)
				err(1, "udg_recv");
			if (r == 0)
				break;
			if (udg_reply(u, &m, buf, m.len) == -1)
				err(1, "udg_reply");
		}
	}
	if (raw ? close(fd) == -1 : udg_close(u) == -1)
		err(1, "close");
	_exit(0);
}

/* One request (len bytes of out) and its reply, which must be the same. */
static void
ping(struct end *e, const char *spath, const char *out, int len)
{
	char in[MSGLEN * 4];
	struct udg_msg m;
	ssize_t r;

	if (e->raw) {
		if (sendto(e->fd, out, (size_t)len, 0,
		    (struct sockaddr *)&e->server, sizeof(e->server)) == -1)
			err(1, "sendto");
		if (len == 0)
			return;
		do
			r = recv(e->fd, in, sizeof(in), 0);
		while (r == -1 && errno == EINTR);
		if (r == -1)
			err(1, "recv");
	} else {
		if (udg_sendto(e->u, spath, out, (size_t)len) == -1)
			err(1, "udg_sendto");
		if (len == 0)
			return;
		memset(&m, 0, sizeof(m));
		m.buf = in;
		m.size = sizeof(in);
		if ((r = udg_recv(e->u, &m)) == -1)
			err(1, "udg_recv");
	}
	if (r != len || memcmp(in, out, (size_t)len) != 0)
		errx(1, "bad reply (%zd bytes)", r);
}

/* Keep this process (and children forked later) on the CPU it is on. */
static void
one_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if ((cpu = sched_getcpu()) == -1)
		err(1, "sched_getcpu");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		err(1, "sched_setaffinity");
}

/* Monotonic time in nanoseconds. */
static double
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* qsort(3) order for doubles. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char *argv[])
{
	char spath[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	char cpath[sizeof(spath)], out[MSGLEN], c;
	struct end e;
	double *per, t0;
	long iters, rounds, i, r;
	pid_t pid;
	int ch, pfd[2], status;

	while ((ch = getopt(argc, argv, "+1")) != -1) {
		switch (ch) {
		case '1':
			one_cpu();
			break;
		default:
			usage();
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 5)
		usage();
	memset(&e, 0, sizeof(e));
	if (strcmp(argv[1], "raw") == 0)
		e.raw = 1;
	else if (strcmp(argv[1], "udg") != 0)
		usage();
	if ((size_t)snprintf(spath, sizeof(spath), "%s/s", argv[2]) >=
	    sizeof(spath) || (size_t)snprintf(cpath, sizeof(cpath), "%s/c",
	    argv[2]) >= sizeof(cpath))
		errx(1, "%s: path too long", argv[2]);
	iters = bench_number(argv[3], 1, 100000000, "iterations");
	rounds = bench_number(argv[4], 1, 1000, "rounds");
	if ((per = calloc((size_t)rounds, sizeof(*per))) == NULL)
		err(1, "calloc");
	memset(out, 'p', sizeof(out));
	bench_set_sun(&e.server, spath);

	if (pipe(pfd) == -1)
		err(1, "pipe");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		(void)close(pfd[0]);
		echo(e.raw, spath, pfd[1]);
	}
	(void)close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1)
		errx(1, "echo child did not start");
	(void)close(pfd[0]);
	if (e.raw)
		e.fd = bench_bind(cpath);
	else if ((e.u = udg_client(cpath, 0)) == NULL)
		err(1, "udg_client %s", cpath);

	for (i = 0; i < iters / 10 + 1; i++)	/* warm up */
		ping(&e, spath, out, MSGLEN);
	for (r = 0; r < rounds; r++) {
		t0 = now_ns();
		for (i = 0; i < iters; i++)
			ping(&e, spath, out, MSGLEN);
		per[r] = (now_ns() - t0) / (double)iters;
	}
	ping(&e, spath, out, 0);
	if (waitpid(pid, &status, 0) == -1)
		err(1, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		errx(1, "echo child failed");
	if (e.raw) {
		if (close(e.fd) == -1 || unlink(cpath) == -1 ||
		    unlink(spath) == -1)
			err(1, "close");
	} else if (udg_close(e.u) == -1)
		err(1, "udg_close");

	qsort(per, (size_t)rounds, sizeof(*per), cmp_double);
	if (printf("%.0f %.0f %.0f\n", per[rounds / 2], per[0],
	    per[rounds - 1]) < 0 || fflush(stdout) == EOF)
		err(1, "stdout");
	free(per);
	return 0;
}
