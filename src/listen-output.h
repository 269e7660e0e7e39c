/*
 * listen-output.h - where udg-listen's records go: standard output or
 * the -o file, written without ever blocking the event loop.
 *
 * A pipe, FIFO or socket is written non-blocking when poll(2) says it
 * has room, so a reader that stops reading never stalls the listener,
 * and a reader that leaves is noticed at once (POLLERR) even when no
 * datagram comes.  A FIFO with no reader yet is opened again every
 * 100 ms.  On a full disk (ENOSPC, EDQUOT) the file is cut back to the
 * last whole record, the records stay buffered, and the write is tried
 * again every second, with a warning at most once a minute.  While
 * output_blocked() says so, the caller should take no more datagrams:
 * they wait in the socket's queue, and blocking senders wait with them.
 */
#ifndef UDG_LISTEN_OUTPUT_H
#define UDG_LISTEN_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "tool-out.h"

struct output {
	struct tool_out	 o;		/* records go here (grow mode) */
	const char	*path;		/* -o, or NULL for stdout */
	const char	*vpath;		/* escaped, or "stdout" */
	int		 stream;	/* pipe, FIFO, socket: polled */
	int		 regular;	/* a regular file: may fill up */
	int		 saved_flags;	/* stdout's flags to put back, or -1 */
	int		 tty;		/* stdout's terminal, opened again */
	int		 waiting;	/* a FIFO with no reader yet */
	int		 full;		/* out of space: retrying */
	int		 gone;		/* the reader has left */
	size_t		 discarded;	/* records it left behind */
	int		 reopen;	/* SIGHUP: reopen between records */
	int		 guarded;	/* no symlink, one link (-U) */
	int64_t		 retry_at;	/* while waiting or full */
	int64_t		 warned_at;	/* the last "no space" warning */
};

/*
 * Open path (NULL: stdout) with a cap-byte buffer, guarded or not (see
 * listen-output.c); -1 with errno (ELOOP, EMLINK: refused by the guard).
 */
int	output_open(struct output *, const char *path, const char *vpath,
	    size_t cap, int guarded, int64_t now);

/* Put stdout's flags back and free the buffer (pending data is lost). */
void	output_close(struct output *);

/* 1 if no more records should be made now (over limit, stalled). */
int	output_blocked(const struct output *, size_t limit);

/* The fd and events to poll, or -1 when there is nothing to poll. */
int	output_pollfd(const struct output *, short *events);

/* Act on poll(2)'s revents for the fd. */
void	output_events(struct output *, short revents, int64_t now);

/*
 * Write what is pending (and reopen after SIGHUP).  -1 with errno on an
 * error that is not a full disk, a slow or gone reader: the caller
 * should exit.
 */
int	output_flush(struct output *, int64_t now);

/* Milliseconds until a retry is due, or -1. */
int	output_next_ms(const struct output *, int64_t now);

/* Reopen path at the next record boundary (SIGHUP). */
void	output_hup(struct output *);

/* Whole records made but not written. */
size_t	output_unwritten(const struct output *);

/* On exit: finish a record written in part, within ms; -1 if cut. */
int	output_finish(struct output *, int ms);

#endif /* UDG_LISTEN_OUTPUT_H */
