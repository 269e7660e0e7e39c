/*
 * tool-out.c - buffered output to a file descriptor.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool-out.h"

/* Grow mode: make room for need bytes in all; -1 (ENOMEM, err). */
static int
grow_to(struct tool_out *o, size_t need)
{
	size_t cap = o->cap;
	char *nb;

	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			o->err = ENOMEM;
			errno = ENOMEM;
			return -1;
		}
		cap *= 2;
	}
	if ((nb = realloc(o->buf, cap)) == NULL) {
		o->err = errno;
		return -1;
	}
	o->buf = nb;
	o->cap = cap;
	return 0;
}

/* Set up o to buffer up to cap bytes for fd. */
int
tool_out_init(struct tool_out *o, int fd, size_t cap)
{
	o->fd = fd;
	o->err = 0;
	o->len = 0;
	o->cap = cap;
	o->grow = 0;
	o->off = o->bound = 0;
	o->marks = NULL;
	o->nmarks = o->markcap = 0;
	if ((o->buf = malloc(cap)) == NULL)
		return -1;
	return 0;
}

/* Release o's buffer (unflushed data is lost). */
void
tool_out_free(struct tool_out *o)
{
	free(o->buf);
	free(o->marks);
	o->buf = NULL;
	o->marks = NULL;
	o->len = o->cap = o->off = o->bound = o->nmarks = o->markcap = 0;
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
	if (o->grow && o->err == 0) {
		if (tool_out_write(o, 1, SIZE_MAX) == -1) {
			o->err = errno;
			return -1;
		}
		return 0;
	}
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
	if (o->err != 0) {
		errno = o->err;
		return -1;
	}
	if (len <= o->cap - o->len) {
		memcpy(o->buf + o->len, p, len);
		o->len += len;
		return 0;
	}
	if (o->grow) {
		if (grow_to(o, o->len + len) == -1)
			return -1;
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

/* Append one byte when the buffer is full or has failed. */
int
tool_out_putc_slow(struct tool_out *o, char c)
{
	return tool_out_put(o, &c, 1);
}

/* The free tail of o's buffer, with at least min bytes (flushes). */
char *
tool_out_room_slow(struct tool_out *o, size_t min, size_t *room)
{
	if (o->err != 0) {
		errno = o->err;
		return NULL;
	}
	if (o->cap - o->len < min) {
		if (o->grow ? grow_to(o, o->len + min) == -1 :
		    tool_out_flush(o) == -1)
			return NULL;
	}
	*room = o->cap - o->len;
	return o->buf + o->len;
}

/* Appending grows the buffer from now on; only tool_out_write() writes. */
void
tool_out_grow(struct tool_out *o)
{
	o->grow = 1;
}

/* A record ends at o->len: grow the marks first if they are full. */
int
tool_out_mark_slow(struct tool_out *o)
{
	size_t *nm, cap;

	if (o->nmarks == o->markcap) {
		cap = o->markcap == 0 ? 64 : o->markcap * 2;
		if ((nm = reallocarray(o->marks, cap, sizeof(*nm))) == NULL)
			return -1;
		o->marks = nm;
		o->markcap = cap;
	}
	o->marks[o->nmarks++] = o->len;
	return 0;
}

/* Unwritten records (marks past off). */
size_t
tool_out_records(const struct tool_out *o)
{
	return o->nmarks;
}

/* Drop the marks at or before off; empty the buffer once all is out. */
static void
advance(struct tool_out *o, size_t n)
{
	size_t i = 0;

	o->off += n;
	if (o->off == o->len) {
		/* all out, the usual end of a write: no mark to look at */
		o->off = o->len = o->nmarks = o->bound = 0;
		return;
	}
	while (i < o->nmarks && o->marks[i] <= o->off)
		i++;
	if (i > 0) {
		o->bound = o->marks[i - 1];
		memmove(o->marks, o->marks + i, (o->nmarks - i) *
		    sizeof(*o->marks));
		o->nmarks -= i;
	}
}

/* The last record end in (from, to], or from if none. */
static size_t
last_mark(const struct tool_out *o, size_t from, size_t to)
{
	size_t i, best = from;

	for (i = 0; i < o->nmarks && o->marks[i] <= to; i++)
		if (o->marks[i] > from)
			best = o->marks[i];
	return best;
}

/*
 * A regular file ran out of space after buf[start, start + done) went
 * out in this call: cut it back to the last whole record.  Returns the
 * bytes that stay written.
 */
static size_t
roll_back(struct tool_out *o, size_t start, size_t done, off_t size0)
{
	size_t keep = last_mark(o, start, start + done) - start;

	if (keep == done)
		return done;
	if (ftruncate(o->fd, size0 + (off_t)keep) == -1)
		return done;
	return keep;
}

/* Write pending bytes: all of them, or what one write(2) takes. */
int
tool_out_write(struct tool_out *o, int all, size_t max)
{
	size_t start = o->off, done = 0, end = o->len;
	struct stat st;
	ssize_t n;
	int e;

	if (max < end - start)
		end = start + max;
	while (start + done < end) {
		n = write(o->fd, o->buf + start + done, end - start - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		done += (size_t)n;
		if (!all)
			break;
	}
	advance(o, done);
	return 0;
fail:
	e = errno;
	/* The file grew by what went out in this call (O_APPEND). */
	if ((e == ENOSPC || e == EDQUOT) && fstat(o->fd, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size >= (off_t)done)
		done = roll_back(o, start, done, st.st_size - (off_t)done);
	advance(o, done);
	errno = e;
	return -1;
}

/* How much of what is pending fits in avail bytes, in whole records. */
size_t
tool_out_fit(const struct tool_out *o, size_t avail)
{
	size_t lim = avail < o->len - o->off ? o->off + avail : o->len;

	return last_mark(o, o->off, lim) - o->off;
}

/* What is left of a record written in part, or 0. */
size_t
tool_out_partial(const struct tool_out *o)
{
	if (o->off == o->bound || o->nmarks == 0)
		return 0;
	return o->marks[0] - o->off;
}

/* Drop what is pending. */
void
tool_out_discard(struct tool_out *o)
{
	o->off = o->len = o->bound = 0;
	o->nmarks = 0;
}
