/*
 * check_encode.c - the fast encoders of format.c, byte for byte against
 * slow references (tests/fuzz/ref.h, libbsd's vis(3), snprintf(3)): vis
 * in both locales, UTF-8 vis, JSON, base64, integers and RFC 3339 times.
 */
#include "config.h"

#define LIBBSD_OPENBSD_VIS 1

#include <check.h>
#include <inttypes.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include "common.h"
#include "format.h"
#include "fuzz/ref.h"

/*
 * format.c once more as it is built without SSE2 (FMT_PORTABLE), its
 * functions renamed port_*: the word-at-a-time scans other machines run
 * are held to the same output here.
 */
#undef UDG_FORMAT_H
#define FMT_PORTABLE	1
#define fmt_vis		port_vis
#define fmt_vis_utf8	port_vis_utf8
#define fmt_locale_utf8	port_locale_utf8
#define fmt_json	port_json
#define fmt_base64	port_base64
#define fmt_utf8_valid	port_utf8_valid
#define fmt_utf8_seq	port_utf8_seq
#define fmt_u64		port_u64
#define fmt_i64		port_i64
#define fmt_time	port_time
#define fmt_time_cached	port_time_cached
#define fmt_time_fast	port_time_fast
#define fmt_digits2	port_digits2
#define fmt_timecache	port_timecache
#define fmt_syslog	port_syslog
#include "format.c"
#undef fmt_vis
#undef fmt_vis_utf8
#undef fmt_locale_utf8
#undef fmt_json
#undef fmt_base64
#undef fmt_utf8_valid
#undef fmt_utf8_seq
#undef fmt_u64
#undef fmt_i64
#undef fmt_time
#undef fmt_time_cached
#undef fmt_time_fast
#undef fmt_digits2
#undef fmt_timecache
#undef fmt_syslog

#define BIG	2048

/*
 * ck_assert() tells the forked runner about every passing check (a write
 * to a pipe): in loops of a million checks that is most of the run time.
 */
#define MUST(cond) do {							\
	if (!(cond))							\
		ck_abort_msg("failed: %s", #cond);			\
} while (0)

/* Run enc over src through a dst of room bytes at a time; NUL-ended. */
static size_t
encode(fmt_encoder *enc, char *out, size_t room, const char *src, size_t len)
{
	size_t o = 0, off = 0, n, used;

	while (off < len) {
		n = enc(out + o, room, src + off, len - off, &used);
		MUST(used > 0);
		MUST(n <= room);
		o += n;
		off += used;
	}
	out[o] = '\0';
	return o;
}

/* Check that out[0, n) equals want[0, wn), showing both when not. */
static void
same(const char *what, const char *out, size_t n, const char *want, size_t wn)
{
	char a[4 * 256 + 1], b[4 * 256 + 1];

	if (n == wn && memcmp(out, want, n) == 0)
		return;
	/* enough of both to see where they part */
	(void)strvisx(a, out, n < 256 ? n : 256, VIS_CSTYLE | VIS_OCTAL);
	(void)strvisx(b, want, wn < 256 ? wn : 256, VIS_CSTYLE | VIS_OCTAL);
	ck_abort_msg("%s: got \"%s\", want \"%s\"", what, a, b);
}

/* Random bytes: ASCII, controls, and pieces of UTF-8, good and bad. */
static size_t
fill(char *s, size_t cap, unsigned int *seed)
{
	static const char *const bits[] = {
		"\xc3\xa9", "\xc2\x85", "\xc2\xa0", "\xe2\x80\xae",
		"\xe2\x81\xa6", "\xe2\x80\xa8", "\xe2\x80\xaf", "\xed\xa0\x80",
		"\xc0\xaf", "\xe0\x80\xaf", "\xf0\x9f\x98\x80", "\xf4\x90\x80\x80",
		"\xe2\x82", "\x80", "\xff", "\\", "\"", "\x7f", "\x1b[2J",
	};
	size_t len = (size_t)rand_r(seed) % cap, i = 0, k;
	const char *b;
	int r;

	while (i < len) {
		r = rand_r(seed) % 6;
		if (r == 0) {
			b = bits[(size_t)rand_r(seed) % (sizeof(bits) /
			    sizeof(bits[0]))];
			k = strlen(b);
			if (k > len - i)
				k = len - i;
			memcpy(s + i, b, k);
			i += k;
		} else if (r == 1)
			s[i++] = (char)(rand_r(seed) % 256);
		else if (r == 2)
			s[i++] = (char)('0' + rand_r(seed) % 10);
		else if (r == 3)
			s[i++] = '\0';
		else
			s[i++] = (char)(0x20 + rand_r(seed) % 95);
	}
	return len;
}

START_TEST(vis_every_byte_pair)
{
	char src[3], want[16], got[16];
	size_t n;
	int c, d;

	for (c = 0; c < 256; c++)
		for (d = 0; d < 256; d++) {
			src[0] = (char)c;
			src[1] = (char)d;
			src[2] = '\0';
			(void)strvisx(want, src, 2, REF_VIS_FLAGS);
			n = encode(fmt_vis, got, FMT_MINROOM, src, 2);
			same("fmt_vis", got, n, want, strlen(want));
		}
}
END_TEST

START_TEST(vis_escapes_high_bytes_in_utf8_locale)
{
	const char src[] = "h\xc3\xa9llo \xe9\n";
	char got[64];
	size_t n;

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		ck_abort_msg("C.UTF-8 went away after the suite checked it");
	n = encode(fmt_vis, got, 64, src, sizeof(src) - 1);
	(void)setlocale(LC_CTYPE, "C");
	same("fmt_vis", got, n, "h\\303\\251llo \\351\\n", 19);
}
END_TEST

static const struct {
	const char	*in;
	size_t		 inlen;
	const char	*out;
} vis_utf8_cases[] = {
#define C(in, out)	{ in, sizeof(in) - 1, out }
	C("h\xc3\xa9llo", "h\xc3\xa9llo"),
	C("\xf0\x9f\x98\x80 \xe4\xb8\xad", "\xf0\x9f\x98\x80 \xe4\xb8\xad"),
	C("nbsp\xc2\xa0", "nbsp\xc2\xa0"),
	C("\xc2\x85", "\\302\\205"),			/* NEL, C1 */
	C("\xc2\x80\xc2\x9f", "\\302\\200\\302\\237"),
	C("\x7f\x1b[31m", "\\177\\033[31m"),
	C("a\xe2\x80\xae" "b", "a\\342\\200\\256b"),	/* RLO */
	C("\xe2\x80\xaa\xe2\x80\xac", "\\342\\200\\252\\342\\200\\254"),
	C("\xe2\x81\xa6\xe2\x81\xa9", "\\342\\201\\246\\342\\201\\251"),
	C("\xe2\x80\xa8\xe2\x80\xa9", "\\342\\200\\250\\342\\200\\251"),
	C("\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\x9f\xe2\x81\xb0",
	    "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\x9f\xe2\x81\xb0"),
	/* invisible: soft hyphen, ALM, MVS, ZWSP..RLM, WJ..U+206F, BOM */
	C("\xc2\xad", "\\302\\255"),
	C("\xd8\x9c", "\\330\\234"),
	C("\xe1\xa0\x8e", "\\341\\240\\216"),
	C("\xe2\x80\x8b\xe2\x80\x8f",
	    "\\342\\200\\213\\342\\200\\217"),
	C("\xe2\x81\xa0\xe2\x81\xaf",
	    "\\342\\201\\240\\342\\201\\257"),
	C("\xef\xbb\xbf", "\\357\\273\\277"),
	C("\xef\xbf\xb9\xef\xbf\xbb",
	    "\\357\\277\\271\\357\\277\\273"),
	/* tags (hidden text), and noncharacters */
	C("a\xf3\xa0\x80\x81" "b", "a\\363\\240\\200\\201b"),
	C("\xf3\xa0\x81\xbf", "\\363\\240\\201\\277"),
	C("\xef\xb7\x90\xef\xbf\xbe",
	    "\\357\\267\\220\\357\\277\\276"),
	C("\xf4\x8f\xbf\xbf", "\\364\\217\\277\\277"),
	/* their neighbours are shown */
	C("\xc2\xac\xe2\x80\x8a\xef\xbb\xbe\xef\xbf\xbc\xf3\xa0\x82\x80",
	    "\xc2\xac\xe2\x80\x8a\xef\xbb\xbe\xef\xbf\xbc\xf3\xa0\x82\x80"),
	C("\xc0\xaf", "\\300\\257"),			/* overlong '/' */
	C("\xe0\x80\xaf", "\\340\\200\\257"),
	C("\xf0\x80\x80\xaf", "\\360\\200\\200\\257"),
	C("\xed\xa0\x80", "\\355\\240\\200"),		/* surrogate */
	C("\xf4\x90\x80\x80", "\\364\\220\\200\\200"),	/* > U+10FFFF */
	C("\x80z\xff", "\\200z\\377"),
	C("end\xe2\x82", "end\\342\\202"),		/* cut short */
	C("\xe2\x82z", "\\342\\202z"),
	C("\\ \"", "\\\\ \""),
	C("\n\t\r\0x", "\\n\\t\\r\\0x"),
	C("\0" "1", "\\0001"),
#undef C
};

START_TEST(vis_utf8_examples)
{
	char got[256];
	size_t n, room;
	size_t k;

	for (k = 0; k < sizeof(vis_utf8_cases) / sizeof(vis_utf8_cases[0]);
	    k++)
		for (room = FMT_MINROOM; room < 20; room++) {
			n = encode(fmt_vis_utf8, got, room,
			    vis_utf8_cases[k].in, vis_utf8_cases[k].inlen);
			same("fmt_vis_utf8", got, n, vis_utf8_cases[k].out,
			    strlen(vis_utf8_cases[k].out));
		}
}
END_TEST

/* 1 if s[0, n) holds no code point ref_hidden() refuses, as UTF-8. */
static int
shows_nothing_hidden(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((k = ref_utf8(u + i, n - i, &cp)) == 0)
			return 0;
		if (ref_hidden(cp) && cp != '\\')
			return 0;
		i += k;
	}
	return 1;
}

START_TEST(vis_utf8_matches_reference)
{
	char src[BIG], want[4 * BIG], got[4 * BIG + 1], back[BIG + 1];
	unsigned int seed = 7;
	size_t len, n, wn;
	long t, cnt = t_scaled(100000);

	for (t = 0; t < cnt; t++) {
		len = fill(src, 80, &seed);
		wn = ref_vis_utf8(want, src, len);
		n = encode(fmt_vis_utf8, got, FMT_MINROOM + (size_t)(t % 13),
		    src, len);
		same("fmt_vis_utf8", got, n, want, wn);
		MUST(shows_nothing_hidden(got, n));
		/* and unvis(3) gives the bytes back */
		MUST(strunvis(back, got) == (int)len);
		MUST(memcmp(back, src, len) == 0);
	}
}
END_TEST

START_TEST(vis_utf8_is_vis_on_ascii)
{
	char src[BIG], a[4 * BIG + 1], b[4 * BIG + 1];
	unsigned int seed = 11;
	size_t len, i, na, nb;
	long t, cnt = t_scaled(20000);

	for (t = 0; t < cnt; t++) {
		len = fill(src, 100, &seed);
		for (i = 0; i < len; i++)
			src[i] = (char)(src[i] & 0x7f);
		na = encode(fmt_vis, a, 64, src, len);
		nb = encode(fmt_vis_utf8, b, 64, src, len);
		same("fmt_vis_utf8 on ASCII", b, nb, a, na);
	}
}
END_TEST

START_TEST(locale_utf8)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C"));
	ck_assert_int_eq(fmt_locale_utf8(), 0);
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	ck_assert_int_eq(fmt_locale_utf8(), 1);
	(void)setlocale(LC_CTYPE, "C");
}
END_TEST

typedef size_t	ref_fn(char *, const char *, size_t);

/*
 * enc through dsts of FMT_MINROOM up to + rooms bytes equals ref, on cnt
 * random inputs (one in ten long).
 */
static void
match_reference(const char *what, fmt_encoder *enc, ref_fn *ref,
    unsigned int seed, long cnt, size_t rooms)
{
	static char src[BIG], want[6 * BIG], got[6 * BIG + 1];
	size_t len, n, wn;
	long t;

	for (t = 0; t < cnt; t++) {
		len = fill(src, t % 10 == 0 ? BIG : 100, &seed);
		wn = ref(want, src, len);
		n = encode(enc, got, FMT_MINROOM + (size_t)t % rooms, src,
		    len);
		same(what, got, n, want, wn);
	}
}

START_TEST(json_matches_reference)
{
	match_reference("fmt_json", fmt_json, ref_json, 3, t_scaled(100000),
	    29);
}
END_TEST

START_TEST(base64_matches_reference)
{
	match_reference("fmt_base64", fmt_base64, ref_base64, 5,
	    t_scaled(50000), 23);
}
END_TEST

/* strvisx(3) of src[0, len), given the NUL after it that fmt_vis sees. */
static size_t
ref_vis(char *out, const char *src, size_t len)
{
	char copy[BIG + 1];

	memcpy(copy, src, len);
	copy[len] = '\0';
	return (size_t)strvisx(out, copy, len, REF_VIS_FLAGS);
}

/* 1 if src[0, len) is valid UTF-8 by ref.h's decoder. */
static int
ref_valid(const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, k;
	uint32_t cp;

	for (; i < len; i += k)
		if ((k = ref_utf8(s + i, len - i, &cp)) == 0)
			return 0;
	return 1;
}

/*
 * valid() of src[0, len), from an exact copy on the heap so that a read
 * past it is one a checker sees, against ref_valid().
 */
static void
valid_exact(int (*valid)(const char *, size_t), const char *src, size_t len)
{
	char *in;

	if ((in = malloc(len > 0 ? len : 1)) == NULL)
		ck_abort_msg("out of memory");
	memcpy(in, src, len);
	MUST(valid(in, len) == ref_valid(src, len));
	free(in);
}

static const struct {
	const char	*name;
	fmt_encoder	*enc;
	ref_fn		*ref;
} encoders[] = {
	{ "fmt_vis", fmt_vis, ref_vis },
	{ "fmt_vis_utf8", fmt_vis_utf8, ref_vis_utf8 },
	{ "fmt_json", fmt_json, ref_json },
	{ "port_vis", port_vis, ref_vis },
	{ "port_vis_utf8", port_vis_utf8, ref_vis_utf8 },
	{ "port_json", port_json, ref_json },
};

#define GUARD	'#'

/*
 * enc of src[0, len) (an exact copy on the heap, so that a read past it
 * is one a checker sees) through a dst of room bytes at a time: equal to
 * want, and never a byte written past what a call says it wrote.
 */
static void
encode_exact(const char *what, fmt_encoder *enc, size_t room,
    const char *src, size_t len, const char *want, size_t wn)
{
	static char got[6 * BIG], dst[BIG + 1];
	char *in;
	size_t o = 0, off = 0, n, used, j;

	if ((in = malloc(len > 0 ? len : 1)) == NULL)
		ck_abort_msg("out of memory");
	memcpy(in, src, len);
	while (off < len) {
		memset(dst, GUARD, room + 1);
		n = enc(dst, room, in + off, len - off, &used);
		MUST(used > 0 && used <= len - off);
		MUST(n <= room);
		for (j = n; j <= room; j++)
			if (dst[j] != GUARD)
				ck_abort_msg("%s: room %zu, len %zu: byte %zu "
				    "past the %zu written", what, room,
				    len - off, j, n);
		memcpy(got + o, dst, n);
		o += n;
		off += used;
	}
	free(in);
	same(what, got, o, want, wn);
}

/* The bytes put in a plain line, one at a time, at every position. */
static const char *const odd_bits[] = {
	"\\", "\"", "\0", "\0007", "\n", "\x1f", " ", "~", "\x7f", "\x80",
	"\xff", "\xc2\x85", "\xc3\xa9", "\xe2\x80\xae", "\xf0\x9f\x98\x80",
	"\xe2\x82",
};

/*
 * A line of len printable bytes (no '\\' or '"') with bit at pos (cut at
 * the end) and, if last, a control as its last byte.
 */
static void
odd_line(char *s, size_t len, size_t pos, const char *bit, size_t bitlen,
    int last)
{
	size_t i;

	for (i = 0; i < len; i++) {
		s[i] = (char)(0x20 + (i * 7 + len) % 95);
		if (s[i] == '\\' || s[i] == '"')
			s[i] = 'x';
	}
	if (pos < len)
		memcpy(s + pos, bit, bitlen < len - pos ? bitlen : len - pos);
	if (last && len > 0)
		s[len - 1] = '\001';
}

/*
 * Every encoder, vector and word scans alike, on lines of 0..40 bytes
 * with an odd byte at each position 0..40 (or none): the word and vector
 * boundaries, the overlapping last loads and every cut by the room left.
 */
START_TEST(odd_byte_everywhere)
{
	char src[64], want[6 * 64];
	size_t len, pos, b, e, room, wn, blen;
	int last;

	for (len = 0; len <= 40; len++)
		for (pos = 0; pos <= 41; pos++)
			for (b = 0; b < sizeof(odd_bits) / sizeof(odd_bits[0]);
			    b++)
				for (last = 0; last < 2; last++) {
			blen = b == 3 ? 2 : strlen(odd_bits[b]);
			if (b == 2)
				blen = 1;
			odd_line(src, len, pos, odd_bits[b], blen, last);
			valid_exact(fmt_utf8_valid, src, len);
			valid_exact(port_utf8_valid, src, len);
			for (e = 0; e < sizeof(encoders) / sizeof(encoders[0]);
			    e++) {
				wn = encoders[e].ref(want, src, len);
				for (room = FMT_MINROOM; room <= 20; room++)
					encode_exact(encoders[e].name,
					    encoders[e].enc, room, src, len,
					    want, wn);
				encode_exact(encoders[e].name, encoders[e].enc,
				    6 * 64, src, len, want, wn);
			}
		}
}
END_TEST

/* The portable encoders on the random inputs the fast ones get. */
START_TEST(portable_matches_reference)
{
	match_reference("port_vis_utf8", port_vis_utf8, ref_vis_utf8, 7,
	    t_scaled(30000), 13);
	match_reference("port_json", port_json, ref_json, 3,
	    t_scaled(30000), 29);
}
END_TEST

/* fmt_utf8_valid, both builds, on long inputs with one odd byte. */
START_TEST(utf8_valid_long)
{
	static char src[BIG];
	unsigned int seed = 19;
	size_t len, pos, b, blen;
	long t, cnt = t_scaled(20000);

	for (t = 0; t < cnt; t++) {
		len = (size_t)rand_r(&seed) % BIG;
		pos = len > 0 ? (size_t)rand_r(&seed) % (len + 8) : 0;
		b = (size_t)rand_r(&seed) % (sizeof(odd_bits) /
		    sizeof(odd_bits[0]));
		blen = b == 2 ? 1 : b == 3 ? 2 : strlen(odd_bits[b]);
		odd_line(src, len, pos, odd_bits[b], blen, 0);
		valid_exact(fmt_utf8_valid, src, len);
		valid_exact(port_utf8_valid, src, len);
	}
}
END_TEST

/* A random 64-bit value with a random number of significant bits. */
static uint64_t
rand64(unsigned int *seed)
{
	uint64_t v = 0;
	int i, bits = rand_r(seed) % 65;

	for (i = 0; i < 4; i++)
		v = v << 16 | (uint64_t)(rand_r(seed) & 0xffff);
	return bits == 64 ? v : v & ((UINT64_C(1) << bits) - 1);
}

/* fmt_u64 and fmt_i64 of v (and of its two's complement) vs snprintf. */
static void
check_int(uint64_t v)
{
	char got[FMT_U64LEN + 1], want[32];
	size_t n;
	int wn;

	memset(got, 'x', sizeof(got));
	n = fmt_u64(got, v);
	MUST(n <= FMT_U64LEN);
	MUST(got[n] == 'x');
	wn = snprintf(want, sizeof(want), "%" PRIu64, v);
	same("fmt_u64", got, n, want, (size_t)wn);
	memset(got, 'x', sizeof(got));
	n = fmt_i64(got, (int64_t)v);
	MUST(n <= FMT_I64LEN);
	MUST(got[n] == 'x');
	wn = snprintf(want, sizeof(want), "%" PRId64, (int64_t)v);
	same("fmt_i64", got, n, want, (size_t)wn);
}

START_TEST(integers_match_snprintf)
{
	unsigned int seed = 13;
	uint64_t p;
	long t, cnt = t_scaled(200000);

	check_int(0);
	check_int(UINT64_MAX);
	check_int((uint64_t)INT64_MAX);
	check_int((uint64_t)INT64_MIN);
	for (p = 1; p <= UINT64_MAX / 10; p *= 10) {
		check_int(p - 1);
		check_int(p);
		check_int(p + 1);
		check_int(0 - p);
	}
	for (t = 0; t < cnt; t++)
		check_int(rand64(&seed));
}
END_TEST

/* fmt_time and fmt_time_cached (with tc) of ts vs snprintf, in len bytes. */
static void
check_time(const struct timespec *ts, size_t len, struct fmt_timecache *tc)
{
	char got[64], want[64];
	int n, wn;

	wn = ref_time(want, len, ts);
	memset(got, 'x', sizeof(got));
	n = fmt_time_cached(got, len, ts, tc);
	if (n != wn)
		ck_abort_msg("fmt_time_cached of %lld.%09ld in %zu: %d, "
	    "want %d", (long long)ts->tv_sec, ts->tv_nsec, len, n, wn);
	if (wn >= 0) {
		same("fmt_time_cached", got, (size_t)n + 1, want,
		    (size_t)wn + 1);
		MUST(got[n + 1] == 'x');
	}
	n = fmt_time(got, len, ts);
	MUST(n == (wn >= 0 ? 0 : -1));
	if (wn >= 0)
		same("fmt_time", got, strlen(got), want, (size_t)wn);
	if (len != FMT_TIMELEN)
		return;
	/* the inline fast path, usually on the cache just filled */
	memset(got, 'x', sizeof(got));
	n = fmt_time_fast(got, ts, tc);
	if (n != wn)
		ck_abort_msg("fmt_time_fast of %lld.%09ld: %d, want %d",
		    (long long)ts->tv_sec, ts->tv_nsec, n, wn);
	if (wn >= 0) {
		same("fmt_time_fast", got, (size_t)n + 1, want,
		    (size_t)wn + 1);
		MUST(got[n + 1] == 'x');
	}
}

START_TEST(times_match_snprintf)
{
	static const time_t edges[] = {
		0, -1, 59, 60, 86399, 86400, 951782400 /* 2000-02-29 */,
		253402300799 /* 9999-12-31T23:59:59 */, 253402300800,
		-62167219200 /* year 0 */, -62167219201, INT32_MAX,
		(time_t)INT32_MAX + 1, INT32_MIN, INT64_MAX, INT64_MIN,
	};
	static const long nsecs[] = {
		0, 999, 1000, 999999999, 123456789, -1, -1000, 1000000000,
		INT32_MAX,
	};
	struct fmt_timecache tc = { 0 };
	struct timespec ts;
	unsigned int seed = 17;
	size_t e, k, len;
	long t, cnt = t_scaled(100000);

	for (e = 0; e < sizeof(edges) / sizeof(edges[0]); e++)
		for (k = 0; k < sizeof(nsecs) / sizeof(nsecs[0]); k++)
			for (len = 0; len < 40; len++) {
				ts.tv_sec = edges[e];
				ts.tv_nsec = nsecs[k];
				check_time(&ts, len, NULL);
				check_time(&ts, len, &tc);
			}
	for (t = 0; t < cnt; t++) {
		/* runs of the same second, as a busy listener sees them */
		if (rand_r(&seed) % 8 == 0)
			ts.tv_sec = (time_t)rand64(&seed) %
			    (time_t)400000000000LL - (time_t)100000000000LL;
		else if (rand_r(&seed) % 4 == 0)
			ts.tv_sec++;
		ts.tv_nsec = rand_r(&seed) % 1000000000L;
		check_time(&ts, FMT_TIMELEN, &tc);
	}
}
END_TEST

static Suite *
encode_suite(void)
{
	Suite *s = suite_create("encode");
	TCase *tc;

	tc = t_tcase(s, "vis", 60);
	tcase_add_test(tc, vis_every_byte_pair);
	tcase_add_test(tc, vis_utf8_examples);
	tcase_add_test(tc, vis_utf8_matches_reference);
	tcase_add_test(tc, vis_utf8_is_vis_on_ascii);
	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL) {
		(void)setlocale(LC_CTYPE, "C");
		tcase_add_test(tc, vis_escapes_high_bytes_in_utf8_locale);
		tcase_add_test(tc, locale_utf8);
	} else {
		t_skip("vis_escapes_high_bytes_in_utf8_locale",
		    "no C.UTF-8 locale");
		t_skip("locale_utf8", "no C.UTF-8 locale");
	}
	tc = t_tcase(s, "json", 60);
	tcase_add_test(tc, json_matches_reference);
	tcase_add_test(tc, base64_matches_reference);
	tc = t_tcase(s, "edges", 120);
	tcase_add_test(tc, odd_byte_everywhere);
	tcase_add_test(tc, portable_matches_reference);
	tcase_add_test(tc, utf8_valid_long);
	tc = t_tcase(s, "numbers", 60);
	tcase_add_test(tc, integers_match_snprintf);
	tcase_add_test(tc, times_match_snprintf);
	return s;
}

int
main(void)
{
	return t_run(encode_suite());
}
