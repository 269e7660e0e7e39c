/*
 * listen-spawn.c - posix_spawn(3) of the shell: no fork of a large
 * listener, and nothing between fork and exec to get wrong.
 */
#include "config.h"

#include <spawn.h>
#include <string.h>
#include <unistd.h>

#include "listen-spawn.h"

/* posix_spawn /bin/sh -c command; 0 or an errno value. */
int
spawn_sh(char *command, int in, int out, const sigset_t *mask,
    const sigset_t *sigdefault, char *const env[], pid_t *pid)
{
	char sh[] = "sh", dash_c[] = "-c";
	char *argv[] = { sh, dash_c, command, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	int e;

	if ((e = posix_spawnattr_init(&sa)) != 0)
		return e;
	if ((e = posix_spawn_file_actions_init(&fa)) != 0) {
		(void)posix_spawnattr_destroy(&sa);
		return e;
	}
	if ((e = posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (e = posix_spawnattr_setpgroup(&sa, 0)) == 0 &&
	    (e = posix_spawnattr_setsigmask(&sa, mask)) == 0 &&
	    (e = posix_spawnattr_setsigdefault(&sa, sigdefault)) == 0 &&
	    (e = posix_spawn_file_actions_adddup2(&fa, in,
	    STDIN_FILENO)) == 0 &&
	    (e = posix_spawn_file_actions_adddup2(&fa, out,
	    STDOUT_FILENO)) == 0)
		e = posix_spawn(pid, "/bin/sh", &fa, &sa, argv, env);
	(void)posix_spawn_file_actions_destroy(&fa);
	(void)posix_spawnattr_destroy(&sa);
	return e;
}
