/*
 * ident.c - naming the sender of a datagram from /proc, without ever
 * naming the wrong process.
 *
 * /proc/PID names whatever process has PID now: once the sender exits its
 * pid can be reused.  A pidfd (UDG_PIDFD) pins the process instead: read
 * /proc/PID, then ask the pidfd whether its process still exists.  If it
 * does, it held PID during the reads (a live process keeps its pid), so
 * the strings are its own; if not, they are dropped and the answer is
 * "gone".  A flood from one sender should not cost a dozen system calls a
 * datagram, so answers are cached for a second, keyed by the pidfd's
 * inode: on pidfs (Linux 6.9) every process has its own inode for the
 * boot's lifetime, so a reused pid never hits an old entry.  Older
 * kernels give every pidfd the same inode: no cache there.
 *
 * Even the fstat(2) that finds the inode is saved for a repeat sender:
 * the endpoint keeps a pidfd of the last sender seen twice in a row, of
 * pid P, from datagram d0.  A later receive's datagram d1 with pid P is
 * from that same process if, after that receive, the process still
 * exists (checked once a receive).  It has held P from its birth until
 * now; had d1's sender been another process, that one would have held P
 * when it sent d1, so before this one was born, so before d0 was sent,
 * and the socket's queue, first in first out, would have given d1
 * first.  Only one queue is involved: the cache is the endpoint's.
 *
 * The pid in the credentials is in the receiver's pid namespace, but
 * /proc counts in the namespace of whoever mounted it, which need not be
 * the receiver's (a container's /proc, unshare -p without a new mount):
 * there /proc/PID is another process.  The pidfd's fdinfo, read through
 * that same /proc, gives the pid the process has in it; only when that is
 * PID does /proc/PID name the sender.
 *
 * The kernel lets a sender put in its credentials the pid of any process
 * of its pid namespace if it has CAP_SYS_ADMIN over that namespace, and
 * the pidfd then pins that process.  In the receiver's namespace that
 * takes privilege; but anyone may make a pid namespace of their own
 * (unshare -Urpf) and hold that capability there.  So a process in a pid
 * namespace below the receiver's may be named by someone else's claim:
 * it is not vouched for, unless every namespace between is owned by the
 * receiver's user namespace: a claim there takes CAP_SYS_ADMIN in that,
 * as in the receiver's own pid namespace (root's containers).  fdinfo's
 * NSpid lists its pid in every namespace from that of /proc (the
 * receiver's, as its Pid matched) down.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include "udg-int.h"

#define CACHE_SLOTS	64	/* senders remembered per endpoint */
#define CACHE_TTL_MS	1000	/* how stale an answer may be (exec, moves) */
#define PIDFS_MAGIC	0x50494446
#define COMM_MAX	64
#define CGROUP_MAX	4096

/* One answer and the strings it points into. */
struct entry {
	struct udg_ident rec;
	ino_t		 ino;		/* the pidfd's inode; 0: empty */
	int64_t		 born;		/* when read, ms on the coarse clock */
	char		*text;
};

/* What /proc said, before it is known whom it describes. */
struct reading {
	char	 comm[COMM_MAX];
	char	 exe[PATH_MAX];
	char	 cmdline[UDG_ID_CMDLINE_MAX + 1];
	char	 cgroup[CGROUP_MAX];
	char	 unit[NAME_MAX + 1];
	int	 comm_read;	/* comm was read: "" is a name (PR_SET_NAME) */
	int	 trunc;
};

struct udgi_idcache {
	int		 pidfs;		/* -1 not yet known, 0 no, 1 yes */
	int		 nosignal;	/* pidfd_send_signal(2) is ENOSYS */
	ino_t		 last_ino;	/* the sender read last */
	int		 keep_fd;	/* a repeat sender's pidfd, or -1 */
	pid_t		 keep_pid;
	ino_t		 keep_ino;
	uint64_t	 keep_gen;	/* the receive it came from */
	uint64_t	 live_gen;	/* the receive after which it lived */
	struct entry	 slot[CACHE_SLOTS];
	struct entry	 once;		/* an answer that is not cached */
	struct udg_ident none;		/* unknown */
	struct reading	 rd;
};

/* Milliseconds on a cheap monotonic clock (no system call). */
static int64_t
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Forget an answer. */
static void
clear(struct entry *e)
{
	free(e->text);
	memset(e, 0, sizeof(*e));
}

/* Let go of the repeat sender's pidfd. */
static void
unkeep(struct udgi_idcache *c)
{
	if (c->keep_fd != -1)
		(void)close(c->keep_fd);
	c->keep_fd = -1;
	c->keep_ino = 0;
}

/* Free the endpoint's identity cache, if it made one. */
void
udgi_ident_free(struct udg *u)
{
	int i;

	if (u->idcache == NULL)
		return;
	for (i = 0; i < CACHE_SLOTS; i++)
		clear(&u->idcache->slot[i]);
	clear(&u->idcache->once);
	unkeep(u->idcache);
	free(u->idcache);
	u->idcache = NULL;
}

/*
 * Read up to size - 1 bytes of dirfd/name, NUL-terminated: the length, or
 * -1.  *more is set when the file held more than that.
 */
static ssize_t
read_small(int dirfd, const char *name, char *buf, size_t size, int *more)
{
	size_t len = 0;
	ssize_t r;
	char extra;
	int fd;

	*more = 0;
	buf[0] = '\0';
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	while (len < size - 1) {
		r = read(fd, buf + len, size - 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (len == size - 1 && read(fd, &extra, 1) == 1)
		*more = 1;
	(void)close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* The command line: arguments joined by spaces, at most the bound. */
static void
read_cmdline(int dirfd, struct reading *rd)
{
	ssize_t n, i;

	n = read_small(dirfd, "cmdline", rd->cmdline, sizeof(rd->cmdline),
	    &rd->trunc);
	if (n <= 0) {
		rd->cmdline[0] = '\0';
		return;
	}
	if (rd->cmdline[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (rd->cmdline[i] == '\0')
			rd->cmdline[i] = ' ';
	rd->cmdline[n] = '\0';
}

/*
 * The unified (v2) cgroup path from /proc/PID/cgroup ("0::PATH"), or on
 * a v1 system the one systemd keeps ("N:name=systemd:PATH").
 */
static void
read_cgroup(int dirfd, struct reading *rd)
{
	char *line, *next, *path = NULL, *v1;
	int more;

	if (read_small(dirfd, "cgroup", rd->cgroup, sizeof(rd->cgroup),
	    &more) <= 0 || more) {
		rd->cgroup[0] = '\0';
		return;
	}
	for (line = rd->cgroup; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "0::", 3) == 0) {
			path = line + 3;
			break;
		}
		if ((v1 = strstr(line, ":name=systemd:")) != NULL)
			path = v1 + strlen(":name=systemd:");
	}
	if (path == NULL)
		rd->cgroup[0] = '\0';
	else
		memmove(rd->cgroup, path, strlen(path) + 1);
}

/* Does s (n bytes) end in suffix, with a name before it? */
static int
ends_in(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/*
 * The systemd unit a cgroup path names: its deepest NAME.service or
 * NAME.scope component, so that a user's unit under user@UID.service wins.
 */
static void
find_unit(struct reading *rd)
{
	const char *p = rd->cgroup, *end;
	size_t n;

	while (*p != '\0') {
		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		n = (size_t)(end - p);
		if (n < sizeof(rd->unit) && (ends_in(p, n, ".service") ||
		    ends_in(p, n, ".scope"))) {
			memcpy(rd->unit, p, n);
			rd->unit[n] = '\0';
		}
		p = end;
	}
}

/* Empty every string of rd: nothing known. */
static void
forget(struct reading *rd)
{
	rd->comm[0] = rd->exe[0] = rd->cmdline[0] = '\0';
	rd->cgroup[0] = rd->unit[0] = '\0';
	rd->comm_read = rd->trunc = 0;
}

/* How many pid namespaces below the first an NSpid line goes. */
static int
nested(const char *buf)
{
	const char *p;
	int n = 0;

	/* A kernel without pid namespaces has no NSpid: one level. */
	if ((p = strstr(buf, "\nNSpid:")) == NULL)
		return 0;
	p += strlen("\nNSpid:");
	for (p += strspn(p, "\t "); *p != '\0' && *p != '\n'; n++) {
		p += strcspn(p, "\t \n");
		p += strspn(p, "\t ");
	}
	return n > 0 ? n - 1 : 0;
}

/*
 * The pid the pidfd's process has in the pid namespace of /proc, from its
 * fdinfo there ("Pid:"): 0 when it has none there, -1 once it is gone,
 * and 0 too when fdinfo cannot be read (nothing can be vouched for).
 * *below is how many pid namespaces below that one it lives.
 */
static pid_t
proc_pid(int pidfd, int *below)
{
	char name[48], buf[512], *p;
	long v;
	int more;

	*below = 0;
	(void)snprintf(name, sizeof(name), "/proc/self/fdinfo/%d", pidfd);
	if (read_small(AT_FDCWD, name, buf, sizeof(buf), &more) <= 0)
		return 0;
	if ((p = strstr(buf, "\nPid:")) == NULL)
		return 0;
	v = strtol(p + strlen("\nPid:"), NULL, 10);
	*below = nested(buf);
	return v < 0 ? -1 : v > INT_MAX ? 0 : (pid_t)v;
}

/* 1 if the namespace at fd is owned by the user namespace with *mine. */
static int
owned_by(int fd, const struct stat *mine)
{
	struct stat st;
	int ufd, r;

	if ((ufd = ioctl(fd, NS_GET_USERNS)) == -1)
		return 0;
	r = fstat(ufd, &st) == 0 && st.st_dev == mine->st_dev &&
	    st.st_ino == mine->st_ino;
	(void)close(ufd);
	return r;
}

/*
 * 1 if pid's pid namespace, and each above it up to ours (below levels
 * in all), is owned by our user namespace; 0 if not, or cannot be told
 * (its namespaces may not be ours to look at).  Read through /proc/PID,
 * so only worth as much as the alive() check after it.
 */
static int
owned_below(pid_t pid, int below)
{
	char path[48];
	struct stat mine;
	int fd, up, ok = 1;

	if (stat("/proc/self/ns/user", &mine) == -1)
		return 0;
	(void)snprintf(path, sizeof(path), "/proc/%ld/ns/pid", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	while (ok && below-- > 0) {
		if (!(ok = owned_by(fd, &mine)) || below == 0)
			break;
		up = ioctl(fd, NS_GET_PARENT);
		(void)close(fd);
		if ((fd = up) == -1)
			return 0;
	}
	(void)close(fd);
	return ok;
}

/* Read what /proc says about pid into rd; unreadable parts stay empty. */
static void
read_proc(struct reading *rd, pid_t pid)
{
	char dir[32];
	ssize_t n;
	int dfd, more;

	forget(rd);
	(void)snprintf(dir, sizeof(dir), "/proc/%ld", (long)pid);
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if ((n = read_small(dfd, "comm", rd->comm, sizeof(rd->comm),
	    &more)) > 0) {
		rd->comm_read = 1;
		if (rd->comm[n - 1] == '\n')
			rd->comm[n - 1] = '\0';
	}
	n = readlinkat(dfd, "exe", rd->exe, sizeof(rd->exe));
	rd->exe[n > 0 && (size_t)n < sizeof(rd->exe) ? n : 0] = '\0';
	read_cmdline(dfd, rd);
	read_cgroup(dfd, rd);
	find_unit(rd);
	(void)close(dfd);
}

/*
 * Append s to the packed text at *p; the copy, or NULL (unknown) when s
 * is empty and not known to be so.
 */
static const char *
pack(char **p, const char *s, int known)
{
	size_t n = strlen(s);
	char *at = *p;

	if (n == 0 && !known)
		return NULL;
	memcpy(at, s, n + 1);
	*p += n + 1;
	return at;
}

/* Make e the answer rd gives for pid, with flags; -1 on ENOMEM. */
static int
store(struct entry *e, const struct reading *rd, pid_t pid, int flags)
{
	const char *f[] = { rd->comm, rd->exe, rd->cmdline, rd->cgroup,
	    rd->unit };
	size_t i, total = 1;
	char *p;

	clear(e);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		total += strlen(f[i]) + 1;
	if ((e->text = malloc(total)) == NULL)
		return -1;
	p = e->text;
	e->rec.comm = pack(&p, rd->comm, rd->comm_read);
	e->rec.exe = pack(&p, rd->exe, 0);
	e->rec.cmdline = pack(&p, rd->cmdline, 0);
	e->rec.cgroup = pack(&p, rd->cgroup, 0);
	e->rec.unit = pack(&p, rd->unit, 0);
	e->rec.pid = pid;
	e->rec.flags = flags | (rd->trunc ? UDG_ID_TRUNC : 0);
	return 0;
}

/*
 * Does the pidfd's process still exist?  1 yes, 0 gone, -1 cannot tell.
 * Signal 0 checks without sending (EPERM: it exists, but is not ours to
 * signal).  Where that call is missing (emulators such as valgrind; noted
 * once in c), a pidfd polls readable once its process has exited.
 */
static int
alive(struct udgi_idcache *c, int pidfd)
{
	struct pollfd p;
	int r;

	if (!c->nosignal) {
		if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 ||
		    errno == EPERM)
			return 1;
		if (errno != ENOSYS)
			return errno == ESRCH ? 0 : -1;
		c->nosignal = 1;
	}
	p.fd = pidfd;
	p.events = POLLIN;
	p.revents = 0;
	do
		r = poll(&p, 1, 0);
	while (r == -1 && errno == EINTR);
	if (r == -1 || (p.revents & POLLNVAL))
		return -1;
	return r == 0;
}

/* The endpoint's cache, made on first use. */
static struct udgi_idcache *
cache(struct udg *u)
{
	if (u->idcache == NULL) {
		if ((u->idcache = calloc(1, sizeof(*u->idcache))) == NULL)
			return NULL;
		u->idcache->pidfs = -1;
		u->idcache->keep_fd = -1;
	}
	return u->idcache;
}

/* Can pidfd inodes tell processes apart (pidfs)?  Asked once. */
static int
cacheable(struct udgi_idcache *c, int pidfd)
{
	struct statfs sfs;

	if (c->pidfs == -1)
		c->pidfs = fstatfs(pidfd, &sfs) == 0 &&
		    sfs.f_type == PIDFS_MAGIC;
	return c->pidfs;
}

/*
 * The sender read now (pidfd, pid, inode ino) was also the one read last:
 * keep a pidfd of it (see the top of the file).  Alternating senders are
 * not worth the descriptor each.
 */
static void
keep(struct udgi_idcache *c, const struct udg *u, int pidfd, pid_t pid,
    ino_t ino)
{
	int fd;

	if (ino == c->keep_ino || ino != c->last_ino) {
		c->last_ino = ino;
		return;
	}
	/*
	 * Above the numbers a receive's pidfds take (the lowest free), so
	 * that they stay one run for close_range(2); else anywhere.
	 */
	fd = fcntl(pidfd, F_DUPFD_CLOEXEC, pidfd + UDGI_BATCH + 1);
	if (fd == -1 && (fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 0)) == -1)
		return;		/* an optimisation: go without */
	unkeep(c);
	c->keep_fd = fd;
	c->keep_pid = pid;
	c->keep_ino = ino;
	c->keep_gen = u->recvgen;
	c->live_gen = 0;
}

/*
 * m's sender is the kept one, its answer fresh in the cache: that answer,
 * else NULL.  m is from the endpoint's latest receive (lent()).
 */
static const struct udg_ident *
repeat(struct udgi_idcache *c, const struct udg *u, const struct udg_msg *m,
    int64_t now)
{
	struct entry *e;

	if (c->keep_fd == -1 || m->pid != c->keep_pid ||
	    m->recvgen <= c->keep_gen)
		return NULL;
	if (c->live_gen != u->recvgen) {
		if (alive(c, c->keep_fd) != 1) {
			unkeep(c);
			return NULL;
		}
		c->live_gen = u->recvgen;
	}
	e = &c->slot[c->keep_ino % CACHE_SLOTS];
	if (e->ino != c->keep_ino || now - e->born >= CACHE_TTL_MS)
		return NULL;
	e->rec.flags |= UDG_ID_CACHED;
	return &e->rec;
}

/* Name the process behind pidfd (pid in our namespace). */
static const struct udg_ident *
pinned(struct udgi_idcache *c, const struct udg *u, int pidfd, pid_t pid)
{
	struct stat st;
	struct entry *e = &c->once;
	int64_t now = now_ms();
	pid_t seen;
	int below, live;

	if (fstat(pidfd, &st) == -1)
		return NULL;
	if (cacheable(c, pidfd)) {
		keep(c, u, pidfd, pid, st.st_ino);
		e = &c->slot[st.st_ino % CACHE_SLOTS];
		if (e->ino == st.st_ino && now - e->born < CACHE_TTL_MS) {
			e->rec.flags |= UDG_ID_CACHED;
			return &e->rec;
		}
	}
	forget(&c->rd);
	if ((seen = proc_pid(pidfd, &below)) == pid && below > 0 &&
	    owned_below(pid, below))
		below = 0;
	if (seen == pid && below == 0)
		read_proc(&c->rd, pid);
	if ((live = alive(c, pidfd)) != 1 || seen != pid || below > 0) {
		/*
		 * Whatever was read may be another process's, /proc/PID is
		 * not this process at all, or nobody vouches for its pid.
		 */
		forget(&c->rd);
		if (store(e, &c->rd, pid, live == 0 || seen == -1 ?
		    UDG_ID_GONE : below > 0 ? UDG_ID_NESTED : 0) == -1)
			return NULL;
	} else if (store(e, &c->rd, pid, UDG_ID_PINNED) == -1)
		return NULL;
	if (e != &c->once) {
		e->ino = st.st_ino;
		e->born = now;
	}
	return &e->rec;
}

/*
 * Is fd a pidfd the endpoint lent to m in its latest receive?  Any other
 * number may have been closed and reused since.
 */
static int
lent(const struct udg *u, const struct udg_msg *m)
{
	int i;

	if (m->pidfd == -1 || m->recvgen != u->recvgen)
		return 0;
	for (i = 0; i < u->nheld; i++)
		if (u->held[i] == m->pidfd)
			return 1;
	return 0;
}

/*
 * Who sent m: the record of its sender, owned by the endpoint and valid
 * until the next udg_identity() or udg_close() on it; NULL on error.
 */
const struct udg_ident *
udg_identity(struct udg *u, const struct udg_msg *m, int flags)
{
	const struct udg_ident *id;
	struct udgi_idcache *c;

	if ((flags & ~UDG_IDENT_GUESS) != 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((c = cache(u)) == NULL)
		return NULL;
	memset(&c->none, 0, sizeof(c->none));
	c->none.pid = (m->flags & UDG_MSG_NOCRED) ? (pid_t)-1 : m->pid;
	if ((m->flags & UDG_MSG_NOCRED) || m->pid <= 0)
		return &c->none;
	if (lent(u, m)) {
		if ((id = repeat(c, u, m, now_ms())) != NULL)
			return id;
		return pinned(c, u, m->pidfd, m->pid);
	}
	if (!(flags & UDG_IDENT_GUESS))
		return &c->none;
	read_proc(&c->rd, m->pid);
	if (store(&c->once, &c->rd, m->pid, UDG_ID_GUESSED) == -1)
		return NULL;
	return &c->once.rec;
}
