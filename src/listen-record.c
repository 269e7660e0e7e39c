/*
 * listen-record.c - udg-listen's record formats.
 *
 * Pieces are appended to a struct tool_out, which keeps its first error:
 * a record is built without checking each piece, and checked once.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "listen-record.h"

/* Defaults for a record: vis-escaped text. */
void
record_opts_init(struct record_opts *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->format = RECORD_TEXT;
	ro->text = fmt_vis;
}

/* Append a NUL-terminated string. */
static void
put_str(struct tool_out *o, const char *s)
{
	(void)tool_out_put(o, s, strlen(s));
}

/* Append p[0, len) through encoder enc, in pieces that fit the buffer. */
static void
put_encoded(struct tool_out *o, fmt_encoder *enc, const char *p, size_t len)
{
	size_t room, used, w;
	char *dst;

	while (len > 0) {
		if ((dst = tool_out_room(o, FMT_MINROOM, &room)) == NULL)
			return;
		w = enc(dst, room, p, len, &used);
		o->len += w;
		p += used;
		len -= used;
	}
}

/* Append a credential in decimal, or none when m has no credentials. */
static void
put_id(struct tool_out *o, const struct udg_msg *m, long long v,
    const char *none)
{
	char num[32];

	if (m->flags & UDG_MSG_NOCRED) {
		put_str(o, none);
		return;
	}
	(void)snprintf(num, sizeof(num), "%lld", v);
	put_str(o, num);
}

/* Append ,"KEY":"..." or ,"KEY_base64":"..." for p[0, len). */
static void
put_json_bytes(struct tool_out *o, const char *key, const char *p,
    size_t len)
{
	put_str(o, ",\"");
	put_str(o, key);
	if (fmt_utf8_valid(p, len)) {
		put_str(o, "\":\"");
		put_encoded(o, fmt_json, p, len);
	} else {
		put_str(o, "_base64\":\"");
		put_encoded(o, fmt_base64, p, len);
	}
	put_str(o, "\"");
}

/*
 * Append ,"peer":... for m's sender, losslessly: a name that is not
 * UTF-8 comes as "peer_base64"; an abstract name has its '@' first.
 */
static void
put_json_peer(struct tool_out *o, const struct udg_msg *m)
{
	char name[UDG_PATH_MAX + 2];
	size_t n = 0;

	if (m->peer_type == UDG_PEER_NONE) {
		put_str(o, ",\"peer\":null");
		return;
	}
	if (m->peer_type == UDG_PEER_ABSTRACT)
		name[n++] = '@';
	if (m->peer_len > sizeof(name) - n) {
		put_str(o, ",\"peer\":null");
		return;
	}
	memcpy(name + n, m->peer, m->peer_len);
	put_json_bytes(o, "peer", name, n + m->peer_len);
}

/* One JSON object for m, then a newline. */
static void
put_json(struct tool_out *o, const struct record_opts *ro,
    const struct udg_msg *m, const struct fmt_syslog *sl,
    const struct timespec *when)
{
	char tbuf[FMT_TIMELEN], num[32];

	if (fmt_time(tbuf, sizeof(tbuf), when) == -1)
		(void)strlcpy(tbuf, "1970-01-01T00:00:00.000000Z",
		    sizeof(tbuf));
	put_str(o, "{\"time\":\"");
	put_str(o, tbuf);
	put_str(o, "\",\"pid\":");
	put_id(o, m, (long long)m->pid, "null");
	put_str(o, ",\"uid\":");
	put_id(o, m, (long long)m->uid, "null");
	put_str(o, ",\"gid\":");
	put_id(o, m, (long long)m->gid, "null");
	put_json_peer(o, m);
	(void)snprintf(num, sizeof(num), ",\"len\":%zu", m->reallen);
	put_str(o, num);
	put_str(o, (m->flags & UDG_MSG_TRUNC) ? ",\"truncated\":true" :
	    ",\"truncated\":false");
	put_json_bytes(o, "data", m->buf, m->len);
	if (ro->syslog && sl != NULL) {
		put_str(o, ",\"facility\":\"");
		put_str(o, sl->facility);
		put_str(o, "\",\"severity\":\"");
		put_str(o, sl->severity);
		put_str(o, "\"");
		put_json_bytes(o, "message", (const char *)m->buf +
		    sl->hdrlen, m->len - sl->hdrlen);
	} else if (ro->syslog) {
		put_str(o, ",\"facility\":null,\"severity\":null");
		put_json_bytes(o, "message", m->buf, m->len);
	}
	put_str(o, "}\n");
}

/* "pid uid gid " for -C, "-1" for each when m has no credentials. */
static void
put_creds(struct tool_out *o, const struct udg_msg *m)
{
	put_id(o, m, (long long)m->pid, "-1");
	put_str(o, " ");
	put_id(o, m, (long long)m->uid, "-1");
	put_str(o, " ");
	put_id(o, m, (long long)m->gid, "-1");
	put_str(o, " ");
}

/* Append m's record in the format ro asks for. */
int
record_write(struct tool_out *o, const struct record_opts *ro,
    const struct udg_msg *m, const struct timespec *when)
{
	struct fmt_syslog sl;
	const char *p = m->buf;
	size_t len = m->len;
	int have_sl;

	have_sl = ro->syslog && fmt_syslog(p, len, &sl) == 0;
	if (ro->format == RECORD_JSON) {
		put_json(o, ro, m, have_sl ? &sl : NULL, when);
		goto done;
	}
	if (ro->creds)
		put_creds(o, m);
	if (have_sl) {
		put_str(o, sl.facility);
		put_str(o, ".");
		put_str(o, sl.severity);
		put_str(o, ": ");
		p += sl.hdrlen;
		len -= sl.hdrlen;
	}
	switch (ro->format) {
	case RECORD_TEXT:
		put_encoded(o, ro->text, p, len);
		(void)tool_out_putc(o, '\n');
		break;
	case RECORD_RAW:
		(void)tool_out_put(o, p, len);
		(void)tool_out_putc(o, '\n');
		break;
	default:
		(void)tool_out_put(o, p, len);
		(void)tool_out_putc(o, '\0');
		break;
	}
done:
	if (o->err != 0) {
		errno = o->err;
		return -1;
	}
	return 0;
}
