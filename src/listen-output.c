/*
 * listen-output.c - udg-listen's output: non-blocking, whole records.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "listen-output.h"
#include "tool.h"

#define FIFO_RETRY_MS	100		/* a FIFO with no reader */
#define FULL_RETRY_MS	1000		/* a full disk */
#define FULL_WARN_MS	60000		/* warn about it at most this often */

/*
 * Open the -o file for appending, not waiting for a FIFO's reader.  A
 * guarded output (see output_open) is not followed through a symbolic
 * link.
 */
static int
open_path(const struct output *out, const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NONBLOCK | (out->guarded ? O_NOFOLLOW : 0), 0666);
}

/* Make fd non-blocking if it is a stream; blocking otherwise. */
static int
set_mode(struct output *out, int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) == -1 || (fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	if (out->guarded && S_ISREG(st.st_mode) && st.st_nlink > 1) {
		errno = EMLINK;
		return -1;
	}
	/* a terminal's flags are shared with the shell: only our own open */
	out->stream = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
	    (S_ISCHR(st.st_mode) && (out->path != NULL || out->tty) &&
	    isatty(fd));
	out->regular = S_ISREG(st.st_mode);
	if (out->stream)
		fl |= O_NONBLOCK;
	else
		fl &= ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl);
}

/* Try to open the FIFO that had no reader. */
static void
try_open(struct output *out, int64_t now)
{
	int fd;

	if ((fd = open_path(out, out->path)) == -1) {
		if (errno != ENXIO)
			warn("%s", out->vpath);
		out->retry_at = now + FIFO_RETRY_MS;
		return;
	}
	if (set_mode(out, fd) == -1) {
		warn("%s", out->vpath);
		(void)close(fd);
		out->retry_at = now + FIFO_RETRY_MS;
		return;
	}
	out->o.fd = fd;
	out->waiting = 0;
}

/*
 * A terminal on stdout, opened again: written without blocking, so that a
 * stopped terminal (^S) or a stalled session does not stall the loop, in
 * an open file description of our own, whose O_NONBLOCK the shell that
 * shares the terminal does not see.  -1 if it cannot be.
 */
static int
own_tty(struct output *out, int fd)
{
	char path[32];
	int nfd;

	if (!isatty(fd))
		return -1;
	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((nfd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return -1;
	out->tty = 1;
	return nfd;
}

/*
 * Set up out for path or stdout.  Guarded (for root that hands the file
 * to a user): the file is not reached through a symbolic link at path,
 * and a regular file has no other hard link, or a user who may write in
 * its directory could point root at any file.
 */
int
output_open(struct output *out, const char *path, const char *vpath,
    size_t cap, int guarded, int64_t now)
{
	int fd = STDOUT_FILENO, tty, e;

	memset(out, 0, sizeof(*out));
	out->path = path;
	out->vpath = vpath;
	out->saved_flags = -1;
	out->guarded = path != NULL && guarded;
	if (path != NULL && (fd = open_path(out, path)) == -1) {
		if (errno != ENXIO)
			return -1;
		out->waiting = 1;	/* a FIFO nobody reads yet */
		out->retry_at = now;
	}
	if (path == NULL && (tty = own_tty(out, fd)) != -1)
		fd = tty;
	else if (path == NULL)
		out->saved_flags = fcntl(fd, F_GETFL);
	if (!out->waiting && set_mode(out, fd) == -1) {
		e = errno;
		if (path != NULL || out->tty)
			(void)close(fd);
		errno = e;
		return -1;
	}
	if (tool_out_init(&out->o, out->waiting ? -1 : fd, cap) == -1)
		return -1;
	tool_out_grow(&out->o);
	return 0;
}

/* Undo output_open(). */
void
output_close(struct output *out)
{
	if (out->saved_flags != -1)
		(void)fcntl(STDOUT_FILENO, F_SETFL, out->saved_flags);
	out->saved_flags = -1;
	if (out->tty && out->o.fd != -1)
		(void)close(out->o.fd);
	out->tty = 0;
	tool_out_free(&out->o);
}

/* 1 while records should not be made. */
int
output_blocked(const struct output *out, size_t limit)
{
	return out->waiting || out->full || out->gone ||
	    tool_out_pending(&out->o) > limit;
}

/* What to poll for. */
int
output_pollfd(const struct output *out, short *events)
{
	if (!out->stream || out->waiting || out->gone || out->o.fd == -1)
		return -1;
	/* POLLERR (the reader left) comes even with no events asked. */
	*events = tool_out_pending(&out->o) > 0 ? POLLOUT : 0;
	return out->o.fd;
}

/* The reader left: what waits for it is lost, and counted. */
static void
reader_gone(struct output *out)
{
	out->gone = 1;
	out->discarded += tool_out_records(&out->o);
	tool_out_discard(&out->o);
}

/* After poll(2): write, or notice that the reader left. */
void
output_events(struct output *out, short revents, int64_t now)
{
	if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
		reader_gone(out);
		return;
	}
	if (revents & POLLOUT)
		(void)output_flush(out, now);
}

/* The disk is full: warn (once a minute at most) and retry later. */
static void
out_of_space(struct output *out, int e, int64_t now)
{
	if (!out->full && (out->warned_at == 0 ||
	    now - out->warned_at >= FULL_WARN_MS)) {
		errno = e;
		warn("%s: %zu record%s waiting, retrying every second",
		    out->vpath, tool_out_records(&out->o),
		    tool_out_records(&out->o) == 1 ? "" : "s");
		out->warned_at = now;
	}
	out->full = 1;
	out->retry_at = now + FULL_RETRY_MS;
}

/* Reopen -o for SIGHUP, keeping the old file if that fails. */
static void
do_reopen(struct output *out)
{
	int fd;

	out->reopen = 0;
	if (out->path == NULL || out->waiting)
		return;
	if ((fd = open_path(out, out->path)) == -1 ||
	    set_mode(out, fd) == -1) {
		warn("%s: reopen (keeping the old file)", out->vpath);
		if (fd != -1)
			(void)close(fd);
		return;
	}
	if (close(out->o.fd) == -1)
		warn("%s: close", out->vpath);
	out->o.fd = fd;
}

/*
 * After a full disk: the bytes of whole records that the free space
 * takes, so that retries do not write part of a record to cut it off
 * again (a reader would see it meanwhile).
 */
static size_t
room_for(const struct output *out)
{
	struct statvfs sv;

	if (fstatvfs(out->o.fd, &sv) == -1)
		return SIZE_MAX;
	return tool_out_fit(&out->o, (size_t)sv.f_bavail * sv.f_frsize);
}

/* Write what can be written now. */
int
output_flush(struct output *out, int64_t now)
{
	size_t max;
	int e;

	if (out->waiting) {
		if (now >= out->retry_at)
			try_open(out, now);
		if (out->waiting)
			return 0;
	}
	if (out->gone || (out->full && now < out->retry_at))
		return 0;
	max = out->full ? room_for(out) : SIZE_MAX;
	if (max == 0) {
		out->retry_at = now + FULL_RETRY_MS;
		return 0;
	}
	if (tool_out_write(&out->o, !out->stream, max) == 0) {
		if (tool_out_pending(&out->o) > 0 && out->full) {
			out->retry_at = now + FULL_RETRY_MS;
			return 0;
		}
		out->full = 0;
		if (out->reopen && tool_out_pending(&out->o) == 0)
			do_reopen(out);
		return 0;
	}
	e = errno;
	switch (e) {
	case EAGAIN:
		return 0;
	case EPIPE:
		reader_gone(out);
		return 0;
	case ENOSPC:
	case EDQUOT:
		/* Only a file system fills up and frees space again. */
		if (!out->regular)
			break;
		out_of_space(out, e, now);
		return 0;
	default:
		break;
	}
	errno = e;
	return -1;
}

/* Time until a retry. */
int
output_next_ms(const struct output *out, int64_t now)
{
	if (!out->waiting && !out->full)
		return -1;
	return out->retry_at <= now ? 0 : (int)(out->retry_at - now);
}

/* SIGHUP. */
void
output_hup(struct output *out)
{
	out->reopen = 1;
	if (tool_out_pending(&out->o) == 0)
		do_reopen(out);
}

/*
 * On exit: finish the record a write took only part of, waiting at most
 * ms for the reader to take it, so that it is not handed half a record.
 * -1 if it is cut short all the same.
 */
int
output_finish(struct output *out, int ms)
{
	struct pollfd p;
	int64_t end = tool_now_ms() + ms, left;
	size_t rest;

	if (out->gone || out->o.fd == -1)
		return 0;
	p.fd = out->o.fd;
	p.events = POLLOUT;
	while ((rest = tool_out_partial(&out->o)) > 0) {
		if ((left = end - tool_now_ms()) <= 0)
			return -1;
		p.revents = 0;
		if (poll(&p, 1, (int)left) == -1 && errno != EINTR)
			return -1;
		if ((p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
			return -1;
		if ((p.revents & POLLOUT) != 0 &&
		    tool_out_write(&out->o, 0, rest) == -1 && errno != EAGAIN)
			return -1;
	}
	return 0;
}

/* Records not written: waiting, or dropped when the reader left. */
size_t
output_unwritten(const struct output *out)
{
	return tool_out_records(&out->o) + out->discarded;
}
