/*
 * rawsink - the raw C receiving end of the sink benchmark.
 *
 * rawsink [-1] [-n] [-b rcvbuf] [-o file] [-p usec] [-s size] PATH COUNT
 *
 * Binds PATH (which must not exist), then receives COUNT datagrams with
 * recvmmsg(2) in batches of 64 (-1: recv(2) one at a time) and writes each
 * batch with one writev(2): the payload and a newline per datagram (-n: the
 * payload only), to standard output or -o FILE.  -p: on an empty queue,
 * try again for up to usec microseconds before sleeping (what --spin does
 * in udg-listen), to show what that alone is worth.  A datagram longer than
 * -s bytes (default 4096) is an error, never cut silently.  Removes PATH on
 * exit.  Exit 0 after COUNT datagrams, 1 on any error.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64

static const char *sockpath;

static void usage(void) __attribute__((__noreturn__));
static long long number(const char *, long long, long long, const char *);
static int bind_path(const char *, int);
static void write_all(int, struct iovec *, int);
static void cleanup(void);
static int receive(int, struct mmsghdr *, int, long);

/* Print the synopsis and exit 1. */
static void
usage(void)
{
	fprintf(stderr, "usage: rawsink [-1n] [-b rcvbuf] [-o file] "
	    "[-p usec] [-s size] path count\n");
	exit(1);
}

/* A decimal number in [lo, hi], or exit naming what it was for. */
static long long
number(const char *s, long long lo, long long hi, const char *what)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		errx(1, "bad %s: %s", what, s);
	return v;
}

/* Microseconds on the monotonic clock. */
static long long
now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* recvmmsg(2) of up to n; with spin > 0, spin that long before sleeping. */
static int
receive(int fd, struct mmsghdr *hdr, int n, long spin)
{
	long long end;
	int r;

	if (spin > 0) {
		end = now_us() + spin;
		do {
			r = recvmmsg(fd, hdr, (unsigned int)n, MSG_DONTWAIT,
			    NULL);
			if (r != -1 || errno != EAGAIN)
				return r;
		} while (now_us() < end);
	}
	return recvmmsg(fd, hdr, (unsigned int)n, MSG_WAITFORONE, NULL);
}

/* Remove our socket file at exit. */
static void
cleanup(void)
{
	if (sockpath != NULL)
		(void)unlink(sockpath);
}

/* A datagram socket bound at path with SO_RCVBUF rcvbuf (0: default). */
static int
bind_path(const char *path, int rcvbuf)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		errx(1, "%s: path too long", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf)) == -1)
		err(1, "SO_RCVBUF");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		err(1, "bind %s", path);
	sockpath = path;
	if (atexit(cleanup) != 0)
		errx(1, "atexit failed");
	return fd;
}

/* Write all of iov[0, n) to fd, whatever writev(2) takes each time. */
static void
write_all(int fd, struct iovec *iov, int n)
{
	ssize_t w;

	while (n > 0) {
		w = writev(fd, iov, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			err(1, "writev");
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
}

int
main(int argc, char *argv[])
{
	static char nl[] = "\n";
	struct mmsghdr hdr[BATCH];
	struct iovec in[BATCH], out[2 * BATCH];
	const char *outfile = NULL;
	long long count, done = 0;
	size_t size = 4096;
	char *buf;
	ssize_t r;
	int batch = BATCH, newline = 1, rcvbuf = 0;
	long spin = 0;
	int ch, fd, i, n, nout, ofd = STDOUT_FILENO;

	while ((ch = getopt(argc, argv, "1b:no:p:s:")) != -1) {
		switch (ch) {
		case '1':
			batch = 1;
			break;
		case 'b':
			rcvbuf = (int)number(optarg, 1, INT_MAX, "rcvbuf");
			break;
		case 'n':
			newline = 0;
			break;
		case 'o':
			outfile = optarg;
			break;
		case 'p':
			spin = (long)number(optarg, 0, 1000000, "usec");
			break;
		case 's':
			size = (size_t)number(optarg, 1, 1 << 20, "size");
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();
	count = number(argv[1], 1, LLONG_MAX, "count");

	if (outfile != NULL && (ofd = open(outfile,
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		err(1, "%s", outfile);
	if ((buf = malloc(size * BATCH)) == NULL)
		err(1, "malloc");
	fd = bind_path(argv[0], rcvbuf);

	while (done < count) {
		n = count - done < batch ? (int)(count - done) : batch;
		if (n == 1) {
			r = recv(fd, buf, size, MSG_TRUNC);
			if (r == -1) {
				if (errno == EINTR)
					continue;
				err(1, "recv");
			}
			hdr[0].msg_len = (unsigned int)r;
			hdr[0].msg_hdr.msg_flags = 0;
			n = 1;
		} else {
			memset(hdr, 0, sizeof(hdr[0]) * (size_t)n);
			for (i = 0; i < n; i++) {
				in[i].iov_base = buf + (size_t)i * size;
				in[i].iov_len = size;
				hdr[i].msg_hdr.msg_iov = &in[i];
				hdr[i].msg_hdr.msg_iovlen = 1;
			}
			n = receive(fd, hdr, n, spin);
			if (n == -1) {
				if (errno == EINTR)
					continue;
				err(1, "recvmmsg");
			}
		}
		nout = 0;
		for (i = 0; i < n; i++) {
			if (hdr[i].msg_len > size ||
			    (hdr[i].msg_hdr.msg_flags & MSG_TRUNC))
				errx(1, "datagram %lld truncated (size %zu)",
				    done + i + 1, size);
			out[nout].iov_base = buf + (size_t)i * size;
			out[nout++].iov_len = hdr[i].msg_len;
			if (newline) {
				out[nout].iov_base = nl;
				out[nout++].iov_len = 1;
			}
		}
		write_all(ofd, out, nout);
		done += n;
	}
	if (ofd != STDOUT_FILENO && close(ofd) == -1)
		err(1, "close %s", outfile);
	free(buf);
	if (close(fd) == -1)
		err(1, "close");
	return 0;
}
