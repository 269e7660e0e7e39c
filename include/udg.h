/*
 * udg.h - local messaging over Unix-domain datagram sockets.
 *
 * Every endpoint binds a filesystem path, so every datagram it sends can be
 * answered.  Every datagram received carries the sender's pid, uid and gid as
 * the kernel reports them.  Failure is -1 (or NULL) with errno set; the
 * library never prints and never exits.  See libudg(3).
 */
#ifndef UDG_H
#define UDG_H

#include <sys/types.h>
#include <sys/uio.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(UDG_BUILDING) && defined(__GNUC__)
#define UDG_API __attribute__((visibility("default")))
#else
#define UDG_API
#endif

#define UDG_VERSION		"0.2.0"

/* Longest path an endpoint can bind (sun_path less its NUL, Linux). */
#define UDG_PATH_MAX		107

/*
 * Flags for udg_server() and udg_client().  udg_flags() tells which of
 * them the running kernel granted; the rest degrade as udg_identity(3)
 * describes, never fail the call.
 */
#define UDG_NONBLOCK		0x0001	/* send/receive fail with EAGAIN */
#define UDG_PIDFD		0x0002	/* a pidfd of each sender (Linux 6.5) */
#define UDG_TIMESTAMP		0x0004	/* the kernel's arrival time */
#define UDG_REFUSE_FDS		0x0008	/* senders of fds get EPERM (6.16) */

/* udg_msg.flags: what udg_recv() noticed about a datagram. */
#define UDG_MSG_TRUNC		0x0001	/* longer than buf: see reallen */
#define UDG_MSG_CTRUNC		0x0002	/* control data did not fit */
#define UDG_MSG_FDS		0x0004	/* it carried fds; they were closed */
#define UDG_MSG_NOCRED		0x0008	/* no credentials; pid/uid/gid are -1 */
#define UDG_MSG_UNPINNED	0x0010	/* no pidfd: pid may name another */
#define UDG_MSG_KTIME		0x0020	/* time is the kernel's arrival time */

/* udg_msg.peer_type: who sent it. */
#define UDG_PEER_NONE		0	/* unbound sender: cannot be answered */
#define UDG_PEER_PATH		1	/* peer is a filesystem path */
#define UDG_PEER_ABSTRACT	2	/* peer is a Linux abstract name */

struct udg;

/*
 * One datagram.  The caller sets buf and size; udg_recv() fills the rest.
 * The sender's address is kept so that udg_reply() can answer it.
 *
 * ABI rule: sizeof(struct udg_msg) is fixed for the life of the library's
 * major version (256 bytes on LP64), so arrays passed to udg_recvv() keep
 * their stride.  New members take their room from reserved, at the end;
 * nothing is ever moved or resized.  A caller zeroes the whole message
 * before first use (udg_msg_init(), memset or "= { 0 }"): a member added
 * later as an input then reads as its default, 0.  Output members are
 * written by every receive, whatever the caller's header knew of them.
 */
struct udg_msg {
	void	*buf;		/* in: where the payload goes */
	size_t	 size;		/* in: room in buf */
	size_t	 len;		/* out: bytes stored in buf */
	size_t	 reallen;	/* out: length of the datagram as sent */
	int	 flags;		/* out: UDG_MSG_* */
	pid_t	 pid;		/* out: sender's credentials (kernel) */
	uid_t	 uid;
	gid_t	 gid;
	int	 peer_type;	/* out: UDG_PEER_* */
	size_t	 peer_len;	/* out: bytes in peer (may hold NULs) */
	char	 peer[UDG_PATH_MAX + 1];	/* out: NUL-terminated unless
					   peer_len is UDG_PATH_MAX + 1 */
	int	 pidfd;		/* out: sender's pidfd (UDG_PIDFD) or -1 */
	struct timespec time;	/* out: arrival, real time (UDG_TIMESTAMP) */
	uint64_t recvgen;	/* library's: which receive filled this */
	uint64_t reserved[7];	/* room to grow: zero, do not use */
};

/* udg_ident.flags: how much udg_identity() could vouch for. */
#define UDG_ID_PINNED		0x0001	/* a pidfd proved it is the sender's */
#define UDG_ID_GONE		0x0002	/* the sender exited before read */
#define UDG_ID_CACHED		0x0004	/* served from the endpoint's cache */
#define UDG_ID_TRUNC		0x0008	/* cmdline cut at UDG_ID_CMDLINE_MAX */
#define UDG_ID_GUESSED		0x0010	/* by pid alone (UDG_IDENT_GUESS) */
#define UDG_ID_NESTED		0x0020	/* below our pid ns, not ours to vouch */

/* Flags for udg_identity(). */
#define UDG_IDENT_GUESS		0x0001	/* no pidfd: read by pid anyway */

/* Longest command line udg_identity() reports, in bytes. */
#define UDG_ID_CMDLINE_MAX	4096

/*
 * Who sent a datagram, read from /proc.  Allocated and owned by the
 * endpoint, read-only for the caller and never allocated or copied by it,
 * so members can be appended without breaking compiled callers.  A NULL
 * string is unknown.
 */
struct udg_ident {
	int		 flags;		/* UDG_ID_* */
	pid_t		 pid;		/* the pid the strings belong to */
	const char	*comm;		/* command name, /proc/PID/comm */
	const char	*exe;		/* executable, /proc/PID/exe */
	const char	*cmdline;	/* arguments joined by spaces */
	const char	*cgroup;	/* cgroup v2 path */
	const char	*unit;		/* systemd unit named by the cgroup */
};

/* Endpoints. */
UDG_API struct udg	*udg_server(const char *path, int mode, int flags);
UDG_API struct udg	*udg_client(const char *path, int flags);
UDG_API int		 udg_close(struct udg *u);
UDG_API int		 udg_fd(const struct udg *u);
UDG_API const char	*udg_path(const struct udg *u);
UDG_API int		 udg_set_nonblock(struct udg *u, int on);
UDG_API int		 udg_set_perm(struct udg *u, int mode, uid_t uid,
			    gid_t gid);
UDG_API ssize_t		 udg_max_datagram(const struct udg *u);
UDG_API int		 udg_flags(const struct udg *u);
UDG_API struct udg	*udg_server_fd(int fd, const char *path, int flags);

/* Sending. */
UDG_API int		 udg_sendto(struct udg *u, const char *path,
			    const void *buf, size_t len);
UDG_API int		 udg_connect(struct udg *u, const char *path);
UDG_API int		 udg_send(struct udg *u, const void *buf, size_t len);
UDG_API int		 udg_sendv(struct udg *u, const struct iovec *dgrams,
			    int n);
UDG_API int		 udg_reply(struct udg *u, const struct udg_msg *to,
			    const void *buf, size_t len);

/* Receiving. */
UDG_API ssize_t		 udg_recv(struct udg *u, struct udg_msg *m);
UDG_API int		 udg_recvv(struct udg *u, struct udg_msg *m, int n);
UDG_API int		 udg_wait(struct udg *u, int timeout_ms,
			    const sigset_t *sigmask);
UDG_API void		 udg_msg_init(struct udg_msg *m, void *buf,
			    size_t size);
UDG_API int		 udg_pidfd_take(struct udg *u, struct udg_msg *m);

/* Sender identity. */
UDG_API const struct udg_ident *udg_identity(struct udg *u,
			    const struct udg_msg *m, int flags);

#ifdef __cplusplus
}
#endif

#endif /* UDG_H */
