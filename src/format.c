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

static const char hexdig[] = "0123456789abcdef";

#define ONES		0x0101010101010101ULL
#define HIGHS		0x8080808080808080ULL

/* 1 for bytes in 0x20..0x7e that are neither a nor b. */
static inline int
ascii_plain(unsigned char c, unsigned char a, unsigned char b)
{
	return c >= 0x20 && c < 0x7f && c != a && c != b;
}

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
static inline size_t
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

/* Copy run bytes of s to dst, or as many as room holds; the count. */
static inline size_t
put_run(char *dst, size_t room, const unsigned char *s, size_t run)
{
	if (run > room)
		run = room;
	memcpy(dst, s, run);
	return run;
}

/*
 * Copy the run at src[*i] of printable ASCII other than a and b, as much
 * as fits at dst[*o]; advance both.  1 if it copied anything.
 */
static int
copy_plain(char *dst, size_t dstlen, size_t *o, const unsigned char *src,
    size_t srclen, size_t *i, unsigned char a, unsigned char b)
{
	size_t run, n;

	if ((run = ascii_run(src + *i, srclen - *i, a, b)) == 0)
		return 0;
	n = put_run(dst + *o, dstlen - *o, src + *i, run);
	*o += n;
	*i += n;
	return 1;
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

/*
 * 1 if the valid k-byte UTF-8 sequence at s may reach a terminal as it
 * is: not a C1 control (U+0080-U+009F), a line or paragraph separator
 * (U+2028, U+2029: a reader that honours them would see one record as
 * two lines) or a bidirectional embedding, override or isolate
 * (U+202A-U+202E, U+2066-U+2069), which reorder the text shown after them.
 */
static inline int
utf8_shown(const unsigned char *s, size_t k)
{
	if (k == 2)
		return s[0] != 0xc2 || s[1] >= 0xa0;
	if (k == 3 && s[0] == 0xe2) {
		if (s[1] == 0x80)
			return s[2] < 0xa8 || s[2] > 0xae;
		if (s[1] == 0x81)
			return s[2] < 0xa6 || s[2] > 0xa9;
	}
	return 1;
}

/*
 * Escape src by vis(3) rules (VIS_CSTYLE|VIS_NL|VIS_TAB|VIS_OCTAL, C
 * locale): runs of plain bytes are copied, every other byte escaped; with
 * utf8, a valid UTF-8 sequence of a character utf8_shown() accepts is
 * copied too.  Inlined into both callers, so that the test of utf8 goes.
 */
static inline size_t
vis_encode(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used, int utf8)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, n, k;
	char esc[4];

	while (i < srclen) {
		if (copy_plain(dst, dstlen, &o, s, srclen, &i, '\\', '\\')) {
			if (o == dstlen)
				break;
			continue;
		}
		if (utf8 && s[i] >= 0x80 &&
		    (k = fmt_utf8_seq(s + i, srclen - i)) > 0 &&
		    utf8_shown(s + i, k)) {
			if (k > dstlen - o)
				break;
			memcpy(dst + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		n = vis_escape(esc, s[i], i + 1 < srclen ? s[i + 1] : 0);
		if (n > dstlen - o)
			break;
		memcpy(dst + o, esc, n);
		o += n;
		i++;
	}
	*used = i;
	return o;
}

/* vis(3) escaping for the C locale: printable ASCII only. */
size_t
fmt_vis(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used)
{
	return vis_encode(dst, dstlen, src, srclen, used, 0);
}

/* vis(3) escaping for a UTF-8 locale: printable characters pass. */
size_t
fmt_vis_utf8(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used)
{
	return vis_encode(dst, dstlen, src, srclen, used, 1);
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

/* 1 if the n bytes at src are valid UTF-8, else 0. */
int
fmt_utf8_valid(const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, k;

	while (i < n) {
		/* Fast path for ASCII, eight bytes at a time. */
		while (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = fmt_utf8_seq(s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
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

/* Encode src as the inside of a JSON string (invalid UTF-8 -> U+FFFD). */
size_t
fmt_json(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, k;
	unsigned char c;
	char esc;

	while (i < srclen) {
		if (copy_plain(dst, dstlen, &o, s, srclen, &i, '"', '\\')) {
			if (o == dstlen)
				break;
			continue;
		}
		c = s[i];
		if (c >= 0x80) {
			if ((k = fmt_utf8_seq(s + i, srclen - i)) == 0) {
				/* U+FFFD, as UTF-8 */
				if (dstlen - o < 3)
					break;
				memcpy(dst + o, "\xef\xbf\xbd", 3);
				o += 3;
				i++;
				continue;
			}
			if (dstlen - o < k)
				break;
			memcpy(dst + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		esc = c == '"' || c == '\\' ? (char)c : json_letter(c);
		if (esc != 0) {
			if (dstlen - o < 2)
				break;
			dst[o++] = '\\';
			dst[o++] = esc;
		} else {
			/* other controls and DEL */
			if (dstlen - o < 6)
				break;
			memcpy(dst + o, "\\u00", 4);
			dst[o + 4] = hexdig[c >> 4];
			dst[o + 5] = hexdig[c & 15];
			o += 6;
		}
		i++;
	}
	*used = i;
	return o;
}

static const char b64dig[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * The two base64 digits of every 12-bit value, built by the compiler: a
 * 3-byte group is two look-ups instead of four.
 */
#define B64C(x)		((char)((x) < 26 ? 'A' + (x) : (x) < 52 ?	\
			    'a' + (x) - 26 : (x) < 62 ? '0' + (x) - 52 :	\
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
static const char digits2[] =
    "000102030405060708091011121314151617181920212223242526272829"
    "303132333435363738394041424344454647484950515253545556575859"
    "606162636465666768697071727374757677787980818283848586878889"
    "90919293949596979899";

/* The number of decimal digits of v. */
static inline size_t
u64_digits(uint64_t v)
{
	size_t n = 1;

	for (; v >= 10000; v /= 10000)
		n += 4;
	if (v >= 1000)
		return n + 3;
	if (v >= 100)
		return n + 2;
	return v >= 10 ? n + 1 : n;
}

/* Write v in decimal at buf (FMT_U64LEN bytes, no NUL); its length. */
size_t
fmt_u64(char *buf, uint64_t v)
{
	size_t n = u64_digits(v), i = n;

	for (; v >= 100; v /= 100) {
		i -= 2;
		memcpy(buf + i, digits2 + 2 * (v % 100), 2);
	}
	if (v >= 10)
		memcpy(buf, digits2 + 2 * v, 2);
	else
		buf[0] = (char)('0' + v);
	return n;
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

/* Two digits of v (0..99) at p. */
static inline void
put2(char *p, unsigned int v)
{
	memcpy(p, digits2 + 2 * v, 2);
}

/*
 * Fill tc with "YYYY-MM-DDTHH:MM:SS." for second sec; 0, or -1 if gmtime
 * fails.  Years outside 0..9999 go through snprintf(3), as they always did.
 */
static int
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
		    "%04d-%02d-%02dT%02d:%02d:%02d.", year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		    tm.tm_sec);
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
 * RFC 3339 UTC time with microseconds and a NUL into buf[len]; its length,
 * or -1 if it does not fit.  The part up to the seconds is taken from tc
 * (NULL: none) when it holds the same second, and kept there otherwise.
 */
int
fmt_time_cached(char *buf, size_t len, const struct timespec *ts,
    struct fmt_timecache *tc)
{
	struct fmt_timecache local;
	unsigned int us;
	char *p;

	if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return time_odd(buf, len, ts);
	memset(&local, 0, sizeof(local));
	if (tc == NULL)
		tc = &local;
	if ((!tc->valid || tc->sec != ts->tv_sec) &&
	    time_prefix(tc, ts->tv_sec) == -1)
		return -1;
	/* six digits, 'Z' and the NUL */
	if (len < tc->len + 8)
		return -1;
	memcpy(buf, tc->prefix, tc->len);
	p = buf + tc->len;
	us = (unsigned int)(ts->tv_nsec / 1000);
	put2(p, us / 10000);
	put2(p + 2, us / 100 % 100);
	put2(p + 4, us % 100);
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

static const char *const facilities[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7",
};

static const char *const severities[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

/* Decode "<PRI>" (1-3 digits, no leading zero, <= 191) at the start. */
int
fmt_syslog(const char *src, size_t len, struct fmt_syslog *out)
{
	size_t i = 1;
	int pri = 0;

	if (len < 3 || src[0] != '<')
		return -1;
	while (i < len && i <= 3 && src[i] >= '0' && src[i] <= '9') {
		pri = pri * 10 + (src[i] - '0');
		i++;
	}
	if (i == 1 || i >= len || src[i] != '>')
		return -1;
	if (i > 2 && src[1] == '0')
		return -1;
	if (pri > 191)
		return -1;
	i++;
	out->pri = pri;
	out->facility = facilities[pri >> 3];
	out->severity = severities[pri & 7];
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
	return 0;
}
