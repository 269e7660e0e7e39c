/*
 * format.c - escaping, JSON, base64, timestamps and syslog headers.
 *
 * Everything here works on caller-supplied buffers and never does I/O, so
 * that it can be tested and fuzzed on its own.
 */
#include "config.h"

/* vis.h: keep the historical strnvis(3); silences its #warning. */
#define LIBBSD_OPENBSD_VIS 1

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <vis.h>

#include "format.h"

static const char hexdig[] = "0123456789abcdef";

#define VIS_FLAGS	(VIS_CSTYLE | VIS_NL | VIS_TAB | VIS_OCTAL)
#define ONES		0x0101010101010101ULL
#define HIGHS		0x8080808080808080ULL

/* 1 for bytes that vis(3) would leave alone (printable ASCII, not '\\'). */
static inline int
vis_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

/*
 * Length of the run of plain bytes at s, eight at a time while no byte of
 * a word is below 0x20, above 0x7e or a backslash (the tests may flag a
 * plain byte, never miss another: the byte loop then decides).
 */
static size_t
plain_run(const unsigned char *s, size_t n)
{
	uint64_t w, bs, bad;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		bs = w ^ (ONES * '\\');
		bad = ((w - ONES * 0x20) & ~w) |	/* a byte < 0x20 */
		    ((w + ONES) | w) |			/* a byte > 0x7e */
		    ((bs - ONES) & ~bs);		/* a backslash */
		if ((bad & HIGHS) != 0)
			break;
	}
	while (i < n && vis_plain(s[i]))
		i++;
	return i;
}

/*
 * Escape src by vis(3) rules (VIS_CSTYLE|VIS_NL|VIS_TAB|VIS_OCTAL): runs of
 * plain bytes are copied, every other byte goes through libbsd's vis(3).
 */
size_t
fmt_vis(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, run, n;
	char esc[5], *end;

	while (i < srclen) {
		run = plain_run(s + i, srclen - i);
		if (run > 0) {
			if (run > dstlen - o)
				run = dstlen - o;
			memcpy(dst + o, s + i, run);
			o += run;
			i += run;
			if (o == dstlen)
				break;
			continue;
		}
		end = vis(esc, s[i], VIS_FLAGS, i + 1 < srclen ? s[i + 1] : 0);
		n = (size_t)(end - esc);
		if (n > dstlen - o)
			break;
		memcpy(dst + o, esc, n);
		o += n;
		i++;
	}
	*used = i;
	return o;
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

/* 1 for bytes that go into a JSON string as they are. */
static inline int
json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* Encode src as the inside of a JSON string (invalid UTF-8 -> U+FFFD). */
size_t
fmt_json(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, run, k;
	unsigned char c;
	char esc;

	while (i < srclen) {
		for (run = i; run < srclen && json_plain(s[run]); run++)
			;
		if (run > i) {
			if (run - i > dstlen - o)
				run = i + (dstlen - o);
			memcpy(dst + o, s + i, run - i);
			o += run - i;
			i = run;
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
				dst[o++] = (char)0xef;
				dst[o++] = (char)0xbf;
				dst[o++] = (char)0xbd;
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
		esc = 0;
		switch (c) {
		case '"':	esc = '"'; break;
		case '\\':	esc = '\\'; break;
		case '\n':	esc = 'n'; break;
		case '\t':	esc = 't'; break;
		case '\r':	esc = 'r'; break;
		case '\b':	esc = 'b'; break;
		case '\f':	esc = 'f'; break;
		default:
			break;
		}
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

/* Base64-encode src, whole groups only until the final partial one. */
size_t
fmt_base64(char *dst, size_t dstlen, const char *src, size_t srclen,
    size_t *used)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0;
	uint32_t v;

	while (srclen - i >= 3 && dstlen - o >= 4) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		dst[o++] = b64dig[v >> 18];
		dst[o++] = b64dig[(v >> 12) & 63];
		dst[o++] = b64dig[(v >> 6) & 63];
		dst[o++] = b64dig[v & 63];
		i += 3;
	}
	if (srclen - i > 0 && srclen - i < 3 && dstlen - o >= 4) {
		v = (uint32_t)s[i] << 16;
		if (srclen - i == 2)
			v |= (uint32_t)s[i + 1] << 8;
		dst[o++] = b64dig[v >> 18];
		dst[o++] = b64dig[(v >> 12) & 63];
		dst[o++] = srclen - i == 2 ? b64dig[(v >> 6) & 63] : '=';
		dst[o++] = '=';
		i = srclen;
	}
	*used = i;
	return o;
}

/* Format ts as RFC 3339 UTC with microseconds; -1 if it does not fit. */
int
fmt_time(char *buf, size_t len, const struct timespec *ts)
{
	struct tm tm;
	int n;

	if (gmtime_r(&ts->tv_sec, &tm) == NULL)
		return -1;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(ts->tv_nsec / 1000));
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
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
