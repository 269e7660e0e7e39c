/*
 * rawsend - the raw C sending end of the sink benchmark.
 *
 * rawsend mmsg|sendto PATH < FILE
 *
 * Reads standard input in 1 MiB blocks and sends one datagram per line (the
 * newline is not sent; a last line without one is still sent) to the socket
 * bound at PATH.  mmsg: connect(2) once, then sendmmsg(2) batches of up to
 * 64 datagrams.  sendto: sendto(2) with the address on every datagram, as
 * an unconnected sender must.  Blocking: a full queue makes it wait, so
 * nothing is lost.  Exit 0 when every line went, 1 on any error.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH	64
#define BLOCK	(1024 * 1024)

struct sender {
	int			 fd;
	int			 connected;
	struct sockaddr_un	 sun;
	struct iovec		 iov[BATCH];
	int			 n;
	unsigned long long	 sent;
};

static void usage(void) __attribute__((__noreturn__));
static void flush(struct sender *);
static void add(struct sender *, char *, size_t);

/* Print the synopsis and exit 1. */
static void
usage(void)
{
	fprintf(stderr, "usage: rawsend mmsg|sendto path < file\n");
	exit(1);
}

/* Send the queued datagrams, all of them, blocking as needed. */
static void
flush(struct sender *s)
{
	struct mmsghdr hdr[BATCH];
	ssize_t w;
	int done = 0, i, r;

	if (!s->connected) {
		for (i = 0; i < s->n; i++) {
			do
				w = sendto(s->fd, s->iov[i].iov_base,
				    s->iov[i].iov_len, MSG_NOSIGNAL,
				    (struct sockaddr *)&s->sun, sizeof(s->sun));
			while (w == -1 && errno == EINTR);
			if (w == -1)
				err(1, "sendto (after %llu)", s->sent);
			s->sent++;
		}
		s->n = 0;
		return;
	}
	memset(hdr, 0, sizeof(hdr[0]) * (size_t)s->n);
	for (i = 0; i < s->n; i++) {
		hdr[i].msg_hdr.msg_iov = &s->iov[i];
		hdr[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < s->n) {
		r = sendmmsg(s->fd, hdr + done, (unsigned int)(s->n - done),
		    MSG_NOSIGNAL);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			err(1, "sendmmsg (after %llu)", s->sent);
		}
		done += r;
		s->sent += (unsigned long long)r;
	}
	s->n = 0;
}

/* Queue one datagram; the bytes must stay put until the next flush. */
static void
add(struct sender *s, char *p, size_t len)
{
	s->iov[s->n].iov_base = p;
	s->iov[s->n].iov_len = len;
	if (++s->n == BATCH)
		flush(s);
}

int
main(int argc, char *argv[])
{
	struct sender s;
	char *buf, *p, *end, *nl;
	size_t have = 0;
	ssize_t r;

	if (argc != 3)
		usage();
	memset(&s, 0, sizeof(s));
	if (strcmp(argv[1], "mmsg") == 0)
		s.connected = 1;
	else if (strcmp(argv[1], "sendto") != 0)
		usage();
	s.sun.sun_family = AF_UNIX;
	if (strlen(argv[2]) >= sizeof(s.sun.sun_path))
		errx(1, "%s: path too long", argv[2]);
	memcpy(s.sun.sun_path, argv[2], strlen(argv[2]) + 1);
	if ((s.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (s.connected && connect(s.fd, (struct sockaddr *)&s.sun,
	    sizeof(s.sun)) == -1)
		err(1, "connect %s", argv[2]);
	if ((buf = malloc(BLOCK)) == NULL)
		err(1, "malloc");

	for (;;) {
		r = read(STDIN_FILENO, buf + have, BLOCK - have);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			err(1, "read");
		}
		if (r == 0)
			break;
		have += (size_t)r;
		p = buf;
		end = buf + have;
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			add(&s, p, (size_t)(nl - p));
			p = nl + 1;
		}
		/* The iovecs point into buf: send before moving the tail. */
		flush(&s);
		have = (size_t)(end - p);
		if (have == BLOCK)
			errx(1, "line longer than %d bytes", BLOCK);
		memmove(buf, p, have);
	}
	if (have > 0) {
		add(&s, buf, have);
		flush(&s);
	}
	free(buf);
	if (close(s.fd) == -1)
		err(1, "close");
	return 0;
}
