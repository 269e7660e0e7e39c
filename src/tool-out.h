/*
 * tool-out.h - buffered output to a file descriptor.
 *
 * Pieces are appended to a buffer and written out by tool_out_flush().
 * The first write error is kept in err; later calls fail with it, so a
 * caller may append a whole record and check once.
 */
#ifndef UDG_TOOL_OUT_H
#define UDG_TOOL_OUT_H

#include <stddef.h>

struct tool_out {
	int	 fd;
	int	 err;		/* errno of the first failed write, or 0 */
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

/* Buffer up to cap bytes for fd; -1 if there is no memory. */
int	tool_out_init(struct tool_out *, int fd, size_t cap);

/* Release the buffer (what was not flushed is lost). */
void	tool_out_free(struct tool_out *);

/* Write out what is buffered; -1 (and err) on error. */
int	tool_out_flush(struct tool_out *);

/* Append p[0, len); a piece larger than the buffer goes straight out. */
int	tool_out_put(struct tool_out *, const void *, size_t);

/* Append one byte. */
int	tool_out_putc(struct tool_out *, char);

/* Free space in the buffer, flushing first if it has less than min. */
char	*tool_out_room(struct tool_out *, size_t min, size_t *room);

#endif /* UDG_TOOL_OUT_H */
