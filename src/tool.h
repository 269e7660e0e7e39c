/*
 * tool.h - what udg-send and udg-listen share: exit codes, messages,
 * escaping of names, the socket operand, clocks and receive buffers.
 * The output buffer and option parsing have headers of their own,
 * included here for both tools.
 */
#ifndef UDG_TOOL_H
#define UDG_TOOL_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "udg.h"
#include "tool-out.h"
#include "tool-parse.h"

/* Longest escaped form of a socket path, for messages (4 per byte + NUL). */
#define TOOL_VISPATH	(4 * 108 + 1)

/*
 * Give each closed standard descriptor /dev/null, so that no socket or
 * file opened later takes its number (and gets our output or our
 * diagnostics); closed[fd] says which were.  -1 if one could not be.
 */
int	tool_std_fds(int closed[3]);

/* sysexits.h code for errno value e (see EXIT STATUS in the man pages). */
int	tool_exitcode(int e);

/* The same for udg_server(): ENOENT, ENOTDIR, EROFS are "cannot create", 73. */
int	tool_bind_exitcode(int e);

/*
 * A bind of path (shown as pre and vpath) failed with e: when the cause
 * can be named better than strerror(e) does (a live socket, a file that
 * is not a socket, the directory, the lock file), say it and exit with
 * 73 (EX_CANTCREAT) or tool_bind_exitcode(); else return.
 */
void	tool_bind_blame(const char *pre, const char *path, const char *vpath,
	    int e);

/* Complain about getopt's ch (':' or '?') for argv; opterr must be 0. */
void	tool_badopt(int ch, char *const argv[]);

/* Print "PROG VERSION" to stdout and exit 0. */
void	tool_version(void) __attribute__((__noreturn__));

/* Escape untrusted bytes for a message; returns buf, always terminated. */
const char *tool_vis(char *buf, size_t size, const char *s, size_t len);

/*
 * The sender of m, escaped, for messages: its path, or '@' and its
 * abstract name, or "an unbound socket".
 */
const char *tool_peer_name(char *buf, size_t size, const struct udg_msg *m);

/*
 * Check the socket operand: exit 64 with a message if it is empty or
 * longer than UDG_PATH_MAX; else its escaped form into vis[TOOL_VISPATH].
 */
void	tool_socket_operand(const char *path, char *vis, size_t size);

/* Monotonic clock in milliseconds, and in microseconds. */
int64_t	tool_now_ms(void);
int64_t	tool_now_us(void);

/*
 * --spin: how long a tool polls without sleeping, in microseconds, while
 * datagrams flow.  The default, TOOL_SPIN_US, holds only where at least
 * two CPUs may run us: on one, a spin only keeps the peer from running.
 */
#define TOOL_SPIN_US	50
#define TOOL_SPIN_MAX	10000
int	tool_spin_default(void);

/* Largest datagram any unprivileged local sender can send us. */
size_t	tool_max_recv(void);

/* n receive buffers of size bytes each, paid for only when touched. */
void	*tool_slots_alloc(size_t n, size_t size);

/* Give back the pages of slot beyond keep bytes once used went past it. */
void	 tool_slot_trim(void *slot, size_t size, size_t used, size_t keep);

#endif /* UDG_TOOL_H */
