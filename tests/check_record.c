/*
 * check_record.c - udg-listen's records, byte for byte: the text, raw,
 * NUL and JSON formats, every escape, every JSON member, the -C and -s
 * prefixes and the syslog variants.  Records go through a real struct
 * tool_out with a small buffer, so escapes cut across flushes too.
 */
#include "config.h"

#include <sys/mman.h>

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "format.h"
#include "listen-record.h"
#include "tool-out.h"

#define OUTCAP	64		/* small: records span many flushes */

/* 2025-12-01T14:40:00.123456Z */
static const struct timespec when = { 1764600000, 123456789 };

/* A datagram from /tmp/c.sock, credentials 4711 1000 100 (one at a time). */
static void
msg_from(struct udg_msg *m, const char *payload, size_t len)
{
	static char buf[80 * 1024];

	ck_assert_uint_le(len, sizeof(buf));
	memcpy(buf, payload, len);
	t_msg_init(m, buf, len);
	m->len = m->reallen = len;
	m->pid = 4711;
	m->uid = 1000;
	m->gid = 100;
	m->peer_type = UDG_PEER_PATH;
	(void)strlcpy(m->peer, "/tmp/c.sock", sizeof(m->peer));
	m->peer_len = strlen(m->peer);
}

/* The record for m with ro, in a malloc'ed buffer; *len its length. */
static char *
render(const struct record_opts *ro, const struct udg_msg *m, size_t *len)
{
	struct tool_out o;
	char *buf;
	off_t end;
	int fd;

	fd = memfd_create("record", MFD_CLOEXEC);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(tool_out_init(&o, fd, OUTCAP), 0);
	ck_assert_int_eq(record_write(&o, ro, m, &when), 0);
	ck_assert_int_eq(tool_out_flush(&o), 0);
	tool_out_free(&o);
	end = lseek(fd, 0, SEEK_END);
	ck_assert_int_ge(end, 0);
	buf = malloc((size_t)end + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, (size_t)end, 0), end);
	buf[end] = '\0';
	(void)close(fd);
	*len = (size_t)end;
	return buf;
}

/* Assert that ro's record for payload[0, len) is exactly want[0, wlen). */
static void
expect_len(const struct record_opts *ro, const struct udg_msg *m,
    const char *want, size_t wlen)
{
	size_t len;
	char *got = render(ro, m, &len);

	ck_assert_msg(len == wlen && memcmp(got, want, wlen) == 0,
	    "got \"%s\" (%zu bytes), want \"%s\" (%zu bytes)", got, len, want,
	    wlen);
	free(got);
}

/* The same for a NUL-free expectation. */
static void
expect(const struct record_opts *ro, const struct udg_msg *m,
    const char *want)
{
	expect_len(ro, m, want, strlen(want));
}

/* Options for format f, the other fields default. */
static struct record_opts
opts(enum record_format f, int creds, int syslog)
{
	struct record_opts ro;

	record_opts_init(&ro);
	ro.format = f;
	ro.creds = creds;
	ro.syslog = syslog;
	return ro;
}

START_TEST(text_escapes)
{
	struct record_opts ro = opts(RECORD_TEXT, 0, 0);
	static const char p[] =
	    "a\nb\tc\\d\033e\r\a\b\v\f\0x\0" "1\177\303\251";
	struct udg_msg m;

	msg_from(&m, "hello", 5);
	expect(&ro, &m, "hello\n");
	msg_from(&m, p, sizeof(p) - 1);
	expect(&ro, &m,
	    "a\\nb\\tc\\\\d\\033e\\r\\a\\b\\v\\f\\0x\\0001\\177\\303\\251\n");
	msg_from(&m, "", 0);
	expect(&ro, &m, "\n");
}
END_TEST

START_TEST(text_long_payload_matches_encoder)
{
	struct record_opts ro = opts(RECORD_TEXT, 0, 0);
	static char p[70000], want[4 * sizeof(p) + 2];
	struct udg_msg m;
	size_t i, n = 0, used, off = 0;

	for (i = 0; i < sizeof(p); i++)
		p[i] = (char)(i * 7);
	while (off < sizeof(p)) {
		n += fmt_vis(want + n, sizeof(want) - n - 1, p + off,
		    sizeof(p) - off, &used);
		off += used;
	}
	want[n++] = '\n';
	msg_from(&m, p, sizeof(p));
	expect_len(&ro, &m, want, n);
}
END_TEST

/* A text encoder for the test: every byte becomes 'X'. */
static size_t
enc_x(char *dst, size_t room, const char *src, size_t len, size_t *used)
{
	size_t n = len < room ? len : room;

	(void)src;
	memset(dst, 'X', n);
	*used = n;
	return n;
}

START_TEST(text_encoder_is_chosen_by_opts)
{
	struct record_opts ro = opts(RECORD_TEXT, 1, 1);
	struct udg_msg m;

	ro.text = enc_x;
	msg_from(&m, "<13>a\nb", 7);
	expect(&ro, &m, "4711 1000 100 user.notice: XXX\n");
}
END_TEST

START_TEST(raw_and_nul)
{
	struct record_opts raw = opts(RECORD_RAW, 0, 0);
	struct record_opts nul = opts(RECORD_NUL, 0, 0);
	struct udg_msg m;

	msg_from(&m, "a\nb\0c\377", 6);
	expect_len(&raw, &m, "a\nb\0c\377\n", 7);
	expect_len(&nul, &m, "a\nb\0c\377\0", 7);
	msg_from(&m, "", 0);
	expect_len(&raw, &m, "\n", 1);
	expect_len(&nul, &m, "\0", 1);
}
END_TEST

START_TEST(creds_prefix_every_format)
{
	struct record_opts t = opts(RECORD_TEXT, 1, 0);
	struct record_opts r = opts(RECORD_RAW, 1, 0);
	struct record_opts z = opts(RECORD_NUL, 1, 0);
	struct udg_msg m;

	msg_from(&m, "hi\n", 3);
	expect(&t, &m, "4711 1000 100 hi\\n\n");
	expect(&r, &m, "4711 1000 100 hi\n\n");
	expect_len(&z, &m, "4711 1000 100 hi\n\0", 18);
	m.flags |= UDG_MSG_NOCRED;
	m.pid = -1;
	m.uid = (uid_t)-1;
	m.gid = (gid_t)-1;
	expect(&t, &m, "-1 -1 -1 hi\\n\n");
	m.flags &= ~UDG_MSG_NOCRED;
	m.pid = 0;
	m.uid = 0;
	m.gid = 4294967294U;
	expect(&t, &m, "0 0 4294967294 hi\\n\n");
}
END_TEST

START_TEST(syslog_text_variants)
{
	struct record_opts ro = opts(RECORD_TEXT, 0, 1);
	struct record_opts cs = opts(RECORD_RAW, 1, 1);
	struct udg_msg m;

	msg_from(&m, "<13>Nov 28 15:31:14 tag: hi", 27);
	expect(&ro, &m, "user.notice: Nov 28 15:31:14 tag: hi\n");
	msg_from(&m, "<165>1 2026-11-28T15:31:14Z h a - - - x", 39);
	expect(&ro, &m, "local4.notice: 2026-11-28T15:31:14Z h a - - - x\n");
	msg_from(&m, "<0>k", 4);
	expect(&ro, &m, "kern.emerg: k\n");
	msg_from(&m, "<191>d", 6);
	expect(&ro, &m, "local7.debug: d\n");
	/* No valid header: written as it is. */
	msg_from(&m, "<192>x", 6);
	expect(&ro, &m, "<192>x\n");
	msg_from(&m, "<013>x", 6);
	expect(&ro, &m, "<013>x\n");
	msg_from(&m, "<13", 3);
	expect(&ro, &m, "<13\n");
	msg_from(&m, "<13>2 x", 7);
	expect(&ro, &m, "user.notice: 2 x\n");
	/* -C comes first, then the header's names. */
	msg_from(&m, "<38>\033", 5);
	expect(&cs, &m, "4711 1000 100 auth.info: \033\n");
	/* Without -s a header is payload. */
	ro.syslog = 0;
	msg_from(&m, "<13>hi", 6);
	expect(&ro, &m, "<13>hi\n");
}
END_TEST

START_TEST(json_every_member)
{
	struct record_opts ro = opts(RECORD_JSON, 1, 0);
	struct udg_msg m;

	/* -C does not change JSON: it always has the credentials. */
	msg_from(&m, "say \"hi\"\n", 9);
	expect(&ro, &m, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"peer\":\"/tmp/c.sock\","
	    "\"len\":9,\"truncated\":false,\"data\":\"say \\\"hi\\\"\\n\"}\n");
	m.flags |= UDG_MSG_NOCRED | UDG_MSG_TRUNC;
	m.reallen = 300000;
	m.peer_type = UDG_PEER_NONE;
	m.peer_len = 0;
	m.peer[0] = '\0';
	expect(&ro, &m, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":null,\"uid\":null,\"gid\":null,\"peer\":null,"
	    "\"len\":300000,\"truncated\":true,"
	    "\"data\":\"say \\\"hi\\\"\\n\"}\n");
}
END_TEST

START_TEST(json_peer_abstract_and_base64_data)
{
	struct record_opts ro = opts(RECORD_JSON, 0, 0);
	struct udg_msg m;

	msg_from(&m, "\377\000a", 3);
	m.peer_type = UDG_PEER_ABSTRACT;
	memcpy(m.peer, "x\0y", 3);
	m.peer_len = 3;
	expect(&ro, &m, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"peer\":\"@x\\u0000y\","
	    "\"len\":3,\"truncated\":false,\"data_base64\":\"/wBh\"}\n");
	msg_from(&m, "\001\342\200\256", 4);
	expect(&ro, &m, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"peer\":\"/tmp/c.sock\","
	    "\"len\":4,\"truncated\":false,"
	    "\"data\":\"\\u0001\342\200\256\"}\n");
}
END_TEST

START_TEST(json_peer_not_utf8_is_base64)
{
	struct record_opts ro = opts(RECORD_JSON, 0, 0);
	struct udg_msg m;

	msg_from(&m, "a", 1);
	(void)strlcpy(m.peer, "/t/\377", sizeof(m.peer));
	m.peer_len = 4;
	expect(&ro, &m, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,"
	    "\"peer_base64\":\"L3Qv/w==\","
	    "\"len\":1,\"truncated\":false,\"data\":\"a\"}\n");
	m.peer_type = UDG_PEER_ABSTRACT;
	memcpy(m.peer, "\377", 1);
	m.peer_len = 1;
	expect(&ro, &m, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,"
	    "\"peer_base64\":\"QP8=\","
	    "\"len\":1,\"truncated\":false,\"data\":\"a\"}\n");
}
END_TEST

START_TEST(json_syslog_members)
{
	struct record_opts ro = opts(RECORD_JSON, 0, 1);
	struct udg_msg m;

	msg_from(&m, "<13>hi", 6);
	expect(&ro, &m, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"peer\":\"/tmp/c.sock\","
	    "\"len\":6,\"truncated\":false,\"data\":\"<13>hi\","
	    "\"facility\":\"user\",\"severity\":\"notice\","
	    "\"message\":\"hi\"}\n");
	msg_from(&m, "<165>1 \377", 8);
	expect(&ro, &m, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"peer\":\"/tmp/c.sock\","
	    "\"len\":8,\"truncated\":false,\"data_base64\":\"PDE2NT4xIP8=\","
	    "\"facility\":\"local4\",\"severity\":\"notice\","
	    "\"message_base64\":\"/w==\"}\n");
	msg_from(&m, "no header", 9);
	expect(&ro, &m, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"peer\":\"/tmp/c.sock\","
	    "\"len\":9,\"truncated\":false,\"data\":\"no header\","
	    "\"facility\":null,\"severity\":null,"
	    "\"message\":\"no header\"}\n");
}
END_TEST

START_TEST(output_error_is_returned)
{
	struct record_opts ro = opts(RECORD_TEXT, 0, 0);
	static char big[4096];
	struct tool_out o;
	struct udg_msg m;
	int p[2];

	ck_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	ck_assert_int_eq(pipe(p), 0);
	(void)close(p[0]);
	ck_assert_int_eq(tool_out_init(&o, p[1], OUTCAP), 0);
	memset(big, 'a', sizeof(big));
	msg_from(&m, big, sizeof(big));
	ck_assert_int_eq(record_write(&o, &ro, &m, &when), -1);
	ck_assert_int_eq(o.err, EPIPE);
	tool_out_free(&o);
	(void)close(p[1]);
}
END_TEST

static Suite *
record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc;

	tc = t_tcase(s, "text", 30);
	tcase_add_test(tc, text_escapes);
	tcase_add_test(tc, text_long_payload_matches_encoder);
	tcase_add_test(tc, text_encoder_is_chosen_by_opts);
	tc = t_tcase(s, "raw", 10);
	tcase_add_test(tc, raw_and_nul);
	tcase_add_test(tc, creds_prefix_every_format);
	tc = t_tcase(s, "syslog", 10);
	tcase_add_test(tc, syslog_text_variants);
	tc = t_tcase(s, "json", 10);
	tcase_add_test(tc, json_every_member);
	tcase_add_test(tc, json_peer_abstract_and_base64_data);
	tcase_add_test(tc, json_peer_not_utf8_is_base64);
	tcase_add_test(tc, json_syslog_members);
	tc = t_tcase(s, "errors", 10);
	tcase_add_test(tc, output_error_is_returned);
	return s;
}

int
main(void)
{
	return t_run(record_suite());
}
