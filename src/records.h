/*
 * records.h - splitting a buffer read from stdin into records.
 *
 * Pure functions: records point into the caller's buffer, nothing is
 * copied.  A terminator is not part of its record; a final record without
 * a terminator is a record only once the caller says it has seen EOF, and
 * EOF right after a terminator adds no empty record.
 */
#ifndef UDG_RECORDS_H
#define UDG_RECORDS_H

#include <sys/uio.h>
#include <stddef.h>

#define REC_WHOLE	(-1)	/* sep value: all of the input is one record */

/*
 * Find the next record in buf[0, len) ended by sep ('\n', '\0' or
 * REC_WHOLE).  Returns the bytes it takes (record plus terminator) and
 * sets *rec, or 0 when no complete record is there yet (or none at all).
 * For REC_WHOLE, a record is only returned at EOF and only if len > 0:
 * whether empty input is an (empty) datagram is the caller's choice.
 */
size_t	records_next(const char *buf, size_t len, int sep, int eof,
	    struct iovec *rec);

/*
 * Split as many records as fit in recs[0, max) off buf[0, len).  Returns
 * how many, and sets *consumed to the bytes they took; the rest (a partial
 * record) is for the caller to keep and complete with more input.
 */
int	records_split(const char *buf, size_t len, int sep, int eof,
	    struct iovec *recs, int max, size_t *consumed);

#endif /* UDG_RECORDS_H */
