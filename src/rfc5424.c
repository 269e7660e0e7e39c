/*
 * rfc5424.c - re-frame a local syslog datagram as RFC 5424 with udg's
 * structured data.
 *
 * What the sender claims and what the kernel says are kept apart: PRI,
 * APP-NAME (or the RFC 3164 tag), MSGID, the sender's own SD elements and
 * the message are the sender's and pass through unchanged; the time is
 * when the datagram arrived, the host is this one, PROCID and the udg
 * element are the kernel's credentials.  A header that does not parse is
 * not guessed at: everything after "<PRI>" is then the message.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "rfc5424.h"

#define PRI_DEFAULT	13	/* user.notice, as syslog(3) and logger use */
#define TS_MAX		64	/* a generous bound on an RFC 5424 TIMESTAMP */
#define HOST_MAX	255
#define APP_MAX		48
#define PROCID_MAX	128
#define MSGID_MAX	32
#define TAG_PID_MAX	20	/* digits in "TAG[PID]:" */

/* An output buffer that remembers it ran out of room. */
struct out {
	char	*p;
	size_t	 size, len;
	int	 over;
};

/* The sender's fields, as pointers into the payload (len 0: none). */
struct fields {
	int		 pri;
	const char	*app, *msgid, *sd, *msg;
	size_t		 applen, msgidlen, sdlen, msglen;
};

/* RFC 5424 PRINTUSASCII: %d33-126. */
static int
printus(unsigned char c)
{
	return c >= 33 && c <= 126;
}

static void
put(struct out *o, const void *s, size_t n)
{
	if (n == 0)
		return;
	if (o->over || n > o->size - o->len) {
		o->over = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* A header field: the bytes, or NILVALUE when there are none. */
static void
put_field(struct out *o, const char *s, size_t n)
{
	put(o, " ", 1);
	if (n == 0)
		put(o, "-", 1);
	else
		put(o, s, n);
}

/* A PARAM-VALUE: '"', '\\' and ']' escaped, bad UTF-8 as U+FFFD. */
static void
put_value(struct out *o, const char *name, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v), i = 0, k;

	put(o, " ", 1);
	put_str(o, name);
	put(o, "=\"", 2);
	while (i < n) {
		if ((k = fmt_utf8_seq(s + i, n - i)) == 0) {
			put(o, "\xef\xbf\xbd", 3);
			i++;
			continue;
		}
		if (s[i] == '"' || s[i] == '\\' || s[i] == ']')
			put(o, "\\", 1);
		put(o, s + i, k);
		i += k;
	}
	put(o, "\"", 1);
}

/* A numeric PARAM-VALUE. */
static void
put_num(struct out *o, const char *name, unsigned long long v)
{
	char num[32];

	(void)snprintf(num, sizeof(num), "%llu", v);
	put_value(o, name, num);
}

/* Length of a field of 1..max PRINTUSASCII at p[i] ended by SP, or 0. */
static size_t
token(const char *p, size_t len, size_t i, size_t max)
{
	size_t n = 0;

	while (i + n < len && printus((unsigned char)p[i + n]))
		n++;
	if (n == 0 || n > max || i + n >= len || p[i + n] != ' ')
		return 0;
	return n;
}

/* Length of an SD-NAME at p[i]: 1..32 PRINTUSASCII but '=', SP, ']', '"'. */
static size_t
sd_name(const char *p, size_t len, size_t i)
{
	size_t n = 0;

	while (i + n < len && printus((unsigned char)p[i + n]) &&
	    p[i + n] != '=' && p[i + n] != ']' && p[i + n] != '"')
		n++;
	return n <= RFC5424_SDID_MAX ? n : 0;
}

/* The end of the SD-ELEMENT at p[i], or 0 if there is none. */
static size_t
sd_element(const char *p, size_t len, size_t i)
{
	size_t n;

	if (i >= len || p[i] != '[' || (n = sd_name(p, len, i + 1)) == 0)
		return 0;
	i += 1 + n;
	while (i < len && p[i] == ' ') {
		if ((n = sd_name(p, len, i + 1)) == 0)
			return 0;
		i += 1 + n;
		if (i + 1 >= len || p[i] != '=' || p[i + 1] != '"')
			return 0;
		for (i += 2; i < len && p[i] != '"'; i++)
			if (p[i] == '\\' && i + 1 < len)
				i++;
		if (i >= len)
			return 0;
		i++;
	}
	return i < len && p[i] == ']' ? i + 1 : 0;
}

/* An RFC 5424 header after "<PRI>1 ": 0 and f filled, or -1. */
static int
parse_5424(const char *p, size_t len, size_t i, struct fields *f)
{
	static const size_t max[5] = { TS_MAX, HOST_MAX, APP_MAX, PROCID_MAX,
	    MSGID_MAX };
	size_t n[5], at[5], k, end;

	for (k = 0; k < 5; k++) {
		if ((n[k] = token(p, len, i, max[k])) == 0)
			return -1;
		at[k] = i;
		i += n[k] + 1;
	}
	if (i < len && p[i] == '-' && (i + 1 == len || p[i + 1] == ' '))
		end = i + 1;
	else {
		for (end = i; (k = sd_element(p, len, end)) != 0; end = k)
			continue;
		if (end == i || (end < len && p[end] != ' '))
			return -1;
		f->sd = p + i;
		f->sdlen = end - i;
	}
	if (!(n[2] == 1 && p[at[2]] == '-')) {
		f->app = p + at[2];
		f->applen = n[2];
	}
	if (!(n[4] == 1 && p[at[4]] == '-')) {
		f->msgid = p + at[4];
		f->msgidlen = n[4];
	}
	f->msg = p + (end < len ? end + 1 : len);
	f->msglen = end < len ? len - end - 1 : 0;
	return 0;
}

/* 1 if p[0, len) starts with an RFC 3164 "Mmm dd hh:mm:ss ". */
static int
bsd_time(const char *p, size_t len)
{
	static const char shape[] = "aaa ?d dd:dd:dd ";
	size_t i;

	if (len < sizeof(shape) - 1)
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		switch (shape[i]) {
		case 'a':
			if ((p[i] < 'A' || p[i] > 'Z') &&
			    (p[i] < 'a' || p[i] > 'z'))
				return 0;
			break;
		case 'd':
			if (p[i] < '0' || p[i] > '9')
				return 0;
			break;
		case '?':
			if (p[i] != ' ' && (p[i] < '0' || p[i] > '9'))
				return 0;
			break;
		default:
			if (p[i] != shape[i])
				return 0;
			break;
		}
	}
	return 1;
}

/* An RFC 3164 body after "<PRI>": [TIMESTAMP] [TAG[[PID]]:] MSG. */
static void
parse_3164(const char *p, size_t len, size_t i, struct fields *f)
{
	size_t n = 0, j;

	if (bsd_time(p + i, len - i))
		i += 16;
	while (i + n < len && n <= APP_MAX && printus((unsigned char)p[i + n])
	    && p[i + n] != '[' && p[i + n] != ':')
		n++;
	j = i + n;
	if (n > 0 && n <= APP_MAX && j < len && p[j] == '[') {
		for (j++; j < len && j - (i + n) <= TAG_PID_MAX &&
		    p[j] >= '0' && p[j] <= '9'; j++)
			continue;
		j = j < len && p[j] == ']' ? j + 1 : len;
	}
	if (n > 0 && n <= APP_MAX && j < len && p[j] == ':') {
		f->app = p + i;
		f->applen = n;
		i = j + 1;
		if (i < len && p[i] == ' ')
			i++;
	}
	f->msg = p + i;
	f->msglen = len - i;
}

/* Split payload p into the sender's fields. */
static void
parse(const char *p, size_t len, struct fields *f)
{
	struct fmt_syslog sl;

	memset(f, 0, sizeof(*f));
	if (fmt_syslog(p, len, &sl) == -1) {
		f->pri = PRI_DEFAULT;
		f->msg = p;
		f->msglen = len;
		return;
	}
	f->pri = sl.pri;
	len = sl.hdrlen + sl.msglen;
	if (sl.version == 1 && parse_5424(p, len, sl.hdrlen, f) == 0)
		return;
	if (sl.version == 1) {
		f->msg = p + sl.hdrlen;
		f->msglen = len - sl.hdrlen;
		return;
	}
	parse_3164(p, len, sl.hdrlen, f);
}

/* 1 if s is an SD-NAME, optionally "@" and a decimal enterprise number. */
int
rfc5424_sdid_valid(const char *s)
{
	size_t len = strlen(s), n = sd_name(s, len, 0), i;
	const char *at = strchr(s, '@');

	if (len == 0 || n != len)
		return 0;
	if (at == NULL)
		return 1;
	if (at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (i = 1; at[i] != '\0'; i++)
		if ((at[i] < '0' || at[i] > '9') && at[i] != '.')
			return 0;
	return at[1] != '.';
}

/* The host name, or NILVALUE's empty field if it is not a valid one. */
static size_t
host_len(const char *h)
{
	size_t n;

	for (n = 0; h[n] != '\0'; n++)
		if (!printus((unsigned char)h[n]))
			return 0;
	return n <= HOST_MAX ? n : 0;
}

/*
 * The sender's elements but those with our SD-ID: an SD-ID may appear
 * once (RFC 5424, 6.3.2), and a parser that kept the sender's would take
 * its claims for ours.
 */
static void
put_sender_sd(struct out *o, const struct fields *f, const char *sdid)
{
	size_t i, k, n, idlen = strlen(sdid);

	for (i = 0; (k = sd_element(f->sd, f->sdlen, i)) != 0; i = k) {
		n = sd_name(f->sd, f->sdlen, i + 1);
		if (n != idlen || memcmp(f->sd + i + 1, sdid, n) != 0)
			put(o, f->sd + i, k - i);
	}
}

/* Format the datagram (see rfc5424.h). */
ssize_t
rfc5424_format(char *dst, size_t size, const char *p, size_t len,
    const struct rfc5424_ident *id, const struct rfc5424_ctx *ctx)
{
	struct out o = { dst, size, 0, 0 };
	struct fields f;
	char num[32], ts[FMT_TIMELEN];

	parse(p, len, &f);
	(void)snprintf(num, sizeof(num), "<%d>1", f.pri);
	put_str(&o, num);
	if (fmt_time(ts, sizeof(ts), &ctx->now) == -1)
		ts[0] = '\0';
	put_field(&o, ts, strlen(ts));
	put_field(&o, ctx->host, host_len(ctx->host));
	put_field(&o, f.app, f.applen);
	(void)snprintf(num, sizeof(num), "%ld", (long)id->pid);
	put_field(&o, num, id->have_cred ? strlen(num) : 0);
	put_field(&o, f.msgid, f.msgidlen);
	put(&o, " [", 2);
	put_str(&o, ctx->sdid);
	if (id->have_cred) {
		put_num(&o, "pid", (unsigned long long)id->pid);
		put_num(&o, "uid", (unsigned long long)id->uid);
		put_num(&o, "gid", (unsigned long long)id->gid);
	}
	if (id->comm != NULL && strlen(id->comm) < RFC5424_COMM_MAX)
		put_value(&o, "comm", id->comm);
	if (id->unit != NULL && strlen(id->unit) < RFC5424_UNIT_MAX)
		put_value(&o, "unit", id->unit);
	put(&o, "]", 1);
	put_sender_sd(&o, &f, ctx->sdid);
	if (f.msglen > 0) {
		put(&o, " ", 1);
		put(&o, f.msg, f.msglen);
	}
	if (o.over) {
		errno = ENOBUFS;
		return -1;
	}
	return (ssize_t)o.len;
}
