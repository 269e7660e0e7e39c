/*
 * ref.h - slow, obvious versions of format.c's encoders, for the Check
 * suite and the fuzz targets to compare the fast ones with, byte for byte.
 *
 * Each works in one call on a big enough output and shares no code with
 * format.c: UTF-8 is decoded to a code point and judged by its value (not
 * by lead-byte tables), escapes come from libbsd's vis(3) (only right in
 * the C locale), numbers and times from snprintf(3).
 */
#ifndef UDG_FUZZ_REF_H
#define UDG_FUZZ_REF_H

#ifndef LIBBSD_OPENBSD_VIS
#define LIBBSD_OPENBSD_VIS 1
#endif

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <vis.h>

#define REF_VIS_FLAGS	(VIS_CSTYLE | VIS_NL | VIS_TAB | VIS_OCTAL)

/*
 * The code point of the UTF-8 sequence at s (n bytes left) into *cp and
 * its length, or 0 if it is not a valid, shortest-form sequence of a
 * Unicode scalar value.
 */
static inline size_t
ref_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t k, j;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		k = 2;
		v = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		k = 3;
		v = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		k = 4;
		v = s[0] & 0x07;
	} else
		return 0;
	if (n < k)
		return 0;
	for (j = 1; j < k; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[j] & 0x3f);
	}
	if (v < least[k] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return k;
}

/* 1 for the code points fmt_vis_utf8 must never show as they are. */
static inline int
ref_hidden(uint32_t cp)
{
	static const uint32_t ranges[][2] = {
		{ 0, 0x1f }, { 0x5c, 0x5c }, { 0x7f, 0x9f }, { 0xad, 0xad },
		{ 0x61c, 0x61c }, { 0x180e, 0x180e }, { 0x200b, 0x200f },
		{ 0x2028, 0x202e }, { 0x2060, 0x206f }, { 0xfdd0, 0xfdef },
		{ 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0xe0000, 0xe007f },
	};
	size_t i;

	if ((cp & 0xfffe) == 0xfffe)
		return 1;
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return 1;
	return 0;
}

/* fmt_vis_utf8 of src[0, len) into out (4 * len + 1: vis(3) adds a NUL). */
static inline size_t
ref_vis_utf8(char *out, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, k;
	uint32_t cp;
	char *end;

	while (i < len) {
		k = ref_utf8(s + i, len - i, &cp);
		if (k > 0 && !ref_hidden(cp)) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		end = vis(out + o, s[i], REF_VIS_FLAGS,
		    i + 1 < len ? s[i + 1] : 0);
		o = (size_t)(end - out);
		i++;
	}
	return o;
}

/* cp as JSON \u escapes, a surrogate pair above U+FFFF; the length. */
static inline size_t
ref_json_cp(char *out, uint32_t cp)
{
	char hex[16];

	if (cp < 0x10000) {
		(void)snprintf(hex, sizeof(hex), "\\u%04x", (unsigned int)cp);
		memcpy(out, hex, 6);
		return 6;
	}
	cp -= 0x10000;
	(void)snprintf(hex, sizeof(hex), "\\u%04x\\u%04x",
	    (unsigned int)(0xd800 + (cp >> 10)),
	    (unsigned int)(0xdc00 + (cp & 0x3ff)));
	memcpy(out, hex, 12);
	return 12;
}

/*
 * fmt_json of src[0, len) into out (6 * len bytes); the length.  What
 * ref_hidden() names is escaped, as fmt_vis_utf8 does, so that the record
 * shown on a terminal is what it says.
 */
static inline size_t
ref_json(char *out, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, k;
	uint32_t cp;
	unsigned char c;
	char hex[8];

	while (i < len) {
		c = s[i];
		if (c >= 0x80) {
			if ((k = ref_utf8(s + i, len - i, &cp)) == 0) {
				memcpy(out + o, "\xef\xbf\xbd", 3);
				o += 3;
				i++;
			} else if (ref_hidden(cp)) {
				o += ref_json_cp(out + o, cp);
				i += k;
			} else {
				memcpy(out + o, s + i, k);
				o += k;
				i += k;
			}
			continue;
		}
		i++;
		if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\') {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '\\';
		if (c == '"' || c == '\\')
			out[o++] = (char)c;
		else if (c == '\n')
			out[o++] = 'n';
		else if (c == '\t')
			out[o++] = 't';
		else if (c == '\r')
			out[o++] = 'r';
		else if (c == '\b')
			out[o++] = 'b';
		else if (c == '\f')
			out[o++] = 'f';
		else {
			/* snprintf's NUL goes to hex, not past out */
			(void)snprintf(hex, sizeof(hex), "u%04x", c);
			memcpy(out + o, hex, 5);
			o += 5;
		}
	}
	return o;
}

/* Padded base64 of src[0, len) into out (4 * (len + 2) / 3 bytes). */
static inline size_t
ref_base64(char *out, const char *src, size_t len)
{
	static const char dig[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)src;
	size_t i, o = 0;
	unsigned long bits;
	int j;

	for (i = 0; i < len; i += 3) {
		bits = (unsigned long)s[i] << 16;
		if (i + 1 < len)
			bits |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < len)
			bits |= s[i + 2];
		for (j = 0; j < 4; j++)
			out[o + (size_t)j] = (size_t)j <= len - i ?
			    dig[(bits >> (18 - 6 * j)) & 63] : '=';
		o += 4;
	}
	return o;
}

/* fmt_time's output by snprintf(3), NUL-terminated; its length or -1. */
static inline int
ref_time(char *buf, size_t len, const struct timespec *ts)
{
	struct tm tm;
	int n;

	if (gmtime_r(&ts->tv_sec, &tm) == NULL)
		return -1;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(ts->tv_nsec / 1000));
	return n < 0 || (size_t)n >= len ? -1 : n;
}

#endif /* UDG_FUZZ_REF_H */
