/*
 * benchlib.h - what the benchmark programs share: strict numbers from the
 * command line and plain bound datagram sockets.  Errors exit(1).
 */
#ifndef UDG_BENCHLIB_H
#define UDG_BENCHLIB_H

#include <sys/socket.h>
#include <sys/un.h>

/* A decimal number in [lo, hi], or exit naming what it was for. */
long	bench_number(const char *s, long lo, long hi, const char *what);

/* Fill a Unix socket address for path (exit if it does not fit). */
void	bench_set_sun(struct sockaddr_un *sun, const char *path);

/* A plain datagram socket bound at path. */
int	bench_bind(const char *path);

#endif /* UDG_BENCHLIB_H */
