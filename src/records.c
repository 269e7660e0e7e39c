/*
 * records.c - splitting input into records without copying it.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "records.h"

/* Next record of buf[0, len) ended by sep; bytes taken, or 0 if none yet. */
size_t
records_next(const char *buf, size_t len, int sep, int eof,
    struct iovec *rec)
{
	const char *p;

	if (len == 0)
		return 0;
	if (sep != REC_WHOLE &&
	    (p = memchr(buf, (unsigned char)sep, len)) != NULL) {
		rec->iov_base = (void *)(uintptr_t)buf;
		rec->iov_len = (size_t)(p - buf);
		return rec->iov_len + 1;
	}
	if (!eof)
		return 0;
	rec->iov_base = (void *)(uintptr_t)buf;
	rec->iov_len = len;
	return len;
}

/* Split up to max records off buf; *consumed is the bytes they took. */
int
records_split(const char *buf, size_t len, int sep, int eof,
    struct iovec *recs, int max, size_t *consumed)
{
	size_t off = 0, k;
	int n = 0;

	while (n < max &&
	    (k = records_next(buf + off, len - off, sep, eof, &recs[n])) > 0) {
		off += k;
		n++;
	}
	*consumed = off;
	return n;
}
