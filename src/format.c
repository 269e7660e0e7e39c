/*
 * format.c - escaping, JSON, base64, numbers, timestamps and syslog headers.
 *
 * Everything here works on caller-supplied buffers and never does I/O, so
 * that it can be tested and fuzzed on its own.  Nothing depends on the
 * locale: the tools call setlocale(3), and libbsd's vis(3) then passes
 * bytes the locale calls printable (0xe9 in a UTF-8 locale, unpaired)
 * straight to the terminal, so escaping is done here, by hand, to the
 * C locale's vis(3) rules.
 */
#include "config.h"

#include <langinfo.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "format.h"

/*
 * x86-64 always has SSE2: sixteen bytes per compare, and the position of
 * the first byte that stops a scan straight from the mask.  FMT_PORTABLE
 * keeps to the word-at-a-time code that other machines build, so that
 * tests/check_encode.c can build that too and hold it to the same output.
 */
#if defined(__SSE2__) && !defined(FMT_PORTABLE)
#define FMT_SSE2	1
#include <emmintrin.h>
#endif

/*
 * The scans are inlined by force: only in their callers are the bytes
 * they stop at constants, and the scan's setup folded away.  The loops
 * for input that is not one plain run are kept out of line, so that the
 * entry's common case saves and restores no registers for them.
 */
#ifdef __GNUC__
#define SCAN_INLINE	inline __attribute__((__always_inline__))
#define SLOW_PATH	__attribute__((__noinline__))
#else
#define SCAN_INLINE	inline
#define SLOW_PATH
#endif

static const char hexdig[] = "0123456789abcdef";

#define ONES		0x0101010101010101ULL
#define HIGHS		0x8080808080808080ULL

/* 1 for bytes in 0x20..0x7e that are neither a nor b. */
static inline int
ascii_plain(unsigned char c, unsigned char a, unsigned char b)
{
	return c >= 0x20 && c < 0x7f && c != a && c != b;
}

#ifdef FMT_SSE2
/* The 16 bytes at p, at any alignment. */
static SCAN_INLINE __m128i
load16(const unsigned char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* v to the 16 bytes at p, at any alignment. */
static SCAN_INLINE void
store16(char *p, __m128i v)
{
	_mm_storeu_si128((__m128i *)(void *)p, v);
}

/*
 * 0xff in each byte of v in 0x20..0x7e that is neither a nor b, else 0.
 * Adding 1 takes 0x7f..0xff to 0x80..0x00 and 0x20..0x7e to 0x21..0x7f,
 * so that one signed compare finds both ends of printable ASCII.
 */
static SCAN_INLINE __m128i
vec_plain(__m128i v, unsigned char a, unsigned char b)
{
	__m128i ok, ab;

	ok = _mm_cmpgt_epi8(_mm_add_epi8(v, _mm_set1_epi8(1)),
	    _mm_set1_epi8(0x20));
	ab = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)a)),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8((char)b)));
	return _mm_andnot_si128(ab, ok);
}

/* A bit for each byte of v that vec_plain() refuses (of 16). */
static SCAN_INLINE unsigned int
vec_stops(__m128i v, unsigned char a, unsigned char b)
{
	return (unsigned int)_mm_movemask_epi8(vec_plain(v, a, b)) ^ 0xffff;
}

/*
 * The first stop in m, the stops of two vectors of n bytes of input side
 * by side, as a position in the input: bits below half are bytes 0..,
 * the others end at byte n.  The two may overlap, and a stop in the
 * overlap is found in the first.
 */
static SCAN_INLINE size_t
split_stop(unsigned int m, unsigned int half, size_t n)
{
	unsigned int k = (unsigned int)__builtin_ctz(m);

	return k < half ? k : n - 2 * half + k;
}

/* Copy n < 16 bytes: the first and the last eight (or four), overlapping. */
static SCAN_INLINE void
copy_small(char *dst, const unsigned char *s, size_t n)
{
	size_t i;

	if (n >= 8) {
		memcpy(dst, s, 8);
		memcpy(dst + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(dst, s, 4);
		memcpy(dst + n - 4, s + n - 4, 4);
	} else
		for (i = 0; i < n; i++)
			dst[i] = (char)s[i];
}

/*
 * copy_run() of n < 16 bytes: the first and the last eight (or four) in
 * one vector, with no read past s + n.
 */
static SCAN_INLINE size_t
copy_short(char *dst, const unsigned char *s, size_t n, unsigned char a,
    unsigned char b)
{
	uint64_t lo, hi;
	uint32_t l4, h4;
	unsigned int m;
	size_t i;

	if (n >= 8) {
		memcpy(&lo, s, 8);
		memcpy(&hi, s + n - 8, 8);
		m = vec_stops(_mm_set_epi64x((long long)hi, (long long)lo),
		    a, b);
		n = m == 0 ? n : split_stop(m, 8, n);
	} else if (n >= 4) {
		memcpy(&l4, s, 4);
		memcpy(&h4, s + n - 4, 4);
		/* bytes 8..15 are zeros, which stop: not looked at */
		m = vec_stops(_mm_set_epi32(0, 0, (int)h4, (int)l4), a, b) &
		    0xff;
		n = m == 0 ? n : split_stop(m, 4, n);
	} else {
		for (i = 0; i < n && ascii_plain(s[i], a, b); i++)
			continue;
		n = i;
	}
	copy_small(dst, s, n);
	return n;
}

/*
 * The run ends at stop, where a pair of vectors from s + from on found
 * a byte that is not plain: copy what of s[from, stop) is not yet at dst
 * (s[0, from) is), with at most two stores, and return stop.
 */
static SCAN_INLINE size_t
copy_upto(char *dst, const unsigned char *s, size_t from, size_t stop)
{
	if (stop < 16) {
		copy_small(dst, s, stop);
		return stop;
	}
	if (stop - from > 16)
		store16(dst + from, load16(s + from));
	store16(dst + stop - 16, load16(s + stop - 16));
	return stop;
}

/*
 * 1 if all 32 bytes of v and w are plain; else 0, and the first stop's
 * bit (v's 0..15, w's 16..31) in *m.
 */
static SCAN_INLINE int
pair_plain(__m128i v, __m128i w, unsigned char a, unsigned char b,
    unsigned int *m)
{
	__m128i pv = vec_plain(v, a, b), pw = vec_plain(w, a, b);

	if (_mm_movemask_epi8(_mm_and_si128(pv, pw)) == 0xffff)
		return 1;
	*m = (unsigned int)__builtin_ctz(~((unsigned int)_mm_movemask_epi8(pv) |
	    (unsigned int)_mm_movemask_epi8(pw) << 16));
	return 0;
}

/*
 * Copy the run of bytes at s[0, n) that ascii_plain() accepts to dst; its
 * length.  Two vectors a test, the last pair ending at s + n and
 * overlapping the bytes before it.
 */
static SCAN_INLINE size_t
copy_run(char *dst, const unsigned char *s, size_t n, unsigned char a,
    unsigned char b)
{
	__m128i v, w;
	unsigned int k;
	size_t i = 0, p;

	if (n < 16)
		return copy_short(dst, s, n, a, b);
	for (; i + 32 < n; i += 32) {
		v = load16(s + i);
		w = load16(s + i + 16);
		if (!pair_plain(v, w, a, b, &k))
			return copy_upto(dst, s, i, i + k);
		store16(dst + i, v);
		store16(dst + i + 16, w);
	}
	/* n - 32 when there is room, else 0: both lie below the run's end */
	p = n >= 32 ? n - 32 : 0;
	v = load16(s + p);
	w = load16(s + n - 16);
	if (!pair_plain(v, w, a, b, &k))
		return copy_upto(dst, s, i, k < 16 ? p + k : n - 32 + k);
	store16(dst + p, v);
	store16(dst + n - 16, w);
	return n;
}

/* The bit of each byte of v at or above 0x80. */
static SCAN_INLINE unsigned int
vec_high(__m128i v)
{
	return (unsigned int)_mm_movemask_epi8(v);
}

/*
 * The length of the ASCII at the start of s[0, n): 64 bytes a test, the
 * last 16..64 in one test of overlapping loads, and then the first high
 * byte found 16 at a time.
 */
static SCAN_INLINE size_t
ascii_skip(const unsigned char *s, size_t n)
{
	uint64_t lo, hi;
	size_t i = 0, e, t;
	__m128i v;
	unsigned int m;

	if (n < 16) {
		if (n >= 8) {
			memcpy(&lo, s, 8);
			memcpy(&hi, s + n - 8, 8);
			if (((lo | hi) & HIGHS) == 0)
				return n;
		}
		while (i < n && s[i] < 0x80)
			i++;
		return i;
	}
	for (; n - i > 64; i += 64)
		if (vec_high(_mm_or_si128(_mm_or_si128(load16(s + i),
		    load16(s + i + 16)), _mm_or_si128(load16(s + i + 32),
		    load16(s + i + 48)))) != 0)
			break;
	if (n - i <= 64) {
		/*
		 * 1..64 left: four loads from t, those past the end moved
		 * back; t too when fewer than 16 are left (what is before i
		 * is ASCII, and n >= 16).
		 */
		e = n - 16;
		t = i < e ? i : e;
		v = _mm_or_si128(_mm_or_si128(load16(s + t),
		    load16(s + (t + 16 < e ? t + 16 : e))),
		    _mm_or_si128(load16(s + (t + 32 < e ? t + 32 : e)),
		    load16(s + e)));
		if (vec_high(v) == 0)
			return n;
	}
	for (; i + 16 <= n; i += 16)
		if ((m = vec_high(load16(s + i))) != 0)
			return i + (size_t)__builtin_ctz(m);
	return n - 16 + (size_t)__builtin_ctz(vec_high(load16(s + n - 16)));
}
#else
/*
 * 1 if a byte of word w is below 0x20, above 0x7e, a or b.  Exact for a
 * word without such a byte (nothing borrows or carries, no high bit is
 * set); otherwise the lowest such byte is always flagged, and bytes above
 * it may be too: enough to stop the word scan, and the byte loop decides.
 */
static inline int
word_stops(uint64_t w, unsigned char a, unsigned char b)
{
	uint64_t xa = w ^ (ONES * a), xb = w ^ (ONES * b);

	return (((w - ONES * 0x20) | (w + ONES) | w | (xa - ONES) |
	    (xb - ONES)) & HIGHS) != 0;
}

/*
 * Length of the run of bytes at s that ascii_plain() accepts, sixteen
 * then eight at a time while word_stops() finds nothing.
 */
static SCAN_INLINE size_t
ascii_run(const unsigned char *s, size_t n, unsigned char a, unsigned char b)
{
	uint64_t w, v;
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		memcpy(&w, s + i, 8);
		memcpy(&v, s + i + 8, 8);
		if (word_stops(w, a, b) || word_stops(v, a, b))
			break;
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (word_stops(w, a, b))
			break;
	}
	while (i < n && ascii_plain(s[i], a, b))
		i++;
	return i;
}

/* Some of the ASCII at the start of s[0, n), eight bytes at a time. */
static inline size_t
ascii_skip(const unsigned char *s, size_t n)
{
	uint64_t w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & HIGHS)
			break;
	}
	return i;
}

/* Copy the run at s[0, n) that ascii_plain() accepts to dst; its length. */
static SCAN_INLINE size_t
copy_run(char *dst, const unsigned char *s, size_t n, unsigned char a,
    unsigned char b)
{
	size_t run = ascii_run(s, n, a, b);

	memcpy(dst, s, run);
	return run;
}
#endif /* FMT_SSE2 */

/*
 * What an encoder makes of the bytes at s (n >= 1 left) that do not start
 * a plain run: into dst if it fits in room, the input bytes taken (0: it
 * did not fit) and *w the bytes written.
 */
typedef size_t	special_fn(char *, size_t, const unsigned char *, size_t,
		    size_t *);

/*
 * The encoders' loop, past a plain run of run bytes at the start of src,
 * already at dst, that a byte of another kind ends: special() for what
 * stops a run, and the runs (printable ASCII but a and b) copied as far
 * as they fit.  Inlined into one function for each encoder, where a, b
 * and special are constants.
 */
static SCAN_INLINE size_t
encode_rest(char *dst, size_t dstlen, const unsigned char *s, size_t srclen,
    size_t *used, size_t run, unsigned char a, unsigned char b,
    special_fn *special)
{
	size_t i = run, o = run, k, w, lim;

	for (;;) {
		k = special(dst + o, dstlen - o, s + i, srclen - i, &w);
		if (k == 0)
			break;
		o += w;
		i += k;
		lim = srclen - i < dstlen - o ? srclen - i : dstlen - o;
		run = copy_run(dst + o, s + i, lim, a, b);
		o += run;
		i += run;
		if (run == lim)
			break;
	}
	*used = i;
	return o;
}

/* Which encoder: its slow path is one function for all (encode_slow()). */
enum encoding { ENC_VIS, ENC_VIS_UTF8, ENC_JSON };

static size_t	encode_slow(char *, size_t, const unsigned char *, size_t,
		    size_t *, size_t, enum encoding);

/*
 * An encoder's entry: the plain run at the start of src copied as far as
 * it fits, which for the common record is all of it, then encode_slow()
 * for what ends the run (if the input and room go on).
 */
static SCAN_INLINE size_t
encode_fast(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used, unsigned char a, unsigned char b, enum encoding e)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t lim = srclen < dstlen ? srclen : dstlen, run;

	if ((run = copy_run(dst, s, lim, a, b)) < lim)
		return encode_slow(dst, dstlen, s, srclen, used, run, e);
	*used = run;
	return run;
}

/*
 * The escape of byte c (followed by next, or 0 at the end) that vis(3)
 * with VIS_CSTYLE | VIS_NL | VIS_TAB | VIS_OCTAL gives in the C locale,
 * into esc[4]; its length.  Only for bytes that are not plain.
 */
static inline size_t
vis_escape(char *esc, unsigned char c, unsigned char next)
{
	char letter = 0;

	switch (c) {
	case '\n':	letter = 'n'; break;
	case '\r':	letter = 'r'; break;
	case '\b':	letter = 'b'; break;
	case '\a':	letter = 'a'; break;
	case '\v':	letter = 'v'; break;
	case '\t':	letter = 't'; break;
	case '\f':	letter = 'f'; break;
	case '\\':	letter = '\\'; break;
	case '\0':
		/* "\0" unless a digit follows that would extend it */
		if (next < '0' || next > '7') {
			letter = '0';
			break;
		}
		memcpy(esc, "\\000", 4);
		return 4;
	default:
		break;
	}
	esc[0] = '\\';
	if (letter != 0) {
		esc[1] = letter;
		return 2;
	}
	esc[1] = (char)('0' + (c >> 6));
	esc[2] = (char)('0' + ((c >> 3) & 7));
	esc[3] = (char)('0' + (c & 7));
	return 4;
}

/* The code point of the valid k-byte UTF-8 sequence at s (k >= 2). */
static inline uint32_t
utf8_cp(const unsigned char *s, size_t k)
{
	if (k == 2)
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	if (k == 3)
		return (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

/*
 * 1 if the valid k-byte UTF-8 sequence at s may reach a terminal as it
 * is.  Not: a C1 control (U+0080-U+009F); a line or paragraph separator
 * (U+2028, U+2029: a reader that honours them would see one record as
 * two lines); a bidirectional mark, embedding, override or isolate
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which reorder
 * the text shown after them; an invisible format character (U+00AD,
 * U+180E, U+200B-U+200D, U+2060-U+206F, U+FEFF, U+FFF9-U+FFFB, the tags
 * U+E0000-U+E007F), which hides text a reader would not see; or a
 * noncharacter (U+FDD0-U+FDEF, U+nFFFE, U+nFFFF).
 */
static inline int
utf8_shown(const unsigned char *s, size_t k)
{
	uint32_t cp = utf8_cp(s, k);

	if (cp < 0x2000)
		return cp >= 0xa0 && cp != 0xad && cp != 0x61c && cp != 0x180e;
	if (cp < 0x2070)
		return !((cp >= 0x200b && cp <= 0x200f) ||
		    (cp >= 0x2028 && cp <= 0x202e) || cp >= 0x2060);
	return cp != 0xfeff && !(cp >= 0xfff9 && cp <= 0xfffb) &&
	    !(cp >= 0xfdd0 && cp <= 0xfdef) && (cp & 0xfffe) != 0xfffe &&
	    !(cp >= 0xe0000 && cp <= 0xe007f);
}

/*
 * What the vis encoders make of the byte at s (n >= 1 left) that is not
 * plain, as a special_fn: with utf8, a valid UTF-8 character utf8_shown()
 * accepts, as it is; else the byte's escape.
 */
static inline size_t
vis_special(char *dst, size_t room, const unsigned char *s, size_t n,
    size_t *w, int utf8)
{
	size_t k;
	char esc[4];

	if (utf8 && s[0] >= 0x80 && (k = fmt_utf8_seq(s, n)) > 0 &&
	    utf8_shown(s, k)) {
		if (k > room)
			return 0;
		memcpy(dst, s, k);
		*w = k;
		return k;
	}
	k = vis_escape(esc, s[0], n > 1 ? s[1] : 0);
	if (k > room)
		return 0;
	memcpy(dst, esc, k);
	*w = k;
	return 1;
}

/* vis_special() in the C locale. */
static size_t
vis_special_c(char *dst, size_t room, const unsigned char *s, size_t n,
    size_t *w)
{
	return vis_special(dst, room, s, n, w, 0);
}

/* vis_special() in a UTF-8 locale. */
static size_t
vis_special_utf8(char *dst, size_t room, const unsigned char *s, size_t n,
    size_t *w)
{
	return vis_special(dst, room, s, n, w, 1);
}

/*
 * vis(3) escaping (VIS_CSTYLE|VIS_NL|VIS_TAB|VIS_OCTAL) for the C locale:
 * runs of printable ASCII but '\\' are copied, every other byte escaped.
 */
size_t
fmt_vis(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used)
{
	return encode_fast(dst, dstlen, src, srclen, used, '\\', '\\',
	    ENC_VIS);
}

/*
 * vis(3) escaping for a UTF-8 locale: as fmt_vis, but a valid UTF-8
 * sequence of a character utf8_shown() accepts is copied too.
 */
size_t
fmt_vis_utf8(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used)
{
	return encode_fast(dst, dstlen, src, srclen, used, '\\', '\\',
	    ENC_VIS_UTF8);
}

/* 1 if the current LC_CTYPE locale's character set is UTF-8, else 0. */
int
fmt_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 ||
	    strcasecmp(cs, "UTF8") == 0);
}

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0. */
size_t
fmt_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;	/* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 ||
		    (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;	/* above U+10FFFF */
		return 4;
	}
	return 0;
}

/* fmt_utf8_valid() past the i bytes of ASCII that src starts with. */
static SLOW_PATH int
utf8_valid_rest(const unsigned char *s, size_t n, size_t i)
{
	size_t k;

	do {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = fmt_utf8_seq(s + i, n - i)) == 0)
			return 0;
		i += k;
	} while ((i += ascii_skip(s + i, n - i)) < n);
	return 1;
}

/* 1 if the n bytes at src are valid UTF-8, else 0; ASCII is the quick case. */
int
fmt_utf8_valid(const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = ascii_skip(s, n);

	return i == n || utf8_valid_rest(s, n, i);
}

/* The letter of JSON's two-character escape of control c, or 0. */
static inline char
json_letter(unsigned char c)
{
	switch (c) {
	case '\n':	return 'n';
	case '\t':	return 't';
	case '\r':	return 'r';
	case '\b':	return 'b';
	case '\f':	return 'f';
	default:	return 0;
	}
}

/* JSON's \uXXXX escape of the 16-bit unit u at dst (6 bytes). */
static inline void
json_unit(char *dst, uint32_t u)
{
	dst[0] = '\\';
	dst[1] = 'u';
	dst[2] = hexdig[u >> 12 & 15];
	dst[3] = hexdig[u >> 8 & 15];
	dst[4] = hexdig[u >> 4 & 15];
	dst[5] = hexdig[u & 15];
}

/*
 * The k-byte UTF-8 sequence at s, of a character utf8_shown() refuses, as
 * \u escapes (a surrogate pair above U+FFFF): the string means the same
 * to a JSON reader, and a terminal shows the escape, not what it does.
 */
static size_t
json_hidden(char *dst, size_t room, const unsigned char *s, size_t k,
    size_t *w)
{
	uint32_t cp = utf8_cp(s, k);

	if (cp < 0x10000) {
		if (room < 6)
			return 0;
		json_unit(dst, cp);
		*w = 6;
		return k;
	}
	if (room < 12)
		return 0;
	cp -= 0x10000;
	json_unit(dst, 0xd800 | cp >> 10);
	json_unit(dst + 6, 0xdc00 | (cp & 0x3ff));
	*w = 12;
	return k;
}

/*
 * What fmt_json makes of the byte at s (n >= 1 left) that is not plain,
 * as a special_fn: a valid UTF-8 character as it is (as \u escapes when
 * utf8_shown() refuses it), U+FFFD for a byte that does not start one, a
 * two-character or \u00XX escape for the rest.
 */
static size_t
json_special(char *dst, size_t room, const unsigned char *s, size_t n,
    size_t *w)
{
	unsigned char c = s[0];
	size_t k;
	char esc;

	if (c >= 0x80) {
		if ((k = fmt_utf8_seq(s, n)) == 0) {
			/* U+FFFD, as UTF-8 */
			if (room < 3)
				return 0;
			memcpy(dst, "\xef\xbf\xbd", 3);
			*w = 3;
			return 1;
		}
		if (!utf8_shown(s, k))
			return json_hidden(dst, room, s, k, w);
		if (room < k)
			return 0;
		memcpy(dst, s, k);
		*w = k;
		return k;
	}
	esc = c == '"' || c == '\\' ? (char)c : json_letter(c);
	if (esc != 0) {
		if (room < 2)
			return 0;
		dst[0] = '\\';
		dst[1] = esc;
		*w = 2;
		return 1;
	}
	/* other controls and DEL */
	if (room < 6)
		return 0;
	json_unit(dst, c);
	*w = 6;
	return 1;
}

/*
 * Every encoder past its first plain run: out of line, with the loop
 * inlined once for each encoding, where a, b and the special bytes'
 * function are constants.
 */
static SLOW_PATH size_t
encode_slow(char *dst, size_t dstlen, const unsigned char *s, size_t srclen,
    size_t *used, size_t run, enum encoding e)
{
	switch (e) {
	case ENC_VIS:
		return encode_rest(dst, dstlen, s, srclen, used, run, '\\',
		    '\\', vis_special_c);
	case ENC_VIS_UTF8:
		return encode_rest(dst, dstlen, s, srclen, used, run, '\\',
		    '\\', vis_special_utf8);
	default:
		return encode_rest(dst, dstlen, s, srclen, used, run, '"',
		    '\\', json_special);
	}
}

/*
 * Encode src as the inside of a JSON string: printable ASCII but '"' and
 * '\\' as it is, valid UTF-8 too (but what utf8_shown() refuses, which
 * is escaped), invalid bytes as U+FFFD.
 */
size_t
fmt_json(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used)
{
	return encode_fast(dst, dstlen, src, srclen, used, '"', '\\',
	    ENC_JSON);
}

static const char b64dig[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * The two base64 digits of every 12-bit value, built by the compiler: a
 * 3-byte group is two look-ups instead of four.
 */
#define B64C(x)		((char)((x) < 26 ? 'A' + (x) :		\
			    (x) < 52 ? 'a' + (x) - 26 :		\
			    (x) < 62 ? '0' + (x) - 52 :		\
			    (x) == 62 ? '+' : '/'))
#define B64P(x)		B64C((x) >> 6), B64C((x) & 63)
#define B64P4(x)	B64P(x), B64P((x) + 1), B64P((x) + 2), B64P((x) + 3)
#define B64P16(x)	B64P4(x), B64P4((x) + 4), B64P4((x) + 8),	\
			    B64P4((x) + 12)
#define B64P64(x)	B64P16(x), B64P16((x) + 16), B64P16((x) + 32),	\
			    B64P16((x) + 48)
#define B64P256(x)	B64P64(x), B64P64((x) + 64), B64P64((x) + 128),	\
			    B64P64((x) + 192)
#define B64P1024(x)	B64P256(x), B64P256((x) + 256),		\
			    B64P256((x) + 512), B64P256((x) + 768)
static const char b64pair[8192] = {
	B64P1024(0), B64P1024(1024), B64P1024(2048), B64P1024(3072),
};

/* Base64-encode src, whole groups only until the final partial one. */
size_t
fmt_base64(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t groups, left, g;
	char *d = dst;
	uint32_t v;

	/* As many whole groups as both sides hold, with no test inside. */
	groups = srclen / 3;
	if (groups > dstlen / 4)
		groups = dstlen / 4;
	for (g = 0; g < groups; g++, s += 3, d += 4) {
		v = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
		memcpy(d, b64pair + 2 * (v >> 12), 2);
		memcpy(d + 2, b64pair + 2 * (v & 0xfff), 2);
	}
	left = srclen - groups * 3;
	if (left > 0 && left < 3 && dstlen - groups * 4 >= 4) {
		v = (uint32_t)s[0] << 16;
		if (left == 2)
			v |= (uint32_t)s[1] << 8;
		d[0] = b64dig[v >> 18];
		d[1] = b64dig[(v >> 12) & 63];
		d[2] = left == 2 ? b64dig[(v >> 6) & 63] : '=';
		d[3] = '=';
		d += 4;
		left = 0;
	}
	*used = srclen - left;
	return (size_t)(d - dst);
}

/* "00" to "99": two digits a division by 100 at a time. */
const char fmt_digits2[201] =
    "000102030405060708091011121314151617181920212223242526272829"
    "303132333435363738394041424344454647484950515253545556575859"
    "606162636465666768697071727374757677787980818283848586878889"
    "90919293949596979899";

/* Two digits of v (0..99) at p. */
static inline void
put2(char *p, unsigned int v)
{
	memcpy(p, fmt_digits2 + 2 * v, 2);
}

/* v (below 10^4) as four digits, zeros first, at p. */
static inline void
put4(char *p, uint32_t v)
{
	put2(p, v / 100);
	put2(p + 2, v % 100);
}

/* v (below 10^8) as eight digits, zeros first, at p. */
static inline void
put8(char *p, uint32_t v)
{
	put4(p, v / 10000);
	put4(p + 4, v % 10000);
}

/* The number of decimal digits of v (below 2^32), by comparisons. */
static inline size_t
u32_digits(uint32_t v)
{
	if (v < 100000)
		return v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 :
		    v < 10000 ? 4 : 5;
	return v < 10000000 ? (v < 1000000 ? 6 : 7) : v < 100000000 ? 8 :
	    v < 1000000000 ? 9 : 10;
}

/*
 * v in decimal, its n digits at buf: two at a time from the end, in 32
 * bits, where a division by 100 is a cheaper multiplication.
 */
static inline void
u32_put(char *buf, size_t n, uint32_t v)
{
	uint32_t q;

	while (v >= 100) {
		q = v / 100;
		n -= 2;
		put2(buf + n, v - q * 100);
		v = q;
	}
	if (v >= 10)
		put2(buf, v);
	else
		buf[0] = (char)('0' + v);
}

/*
 * Write v in decimal at buf (FMT_U64LEN bytes, no NUL); its length.  Most
 * numbers (lengths, ids, seconds) fit in 32 bits; larger ones give their
 * low eight digits at a time to the 32-bit code.
 */
size_t
fmt_u64(char *buf, uint64_t v)
{
	size_t n, hn;
	uint64_t hi;

	if (v <= UINT32_MAX) {
		n = u32_digits((uint32_t)v);
		u32_put(buf, n, (uint32_t)v);
		return n;
	}
	/* up to 20 digits: 4 + 8 + 8 */
	hi = v / 100000000;
	if (hi <= UINT32_MAX) {
		hn = u32_digits((uint32_t)hi);
		u32_put(buf, hn, (uint32_t)hi);
	} else {
		hn = u32_digits((uint32_t)(hi / 100000000)) + 8;
		u32_put(buf, hn - 8, (uint32_t)(hi / 100000000));
		put8(buf + hn - 8, (uint32_t)(hi % 100000000));
	}
	put8(buf + hn, (uint32_t)(v % 100000000));
	return hn + 8;
}

/* Write v in decimal at buf (FMT_I64LEN bytes, no NUL); its length. */
size_t
fmt_i64(char *buf, int64_t v)
{
	if (v >= 0)
		return fmt_u64(buf, (uint64_t)v);
	buf[0] = '-';
	/* 0 - v in unsigned arithmetic: INT64_MIN has no positive twin */
	return 1 + fmt_u64(buf + 1, 0 - (uint64_t)v);
}

/*
 * Fill tc with "YYYY-MM-DDTHH:MM:SS." for second sec; 0, or -1 if gmtime
 * fails.  Years outside 0..9999 go through snprintf(3), as they always did.
 * Once a second: not inlined, so that fmt_time_cached() needs no frame.
 */
static int __attribute__((__noinline__))
time_prefix(struct fmt_timecache *tc, time_t sec)
{
	struct tm tm;
	int year, n;
	char *p = tc->prefix;

	if (gmtime_r(&sec, &tm) == NULL || tm.tm_year > INT_MAX - 1900)
		return -1;
	year = tm.tm_year + 1900;
	if (year >= 0 && year <= 9999) {
		put2(p, (unsigned int)year / 100);
		put2(p + 2, (unsigned int)year % 100);
		p[4] = '-';
		put2(p + 5, (unsigned int)tm.tm_mon + 1);
		p[7] = '-';
		put2(p + 8, (unsigned int)tm.tm_mday);
		p[10] = 'T';
		put2(p + 11, (unsigned int)tm.tm_hour);
		p[13] = ':';
		put2(p + 14, (unsigned int)tm.tm_min);
		p[16] = ':';
		put2(p + 17, (unsigned int)tm.tm_sec);
		p[19] = '.';
		tc->len = 20;
	} else {
		n = snprintf(p, sizeof(tc->prefix),
		    "%04d-%02d-%02dT%02d:%02d:%02d.", year, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (n < 0 || (size_t)n >= sizeof(tc->prefix))
			return -1;
		tc->len = (size_t)n;
	}
	tc->sec = sec;
	tc->valid = 1;
	return 0;
}

/* The time with snprintf(3), for a tv_nsec outside 0..999,999,999. */
static int
time_odd(char *buf, size_t len, const struct timespec *ts)
{
	struct tm tm;
	int n;

	if (gmtime_r(&ts->tv_sec, &tm) == NULL || tm.tm_year > INT_MAX - 1900)
		return -1;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(ts->tv_nsec / 1000));
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/*
 * fmt_time_cached() without a cache, or for a time out of range: out of
 * line, so that the cached path needs no frame of its own.
 */
static int __attribute__((__noinline__))
time_uncached(char *buf, size_t len, const struct timespec *ts)
{
	struct fmt_timecache tc;

	if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return time_odd(buf, len, ts);
	/* only for time_prefix() to fill: no need to clear it all */
	tc.valid = 0;
	return fmt_time_cached(buf, len, ts, &tc);
}

/*
 * RFC 3339 UTC time with microseconds and a NUL into buf[len]; its length,
 * or -1 if it does not fit.  The part up to the seconds is taken from tc
 * (NULL: none) when it holds the same second, and kept there otherwise.
 */
int
fmt_time_cached(char *buf, size_t len, const struct timespec *ts,
    struct fmt_timecache *tc)
{
	unsigned int us, hi;
	char *p;

	if (tc == NULL || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return time_uncached(buf, len, ts);
	if ((!tc->valid || tc->sec != ts->tv_sec) &&
	    time_prefix(tc, ts->tv_sec) == -1)
		return -1;
	/* six digits, 'Z' and the NUL */
	if (len < tc->len + 8)
		return -1;
	/* a four-digit year's 20 bytes as one fixed copy, not a call */
	if (tc->len == 20)
		memcpy(buf, tc->prefix, 20);
	else
		memcpy(buf, tc->prefix, tc->len);
	p = buf + tc->len;
	us = (unsigned int)(ts->tv_nsec / 1000);
	hi = us / 10000;
	us -= hi * 10000;
	put2(p, hi);
	put4(p + 2, us);
	p[6] = 'Z';
	p[7] = '\0';
	return (int)(tc->len + 7);
}

/* Format ts as RFC 3339 UTC with microseconds; -1 if it does not fit. */
int
fmt_time(char *buf, size_t len, const struct timespec *ts)
{
	return fmt_time_cached(buf, len, ts, NULL) == -1 ? -1 : 0;
}

/* A name and its length, NUL-padded to FMT_SYSLOG_NAME bytes. */
struct syslog_name {
	char		 s[FMT_SYSLOG_NAME];
	unsigned char	 len;
};

#define SYSLOG_NAME(name)	{ name, sizeof(name) - 1 }

static const struct syslog_name facilities[24] = {
	SYSLOG_NAME("kern"), SYSLOG_NAME("user"), SYSLOG_NAME("mail"),
	SYSLOG_NAME("daemon"), SYSLOG_NAME("auth"), SYSLOG_NAME("syslog"),
	SYSLOG_NAME("lpr"), SYSLOG_NAME("news"), SYSLOG_NAME("uucp"),
	SYSLOG_NAME("cron"), SYSLOG_NAME("authpriv"), SYSLOG_NAME("ftp"),
	SYSLOG_NAME("ntp"), SYSLOG_NAME("security"), SYSLOG_NAME("console"),
	SYSLOG_NAME("solaris-cron"), SYSLOG_NAME("local0"),
	SYSLOG_NAME("local1"), SYSLOG_NAME("local2"), SYSLOG_NAME("local3"),
	SYSLOG_NAME("local4"), SYSLOG_NAME("local5"), SYSLOG_NAME("local6"),
	SYSLOG_NAME("local7"),
};

static const struct syslog_name severities[8] = {
	SYSLOG_NAME("emerg"), SYSLOG_NAME("alert"), SYSLOG_NAME("crit"),
	SYSLOG_NAME("err"), SYSLOG_NAME("warning"), SYSLOG_NAME("notice"),
	SYSLOG_NAME("info"), SYSLOG_NAME("debug"),
};

/* Decode "<PRI>" (1-3 digits, no leading zero, <= 191) at the start. */
int
fmt_syslog(const char *src, size_t len, struct fmt_syslog *out)
{
	const unsigned char *s = (const unsigned char *)src;
	unsigned int pri, d;
	size_t i = 2;

	/* the digits one by one: there are at most three */
	if (len < 3 || s[0] != '<' || (pri = s[1] - (unsigned int)'0') > 9)
		return -1;
	if ((d = s[2] - (unsigned int)'0') <= 9) {
		if (pri == 0)
			return -1;
		pri = pri * 10 + d;
		i = 3;
		if (len > 3 && (d = s[3] - (unsigned int)'0') <= 9) {
			pri = pri * 10 + d;
			i = 4;
		}
	}
	if (i >= len || s[i] != '>' || pri > 191)
		return -1;
	i++;
	out->pri = (int)pri;
	out->facility = facilities[pri >> 3].s;
	out->facility_len = facilities[pri >> 3].len;
	out->severity = severities[pri & 7].s;
	out->severity_len = severities[pri & 7].len;
	out->version = 0;
	/*
	 * RFC 5424: VERSION then SP, and 1 is the only VERSION there is.
	 * Anything else ("<13>2 apples") is RFC 3164 text: taking it for a
	 * header would cut it off the message.
	 */
	if (i + 1 < len && src[i] == '1' && src[i + 1] == ' ') {
		out->version = 1;
		i += 2;
	}
	out->hdrlen = i;
	/*
	 * Python's SysLogHandler ends each message with a NUL, as some old
	 * syslogd wanted, and "echo '<13>hi' | nc -Uu" with a newline: as
	 * rsyslog does by default, and sysklogd before it, neither is
	 * taken for part of the message.
	 */
	out->msglen = len - i;
	if (out->msglen > 0 && src[i + out->msglen - 1] == '\0')
		out->msglen--;
	if (out->msglen > 0 && src[i + out->msglen - 1] == '\n')
		out->msglen--;
	return 0;
}
