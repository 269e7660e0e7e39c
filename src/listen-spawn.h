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

/* What a -e command and the -E worker share: how to run it and end it. */
struct spawn_conf {
	const char	*command;	/* for /bin/sh -c */
	int		 timeout_ms;	/* time limit; 0: none */
	int		 kill_grace_ms;	/* SIGTERM to SIGKILL */
	const sigset_t	*childmask;	/* signal mask for the child */
	const sigset_t	*childdefault;	/* signals it gets as SIG_DFL */
};

/*
 * Spawn command (posix_spawn's argv is not const) with in and out as fds
 * 0 and 1 and environment env; its pid (also its process group) into
 * *pid.  0, or an errno value.
 */
int	spawn_sh(char *command, int in, int out, const sigset_t *mask,
	    const sigset_t *sigdefault, char *const env[], pid_t *pid);

#endif /* UDG_LISTEN_SPAWN_H */
