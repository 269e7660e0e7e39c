/*
 * activate.h - socket activation: take the sockets a service manager
 * passed (LISTEN_PID, LISTEN_FDS, from fd 3 on) instead of binding them.
 */
#ifndef UDG_ACTIVATE_H
#define UDG_ACTIVATE_H

#include <stddef.h>

#include "udg.h"

/* The first passed descriptor (sd_listen_fds(3)'s SD_LISTEN_FDS_START). */
#define ACT_FDS_START	3

/*
 * If LISTEN_PID names this process, adopt the LISTEN_FDS sockets as
 * endpoints: each must be an AF_UNIX datagram socket bound to exactly one
 * of paths[0, n), and each path must get one.  out[i] is the endpoint for
 * paths[i].  The LISTEN_* variables are unset in every case, so commands
 * the caller runs do not mistake them for their own.  Returns 1 if the
 * sockets were adopted, 0 if none were passed to this process, and -1
 * with a message in why (escaped, naming the fd and the path) on any
 * mismatch; nothing is adopted then.
 */
int	act_adopt(const char *const *paths, size_t n, int flags,
	    struct udg **out, char *why, size_t whysize);

#endif /* UDG_ACTIVATE_H */
