/*
 * benchlib.c - helpers the benchmark programs share (see benchlib.h).
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "benchlib.h"

/* A decimal number in [lo, hi], or exit naming what it was for. */
long
bench_number(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		errx(1, "bad %s: %s", what, s);
	return v;
}

/* Fill a Unix socket address for path. */
void
bench_set_sun(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		errx(1, "%s: path too long", path);
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

/* A plain datagram socket bound at path. */
int
bench_bind(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	bench_set_sun(&sun, path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		err(1, "bind %s", path);
	return fd;
}
