/*
 * fuzz-vis.c - fmt_vis against libbsd's strvisx(3).
 *
 * The first input byte picks the size of the output buffer, from
 * FMT_MINROOM up, so that most inputs are encoded in many calls and an
 * escape often meets the end of the buffer: resumption is what the word
 * scan and the escape path can get wrong, not a single whole call.
 */
#include "config.h"

/* vis.h: the declarations format.c sees (and no #warning). */
#define LIBBSD_OPENBSD_VIS 1

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include "format.h"
#include "fuzz.h"

#define VIS_FLAGS	(VIS_CSTYLE | VIS_NL | VIS_TAB | VIS_OCTAL)
#define VIS_MAXESC	4	/* "\ooo": the longest escape of one byte */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src;
	char *room, *got, *want, *copy;
	size_t len, dstlen, off = 0, o = 0, n, used, i;
	int wantlen;

	if (size == 0)
		return 0;
	dstlen = FMT_MINROOM + data[0] % 32;
	src = (const char *)data + 1;
	len = size - 1;

	/* A piece at a time, as udg-listen encodes into its output buffer. */
	room = fuzz_alloc(dstlen);
	got = fuzz_alloc(VIS_MAXESC * len);
	while (off < len) {
		n = fmt_vis(room, dstlen, src + off, len - off, &used);
		/* dstlen >= FMT_MINROOM: every call must get somewhere */
		FUZZ_CHECK(used > 0 && used <= len - off);
		FUZZ_CHECK(n <= dstlen);
		/* every byte is at least one and at most four characters */
		FUZZ_CHECK(n >= used && n <= VIS_MAXESC * used);
		memcpy(got + o, room, n);
		o += n;
		off += used;
	}

	/*
	 * strvisx(3) of one byte reads the byte after it (vis(3)'s nextc,
	 * \0 or \000): give it a NUL there, as the end of input is to
	 * fmt_vis, and not a byte past the fuzzer's buffer.
	 */
	copy = fuzz_alloc(len + 1);
	memcpy(copy, src, len);
	copy[len] = '\0';
	want = fuzz_alloc(VIS_MAXESC * len + 1);
	wantlen = strvisx(want, copy, len, VIS_FLAGS);
	FUZZ_CHECK(wantlen >= 0 && (size_t)wantlen == o);
	FUZZ_CHECK(memcmp(got, want, o) == 0);

	/* What a terminal shows, never what it obeys (ESC, CR, NUL...). */
	for (i = 0; i < o; i++)
		FUZZ_CHECK(got[i] >= 0x20 && got[i] < 0x7f);

	free(want);
	free(copy);
	free(got);
	free(room);
	return 0;
}
