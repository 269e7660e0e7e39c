/*
 * listen-spawn.h - start "/bin/sh -c COMMAND" for udg-listen: in a
 * process group of its own (so that a signal reaches whatever the shell
 * starts), with the caller's signal mask and default dispositions, and
 * the given fds as its standard input and output.
 */
#ifndef UDG_LISTEN_SPAWN_H
#define UDG_LISTEN_SPAWN_H

#include <signal.h>
#include <sys/types.h>

/*
 * Spawn command (posix_spawn's argv is not const) with in and out as fds
 * 0 and 1 and environment env; its pid (also its process group) into
 * *pid.  0, or an errno value.
 */
int	spawn_sh(char *command, int in, int out, const sigset_t *mask,
	    const sigset_t *sigdefault, char *const env[], pid_t *pid);

#endif /* UDG_LISTEN_SPAWN_H */
