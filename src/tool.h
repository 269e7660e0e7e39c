/*
 * tool.h - what udg-send and udg-listen share: exit codes, strict option
 * parsing, signals, buffered output, receive buffers.
 */
#ifndef UDG_TOOL_H
#define UDG_TOOL_H

#include <sys/types.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Longest escaped form of a socket path, for messages (4 per byte + NUL). */
#define TOOL_VISPATH	(4 * 108 + 1)

/* Set by the handlers that tool_signals_block() installs. */
extern volatile sig_atomic_t tool_sig_stop;	/* SIGINT, SIGTERM */
extern volatile sig_atomic_t tool_sig_hup;	/* SIGHUP */

/* sysexits.h code for errno value e (see EXIT STATUS in the man pages). */
int	tool_exitcode(int e);

/* The same for udg_server(): ENOENT/ENOTDIR are "cannot create", 73. */
int	tool_bind_exitcode(int e);

/* Complain about getopt's ch (':' or '?') for argv; opterr must be 0. */
void	tool_badopt(int ch, char *const argv[]);

/* Print "PROG VERSION" to stdout and exit 0. */
void	tool_version(void) __attribute__((__noreturn__));

/* Strict "SECONDS" (decimal, fractions allowed) into milliseconds. */
int	tool_parse_seconds(const char *, int *, const char **);

/* Strict decimal count in [1, LLONG_MAX]. */
int	tool_parse_count(const char *, unsigned long long *, const char **);

/* Strict octal file mode (at most 07777). */
int	tool_parse_mode(const char *, int *, const char **);

/* One user or group (name or number); -1 and *errstr if unknown. */
int	tool_parse_uid(const char *, uid_t *, const char **);
int	tool_parse_gid(const char *, gid_t *, const char **);

/* A comma list of users or groups, appended to *list (reallocarray). */
int	tool_parse_idlist(const char *, int group, uint32_t **list,
	    size_t *n, const char **bad);

/* 1 if id is in list[0, n). */
int	tool_id_in(uint32_t id, const uint32_t *list, size_t n);

/* Escape untrusted bytes for a message; returns buf, always terminated. */
const char *tool_vis(char *buf, size_t size, const char *s, size_t len);

/* Monotonic clock in milliseconds. */
int64_t	tool_now_ms(void);

/* Sleep ms milliseconds (a signal may cut it short). */
void	tool_sleep_ms(int ms);

/*
 * Block SIGINT, SIGTERM and SIGHUP (their handlers set tool_sig_stop /
 * tool_sig_hup), ignore SIGPIPE, and fill *waitmask with the old mask less
 * those three: the mask to pass to udg_wait() so they arrive only there.
 */
int	tool_signals_block(sigset_t *waitmask);

/* Put back the signal mask and dispositions for a child about to exec. */
void	tool_signals_child(void);

/*
 * On SIGINT, SIGTERM or SIGHUP, unlink path (and path.lock) if it is still
 * the file it is now, then die of the signal.  Async-signal-safe.
 */
int	tool_unlink_on_signal(const char *path);

/* Buffered output to a file descriptor; write errors are kept in err. */
struct tool_out {
	int	 fd;
	int	 err;		/* errno of the first failed write, or 0 */
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

int	tool_out_init(struct tool_out *, int fd, size_t cap);
void	tool_out_free(struct tool_out *);
int	tool_out_flush(struct tool_out *);
int	tool_out_put(struct tool_out *, const void *, size_t);
int	tool_out_putc(struct tool_out *, char);
int	tool_out_printf(struct tool_out *, const char *, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
/* Free space in the buffer, flushing first if it has less than min. */
char	*tool_out_room(struct tool_out *, size_t min, size_t *room);

/* Largest datagram any unprivileged local sender can send us. */
size_t	tool_max_recv(void);

/* n receive buffers of size bytes each, paid for only when touched. */
void	*tool_slots_alloc(size_t n, size_t size);
void	 tool_slots_free(void *, size_t n, size_t size);

/* Give back the pages of slot beyond keep bytes once used went past it. */
void	 tool_slot_trim(void *slot, size_t size, size_t used, size_t keep);

#endif /* UDG_TOOL_H */
