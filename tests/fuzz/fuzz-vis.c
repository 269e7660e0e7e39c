/*
 * fuzz-vis.c - the two text-mode escapers: fmt_vis against libbsd's
 * strvisx(3), and fmt_vis_utf8 against the reference in ref.h, with an
 * unvis(3) round trip and a check of what may reach a terminal.
 *
 * The first input byte picks the size of the output buffer, from
 * FMT_MINROOM up, so that most inputs are encoded in many calls and an
 * escape or a UTF-8 character often meets the end of the buffer:
 * resumption is what the word scan and the escape path can get wrong,
 * not a single whole call.  Both run in the C locale, where libbsd's
 * vis(3) is the reference for the escapes.
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
#include "ref.h"

#define VIS_MAXESC	4	/* "\ooo": the longest escape of one byte */

/* Encode src[0, len) through a dst of dstlen bytes at a time into got. */
static size_t
chunked(fmt_encoder *enc, size_t dstlen, const char *src, size_t len,
    char *got)
{
	char *room;
	size_t off = 0, o = 0, n, used;

	room = fuzz_alloc(dstlen);
	while (off < len) {
		n = enc(room, dstlen, src + off, len - off, &used);
		/* dstlen >= FMT_MINROOM: every call must get somewhere */
		FUZZ_CHECK(used > 0 && used <= len - off);
		FUZZ_CHECK(n <= dstlen);
		/* every byte is at least one and at most four characters */
		FUZZ_CHECK(n >= used && n <= VIS_MAXESC * used);
		memcpy(got + o, room, n);
		o += n;
		off += used;
	}
	free(room);
	return o;
}

/* fmt_vis is strvisx(3) of the C locale, and shows printable ASCII only. */
static void
check_vis(size_t dstlen, const char *src, size_t len)
{
	char *got, *want, *copy;
	size_t o, i;
	int wantlen;

	got = fuzz_alloc(VIS_MAXESC * len);
	o = chunked(fmt_vis, dstlen, src, len, got);

	/*
	 * strvisx(3) of one byte reads the byte after it (vis(3)'s nextc,
	 * \0 or \000): give it a NUL there, as the end of input is to
	 * fmt_vis, and not a byte past the fuzzer's buffer.
	 */
	copy = fuzz_alloc(len + 1);
	memcpy(copy, src, len);
	copy[len] = '\0';
	want = fuzz_alloc(VIS_MAXESC * len + 1);
	wantlen = strvisx(want, copy, len, REF_VIS_FLAGS);
	FUZZ_CHECK(wantlen >= 0 && (size_t)wantlen == o);
	FUZZ_CHECK(memcmp(got, want, o) == 0);

	/* What a terminal shows, never what it obeys (ESC, CR, NUL...). */
	for (i = 0; i < o; i++)
		FUZZ_CHECK(got[i] >= 0x20 && got[i] < 0x7f);
	free(want);
	free(copy);
	free(got);
}

/*
 * fmt_vis_utf8 is the reference, gives the input back through unvis(3),
 * and shows valid UTF-8 with no control, separator, bidi or invisible
 * format character (ref_hidden()).
 */
static void
check_vis_utf8(size_t dstlen, const char *src, size_t len)
{
	const unsigned char *u;
	char *got, *want, *back;
	size_t o, wo, i, k;
	uint32_t cp;

	got = fuzz_alloc(VIS_MAXESC * len + 1);
	o = chunked(fmt_vis_utf8, dstlen, src, len, got);
	want = fuzz_alloc(VIS_MAXESC * len + 1);
	wo = ref_vis_utf8(want, src, len);
	FUZZ_CHECK(o == wo && memcmp(got, want, o) == 0);

	got[o] = '\0';
	back = fuzz_alloc(len + 1);
	FUZZ_CHECK(strunvis(back, got) == (int)len);
	FUZZ_CHECK(memcmp(back, src, len) == 0);

	u = (const unsigned char *)got;
	for (i = 0; i < o; i += k) {
		k = ref_utf8(u + i, o - i, &cp);
		FUZZ_CHECK(k > 0);
		FUZZ_CHECK(cp == '\\' || !ref_hidden(cp));
	}
	free(back);
	free(want);
	free(got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t dstlen;

	if (size == 0)
		return 0;
	dstlen = FMT_MINROOM + data[0] % 32;
	check_vis(dstlen, (const char *)data + 1, size - 1);
	check_vis_utf8(dstlen, (const char *)data + 1, size - 1);
	return 0;
}
