/*
 * check_format.c - the tools' encoders and splitters of untrusted bytes:
 * vis escaping (against libbsd's strvisx(3)), JSON strings, base64,
 * syslog <PRI> headers and stdin record splitting.
 */
#include "config.h"

#define LIBBSD_OPENBSD_VIS 1

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include "common.h"
#include "format.h"
#include "records.h"

typedef size_t	enc_fn(char *, size_t, const char *, size_t, size_t *);

/* Run an encoder through an output buffer of room bytes at a time. */
static size_t
encode(enc_fn *enc, char *out, size_t room, const char *src, size_t len)
{
	size_t o = 0, off = 0, n, used;

	while (off < len) {
		n = enc(out + o, room, src + off, len - off, &used);
		ck_assert_msg(n > 0 || used > 0, "encoder made no progress");
		o += n;
		off += used;
	}
	out[o] = '\0';
	return o;
}

/* Random bytes biased towards the interesting ones. */
static void
fill(char *s, size_t len, unsigned int *seed)
{
	size_t i;
	int r;

	for (i = 0; i < len; i++) {
		r = rand_r(seed) % 8;
		s[i] = r == 0 ? '\0' : r == 1 ? (char)('0' + rand_r(seed) % 8) :
		    r == 2 ? (char)(rand_r(seed) % 256) : r == 3 ? '\\' :
		    (char)(0x1e + rand_r(seed) % 100);
	}
}

START_TEST(vis_matches_strvisx)
{
	char src[80], want[400], got[400];
	unsigned int seed = 1;
	size_t len;
	long t, n = t_scaled(200000);

	for (t = 0; t < n; t++) {
		len = (size_t)(rand_r(&seed) % 70);
		fill(src, len, &seed);
		/* strvisx peeks one byte past the end to choose \0 or \000 */
		src[len] = 'x';
		(void)strvisx(want, src, len,
		    VIS_CSTYLE | VIS_NL | VIS_TAB | VIS_OCTAL);
		(void)encode(fmt_vis, got, FMT_MINROOM + (size_t)(t % 9), src,
		    len);
		ck_assert_str_eq(got, want);
	}
}
END_TEST

START_TEST(vis_one_line_no_escape_bytes)
{
	const char hostile[] = "a\nb\033[2J\033]52;c;aGk=\007\r\0z";
	char got[200];
	size_t i, n;

	n = encode(fmt_vis, got, 64, hostile, sizeof(hostile) - 1);
	for (i = 0; i < n; i++)
		ck_assert_msg(got[i] >= 0x20 && got[i] < 0x7f,
		    "byte %zu is 0x%02x", i, (unsigned char)got[i]);
	ck_assert_str_eq(got, "a\\nb\\033[2J\\033]52;c;aGk=\\a\\r\\0z");
}
END_TEST

START_TEST(json_always_valid)
{
	char src[80], got[800];
	unsigned int seed = 2;
	size_t len, n, i;
	long t, cnt = t_scaled(100000);

	for (t = 0; t < cnt; t++) {
		len = (size_t)(rand_r(&seed) % 70);
		fill(src, len, &seed);
		n = encode(fmt_json, got, FMT_MINROOM + (size_t)(t % 7), src,
		    len);
		ck_assert(fmt_utf8_valid(got, n));
		for (i = 0; i < n; i++) {
			ck_assert((unsigned char)got[i] >= 0x20);
			/* every quote and backslash is escaped */
			if (got[i] == '"')
				ck_assert(i > 0 && got[i - 1] == '\\');
			if (got[i] == '\\') {
				ck_assert(i + 1 < n);
				ck_assert(strchr("\"\\/bfnrtu", got[i + 1]));
				i++;
			}
		}
	}
}
END_TEST

START_TEST(json_escapes)
{
	char got[100];

	(void)encode(fmt_json, got, 32, "a\"b\\c\n\x01\xc3\xa9", 9);
	ck_assert_str_eq(got, "a\\\"b\\\\c\\n\\u0001\xc3\xa9");
	ck_assert(!fmt_utf8_valid("\xc0\xaf", 2));	/* overlong */
	ck_assert(!fmt_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	ck_assert(!fmt_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	ck_assert(fmt_utf8_valid("\xf0\x9f\x98\x80", 4));
}
END_TEST

/*
 * What vis keeps off a terminal comes as \u escapes in JSON too: a C1
 * control, a line separator, a bidi override, a tag (as a surrogate
 * pair); an emoji and a letter stay as they are.
 */
START_TEST(json_hidden_escaped)
{
	char got[100];

	(void)encode(fmt_json, got, 64, "\xc2\x85" "a\xe2\x80\xa8" "b"
	    "\xe2\x80\xae" "c\xf3\xa0\x81\x81\xf0\x9f\x98\x80\xc3\xa9"
	    "\xef\xbb\xbf", 24);
	ck_assert_str_eq(got, "\\u0085a\\u2028b\\u202ec\\udb40\\udc41"
	    "\xf0\x9f\x98\x80\xc3\xa9\\ufeff");
}
END_TEST

START_TEST(base64_rfc4648)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char got[64];
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		(void)encode(fmt_base64, got, FMT_MINROOM, in[i],
		    strlen(in[i]));
		ck_assert_str_eq(got, out[i]);
	}
}
END_TEST

START_TEST(syslog_headers)
{
	struct fmt_syslog sl;
	const char *m;

	m = "<13>Nov 28 12:00:00 tag: hi";
	ck_assert_int_eq(fmt_syslog(m, strlen(m), &sl), 0);
	ck_assert_str_eq(sl.facility, "user");
	ck_assert_str_eq(sl.severity, "notice");
	ck_assert_int_eq(sl.version, 0);
	ck_assert_uint_eq(sl.hdrlen, 4);
	m = "<155>1 2026-11-28T12:00:00Z host app - - - msg";
	ck_assert_int_eq(fmt_syslog(m, strlen(m), &sl), 0);
	ck_assert_str_eq(sl.facility, "local3");
	ck_assert_str_eq(sl.severity, "err");
	ck_assert_int_eq(sl.version, 1);
	/* not headers: no '<', out of range, leading zero, unterminated */
	ck_assert_int_eq(fmt_syslog("hi", 2, &sl), -1);
	ck_assert_int_eq(fmt_syslog("<192>x", 6, &sl), -1);
	ck_assert_int_eq(fmt_syslog("<013>x", 6, &sl), -1);
	ck_assert_int_eq(fmt_syslog("<13", 3, &sl), -1);
	ck_assert_int_eq(fmt_syslog("<>x", 3, &sl), -1);
	ck_assert_int_eq(fmt_syslog("<00>x", 5, &sl), -1);
	ck_assert_int_eq(fmt_syslog("<1x>", 4, &sl), -1);
	ck_assert_int_eq(fmt_syslog("<123", 4, &sl), -1);
	ck_assert_int_eq(fmt_syslog("<1234>x", 7, &sl), -1);
	ck_assert_int_eq(fmt_syslog("<19", 3, &sl), -1);
	/* the shortest headers, and the largest PRI, end the datagram */
	ck_assert_int_eq(fmt_syslog("<9>", 3, &sl), 0);
	ck_assert_int_eq(sl.pri, 9);
	ck_assert_uint_eq(sl.hdrlen, 3);
	ck_assert_int_eq(fmt_syslog("<0>", 3, &sl), 0);
	ck_assert_int_eq(sl.pri, 0);
	ck_assert_int_eq(fmt_syslog("<191>", 5, &sl), 0);
	ck_assert_int_eq(sl.pri, 191);
	ck_assert_uint_eq(sl.hdrlen, 5);
	ck_assert_int_eq(fmt_syslog("<99>1 ", 6, &sl), 0);
	ck_assert_int_eq(sl.version, 1);
	ck_assert_uint_eq(sl.hdrlen, 6);
	ck_assert_uint_eq(sl.msglen, 0);
}
END_TEST

/*
 * Not part of the message: one last NUL, which Python's SysLogHandler
 * ends with, then one last newline, as "echo '<14>a' | nc -Uu" sends.
 */
START_TEST(syslog_message_end)
{
	static const struct {
		const char	*in;
		size_t		 len, msglen;
	} t[] = {
		{ "<14>tag: hi\0", 12, 7 }, { "<14>\0\0", 6, 1 },
		{ "<14>\0", 5, 0 }, { "<14>a\0b", 7, 3 }, { "<14>a\n", 6, 1 },
		{ "<14>a\n\0", 7, 1 }, { "<14>a\0\n", 7, 2 },
		{ "<14>\n\n", 6, 1 }, { "<14>1 \n", 7, 0 }, { "<14>", 4, 0 },
	};
	struct fmt_syslog sl;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(fmt_syslog(t[i].in, t[i].len, &sl), 0);
		ck_assert_msg(sl.msglen == t[i].msglen, "case %zu: msglen %zu",
		    i, sl.msglen);
	}
}
END_TEST

/*
 * Every name comes with its length and NULs to FMT_SYSLOG_NAME bytes:
 * the record writer copies them whole.
 */
START_TEST(syslog_names_padded)
{
	struct fmt_syslog sl;
	char hdr[8];
	int pri, n;
	size_t i;

	for (pri = 0; pri <= 191; pri++) {
		n = snprintf(hdr, sizeof(hdr), "<%d>x", pri);
		ck_assert_int_eq(fmt_syslog(hdr, (size_t)n, &sl), 0);
		ck_assert_uint_eq(strlen(sl.facility), sl.facility_len);
		ck_assert_uint_eq(strlen(sl.severity), sl.severity_len);
		ck_assert_uint_lt(sl.facility_len, FMT_SYSLOG_NAME);
		ck_assert_uint_lt(sl.severity_len, FMT_SYSLOG_NAME);
		for (i = sl.facility_len; i < FMT_SYSLOG_NAME; i++)
			ck_assert_int_eq(sl.facility[i], '\0');
		for (i = sl.severity_len; i < FMT_SYSLOG_NAME; i++)
			ck_assert_int_eq(sl.severity[i], '\0');
	}
	ck_assert_str_eq(sl.facility, "local7");
	ck_assert_str_eq(sl.severity, "debug");
}
END_TEST

/*
 * Found by tests/fuzz/fuzz-syslog.c: "<13>2 apples" decoded as version 2
 * with a 6-byte header, so udg-listen -s printed "apples".  Only "1 " is
 * an RFC 5424 VERSION; any other text after '>' stays in the message.
 */
START_TEST(syslog_version_only_1)
{
	static const char *const text[] = { "<13>2 apples", "<13>9 lives",
	    "<13>10 x", "<13>1", "<13>1x" };
	struct fmt_syslog sl;
	size_t i;

	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		ck_assert_int_eq(fmt_syslog(text[i], strlen(text[i]), &sl), 0);
		ck_assert_msg(sl.version == 0, "%s: version %d", text[i],
		    sl.version);
		ck_assert_msg(sl.hdrlen == 4, "%s: hdrlen %zu", text[i],
		    sl.hdrlen);
	}
	ck_assert_int_eq(fmt_syslog("<13>1 x", 7, &sl), 0);
	ck_assert_int_eq(sl.version, 1);
	ck_assert_uint_eq(sl.hdrlen, 6);
}
END_TEST

/* Split all of buf by sep and join the records with '|'. */
static void
split_all(const char *buf, size_t len, int sep, char *out)
{
	struct iovec recs[16];
	size_t used, off = 0;
	int n, i;

	*out = '\0';
	do {
		n = records_split(buf + off, len - off, sep, 1, recs, 16,
		    &used);
		for (i = 0; i < n; i++) {
			strncat(out, recs[i].iov_base, recs[i].iov_len);
			strcat(out, "|");
		}
		off += used;
	} while (n > 0);
	ck_assert_uint_eq(off, len);
}

START_TEST(records_lines_nul_whole)
{
	char out[256];
	struct iovec r;

	split_all("a\n\nb c\nlast", 11, '\n', out);
	ck_assert_str_eq(out, "a||b c|last|");
	split_all("a\nb\n", 4, '\n', out);	/* no empty record at EOF */
	ck_assert_str_eq(out, "a|b|");
	split_all("x\0y\0tail", 8, '\0', out);
	ck_assert_str_eq(out, "x|y|tail|");
	split_all("all\nof\0it", 9, REC_WHOLE, out);
	ck_assert_str_eq(out, "all\nof|");
	/* before EOF a partial record waits for more input */
	ck_assert_uint_eq(records_next("abc", 3, '\n', 0, &r), 0);
	ck_assert_uint_eq(records_next("abc\nd", 5, '\n', 0, &r), 4);
	ck_assert_uint_eq(r.iov_len, 3);
}
END_TEST

static Suite *
format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc;

	tc = t_tcase(s, "vis", 60);
	tcase_add_test(tc, vis_matches_strvisx);
	tcase_add_test(tc, vis_one_line_no_escape_bytes);
	tc = t_tcase(s, "json", 60);
	tcase_add_test(tc, json_always_valid);
	tcase_add_test(tc, json_escapes);
	tcase_add_test(tc, json_hidden_escaped);
	tcase_add_test(tc, base64_rfc4648);
	tc = t_tcase(s, "syslog", 10);
	tcase_add_test(tc, syslog_headers);
	tcase_add_test(tc, syslog_message_end);
	tcase_add_test(tc, syslog_names_padded);
	tcase_add_test(tc, syslog_version_only_1);
	tc = t_tcase(s, "records", 10);
	tcase_add_test(tc, records_lines_nul_whole);
	return s;
}

int
main(void)
{
	return t_run(format_suite());
}
