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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "format.h"
#include "listen-record.h"
#include "tool-out.h"

#define OUTCAP	64		/* small: records span many flushes */
#define BIGCAP	(256 * 1024)	/* large: records formatted in place */
/* The members before "len" of the usual message's JSON record. */
#define JSON_HEAD	"{\"time\":\"2025-12-01T14:40:00.123456Z\"," \
	"\"pid\":4711,\"uid\":1000,\"gid\":100,\"peer\":\"/tmp/c.sock\","

/*
 * Arrival at 2025-12-01T14:40:00.123456Z, 4711.000250 s after boot;
 * sender unknown, one socket (not named).
 */
static const struct record_meta meta0 = { { 1764600000, 123456789 },
    { 4711, 250999 }, NULL, NULL, NULL, NULL };

/* A datagram from /tmp/c.sock, credentials 4711 1000 100 (one at a time). */
static void
msg_from(struct udg_msg *m, const char *payload, size_t len)
{
	static char buf[80 * 1024];

	ck_assert_uint_le(len, sizeof(buf));
	memcpy(buf, payload, len);
	udg_msg_init(m, buf, len);
	m->len = m->reallen = len;
	m->pid = 4711;
	m->uid = 1000;
	m->gid = 100;
	m->peer_type = UDG_PEER_PATH;
	(void)strlcpy(m->peer, "/tmp/c.sock", sizeof(m->peer));
	m->peer_len = strlen(m->peer);
}

/*
 * The record for m with ro through a buffer of cap bytes, in a malloc'ed
 * buffer; *len its length.
 */
static char *
render(const struct record_opts *ro, const struct udg_msg *m,
    const struct record_meta *meta, size_t cap, size_t *len)
{
	struct record_opts r = *ro;
	struct tool_out o;
	char *buf;
	off_t end;
	int fd;

	record_opts_finish(&r);
	fd = memfd_create("record", MFD_CLOEXEC);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(tool_out_init(&o, fd, cap), 0);
	ck_assert_int_eq(record_write(&o, &r, m, meta), 0);
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

/*
 * Assert that ro's record for m and meta is exactly want[0, wlen), through
 * a small buffer and a large one, with and without a time cache (twice:
 * the second record takes the cached second and credentials).
 */
static void
expect_with(const struct record_opts *ro, const struct udg_msg *m,
    const struct record_meta *meta, const char *want, size_t wlen)
{
	struct fmt_timecache tc;
	struct record_ids ids;
	struct record_meta cm = *meta;
	size_t len, i;
	char *got;

	memset(&tc, 0, sizeof(tc));
	memset(&ids, 0, sizeof(ids));
	cm.cache = &tc;
	cm.ids = &ids;
	for (i = 0; i < 6; i++) {
		got = render(ro, m, i < 4 ? &cm : meta,
		    i % 2 ? BIGCAP : OUTCAP, &len);
		ck_assert_msg(len == wlen && memcmp(got, want, wlen) == 0,
		    "got \"%s\" (%zu bytes), want \"%s\" (%zu bytes), "
		    "pass %zu", got, len, want, wlen, i);
		free(got);
	}
}

/* The same with meta0. */
static void
expect_len(const struct record_opts *ro, const struct udg_msg *m,
    const char *want, size_t wlen)
{
	expect_with(ro, m, &meta0, want, wlen);
}

/* The same for a NUL-free expectation, with meta. */
static void
expect_meta(const struct record_opts *ro, const struct udg_msg *m,
    const struct record_meta *meta, const char *want)
{
	expect_with(ro, m, meta, want, strlen(want));
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
	/* One trailing NUL (Python's SysLogHandler) ends the message. */
	msg_from(&m, "<14>tag: hi\0", 12);
	expect(&ro, &m, "user.info: tag: hi\n");
	msg_from(&m, "<14>a\0\0", 7);
	expect(&ro, &m, "user.info: a\\0\n");
	msg_from(&m, "<14>a\0b", 7);
	expect(&ro, &m, "user.info: a\\0b\n");
	msg_from(&m, "<14>hi\0", 7);
	expect(&cs, &m, "4711 1000 100 user.info: hi\n");
	/* and so does a last newline, before or without the NUL */
	msg_from(&m, "<14>hi\n", 7);
	expect(&ro, &m, "user.info: hi\n");
	msg_from(&m, "<14>hi\n\0", 8);
	expect(&ro, &m, "user.info: hi\n");
	msg_from(&m, "<14>hi\n\n", 8);
	expect(&ro, &m, "user.info: hi\\n\n");
	msg_from(&m, "hi\n", 3);
	expect(&ro, &m, "hi\\n\n");
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
	expect(&ro, &m, JSON_HEAD
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
	/* a bidi override is valid UTF-8, escaped as text mode escapes it */
	msg_from(&m, "\001\342\200\256", 4);
	expect(&ro, &m, JSON_HEAD
	    "\"len\":4,\"truncated\":false,"
	    "\"data\":\"\\u0001\\u202e\"}\n");
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

/*
 * The data keeps a last NUL and newline, the message does not: each case
 * is a payload and the record's members from "data" on.
 */
START_TEST(json_syslog_message_end)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*tail;
	} t[] = {
		{ "<14>hi\0", 7, "\"data\":\"<14>hi\\u0000\",\"facility\":"
		    "\"user\",\"severity\":\"info\",\"message\":\"hi\"}\n" },
		{ "<14>hi\n\0", 8, "\"data\":\"<14>hi\\n\\u0000\","
		    "\"facility\":\"user\",\"severity\":\"info\","
		    "\"message\":\"hi\"}\n" },
		{ "<14>\"\n", 6, "\"data\":\"<14>\\\"\\n\",\"facility\":"
		    "\"user\",\"severity\":\"info\",\"message\":\"\\\"\"}\n" },
		{ "<14>\377\0", 6, "\"data_base64\":\"PDE0Pv8A\",\"facility\":"
		    "\"user\",\"severity\":\"info\",\"message_base64\":"
		    "\"/w==\"}\n" },
	};
	struct record_opts ro = opts(RECORD_JSON, 0, 1);
	struct udg_msg m;
	char want[512];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		msg_from(&m, t[i].in, t[i].len);
		(void)snprintf(want, sizeof(want), "%s\"len\":%zu,"
		    "\"truncated\":false,%s", JSON_HEAD, t[i].len, t[i].tail);
		expect(&ro, &m, want);
	}
}
END_TEST

START_TEST(json_syslog_members)
{
	struct record_opts ro = opts(RECORD_JSON, 0, 1);
	struct udg_msg m;

	msg_from(&m, "<13>hi", 6);
	expect(&ro, &m, JSON_HEAD
	    "\"len\":6,\"truncated\":false,\"data\":\"<13>hi\","
	    "\"facility\":\"user\",\"severity\":\"notice\","
	    "\"message\":\"hi\"}\n");
	msg_from(&m, "<165>1 \377", 8);
	expect(&ro, &m, JSON_HEAD
	    "\"len\":8,\"truncated\":false,\"data_base64\":\"PDE2NT4xIP8=\","
	    "\"facility\":\"local4\",\"severity\":\"notice\","
	    "\"message_base64\":\"/w==\"}\n");
	msg_from(&m, "no header", 9);
	expect(&ro, &m, JSON_HEAD
	    "\"len\":9,\"truncated\":false,\"data\":\"no header\","
	    "\"facility\":null,\"severity\":null,"
	    "\"message\":\"no header\"}\n");
	/* escapes and UTF-8 in the message, after either kind of header */
	msg_from(&m, "<13>a\tb\"c\\\001\303\251", 13);
	expect(&ro, &m, JSON_HEAD
	    "\"len\":13,\"truncated\":false,"
	    "\"data\":\"<13>a\\tb\\\"c\\\\\\u0001\303\251\","
	    "\"facility\":\"user\",\"severity\":\"notice\","
	    "\"message\":\"a\\tb\\\"c\\\\\\u0001\303\251\"}\n");
	msg_from(&m, "<191>1 \n\n", 9);
	expect(&ro, &m, JSON_HEAD
	    "\"len\":9,\"truncated\":false,\"data\":\"<191>1 \\n\\n\","
	    "\"facility\":\"local7\",\"severity\":\"debug\","
	    "\"message\":\"\\n\"}\n");
	msg_from(&m, "<0>", 3);
	expect(&ro, &m, JSON_HEAD
	    "\"len\":3,\"truncated\":false,\"data\":\"<0>\","
	    "\"facility\":\"kern\",\"severity\":\"emerg\","
	    "\"message\":\"\"}\n");
}
END_TEST

/*
 * One credentials cache over records from changing senders, text and
 * JSON in turn: each record has its own sender's numbers, or none.
 */
START_TEST(ids_cache_follows_sender)
{
	static const struct { pid_t pid; uid_t uid; gid_t gid; int nocred; }
	    from[] = { { 4711, 1000, 100, 0 }, { 4711, 1000, 100, 0 },
	    { 4712, 1000, 100, 0 }, { 4712, 1001, 100, 0 },
	    { 4712, 1001, 101, 0 }, { -1, -1, -1, 1 }, { -1, -1, -1, 1 },
	    { 4712, 1001, 101, 0 }, { 0, 0, 0, 0 } };
	struct record_opts text = opts(RECORD_TEXT, 1, 0);
	struct record_opts json = opts(RECORD_JSON, 0, 0);
	struct record_meta meta = meta0;
	struct fmt_timecache tc;
	struct record_ids ids;
	struct udg_msg m;
	char want[256], *got;
	size_t i, k, len;

	memset(&tc, 0, sizeof(tc));
	memset(&ids, 0, sizeof(ids));
	meta.cache = &tc;
	meta.ids = &ids;
	for (k = 0; k < 2; k++)
		for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
			msg_from(&m, "x", 1);
			m.pid = from[i].pid;
			m.uid = from[i].uid;
			m.gid = from[i].gid;
			if (from[i].nocred)
				m.flags |= UDG_MSG_NOCRED;
			if (k == 0 && from[i].nocred)
				(void)strlcpy(want, "-1 -1 -1 x\n",
				    sizeof(want));
			else if (k == 0)
				(void)snprintf(want, sizeof(want),
				    "%d %u %u x\n", (int)m.pid,
				    (unsigned)m.uid, (unsigned)m.gid);
			else if (from[i].nocred)
				(void)strlcpy(want, "\"pid\":null,\"uid\":null,"
				    "\"gid\":null,", sizeof(want));
			else
				(void)snprintf(want, sizeof(want),
				    "\"pid\":%d,\"uid\":%u,\"gid\":%u,",
				    (int)m.pid, (unsigned)m.uid,
				    (unsigned)m.gid);
			got = render(k == 0 ? &text : &json, &m, &meta,
			    i % 2 ? BIGCAP : OUTCAP, &len);
			ck_assert_msg(k == 0 ? strcmp(got, want) == 0 :
			    strstr(got, want) != NULL,
			    "record %zu: got \"%s\", want \"%s\"", i, got,
			    want);
			free(got);
		}
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
	record_opts_finish(&ro);
	ck_assert_int_eq(record_write(&o, &ro, &m, &meta0), -1);
	ck_assert_int_eq(o.err, EPIPE);
	tool_out_free(&o);
	(void)close(p[1]);
}
END_TEST

/* A sender the library vouched for, with a space and quotes to escape. */
static const struct udg_ident pinned_id = { UDG_ID_PINNED, 4711, "my prog",
    "/usr/bin/my prog", "my prog -x \"q\"", "/system.slice/demo.service",
    "demo.service" };

/* meta0 with sender id. */
static struct record_meta
meta_id(const struct udg_ident *id)
{
	struct record_meta meta = meta0;

	meta.id = id;
	return meta;
}

START_TEST(json_identity_members)
{
	struct record_opts ro = opts(RECORD_JSON, 0, 0);
	struct udg_ident odd = pinned_id;
	struct record_meta meta = meta_id(&pinned_id);
	struct udg_msg m;

	ro.identity = 1;
	msg_from(&m, "hi", 2);
	expect_meta(&ro, &m, &meta, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"pid_pinned\":true,"
	    "\"comm\":\"my prog\",\"exe\":\"/usr/bin/my prog\","
	    "\"cmdline\":\"my prog -x \\\"q\\\"\","
	    "\"cgroup\":\"/system.slice/demo.service\","
	    "\"unit\":\"demo.service\",\"peer\":\"/tmp/c.sock\","
	    "\"len\":2,\"truncated\":false,\"data\":\"hi\"}\n");
	/* Bytes that are not UTF-8 come losslessly; unknown ones are null. */
	odd.comm = "\377x";
	odd.exe = NULL;
	odd.cgroup = "/";
	odd.unit = NULL;
	meta.id = &odd;
	expect_meta(&ro, &m, &meta, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"pid_pinned\":true,"
	    "\"comm_base64\":\"/3g=\",\"exe\":null,"
	    "\"cmdline\":\"my prog -x \\\"q\\\"\",\"cgroup\":\"/\","
	    "\"unit\":null,\"peer\":\"/tmp/c.sock\","
	    "\"len\":2,\"truncated\":false,\"data\":\"hi\"}\n");
}
END_TEST

START_TEST(json_identity_unvouched_is_null)
{
	static const char want[] = "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"pid_pinned\":false,"
	    "\"comm\":null,\"exe\":null,\"cmdline\":null,\"cgroup\":null,"
	    "\"unit\":null,\"peer\":\"/tmp/c.sock\","
	    "\"len\":2,\"truncated\":false,\"data\":\"hi\"}\n";
	struct record_opts ro = opts(RECORD_JSON, 0, 0);
	struct udg_ident guess = pinned_id;
	struct record_meta meta = meta_id(NULL);
	struct udg_msg m;

	ro.identity = 1;
	msg_from(&m, "hi", 2);
	expect_meta(&ro, &m, &meta, want);
	/* Strings read by pid alone may be another process's: never shown. */
	guess.flags = UDG_ID_GUESSED;
	meta.id = &guess;
	expect_meta(&ro, &m, &meta, want);
}
END_TEST

START_TEST(text_comm_field)
{
	struct record_opts ro = opts(RECORD_TEXT, 1, 0);
	struct udg_ident id = pinned_id;
	struct record_meta meta = meta_id(&id);
	struct udg_msg m;

	ro.identity = 1;
	msg_from(&m, "hi", 2);
	expect_meta(&ro, &m, &meta, "4711 1000 100 my\\040prog hi\n");
	id.comm = "-";
	expect_meta(&ro, &m, &meta, "4711 1000 100 \\055 hi\n");
	id.comm = "";
	expect_meta(&ro, &m, &meta, "4711 1000 100 \"\" hi\n");
	/* a name that is itself "" must not read as an empty one */
	id.comm = "\"\"";
	expect_meta(&ro, &m, &meta, "4711 1000 100 \\042\\042 hi\n");
	id.comm = "\"\"x";
	expect_meta(&ro, &m, &meta, "4711 1000 100 \"\"x hi\n");
	id.comm = "a\nb\\";
	expect_meta(&ro, &m, &meta, "4711 1000 100 a\\nb\\\\ hi\n");
	id.comm = NULL;
	expect_meta(&ro, &m, &meta, "4711 1000 100 - hi\n");
	id.comm = "guessed";
	id.flags = UDG_ID_GUESSED;
	expect_meta(&ro, &m, &meta, "4711 1000 100 - hi\n");
	meta.id = NULL;
	expect_meta(&ro, &m, &meta, "4711 1000 100 - hi\n");
	/* Without -C, the name alone; in raw records too. */
	meta.id = &pinned_id;
	ro.creds = 0;
	expect_meta(&ro, &m, &meta, "my\\040prog hi\n");
	ro.format = RECORD_RAW;
	msg_from(&m, "a b\033", 4);
	expect_meta(&ro, &m, &meta, "my\\040prog a b\033\n");
}
END_TEST

START_TEST(text_peer_field)
{
	struct record_opts ro = opts(RECORD_TEXT, 1, 0);
	struct udg_msg m;

	ro.peer = 1;
	msg_from(&m, "hi", 2);
	expect(&ro, &m, "4711 1000 100 /tmp/c.sock hi\n");
	(void)strlcpy(m.peer, "/tmp/a b\n", sizeof(m.peer));
	m.peer_len = strlen(m.peer);
	expect(&ro, &m, "4711 1000 100 /tmp/a\\040b\\n hi\n");
	m.peer_type = UDG_PEER_ABSTRACT;
	memcpy(m.peer, "x\0y", 3);
	m.peer_len = 3;
	expect(&ro, &m, "4711 1000 100 @x\\0y hi\n");
	m.peer_type = UDG_PEER_NONE;
	m.peer_len = 0;
	expect(&ro, &m, "4711 1000 100 - hi\n");
	m.peer_type = UDG_PEER_PATH;
	(void)strlcpy(m.peer, "-", sizeof(m.peer));
	m.peer_len = 1;
	ro.creds = 0;
	expect(&ro, &m, "\\055 hi\n");
	(void)strlcpy(m.peer, "\"\"", sizeof(m.peer));
	m.peer_len = 2;
	expect(&ro, &m, "\\042\\042 hi\n");
}
END_TEST

START_TEST(text_prefix_order)
{
	/* The record ends in the NUL that ends the string. */
	static const char nul_want[] = "4711.000250 4711 1000 100 - "
	    "/tmp/c.sock user.notice: hi";
	struct record_opts ro = opts(RECORD_TEXT, 1, 1);
	struct record_meta meta = meta_id(&pinned_id);
	struct udg_msg m;

	ro.identity = 1;
	ro.peer = 1;
	ro.stamp = RECORD_STAMP_UTC;
	msg_from(&m, "<13>hi", 6);
	expect_meta(&ro, &m, &meta, "2025-12-01T14:40:00.123456Z 4711 1000 100 "
	    "my\\040prog /tmp/c.sock user.notice: hi\n");
	ro.format = RECORD_NUL;
	ro.stamp = RECORD_STAMP_MONO;
	meta.id = NULL;
	expect_with(&ro, &m, &meta, nul_want, sizeof(nul_want));
}
END_TEST

/* Restore TZ as it was (or unset it) and reload it. */
static void
tz_restore(const char *old)
{
	if (old != NULL)
		ck_assert_int_eq(setenv("TZ", old, 1), 0);
	else
		ck_assert_int_eq(unsetenv("TZ"), 0);
	tzset();
}

START_TEST(text_timestamps)
{
	struct record_opts ro = opts(RECORD_TEXT, 0, 0);
	char *old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	struct udg_msg m;

	msg_from(&m, "hi", 2);
	ro.stamp = RECORD_STAMP_UTC;
	expect(&ro, &m, "2025-12-01T14:40:00.123456Z hi\n");
	ro.stamp = RECORD_STAMP_MONO;
	expect(&ro, &m, "4711.000250 hi\n");
	/* POSIX TZ strings: no time zone database needed. */
	ro.stamp = RECORD_STAMP_LOCAL;
	ck_assert_int_eq(setenv("TZ", "XST-5:30", 1), 0);
	tzset();
	expect(&ro, &m, "2025-12-01T20:10:00.123456+05:30 hi\n");
	ck_assert_int_eq(setenv("TZ", "YST8", 1), 0);
	tzset();
	expect(&ro, &m, "2025-12-01T06:40:00.123456-08:00 hi\n");
	ck_assert_int_eq(setenv("TZ", "UTC0", 1), 0);
	tzset();
	expect(&ro, &m, "2025-12-01T14:40:00.123456+00:00 hi\n");
	tz_restore(old);
	free(old);
}
END_TEST

START_TEST(time_cache_follows_the_second)
{
	struct record_opts js = opts(RECORD_JSON, 0, 0);
	struct record_opts ts = opts(RECORD_TEXT, 0, 0);
	struct fmt_timecache tc;
	struct record_meta meta = meta0;
	struct udg_msg m;

	memset(&tc, 0, sizeof(tc));
	meta.cache = &tc;
	ts.stamp = RECORD_STAMP_UTC;
	msg_from(&m, "hi", 2);
	m.peer_type = UDG_PEER_NONE;
	expect_meta(&ts, &m, &meta, "2025-12-01T14:40:00.123456Z hi\n");
	/* one cache for both formats, and the next second replaces it */
	meta.time.tv_sec += 61;
	meta.time.tv_nsec = 5000;
	expect_meta(&js, &m, &meta, "{\"time\":\"2025-12-01T14:41:01.000005Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"peer\":null,\"len\":2,"
	    "\"truncated\":false,\"data\":\"hi\"}\n");
	meta.time.tv_sec -= 61;
	expect_meta(&ts, &m, &meta, "2025-12-01T14:40:00.000005Z hi\n");
}
END_TEST

START_TEST(mono_from_realtime)
{
	struct timespec rt = { 100, 500000000 }, rt_now = { 101, 0 };
	struct timespec mono_now = { 50, 250000000 }, r;

	r = record_mono(&rt, &rt_now, &mono_now);
	ck_assert_int_eq(r.tv_sec, 49);
	ck_assert_int_eq(r.tv_nsec, 750000000);
	rt.tv_sec = 10;
	rt.tv_nsec = 900000000;
	rt_now.tv_sec = 10;
	rt_now.tv_nsec = 100000000;
	mono_now.tv_sec = 3;
	mono_now.tv_nsec = 500000000;
	r = record_mono(&rt, &rt_now, &mono_now);
	ck_assert_int_eq(r.tv_sec, 4);
	ck_assert_int_eq(r.tv_nsec, 300000000);
	/* Before boot (a clock step): the monotonic zero, not negative. */
	rt.tv_sec = 1;
	rt_now.tv_sec = 1000;
	r = record_mono(&rt, &rt_now, &mono_now);
	ck_assert_int_eq(r.tv_sec, 0);
	ck_assert_int_eq(r.tv_nsec, 0);
}
END_TEST

START_TEST(json_socket_member)
{
	struct record_opts ro = opts(RECORD_JSON, 0, 0);
	struct record_meta meta = meta0;
	struct udg_msg m;

	/* Several sockets: each record names the one it came in on. */
	msg_from(&m, "x", 1);
	meta.socket = "/run/a.sock";
	expect_meta(&ro, &m, &meta, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"socket\":\"/run/a.sock\","
	    "\"peer\":\"/tmp/c.sock\",\"len\":1,\"truncated\":false,"
	    "\"data\":\"x\"}\n");
	/* After the identity members, escaped like any string. */
	ro.identity = 1;
	meta.socket = "rel \"q\"";
	expect_meta(&ro, &m, &meta, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,\"pid_pinned\":false,"
	    "\"comm\":null,\"exe\":null,\"cmdline\":null,\"cgroup\":null,"
	    "\"unit\":null,\"socket\":\"rel \\\"q\\\"\","
	    "\"peer\":\"/tmp/c.sock\",\"len\":1,\"truncated\":false,"
	    "\"data\":\"x\"}\n");
	/* A path that is not UTF-8 comes losslessly, as base64. */
	ro.identity = 0;
	meta.socket = "\377.sock";
	expect_meta(&ro, &m, &meta, "{\"time\":\"2025-12-01T14:40:00.123456Z\","
	    "\"pid\":4711,\"uid\":1000,\"gid\":100,"
	    "\"socket_base64\":\"/y5zb2Nr\",\"peer\":\"/tmp/c.sock\","
	    "\"len\":1,\"truncated\":false,\"data\":\"x\"}\n");
	/* One socket: no member, the record as before. */
	meta.socket = NULL;
	expect_meta(&ro, &m, &meta, JSON_HEAD
	    "\"len\":1,\"truncated\":false,\"data\":\"x\"}\n");
}
END_TEST

START_TEST(text_socket_field)
{
	struct record_opts ro = opts(RECORD_TEXT, 0, 0);
	struct record_meta meta = meta0;
	struct udg_msg m;

	msg_from(&m, "hi", 2);
	meta.socket = "/run/b.sock";
	/* Without --peer a text record has no address fields at all. */
	expect_meta(&ro, &m, &meta, "hi\n");
	ro.peer = 1;
	expect_meta(&ro, &m, &meta, "/run/b.sock /tmp/c.sock hi\n");
	ro.creds = 1;
	meta.socket = "a b\n";
	expect_meta(&ro, &m, &meta,
	    "4711 1000 100 a\\040b\\n /tmp/c.sock hi\n");
	meta.socket = "-";
	expect_meta(&ro, &m, &meta, "4711 1000 100 \\055 /tmp/c.sock hi\n");
	meta.socket = NULL;
	expect_meta(&ro, &m, &meta, "4711 1000 100 /tmp/c.sock hi\n");
	/* Raw records get the same fields before the payload. */
	ro = opts(RECORD_RAW, 0, 0);
	ro.peer = 1;
	meta.socket = "/run/b.sock";
	expect_meta(&ro, &m, &meta, "/run/b.sock /tmp/c.sock hi\n");
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
	tcase_add_test(tc, json_syslog_message_end);
	tcase_add_test(tc, json_socket_member);
	tc = t_tcase(s, "identity", 10);
	tcase_add_test(tc, json_identity_members);
	tcase_add_test(tc, json_identity_unvouched_is_null);
	tcase_add_test(tc, text_comm_field);
	tcase_add_test(tc, text_peer_field);
	tcase_add_test(tc, text_socket_field);
	tc = t_tcase(s, "timestamp", 10);
	tcase_add_test(tc, text_prefix_order);
	tcase_add_test(tc, text_timestamps);
	tcase_add_test(tc, mono_from_realtime);
	tcase_add_test(tc, time_cache_follows_the_second);
	tc = t_tcase(s, "errors", 10);
	tcase_add_test(tc, ids_cache_follows_sender);
	tcase_add_test(tc, output_error_is_returned);
	return s;
}

int
main(void)
{
	return t_run(record_suite());
}
