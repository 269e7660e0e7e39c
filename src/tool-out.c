/*
 * tool-out.c - buffered output to a file descriptor.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool-out.h"

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
	if (o->err != 0) {
		errno = o->err;
		return -1;
	}
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
	return tool_out_put(o, &c, 1);
}

/* The free tail of o's buffer, with at least min bytes (flushes). */
char *
tool_out_room(struct tool_out *o, size_t min, size_t *room)
{
	if (o->err != 0) {
		errno = o->err;
		return NULL;
	}
	if (o->cap - o->len < min && tool_out_flush(o) == -1)
		return NULL;
	*room = o->cap - o->len;
	return o->buf + o->len;
}
