/*
 * listen-record.c - udg-listen's record formats.
 *
 * Pieces are appended to a struct tool_out, which keeps its first error:
 * a record is built without checking each piece, and checked once.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* Append ,"KEY":"...", or ,"KEY":null when s is unknown (NULL). */
static void
put_json_str(struct tool_out *o, const char *key, const char *s)
{
	if (s != NULL) {
		put_json_bytes(o, key, s, strlen(s));
		return;
	}
	put_str(o, ",\"");
	put_str(o, key);
	put_str(o, "\":null");
}

/* -I: the sender's identity members; all null when none vouched. */
static void
put_json_ident(struct tool_out *o, const struct udg_ident *id)
{
	int pinned = id != NULL && (id->flags & UDG_ID_PINNED);

	put_str(o, pinned ? ",\"pid_pinned\":true" : ",\"pid_pinned\":false");
	if (!pinned)
		id = NULL;
	put_json_str(o, "comm", id != NULL ? id->comm : NULL);
	put_json_str(o, "exe", id != NULL ? id->exe : NULL);
	put_json_str(o, "cmdline", id != NULL ? id->cmdline : NULL);
	put_json_str(o, "cgroup", id != NULL ? id->cgroup : NULL);
	put_json_str(o, "unit", id != NULL ? id->unit : NULL);
}

/* One JSON object for m, then a newline. */
static void
put_json(struct tool_out *o, const struct record_opts *ro,
    const struct udg_msg *m, const struct fmt_syslog *sl,
    const struct record_meta *meta)
{
	char tbuf[FMT_TIMELEN], num[32];

	if (fmt_time(tbuf, sizeof(tbuf), &meta->time) == -1)
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
	if (ro->identity)
		put_json_ident(o, meta->id);
	if (meta->socket != NULL)
		put_json_bytes(o, "socket", meta->socket,
		    strlen(meta->socket));
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

/*
 * Append p[0, len) as one space-separated field: escaped by enc, spaces as
 * \040, a lone "-" as \055 (a lone "-" means unknown: p is NULL) and
 * an empty value as "", so that the field is never missing.
 */
static void
put_field(struct tool_out *o, fmt_encoder *enc, const char *p, size_t len)
{
	size_t run;

	if (p == NULL || len == 0) {
		put_str(o, p == NULL ? "- " : "\"\" ");
		return;
	}
	if (len == 1 && p[0] == '-') {
		put_str(o, "\\055 ");
		return;
	}
	while (len > 0) {
		for (run = 0; run < len && p[run] != ' '; run++)
			continue;
		put_encoded(o, enc, p, run);
		if (run < len) {
			put_str(o, "\\040");
			run++;
		}
		p += run;
		len -= run;
	}
	put_str(o, " ");
}

/* --peer: the sender's address as a field; "-" when it has none. */
static void
put_peer_field(struct tool_out *o, fmt_encoder *enc,
    const struct udg_msg *m)
{
	char name[UDG_PATH_MAX + 2];

	if (m->peer_type == UDG_PEER_PATH)
		put_field(o, enc, m->peer, m->peer_len);
	else if (m->peer_type == UDG_PEER_ABSTRACT &&
	    m->peer_len < sizeof(name)) {
		name[0] = '@';
		memcpy(name + 1, m->peer, m->peer_len);
		put_field(o, enc, name, m->peer_len + 1);
	} else
		put_field(o, enc, NULL, 0);
}

/* -I in text: the sender's command name as a field, "-" if unknown. */
static void
put_comm_field(struct tool_out *o, fmt_encoder *enc,
    const struct udg_ident *id)
{
	if (id == NULL || !(id->flags & UDG_ID_PINNED) || id->comm == NULL)
		put_field(o, enc, NULL, 0);
	else
		put_field(o, enc, id->comm, strlen(id->comm));
}

/* --timestamp=local: RFC 3339 with microseconds and the UTC offset. */
static int
local_time(char *buf, size_t size, const struct timespec *ts)
{
	struct tm tm;
	long off;
	int n;

	if (localtime_r(&ts->tv_sec, &tm) == NULL)
		return -1;
	off = tm.tm_gmtoff / 60;
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld%c%02ld:"
	    "%02ld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(ts->tv_nsec / 1000),
	    off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
	    (off < 0 ? -off : off) % 60);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* --timestamp: the arrival time in the clock asked for, then a space. */
static void
put_stamp(struct tool_out *o, enum record_stamp how,
    const struct record_meta *meta)
{
	char buf[64];
	int r;

	switch (how) {
	case RECORD_STAMP_UTC:
		r = fmt_time(buf, sizeof(buf), &meta->time);
		break;
	case RECORD_STAMP_LOCAL:
		r = local_time(buf, sizeof(buf), &meta->time);
		break;
	default:
		r = snprintf(buf, sizeof(buf), "%lld.%06ld",
		    (long long)meta->mono.tv_sec,
		    (long)(meta->mono.tv_nsec / 1000)) < 0 ? -1 : 0;
		break;
	}
	put_str(o, r == 0 ? buf : "-");
	put_str(o, " ");
}

/* The realtime instant rt on the monotonic clock. */
struct timespec
record_mono(const struct timespec *rt, const struct timespec *rt_now,
    const struct timespec *mono_now)
{
	struct timespec r = { 0, 0 };
	int64_t ns;

	ns = ((int64_t)mono_now->tv_sec - (int64_t)rt_now->tv_sec +
	    (int64_t)rt->tv_sec) * 1000000000 + mono_now->tv_nsec -
	    rt_now->tv_nsec + rt->tv_nsec;
	if (ns <= 0)
		return r;
	r.tv_sec = (time_t)(ns / 1000000000);
	r.tv_nsec = (long)(ns % 1000000000);
	return r;
}

/* Append m's record in the format ro asks for. */
int
record_write(struct tool_out *o, const struct record_opts *ro,
    const struct udg_msg *m, const struct record_meta *meta)
{
	struct fmt_syslog sl;
	const char *p = m->buf;
	size_t len = m->len;
	int have_sl;

	have_sl = ro->syslog && fmt_syslog(p, len, &sl) == 0;
	if (ro->format == RECORD_JSON) {
		put_json(o, ro, m, have_sl ? &sl : NULL, meta);
		goto done;
	}
	if (ro->stamp != RECORD_STAMP_NONE)
		put_stamp(o, ro->stamp, meta);
	if (ro->creds)
		put_creds(o, m);
	if (ro->identity)
		put_comm_field(o, ro->text, meta->id);
	if (ro->peer && meta->socket != NULL)
		put_field(o, ro->text, meta->socket, strlen(meta->socket));
	if (ro->peer)
		put_peer_field(o, ro->text, m);
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
