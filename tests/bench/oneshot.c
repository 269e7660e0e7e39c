/*
 * oneshot - the least a program can do to send one datagram: socket(2),
 * sendto(2), exit.  The baseline for "udg-send SOCKET hello".
 *
 * oneshot PATH [MESSAGE]
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_un sun;
	const char *msg = "hello";
	int fd;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: oneshot path [message]\n");
		return 1;
	}
	if (argc == 3)
		msg = argv[2];
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(argv[1]) >= sizeof(sun.sun_path))
		errx(1, "%s: path too long", argv[1]);
	memcpy(sun.sun_path, argv[1], strlen(argv[1]) + 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		err(1, "socket");
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1)
		err(1, "sendto %s", argv[1]);
	return 0;
}
