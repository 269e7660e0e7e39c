/*
 * fuzz-json.c - fmt_json and fmt_base64, the encoders of udg-listen -J.
 *
 * The first input byte picks the output buffer size (from FMT_MINROOM
 * up); the rest is encoded a piece at a time and in one call, which must
 * agree.  The JSON output must be a string body any parser accepts and
 * decode back to the input when that is valid UTF-8; base64 must decode
 * back to the input, in its canonical form.  Both must equal, byte for
 * byte, the slow references in ref.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "fuzz.h"
#include "ref.h"

#define JSON_MAXESC	6	/* "\u00XX": the longest output of one byte */

/* Encode src[0, len) through a dst of room bytes at a time into out. */
static size_t
chunked(fmt_encoder *enc, size_t room, const char *src, size_t len,
    char *out, size_t cap)
{
	char *dst;
	size_t off = 0, o = 0, n, used;

	dst = fuzz_alloc(room);
	while (off < len) {
		n = enc(dst, room, src + off, len - off, &used);
		/* room >= FMT_MINROOM: every call must get somewhere */
		FUZZ_CHECK(used > 0 && used <= len - off);
		FUZZ_CHECK(n > 0 && n <= room && n <= cap - o);
		memcpy(out + o, dst, n);
		o += n;
		off += used;
	}
	free(dst);
	return o;
}

/* Encode src[0, len) in one call, into a dst that is big enough. */
static size_t
whole(fmt_encoder *enc, const char *src, size_t len, char *out, size_t cap)
{
	size_t n, used;

	n = enc(out, cap, src, len, &used);
	FUZZ_CHECK(used == len && n <= cap);
	return n;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	FUZZ_FAIL("\\u not followed by 4 hex digits");
}

/* UTF-8 of cp (not a surrogate) into d; its length. */
static size_t
put_utf8(char *d, unsigned int cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The 4 hex digits after the "\\u" that ends at s[*i]; *i past them. */
static unsigned int
hex4(const char *s, size_t n, size_t *i)
{
	unsigned int cp = 0;
	int k;

	FUZZ_CHECK(n - *i > 4);
	for (k = 0; k < 4; k++)
		cp = cp << 4 | (unsigned int)hexval(s[++*i]);
	return cp;
}

/*
 * Walk s[0, n) as the inside of a JSON string (RFC 8259, section 7),
 * failing at anything a parser would reject, and decode it into dec
 * (never longer than s): returns the decoded length.
 */
static size_t
json_decode(const char *s, size_t n, char *dec)
{
	unsigned int cp, lo;
	size_t i, d = 0;

	for (i = 0; i < n; i++) {
		FUZZ_CHECK((unsigned char)s[i] >= 0x20);
		FUZZ_CHECK(s[i] != '"');
		if (s[i] != '\\') {
			dec[d++] = s[i];
			continue;
		}
		FUZZ_CHECK(++i < n);
		switch (s[i]) {
		case '"':
		case '\\':
		case '/':
			dec[d++] = s[i];
			break;
		case 'b':
			dec[d++] = '\b';
			break;
		case 'f':
			dec[d++] = '\f';
			break;
		case 'n':
			dec[d++] = '\n';
			break;
		case 'r':
			dec[d++] = '\r';
			break;
		case 't':
			dec[d++] = '\t';
			break;
		case 'u':
			cp = hex4(s, n, &i);
			/*
			 * A lone surrogate escape is valid JSON but no
			 * character: the encoder has no reason to make one.
			 * A high one comes with its low one, as a pair.
			 */
			if (cp >= 0xd800 && cp <= 0xdbff) {
				FUZZ_CHECK(n - i > 2 && s[i + 1] == '\\' &&
				    s[i + 2] == 'u');
				i += 2;
				lo = hex4(s, n, &i);
				FUZZ_CHECK(lo >= 0xdc00 && lo <= 0xdfff);
				cp = 0x10000 + ((cp - 0xd800) << 10 |
				    (lo - 0xdc00));
			} else
				FUZZ_CHECK(cp < 0xd800 || cp > 0xdfff);
			d += put_utf8(dec + d, cp);
			break;
		default:
			FUZZ_FAIL("backslash before a character JSON does not "
			    "escape");
		}
	}
	return d;
}

/*
 * 1 if fmt_json may copy s[0, n) as it is: UTF-8, no control, " or \,
 * and nothing ref_hidden() keeps off a terminal.
 */
static int
json_verbatim(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	size_t i, k;

	if (!fmt_utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i += k) {
		if (u[i] < 0x20 || u[i] == 0x7f || u[i] == '"' ||
		    u[i] == '\\')
			return 0;
		k = ref_utf8(u + i, n - i, &cp);
		if (k > 1 && ref_hidden(cp))
			return 0;
	}
	return 1;
}

static void
check_json(size_t room, const char *src, size_t len)
{
	char *a, *b, *dec;
	size_t cap, na, nb, nd;

	cap = JSON_MAXESC * len;
	a = fuzz_alloc(cap);
	b = fuzz_alloc(cap);
	na = chunked(fmt_json, room, src, len, a, cap);
	nb = whole(fmt_json, src, len, b, cap);
	FUZZ_CHECK(na == nb && memcmp(a, b, na) == 0);
	nb = ref_json(b, src, len);
	FUZZ_CHECK(na == nb && memcmp(a, b, na) == 0);

	FUZZ_CHECK(fmt_utf8_valid(a, na));
	dec = fuzz_alloc(na);
	nd = json_decode(a, na, dec);
	if (fmt_utf8_valid(src, len))
		FUZZ_CHECK(nd == len && memcmp(dec, src, len) == 0);
	if (json_verbatim(src, len))
		FUZZ_CHECK(na == len && memcmp(a, src, len) == 0);
	free(dec);
	free(b);
	free(a);
}

static const char b64dig[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Decode padded base64 s[0, n) into dec; returns the decoded length.
 * Strict: '=' only at the end, and the bits it stands for are zero (the
 * one canonical encoding of the input).
 */
static size_t
b64_decode(const char *s, size_t n, unsigned char *dec)
{
	const char *p;
	uint32_t w;
	size_t i, d = 0;
	int k, pad;

	FUZZ_CHECK(n % 4 == 0);
	for (i = 0; i < n; i += 4) {
		w = 0;
		pad = 0;
		for (k = 0; k < 4; k++) {
			w <<= 6;
			if (s[i + k] == '=' && i + 4 == n && k >= 2) {
				pad++;
				continue;
			}
			FUZZ_CHECK(pad == 0);
			p = memchr(b64dig, s[i + k], 64);
			FUZZ_CHECK(p != NULL);
			w |= (uint32_t)(p - b64dig);
		}
		dec[d++] = (unsigned char)(w >> 16);
		if (pad < 2)
			dec[d++] = (unsigned char)(w >> 8);
		else
			FUZZ_CHECK((w & 0xffff) == 0);
		if (pad < 1)
			dec[d++] = (unsigned char)w;
		else
			FUZZ_CHECK((w & 0xff) == 0);
	}
	return d;
}

static void
check_base64(size_t room, const char *src, size_t len)
{
	char *a, *b;
	unsigned char *dec;
	size_t cap, na, nb;

	cap = 4 * ((len + 2) / 3);
	a = fuzz_alloc(cap);
	b = fuzz_alloc(cap);
	na = chunked(fmt_base64, room, src, len, a, cap);
	nb = whole(fmt_base64, src, len, b, cap);
	FUZZ_CHECK(na == nb && memcmp(a, b, na) == 0);
	FUZZ_CHECK(na == cap);
	FUZZ_CHECK(ref_base64(b, src, len) == na && memcmp(a, b, na) == 0);
	dec = fuzz_alloc(len);
	FUZZ_CHECK(b64_decode(a, na, dec) == len);
	FUZZ_CHECK(memcmp(dec, src, len) == 0);
	free(dec);
	free(b);
	free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t room;

	if (size == 0)
		return 0;
	room = FMT_MINROOM + data[0] % 32;
	check_json(room, (const char *)data + 1, size - 1);
	check_base64(room, (const char *)data + 1, size - 1);
	return 0;
}
