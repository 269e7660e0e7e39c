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
#include <time.h>

/* Smallest dst that always lets an encoder make progress. */
#define FMT_MINROOM		8

/* Room for "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" and a NUL. */
#define FMT_TIMELEN		32

typedef size_t	fmt_encoder(char *, size_t, const char *, size_t, size_t *);

/*
 * vis(3) with VIS_CSTYLE | VIS_NL | VIS_TAB | VIS_OCTAL in the C locale:
 * printable ASCII but '\\' verbatim, everything else a C escape or \ooo.
 */
size_t	fmt_vis(char *, size_t, const char *, size_t, size_t *);

/* The inside of a JSON string; bytes not valid UTF-8 become U+FFFD. */
size_t	fmt_json(char *, size_t, const char *, size_t, size_t *);

/* Base64 (RFC 4648, padded); consumes whole 3-byte groups until the end. */
size_t	fmt_base64(char *, size_t, const char *, size_t, size_t *);

/* 1 if src is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int	fmt_utf8_valid(const char *, size_t);

/* Length of the valid UTF-8 sequence at src, or 0 if it is not one. */
size_t	fmt_utf8_seq(const unsigned char *, size_t);

/* RFC 3339 UTC time with microseconds into buf[FMT_TIMELEN]; -1 on error. */
int	fmt_time(char *, size_t, const struct timespec *);

struct fmt_syslog {
	int		 pri;		/* 0..191 */
	const char	*facility;	/* "user", "local0", ... */
	const char	*severity;	/* "notice", ... */
	int		 version;	/* 1 for RFC 5424, 0 for RFC 3164 */
	size_t		 hdrlen;	/* "<PRI>" (and "1 " if 5424) */
};

/* Decode a leading syslog "<PRI>" header; 0 and *out filled, or -1. */
int	fmt_syslog(const char *, size_t, struct fmt_syslog *);

#endif /* UDG_FORMAT_H */
