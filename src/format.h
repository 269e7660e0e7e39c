/*
 * format.h - encoders for untrusted bytes, and syslog header decoding.
 *
 * Pure functions on buffers: no I/O, no allocation, so that they can be
 * unit-tested and fuzzed.  The encoders are resumable: each writes as much
 * as fits in dst, never a partial escape, sets *used to the input bytes
 * consumed and returns the bytes written; call again with the rest.
 */
#ifndef UDG_FORMAT_H
#define UDG_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/*
 * Smallest dst that always lets an encoder make progress: the longest
 * output of one step is a JSON surrogate pair, "\uXXXX\uXXXX".
 */
#define FMT_MINROOM		12

/* Room for "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" and a NUL. */
#define FMT_TIMELEN		32

/* Room for any uint64_t, and any int64_t with its sign, in decimal. */
#define FMT_U64LEN		20
#define FMT_I64LEN		20

typedef size_t	fmt_encoder(char *, size_t, const char *, size_t, size_t *);

/*
 * vis(3) with VIS_CSTYLE | VIS_NL | VIS_TAB | VIS_OCTAL in the C locale:
 * printable ASCII but '\\' verbatim, everything else a C escape or \ooo.
 */
size_t	fmt_vis(char *, size_t, const char *, size_t, size_t *);

/*
 * As fmt_vis, for a UTF-8 locale: a valid UTF-8 character passes as it is
 * unless it is a C1 control, U+2028/U+2029 or a bidirectional embedding,
 * override or isolate (U+202A-U+202E, U+2066-U+2069); those and invalid,
 * overlong or cut sequences are escaped a byte at a time (\ooo).
 */
size_t	fmt_vis_utf8(char *, size_t, const char *, size_t, size_t *);

/* 1 if the LC_CTYPE locale's codeset is UTF-8 (pick fmt_vis_utf8), else 0. */
int	fmt_locale_utf8(void);

/* The inside of a JSON string; bytes not valid UTF-8 become U+FFFD. */
size_t	fmt_json(char *, size_t, const char *, size_t, size_t *);

/* Base64 (RFC 4648, padded); consumes whole 3-byte groups until the end. */
size_t	fmt_base64(char *, size_t, const char *, size_t, size_t *);

/* 1 if src is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int	fmt_utf8_valid(const char *, size_t);

/* Length of the valid UTF-8 sequence at src, or 0 if it is not one. */
size_t	fmt_utf8_seq(const unsigned char *, size_t);

/* v in decimal at buf[FMT_U64LEN] (no NUL); returns the length. */
size_t	fmt_u64(char *, uint64_t);

/* v in decimal, '-' first if negative, at buf[FMT_I64LEN]; the length. */
size_t	fmt_i64(char *, int64_t);

/* RFC 3339 UTC time with microseconds into buf[FMT_TIMELEN]; -1 on error. */
int	fmt_time(char *, size_t, const struct timespec *);

/*
 * The caller's memory of the last second fmt_time_cached formatted: the
 * date and time up to the seconds change once a second, so only the
 * microseconds are written for the other records.  Zero it before use.
 */
struct fmt_timecache {
	time_t	 sec;
	int	 valid;
	size_t	 len;			/* of prefix */
	char	 prefix[FMT_TIMELEN];	/* "YYYY-MM-DDTHH:MM:SS." */
};

/* As fmt_time, with a cache (NULL: none); the length written, or -1. */
int	fmt_time_cached(char *, size_t, const struct timespec *,
	    struct fmt_timecache *);

/* "00" to "99" */
extern const char fmt_digits2[201];

/*
 * fmt_time_cached() into buf[FMT_TIMELEN], inline for a record's usual
 * case (the cached second, a four-digit year): a call, two checks of
 * room and a branch on the prefix's length are a tenth of a record's
 * cost in a small JSON record.
 */
static inline int
fmt_time_fast(char *buf, const struct timespec *ts, struct fmt_timecache *tc)
{
	unsigned long ns = (unsigned long)ts->tv_nsec;
	unsigned int us, hi, mid;

	if (tc == NULL || !tc->valid || tc->sec != ts->tv_sec ||
	    tc->len != 20 || ns >= 1000000000UL)
		return fmt_time_cached(buf, FMT_TIMELEN, ts, tc);
	memcpy(buf, tc->prefix, 20);
	us = (unsigned int)(ns / 1000);
	hi = us / 10000;
	us -= hi * 10000;
	mid = us / 100;
	us -= mid * 100;
	memcpy(buf + 20, fmt_digits2 + 2 * hi, 2);
	memcpy(buf + 22, fmt_digits2 + 2 * mid, 2);
	memcpy(buf + 24, fmt_digits2 + 2 * us, 2);
	buf[26] = 'Z';
	buf[27] = '\0';
	return 27;
}

/* The longest facility or severity name and its NUL, rounded up. */
#define FMT_SYSLOG_NAME		16

/*
 * facility and severity are NUL-terminated and padded with NULs to
 * FMT_SYSLOG_NAME bytes, so that they can be copied whole.
 */
struct fmt_syslog {
	int		 pri;		/* 0..191 */
	const char	*facility;	/* "user", "local0", ... */
	size_t		 facility_len;
	const char	*severity;	/* "notice", ... */
	size_t		 severity_len;
	int		 version;	/* 1 for RFC 5424, 0 for RFC 3164 */
	size_t		 hdrlen;	/* "<PRI>" (and "1 " if 5424) */
	size_t		 msglen;	/* after it, less a last NUL, LF */
};

/* Decode a leading syslog "<PRI>" header; 0 and *out filled, or -1. */
int	fmt_syslog(const char *, size_t, struct fmt_syslog *);

#endif /* UDG_FORMAT_H */
