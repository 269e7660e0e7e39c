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
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "tool.h"

/* See tool.h.  Not close-on-exec: they are -e commands' too. */
int
tool_std_fds(int closed[3])
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		closed[fd] = 0;
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		closed[fd] = 1;
		if (open("/dev/null", O_RDWR) != fd)
			return -1;
	}
	return 0;
}

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

/*
 * Exit code for a failed udg_server()/bind: the path cannot be made.  A
 * read-only file system is 73 like every other file the tools create.
 */
int
tool_bind_exitcode(int e)
{
	if (e == ENOENT || e == ENOTDIR || e == ELOOP || e == EROFS)
		return EX_CANTCREAT;		/* 73: no place for it */
	return tool_exitcode(e);
}

/*
 * A bind of path failed with e: when its lock file, path.lock, is to
 * blame, say so, naming it, and exit.  libudg reports only errno, and a
 * lock file that is a symlink, a directory or another user's fails like
 * the socket would: without its name the user looks at the wrong file.
 */
static void
lock_blame(const char *pre, const char *path, const char *vpath, int e)
{
	char lock[PATH_MAX];
	struct stat st;
	int fd, n;

	if (e != EACCES && e != EPERM && e != ELOOP && e != EISDIR &&
	    e != ENXIO)
		return;
	n = snprintf(lock, sizeof(lock), "%s.lock", path);
	if (n < 0 || (size_t)n >= sizeof(lock) || lstat(lock, &st) == -1)
		return;
	if (S_ISLNK(st.st_mode))
		errx(EX_CANTCREAT, "%s%s.lock: the lock file is a symbolic "
		    "link, left as it is", pre, vpath);
	if (!S_ISREG(st.st_mode))
		errx(EX_CANTCREAT, "%s%s.lock: the lock file is not a regular "
		    "file (%s), left as it is", pre, vpath,
		    S_ISDIR(st.st_mode) ? "a directory" : "another file");
	fd = open(lock, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		err(tool_bind_exitcode(errno), "%s%s.lock: the lock file", pre,
		    vpath);
	(void)close(fd);
}

/* Is the directory path would be made in one (the cwd for a bare name)? */
static int
parent_is_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t n;

	if (slash == path)
		return 1;
	n = slash == NULL ? 0 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return 0;
	if (n == 0)
		(void)strlcpy(dir, ".", sizeof(dir));
	else {
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * See tool.h.  ENOENT from a directory that exists comes from a file
 * system that makes no files (/proc): "does not exist" would send the
 * user looking for a directory that is there.
 */
void
tool_bind_blame(const char *pre, const char *path, const char *vpath, int e)
{
	struct stat st;
	int have = lstat(path, &st) == 0;
	const char *who = *pre == '\0' ? "listener" : "socket";

	if (e == EADDRINUSE && !have)
		errx(EX_CANTCREAT, "%s%s: held by a live %s, see %s.lock (its "
		    "socket file was removed)", pre, vpath, who, vpath);
	if (e == EADDRINUSE)
		errx(EX_CANTCREAT, "%s%s: in use by a live %s", pre, vpath,
		    who);
	if (e == EEXIST && have && !S_ISSOCK(st.st_mode))
		errx(EX_CANTCREAT, "%s%s: not a socket (%s), left as it is",
		    pre, vpath, S_ISDIR(st.st_mode) ? "a directory" :
		    S_ISREG(st.st_mode) ? "a regular file" : "another file");
	if (e == ENOENT && !parent_is_dir(path))
		errx(EX_CANTCREAT, "%s%s: its directory does not exist", pre,
		    vpath);
	if (e == ENOENT)
		errx(EX_CANTCREAT, "%s%s: its directory does not let files be "
		    "made in it", pre, vpath);
	if (e == ENOTDIR)
		errx(EX_CANTCREAT, "%s%s: part of the path is not a directory",
		    pre, vpath);
	lock_blame(pre, path, vpath, e);
}

/* Report a bad option (getopt returned ch, with opterr = 0). */
void
tool_badopt(int ch, char *const argv[])
{
	char vis[256];
	const char *arg = optind > 0 ? argv[optind - 1] : "", *eq;

	/*
	 * getopt_long() sets optopt for a known long option that was given
	 * an argument it takes none of, as for an unknown short option.
	 */
	if (ch == '?' && optopt != 0 && strncmp(arg, "--", 2) == 0 &&
	    (eq = strchr(arg, '=')) != NULL) {
		(void)tool_vis(vis, sizeof(vis), arg, (size_t)(eq - arg));
		warnx("option %s takes no argument", vis);
		return;
	}
	(void)tool_vis(vis, sizeof(vis), arg, strlen(arg));
	/* A long option is named as typed, a short one by its letter. */
	if (ch == ':' && optopt > 0 && optopt < 256 &&
	    strncmp(arg, "--", 2) != 0)
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

/* vis-escape s[0, len) into buf, cutting it short with "..." if needed. */
const char *
tool_vis(char *buf, size_t size, const char *s, size_t len)
{
	fmt_encoder *enc = fmt_locale_utf8() ? fmt_vis_utf8 : fmt_vis;
	size_t used = 0, n;

	if (size < FMT_MINROOM) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	n = enc(buf, size - 4, s, len, &used);
	if (used < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/*
 * m's sender escaped: a path ("./" first if it begins with '@', as in
 * records), '@' and an abstract name, or "unbound".
 */
const char *
tool_peer_name(char *buf, size_t size, const struct udg_msg *m)
{
	switch (m->peer_type) {
	case UDG_PEER_PATH:
		if (m->peer_len == 0 || m->peer[0] != '@')
			return tool_vis(buf, size, m->peer, m->peer_len);
		if (size < 3)
			break;
		buf[0] = '.';
		buf[1] = '/';
		(void)tool_vis(buf + 2, size - 2, m->peer, m->peer_len);
		return buf;
	case UDG_PEER_ABSTRACT:
		if (size < 2)
			break;
		buf[0] = '@';
		(void)tool_vis(buf + 1, size - 1, m->peer, m->peer_len);
		return buf;
	default:
		break;
	}
	return "an unbound socket";
}

/* Exit 64 unless path can be a socket path; escape it into vis. */
void
tool_socket_operand(const char *path, char *vis, size_t size)
{
	if (*path == '\0')
		errx(EX_USAGE, "empty socket path");
	(void)tool_vis(vis, size, path, strlen(path));
	if (strlen(path) > UDG_PATH_MAX)
		errx(EX_USAGE, "%s: socket path longer than %d bytes", vis,
		    UDG_PATH_MAX);
}

/* Milliseconds on the monotonic clock. */
int64_t
tool_now_ms(void)
{
	return tool_now_us() / 1000;
}

/* Microseconds on the monotonic clock. */
int64_t
tool_now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* TOOL_SPIN_US if two or more CPUs may run this process, else 0. */
int
tool_spin_default(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == -1)
		return 0;
	return CPU_COUNT(&set) >= 2 ? TOOL_SPIN_US : 0;
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
