/*
 * tool-out.h - buffered output to a file descriptor.
 *
 * Pieces are appended to a buffer and written out by tool_out_flush().
 * The first write error is kept in err; later calls fail with it, so a
 * caller may append a whole record and check once.
 *
 * In grow mode (tool_out_grow()) appending never writes: the buffer
 * grows instead, and only tool_out_write() writes, as much as the fd
 * takes, so that a caller with a poll(2) loop never blocks on a slow
 * reader.  tool_out_mark() notes where records end: a caller learns how
 * many whole records are still unwritten, and a full disk never keeps
 * half a record (see tool_out_write()).
 */
#ifndef UDG_TOOL_OUT_H
#define UDG_TOOL_OUT_H

#include <stddef.h>

struct tool_out {
	int	 fd;
	int	 err;		/* errno of the first failed write, or 0 */
	char	*buf;
	size_t	 len;		/* bytes in buf */
	size_t	 cap;
	int	 grow;		/* append grows buf; only tool_out_write() */
	size_t	 off;		/* buf[0, off) is written (grow mode) */
	size_t	 bound;		/* the last record end at or before off */
	size_t	*marks;		/* record ends in buf, ascending */
	size_t	 nmarks;
	size_t	 markcap;
};

/* Buffer up to cap bytes for fd; -1 if there is no memory. */
int	tool_out_init(struct tool_out *, int fd, size_t cap);

/* Release the buffer (what was not flushed is lost). */
void	tool_out_free(struct tool_out *);

/* Write out what is buffered; -1 (and err) on error. */
int	tool_out_flush(struct tool_out *);

/* Append p[0, len); a piece larger than the buffer goes straight out. */
int	tool_out_put(struct tool_out *, const void *, size_t);

/* The slow paths of tool_out_putc() and tool_out_room(). */
int	tool_out_putc_slow(struct tool_out *, char);
char	*tool_out_room_slow(struct tool_out *, size_t min, size_t *room);

/* Append one byte (inline: once or twice per record). */
static inline int
tool_out_putc(struct tool_out *o, char c)
{
	if (o->len < o->cap && o->err == 0) {
		o->buf[o->len++] = c;
		return 0;
	}
	return tool_out_putc_slow(o, c);
}

/* Free space in the buffer, flushing (or growing) if it has less than min. */
static inline char *
tool_out_room(struct tool_out *o, size_t min, size_t *room)
{
	if (o->cap - o->len >= min && o->err == 0) {
		*room = o->cap - o->len;
		return o->buf + o->len;
	}
	return tool_out_room_slow(o, min, room);
}

/* Switch to grow mode. */
void	tool_out_grow(struct tool_out *);

/* The slow path of tool_out_mark(): more room for marks. */
int	tool_out_mark_slow(struct tool_out *);

/* Note that a record ends here (grow mode); -1 if there is no memory. */
static inline int
tool_out_mark(struct tool_out *o)
{
	if (o->nmarks < o->markcap) {
		o->marks[o->nmarks++] = o->len;
		return 0;
	}
	return tool_out_mark_slow(o);
}

/* Bytes not written yet (grow mode; inline: once per record). */
static inline size_t
tool_out_pending(const struct tool_out *o)
{
	return o->len - o->off;
}

/* Whole records not written yet (grow mode). */
size_t	tool_out_records(const struct tool_out *);

/*
 * Grow mode: write what is pending, at most max bytes (SIZE_MAX: all);
 * with all set, until that is out or an error, else one write(2).
 * -1 with errno when nothing more could be written (EAGAIN: try again
 * on POLLOUT).  When a regular file opened with O_APPEND is full
 * (ENOSPC, EDQUOT), what this call wrote past the last whole record is
 * cut off the file again and stays pending: the file never ends in half
 * a record.  err is not set: the caller decides
 * what is fatal.
 */
int	tool_out_write(struct tool_out *, int all, size_t max);

/* Pending bytes up to the last record end within avail bytes, or 0. */
size_t	tool_out_fit(const struct tool_out *, size_t avail);

/*
 * Bytes still to write of a record a write(2) took only part of (grow
 * mode), or 0 when what is written ends at a record's end.
 */
size_t	tool_out_partial(const struct tool_out *);

/* Forget what is pending (grow mode). */
void	tool_out_discard(struct tool_out *);

#endif /* UDG_TOOL_OUT_H */
