/*
 * consumer.c - a program that knows libudg only through <udg.h> and
 * pkg-config, built against the installed library by installed-consumer.sh.
 * A server and a client in one process: ask, answer, and show the
 * credentials the kernel attached.  Prints what it saw; exits non-zero on
 * any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <udg.h>

static int
fail(const char *what)
{
	fprintf(stderr, "consumer: %s: %s\n", what, strerror(errno));
	return 1;
}

int
main(int argc, char *argv[])
{
	struct udg *srv, *cli;
	struct udg_msg m;
	char buf[64];
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: consumer server-path client-path\n");
		return 2;
	}
	if ((srv = udg_server(argv[1], 0600, 0)) == NULL)
		return fail("udg_server");
	if ((cli = udg_client(argv[2], 0)) == NULL)
		return fail("udg_client");
	if (udg_sendto(cli, argv[1], "hello", 5) == -1)
		return fail("udg_sendto");
	if (udg_wait(srv, 5000, NULL) != 1)
		return fail("udg_wait server");
	memset(&m, 0, sizeof(m));
	m.buf = buf;
	m.size = sizeof(buf) - 1;
	if ((n = udg_recv(srv, &m)) == -1)
		return fail("udg_recv server");
	buf[m.len] = '\0';
	printf("server got \"%s\" from %s pid=%ld uid=%ld gid=%ld\n", buf,
	    m.peer_type == UDG_PEER_PATH ? m.peer : "(unbound)",
	    (long)m.pid, (long)m.uid, (long)m.gid);
	if (m.pid != getpid())
		return fail("credentials");
	if (udg_reply(srv, &m, "hello back", 10) == -1)
		return fail("udg_reply");
	if (udg_wait(cli, 5000, NULL) != 1)
		return fail("udg_wait client");
	memset(&m, 0, sizeof(m));
	m.buf = buf;
	m.size = sizeof(buf) - 1;
	if (udg_recv(cli, &m) == -1)
		return fail("udg_recv client");
	buf[m.len] = '\0';
	printf("client got \"%s\" from %s\n", buf, m.peer);
	if (udg_close(cli) == -1 || udg_close(srv) == -1)
		return fail("udg_close");
	printf("version %s\n", UDG_VERSION);
	return 0;
}
