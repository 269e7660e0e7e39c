/*
 * tool.c - code shared by udg-send and udg-listen.
 *
 * Exit codes are decided here and only here, so that the two tools and
 * their man pages agree.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "tool.h"

volatile sig_atomic_t tool_sig_stop;
volatile sig_atomic_t tool_sig_hup;

/* Map errno e to a sysexits.h code. */
int
tool_exitcode(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
	case ELOOP:
	case ECONNREFUSED:
	case ENOTCONN:
	case EPROTOTYPE:
	case ENOTSOCK:
	case EDESTADDRREQ:
		return EX_UNAVAILABLE;		/* 69: nobody to send to */
	case EMSGSIZE:
		return EX_DATAERR;		/* 65 */
	case EAGAIN:
	case ETIMEDOUT:
		return EX_TEMPFAIL;		/* 75 */
	case EACCES:
	case EPERM:
	case EROFS:
		return EX_NOPERM;		/* 77 */
	case EADDRINUSE:
	case EEXIST:
		return EX_CANTCREAT;		/* 73: the path is taken */
	case ENAMETOOLONG:
	case EINVAL:
		return EX_USAGE;		/* 64: a path that cannot be */
	case ENOMEM:
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
		return EX_OSERR;		/* 71 */
	default:
		return EX_IOERR;		/* 74 */
	}
}

/* Exit code for a failed udg_server()/bind: the path cannot be made. */
int
tool_bind_exitcode(int e)
{
	if (e == ENOENT || e == ENOTDIR || e == ELOOP)
		return EX_CANTCREAT;		/* 73: no directory for it */
	return tool_exitcode(e);
}

/* Report a bad option (getopt returned ch, with opterr = 0). */
void
tool_badopt(int ch, char *const argv[])
{
	char vis[256];
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	(void)tool_vis(vis, sizeof(vis), arg, strlen(arg));
	if (ch == ':' && optopt > 0 && optopt < 256)
		warnx("option -%c needs an argument", optopt);
	else if (ch == ':')
		warnx("option %s needs an argument", vis);
	else if (optopt > 0 && optopt < 256)
		warnx("unknown option -%c", optopt);
	else
		warnx("unknown option %s", vis);
}

/* Print the program's name and version, exit 0. */
void
tool_version(void)
{
	if (printf("%s %s\n", getprogname(), PACKAGE_VERSION) < 0 ||
	    fflush(stdout) == EOF)
		exit(EX_IOERR);
	exit(0);
}

/* Parse non-negative decimal seconds (e.g. "1.5") into milliseconds. */
int
tool_parse_seconds(const char *s, int *ms, const char **errstr)
{
	const char *p;
	char *end;
	double d;

	*errstr = "invalid";
	if (*s == '\0')
		return -1;
	/* Digits and at most one dot: no signs, spaces, hex, inf or nan. */
	for (p = s; *p != '\0'; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return -1;
	if (strchr(s, '.') != strrchr(s, '.') || strcmp(s, ".") == 0)
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(d) || d < 0)
		return -1;
	if (d > (double)(INT_MAX / 1000)) {
		*errstr = "too large";
		return -1;
	}
	d *= 1000.0;
	*ms = (int)d;
	if ((double)*ms < d)
		(*ms)++;		/* round up: never wait less */
	*errstr = NULL;
	return 0;
}

/* Parse a strictly decimal count >= 1. */
int
tool_parse_count(const char *s, unsigned long long *n, const char **errstr)
{
	long long v;

	if (*s < '0' || *s > '9') {
		*errstr = "invalid";
		return -1;
	}
	v = strtonum(s, 1, LLONG_MAX, errstr);
	if (*errstr != NULL)
		return -1;
	*n = (unsigned long long)v;
	return 0;
}

/* Parse an octal mode of at most 07777, digits only. */
int
tool_parse_mode(const char *s, int *mode, const char **errstr)
{
	const char *p;
	long v = 0;

	*errstr = "not an octal mode";
	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '7')
			return -1;
		v = v * 8 + (*p - '0');
	}
	if (v > 07777) {
		*errstr = "too large";
		return -1;
	}
	*mode = (int)v;
	*errstr = NULL;
	return 0;
}

/* Parse a decimal id (no sign, not -1) or return -1. */
static int
parse_id(const char *s, uint32_t *id)
{
	const char *errstr;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtonum(s, 0, UINT32_MAX - 1, &errstr);
	if (errstr != NULL)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* A user name or number into *uid. */
int
tool_parse_uid(const char *s, uid_t *uid, const char **errstr)
{
	struct passwd *pw;
	uint32_t id;

	*errstr = NULL;
	if ((pw = getpwnam(s)) != NULL) {
		*uid = pw->pw_uid;
		return 0;
	}
	if (parse_id(s, &id) == 0) {
		*uid = (uid_t)id;
		return 0;
	}
	*errstr = "no such user";
	return -1;
}

/* A group name or number into *gid. */
int
tool_parse_gid(const char *s, gid_t *gid, const char **errstr)
{
	struct group *gr;
	uint32_t id;

	*errstr = NULL;
	if ((gr = getgrnam(s)) != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (parse_id(s, &id) == 0) {
		*gid = (gid_t)id;
		return 0;
	}
	*errstr = "no such group";
	return -1;
}

/* Append the ids of comma list s to *list; *bad names a bad element. */
int
tool_parse_idlist(const char *s, int group, uint32_t **list, size_t *n,
    const char **bad)
{
	char *copy, *p, *tok;
	const char *errstr;
	uint32_t *nl;
	uid_t uid;
	gid_t gid;
	static char badbuf[256];

	*bad = NULL;
	if ((copy = strdup(s)) == NULL)
		return -1;
	p = copy;
	for (;;) {
		tok = strsep(&p, ",");
		if (*tok == '\0')
			goto bad;
		if (group) {
			if (tool_parse_gid(tok, &gid, &errstr) == -1)
				goto bad;
			uid = (uid_t)gid;
		} else if (tool_parse_uid(tok, &uid, &errstr) == -1)
			goto bad;
		nl = reallocarray(*list, *n + 1, sizeof(**list));
		if (nl == NULL) {
			free(copy);
			return -1;
		}
		*list = nl;
		(*list)[(*n)++] = (uint32_t)uid;
		if (p == NULL)
			break;
	}
	free(copy);
	return 0;
bad:
	(void)tool_vis(badbuf, sizeof(badbuf), tok, strlen(tok));
	*bad = badbuf;
	free(copy);
	errno = EINVAL;
	return -1;
}

/* 1 if id is one of list[0, n). */
int
tool_id_in(uint32_t id, const uint32_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == id)
			return 1;
	return 0;
}

/* vis-escape s[0, len) into buf, cutting it short with "..." if needed. */
const char *
tool_vis(char *buf, size_t size, const char *s, size_t len)
{
	size_t used, n;

	if (size < FMT_MINROOM) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	n = fmt_vis(buf, size - 4, s, len, &used);
	if (used < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* Milliseconds on the monotonic clock. */
int64_t
tool_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep for ms milliseconds or until a signal. */
void
tool_sleep_ms(int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	(void)nanosleep(&ts, NULL);
}

/* Handler for the blocked signals: note them, the main loop acts. */
static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		tool_sig_hup = 1;
	else
		tool_sig_stop = 1;
}

static sigset_t saved_mask;

/* Block INT/TERM/HUP with flag-setting handlers; ignore SIGPIPE. */
int
tool_signals_block(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &block, &saved_mask) == -1)
		return -1;
	*waitmask = saved_mask;
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGHUP);

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return -1;
	return 0;
}

/* In a forked child before exec: default dispositions, the old mask. */
void
tool_signals_child(void)
{
	(void)signal(SIGINT, SIG_DFL);
	(void)signal(SIGTERM, SIG_DFL);
	(void)signal(SIGHUP, SIG_DFL);
	(void)signal(SIGPIPE, SIG_DFL);
	(void)sigprocmask(SIG_SETMASK, &saved_mask, NULL);
}

static char	unlink_path[PATH_MAX];
static char	unlink_lock[PATH_MAX];
static dev_t	unlink_dev;
static ino_t	unlink_ino;

/* Remove our socket file (if still ours) and its lock, die of sig. */
static void
on_fatal(int sig)
{
	struct stat st;

	if (lstat(unlink_path, &st) == 0 && st.st_dev == unlink_dev &&
	    st.st_ino == unlink_ino) {
		(void)unlink(unlink_path);
		(void)unlink(unlink_lock);
	}
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/* Arrange for path to be removed if a signal kills us. */
int
tool_unlink_on_signal(const char *path)
{
	struct sigaction sa;
	struct stat st;
	int n;

	if (strlcpy(unlink_path, path, sizeof(unlink_path)) >=
	    sizeof(unlink_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n = snprintf(unlink_lock, sizeof(unlink_lock), "%s.lock", path);
	if (n < 0 || (size_t)n >= sizeof(unlink_lock)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (lstat(path, &st) == -1)
		return -1;
	unlink_dev = st.st_dev;
	unlink_ino = st.st_ino;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_fatal;
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* Set up o to buffer up to cap bytes for fd. */
int
tool_out_init(struct tool_out *o, int fd, size_t cap)
{
	o->fd = fd;
	o->err = 0;
	o->len = 0;
	o->cap = cap;
	if ((o->buf = malloc(cap)) == NULL)
		return -1;
	return 0;
}

/* Release o's buffer (unflushed data is lost). */
void
tool_out_free(struct tool_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

/* Write all of p[0, len) to fd; -1 with errno on failure. */
static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write out what is buffered; -1 (and o->err) on error. */
int
tool_out_flush(struct tool_out *o)
{
	if (o->err != 0) {
		o->len = 0;
		errno = o->err;
		return -1;
	}
	if (o->len == 0)
		return 0;
	if (write_all(o->fd, o->buf, o->len) == -1) {
		o->err = errno;
		o->len = 0;
		return -1;
	}
	o->len = 0;
	return 0;
}

/* Append p[0, len); large pieces go straight out after a flush. */
int
tool_out_put(struct tool_out *o, const void *p, size_t len)
{
	if (len <= o->cap - o->len) {
		memcpy(o->buf + o->len, p, len);
		o->len += len;
		return 0;
	}
	if (tool_out_flush(o) == -1)
		return -1;
	if (len <= o->cap / 2) {
		memcpy(o->buf, p, len);
		o->len = len;
		return 0;
	}
	if (write_all(o->fd, p, len) == -1) {
		o->err = errno;
		return -1;
	}
	return 0;
}

/* Append one byte. */
int
tool_out_putc(struct tool_out *o, char c)
{
	if (o->len == o->cap && tool_out_flush(o) == -1)
		return -1;
	o->buf[o->len++] = c;
	return 0;
}

/* Append printf output (short pieces: numbers, names). */
int
tool_out_printf(struct tool_out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = EOVERFLOW;
		return -1;
	}
	return tool_out_put(o, tmp, (size_t)n);
}

/* The free tail of o's buffer, with at least min bytes (flushes). */
char *
tool_out_room(struct tool_out *o, size_t min, size_t *room)
{
	if (o->cap - o->len < min && tool_out_flush(o) == -1)
		return NULL;
	*room = o->cap - o->len;
	return o->buf + o->len;
}

/* 2 * net.core.wmem_max - 32: the most a sender's SO_SNDBUF allows. */
size_t
tool_max_recv(void)
{
	char buf[32];
	const char *errstr;
	long long v;
	ssize_t n;
	int fd;

	if ((fd = open("/proc/sys/net/core/wmem_max",
	    O_RDONLY | O_CLOEXEC)) == -1)
		return 8 * 1024 * 1024;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return 8 * 1024 * 1024;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	v = strtonum(buf, 4096, 1LL << 30, &errstr);
	if (errstr != NULL)
		return 8 * 1024 * 1024;
	return (size_t)v * 2 - 32;
}

/* n slots of size bytes: lazily backed anonymous memory. */
void *
tool_slots_alloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	p = mmap(NULL, n * size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	return p;
}

/* Unmap what tool_slots_alloc() gave. */
void
tool_slots_free(void *p, size_t n, size_t size)
{
	if (p != NULL)
		(void)munmap(p, n * size);
}

/* After a big datagram, drop the slot's pages past keep bytes. */
void
tool_slot_trim(void *slot, size_t size, size_t used, size_t keep)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t from = (keep + pg - 1) / pg * pg;
	size_t to;

	if (used <= from)
		return;
	to = (used + pg - 1) / pg * pg;
	if (to > size)
		to = size;
	if (to > from)
		(void)madvise((char *)slot + from, to - from, MADV_DONTNEED);
}
