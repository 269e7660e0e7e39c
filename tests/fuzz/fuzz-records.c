/*
 * fuzz-records.c - records_split as udg-send uses it on standard input.
 *
 * The first input byte picks the separator ('\n', '\0' or REC_WHOLE),
 * the size of each read, whether EOF comes with the last read or on an
 * empty one after it, and how many records one call may return (a
 * small max, so that the caller's loop and the partial record it keeps
 * across reads are what gets exercised).  The records, each with its
 * terminator, must give back the input exactly.
 */
#include "config.h"

#include <sys/uio.h>

#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "records.h"

static const int seps[3] = { '\n', '\0', REC_WHOLE };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iovec recs[3];
	const char *in, *base;
	char *buf, *out;
	size_t len, chunk, fed = 0, have = 0, outlen = 0, off, used, k, rl;
	int b, sep, eofread, max, eof = 0, n, i, nrec = 0;

	if (size == 0)
		return 0;
	b = data[0];
	sep = seps[b % 3];
	b /= 3;
	eofread = b & 1;
	b >>= 1;
	chunk = 1 + (size_t)(b % 16);
	max = 1 + b / 16;	/* b <= 42: 1 to 3, recs[] */
	in = (const char *)data + 1;
	len = size - 1;
	buf = fuzz_alloc(len);
	out = fuzz_alloc(len);

	while (!eof) {
		/* read(2): the next chunk, or 0 at the end */
		k = len - fed < chunk ? len - fed : chunk;
		memcpy(buf + have, in + fed, k);
		have += k;
		fed += k;
		eof = eofread ? k == 0 : fed == len;

		off = 0;
		while ((n = records_split(buf + off, have - off, sep, eof,
		    recs, max, &used)) > 0) {
			FUZZ_CHECK(n <= max);
			FUZZ_CHECK(used > 0 && used <= have - off);
			/* the whole input is one record, known only at EOF */
			FUZZ_CHECK(sep != REC_WHOLE || eof);
			for (i = 0, k = 0; i < n; i++) {
				base = recs[i].iov_base;
				rl = recs[i].iov_len;
				/* in order, back to back, in our buffer */
				FUZZ_CHECK(base == buf + off + k);
				FUZZ_CHECK(rl <= used - k);
				FUZZ_CHECK(sep == REC_WHOLE ||
				    memchr(base, sep, rl) == NULL);
				memcpy(out + outlen, base, rl);
				outlen += rl;
				k += rl;
				if (k < used) {
					/* what it took past the record: sep */
					FUZZ_CHECK(sep != REC_WHOLE &&
					    base[rl] == sep);
					out[outlen++] = base[rl];
					k++;
				} else {
					/*
					 * No terminator: only the last record
					 * of the input, at EOF, and never an
					 * empty one after a final terminator.
					 */
					FUZZ_CHECK(eof && i == n - 1);
					FUZZ_CHECK(off + used == have);
					FUZZ_CHECK(sep == REC_WHOLE || rl > 0);
				}
			}
			FUZZ_CHECK(k == used);
			nrec += n;
			off += used;
		}
		/* What is kept for the next read is one partial record. */
		if (sep != REC_WHOLE)
			FUZZ_CHECK(memchr(buf + off, sep, have - off) == NULL);
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	FUZZ_CHECK(have == 0);
	FUZZ_CHECK(outlen == len && memcmp(out, in, len) == 0);
	if (sep == REC_WHOLE || len == 0)
		FUZZ_CHECK(nrec == (len > 0));
	free(out);
	free(buf);
	return 0;
}
