/*
 * check_rfc5424.c - --forward-format rfc5424, byte for byte: RFC 3164 and
 * RFC 5424 input, no header at all, the udg element's escaping, missing
 * credentials and names, the sender's own structured data, and overflow.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "format.h"
#include "rfc5424.h"

#define SD	"[udg@32473 pid=\"1234\" uid=\"1000\" gid=\"100\" comm=\"app\" " \
		"unit=\"foo.service\"]"
#define HDR	"1 2026-12-01T10:00:00.123456Z h"

static struct rfc5424_ident	 who = { 1, 1234, 1000, 100, "app",
				    "foo.service" };
static struct rfc5424_ctx	 ctx = { "h", RFC5424_SDID_DEFAULT,
				    { 1796119200, 123456789 } };

/* Format payload with id and assert the result is exactly want. */
static void
is(const char *payload, size_t len, const struct rfc5424_ident *id,
    const char *want)
{
	char buf[4096];
	ssize_t n;

	n = rfc5424_format(buf, sizeof(buf), payload, len, id, &ctx);
	ck_assert_int_ge(n, 0);
	ck_assert_int_le(n, (ssize_t)(len + RFC5424_OVERHEAD));
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
	ck_assert_uint_eq((size_t)n, strlen(want));
}

#define IS(p, want)	is(p, sizeof(p) - 1, &who, want)

START_TEST(from_syslog3)
{
	IS("<14>Dec  1 10:00:00 app[999]: hello world",
	    "<14>" HDR " app 1234 - " SD " hello world");
	IS("<86>Dec 11 09:05:59 sudo: pam_unix(sudo:session): closed",
	    "<86>" HDR " sudo 1234 - " SD " pam_unix(sudo:session): closed");
	/* logger's "user: msg" form, without a timestamp too */
	IS("<13>root: plain", "<13>" HDR " root 1234 - " SD " plain");
	/* No tag: the text after the time is the message */
	IS("<13>Dec  1 10:00:00 no tag here",
	    "<13>" HDR " - 1234 - " SD " no tag here");
	/* A bracket with no closing one is no tag */
	IS("<13>app[12: x", "<13>" HDR " - 1234 - " SD " app[12: x");
	/* A tag of control bytes is not one */
	IS("<13>a\001b: x", "<13>" HDR " - 1234 - " SD " a\001b: x");
}
END_TEST

START_TEST(from_rfc5424)
{
	IS("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - "
	    "ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] "
	    "An application event",
	    "<165>" HDR " evntslog 1234 ID47 " SD "[exampleSDID@32473 "
	    "iut=\"3\" eventSource=\"Application\"] An application event");
	IS("<13>1 - - - - - -", "<13>" HDR " - 1234 - " SD);
	IS("<13>1 - - app 77 - - msg", "<13>" HDR " app 1234 - " SD " msg");
	IS("<13>1 - - - - - [a x=\"q\\\"]\"][b] m",
	    "<13>" HDR " - 1234 - " SD "[a x=\"q\\\"]\"][b] m");
	/* A broken header is not guessed at: all of it is the message. */
	IS("<13>1 - - - - -", "<13>" HDR " - 1234 - " SD " - - - - -");
	IS("<13>1 - - - - - [unclosed x=\"1\" m",
	    "<13>" HDR " - 1234 - " SD " - - - - - [unclosed x=\"1\" m");
	IS("<13>1 - - - - - [a]junk",
	    "<13>" HDR " - 1234 - " SD " - - - - - [a]junk");
	/*
	 * An element with our SD-ID is only the sender's claim: ours alone
	 * is kept (an SD-ID may appear once); others keep their place.
	 */
	IS("<13>1 - - app 77 - [udg@32473 pid=\"1\" uid=\"0\"][a x=\"1\"]"
	    "[udg@32473] m", "<13>" HDR " app 1234 - " SD "[a x=\"1\"] m");
	IS("<13>1 - - - - - [udg@32473 x=\"]\"] m",
	    "<13>" HDR " - 1234 - " SD " m");
	/* an SD-ID that only begins like ours is another */
	IS("<13>1 - - - - - [udg@324730][udg@3247] m",
	    "<13>" HDR " - 1234 - " SD "[udg@324730][udg@3247] m");
}
END_TEST

/* Python's SysLogHandler ends with a NUL, which is not the message's. */
START_TEST(trailing_nul_dropped)
{
	is("<14>tag: hi", 12, &who, "<14>" HDR " tag 1234 - " SD " hi");
	is("<14>1 - - app - - - hi", 23, &who,
	    "<14>" HDR " app 1234 - " SD " hi");
}
END_TEST

START_TEST(no_header)
{
	IS("hello", "<13>" HDR " - 1234 - " SD " hello");
	IS("<192>x", "<13>" HDR " - 1234 - " SD " <192>x");
	is("", 0, &who, "<13>" HDR " - 1234 - " SD);
}
END_TEST

/* The message is forwarded as bytes: NUL, newline, bad UTF-8. */
START_TEST(message_bytes_unchanged)
{
	static const char p[] = "<13>x: a\0b\nc\377";
	char buf[256];
	ssize_t n;
	const char *want = "<13>" HDR " x 1234 - " SD " a\0b\nc\377";
	size_t wlen = strlen("<13>" HDR " x 1234 - " SD " a") + 5;

	n = rfc5424_format(buf, sizeof(buf), p, sizeof(p) - 1, &who, &ctx);
	ck_assert_int_eq(n, (ssize_t)wlen);
	ck_assert_int_eq(memcmp(buf, want, wlen), 0);
}
END_TEST

START_TEST(escape_values)
{
	struct rfc5424_ident id = { 1, 1, 2, 3, "a\"b\\c]d", "x]y" };

	IS("<13>m", "<13>" HDR " - 1234 - " SD " m");
	is("m", 1, &id, "<13>" HDR " - 1 - [udg@32473 pid=\"1\" uid=\"2\" "
	    "gid=\"3\" comm=\"a\\\"b\\\\c\\]d\" unit=\"x\\]y\"] m");
	id.comm = "\377ok\303\251";
	id.unit = NULL;
	is("m", 1, &id, "<13>" HDR " - 1 - [udg@32473 pid=\"1\" uid=\"2\" "
	    "gid=\"3\" comm=\"\357\277\275ok\303\251\"] m");
}
END_TEST

START_TEST(unknown_identity)
{
	struct rfc5424_ident id = { 0, 0, 0, 0, NULL, NULL };

	is("<13>app: m", 10, &id, "<13>" HDR " app - - [udg@32473] m");
	id.have_cred = 1;
	id.pid = 7;
	id.uid = 4294967294U;
	id.gid = 0;
	is("m", 1, &id, "<13>" HDR " - 7 - [udg@32473 pid=\"7\" "
	    "uid=\"4294967294\" gid=\"0\"] m");
}
END_TEST

START_TEST(site_sdid_and_bad_host)
{
	struct rfc5424_ctx c = ctx;
	struct rfc5424_ident id = { 1, 5, 6, 7, NULL, NULL };
	char buf[256];
	ssize_t n;

	c.sdid = "origin@99999";
	c.host = "bad host";
	n = rfc5424_format(buf, sizeof(buf), "m", 1, &id, &c);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "<13>1 2026-12-01T10:00:00.123456Z - - 5 - "
	    "[origin@99999 pid=\"5\" uid=\"6\" gid=\"7\"] m");
}
END_TEST

START_TEST(sdid_syntax)
{
	ck_assert(rfc5424_sdid_valid("udg@32473"));
	ck_assert(rfc5424_sdid_valid("meta"));
	ck_assert(rfc5424_sdid_valid("x@1.2.3"));
	ck_assert(!rfc5424_sdid_valid(""));
	ck_assert(!rfc5424_sdid_valid("@1"));
	ck_assert(!rfc5424_sdid_valid("a@"));
	ck_assert(!rfc5424_sdid_valid("a@b"));
	ck_assert(!rfc5424_sdid_valid("a@1@2"));
	ck_assert(!rfc5424_sdid_valid("a b@1"));
	ck_assert(!rfc5424_sdid_valid("a]@1"));
	ck_assert(!rfc5424_sdid_valid("a=@1"));
	ck_assert(!rfc5424_sdid_valid("a\"@1"));
	ck_assert(!rfc5424_sdid_valid("abcdefghijklmnopqrstuvwxyz@1234567"));
}
END_TEST

START_TEST(overflow_is_enobufs)
{
	char buf[4096], big[2000];
	ssize_t n, full;

	memset(big, 'x', sizeof(big));
	full = rfc5424_format(buf, sizeof(buf), big, sizeof(big), &who, &ctx);
	ck_assert_int_gt(full, (ssize_t)sizeof(big));
	n = rfc5424_format(buf, (size_t)full, big, sizeof(big), &who, &ctx);
	ck_assert_int_eq(n, full);
	errno = 0;
	n = rfc5424_format(buf, (size_t)full - 1, big, sizeof(big), &who,
	    &ctx);
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(errno, ENOBUFS);
}
END_TEST

/* The worst case stays within the documented overhead. */
START_TEST(overhead_bound)
{
	static char buf[8192], name[RFC5424_UNIT_MAX], comm[RFC5424_COMM_MAX];
	static char host[256], payload[400];
	struct rfc5424_ident id = { 1, -1, (uid_t)-2, (gid_t)-2, comm, name };
	struct rfc5424_ctx c = ctx;
	ssize_t n;

	memset(name, '\377', sizeof(name) - 1);
	memset(comm, '"', sizeof(comm) - 1);
	memset(host, 'h', sizeof(host) - 1);
	c.host = host;
	c.sdid = "abcdefghijklmnopqrstuvwxyz@12345";
	(void)strlcpy(payload, "<191>1 ", sizeof(payload));
	memset(payload + 7, 'T', 64);
	memset(payload + 71, ' ', 1);
	memset(payload + 72, 'a', 48);
	memset(payload + 120, ' ', 1);
	(void)strlcpy(payload + 121, "- - - x", sizeof(payload) - 121);
	n = rfc5424_format(buf, sizeof(buf), payload, strlen(payload), &id, &c);
	ck_assert_int_gt(n, 0);
	ck_assert_int_le(n, (ssize_t)(strlen(payload) + RFC5424_OVERHEAD));
}
END_TEST

/*
 * An RFC 5424 reader written from section 6 and nothing else, to check
 * the output: HEADER, STRUCTURED-DATA, then nothing or SP and MSG.
 * Returns the offset of MSG (len if there is none), or -1.
 */
static long
ref_parse(const char *s, size_t len)
{
	size_t i = 1, k, n;
	int field, inq;

	if (len < 4 || s[0] != '<')
		return -1;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 1 || i > 4 || i + 2 >= len || s[i] != '>' ||
	    s[i + 1] != '1' || s[i + 2] != ' ')
		return -1;
	i += 3;
	/* TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, each 1*PRINTUSASCII */
	for (field = 0; field < 5; field++) {
		for (n = 0; i < len && s[i] > 32 && s[i] < 127; i++)
			n++;
		if (n == 0 || i >= len || s[i] != ' ')
			return -1;
		i++;
	}
	/* one or more SD-ELEMENTs: "[" SD-ID *(SP NAME="VALUE") "]" */
	if (i >= len || s[i] != '[')
		return -1;
	while (i < len && s[i] == '[') {
		for (i++, inq = 0, k = 0; i < len; i++, k++) {
			if (inq && s[i] == '\\') {
				if (i + 1 >= len || (s[i + 1] != '"' &&
				    s[i + 1] != '\\' && s[i + 1] != ']'))
					return -1;	/* only these escapes */
				i++;
			} else if (s[i] == '"') {
				if (!inq && (k == 0 || s[i - 1] != '='))
					return -1;
				inq = !inq;
			} else if (!inq && s[i] == ']')
				break;
			else if (inq && s[i] == ']')
				return -1;		/* must be escaped */
		}
		if (i >= len || inq)
			return -1;
		i++;
	}
	if (i == len)
		return (long)len;
	return s[i] == ' ' ? (long)i + 1 : -1;
}

/*
 * Random datagrams built from syslog-shaped pieces, and random comm
 * values heavy in the bytes that need escaping: the output must always
 * read as RFC 5424, within the bound, and end in the message unchanged.
 */
START_TEST(random_inputs_well_formed)
{
	static const char *const piece[] = {
		"<13>", "<191>", "<0>", "1 ", "- ", "-", "[", "]", "\"", "\\",
		"=", " ", "app", "[42]", ":", ": ", "Dec  1 10:00:00 ",
		"2026-12-01T10:00:00Z ", "x=\"v\"", "\377", "\n", "@32473",
		"a", "\0",
	};
	char in[512], out[512 + RFC5424_OVERHEAD], comm[16];
	struct rfc5424_ident id = who;
	unsigned int seed = 7;
	struct fmt_syslog sl;
	size_t len, end, n, k, j;
	long t, msg, count = t_scaled(200000);
	ssize_t r;

	for (t = 0; t < count; t++) {
		len = 0;
		for (k = (size_t)(rand_r(&seed) % 14); k > 0; k--) {
			j = (size_t)rand_r(&seed) % (sizeof(piece) /
			    sizeof(piece[0]));
			n = j == sizeof(piece) / sizeof(piece[0]) - 1 ? 1 :
			    strlen(piece[j]);
			if (len + n >= sizeof(in))
				break;
			memcpy(in + len, piece[j], n);
			len += n;
		}
		for (k = 0; k < sizeof(comm) - 1; k++) {
			j = (size_t)rand_r(&seed) % 8;
			comm[k] = j < 3 ? "\"\\]"[j] : (char)(rand_r(&seed) %
			    255 + 1);
		}
		comm[rand_r(&seed) % sizeof(comm)] = '\0';
		comm[sizeof(comm) - 1] = '\0';
		id.comm = comm;
		r = rfc5424_format(out, sizeof(out), in, len, &id, &ctx);
		ck_assert_int_ge(r, 0);
		ck_assert_int_le(r, (ssize_t)(len + RFC5424_OVERHEAD));
		msg = ref_parse(out, (size_t)r);
		ck_assert_msg(msg >= 0, "not RFC 5424: %.*s", (int)r, out);
		/*
		 * The message is the end of the datagram, unchanged, but for
		 * the NUL that may end a syslog message.
		 */
		if (fmt_syslog(in, len, &sl) == 0)
			end = sl.hdrlen + sl.msglen;
		else
			end = len;
		n = (size_t)r - (size_t)msg;
		ck_assert_uint_le(n, end);
		ck_assert_int_eq(memcmp(out + msg, in + end - n, n), 0);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rfc5424");
	TCase *tc;

	tc = t_tcase(s, "format", 10);
	tcase_add_test(tc, from_syslog3);
	tcase_add_test(tc, from_rfc5424);
	tcase_add_test(tc, no_header);
	tcase_add_test(tc, trailing_nul_dropped);
	tcase_add_test(tc, message_bytes_unchanged);
	tcase_add_test(tc, escape_values);
	tcase_add_test(tc, unknown_identity);
	tcase_add_test(tc, site_sdid_and_bad_host);
	tcase_add_test(tc, sdid_syntax);
	tcase_add_test(tc, overflow_is_enobufs);
	tcase_add_test(tc, overhead_bound);
	tc = t_tcase(s, "random", 60);
	tcase_add_test(tc, random_inputs_well_formed);
	return t_run(s);
}
