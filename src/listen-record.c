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

/*
 * Room for need bytes at the end of o: its buffer's free tail when that
 * is large enough, else tmp (need bytes too), so that a record's fixed
 * parts are formatted in place and put with commit().  NULL once o has
 * failed.
 */
static char *
reserve(struct tool_out *o, size_t need, char *tmp)
{
	size_t room;
	char *p;

	if ((p = tool_out_room(o, need, &room)) == NULL)
		return NULL;
	return room >= need ? p : tmp;
}

/* End what reserve() gave: n bytes were written at p (tmp or o's). */
static void
commit(struct tool_out *o, const char *p, size_t n, const char *tmp)
{
	if (p == tmp)
		(void)tool_out_put(o, p, n);
	else
		o->len += n;
}

/* Append p[0, len). */
static inline void
put_mem(struct tool_out *o, const char *p, size_t len)
{
	if (o->cap - o->len >= len && o->err == 0) {
		memcpy(o->buf + o->len, p, len);
		o->len += len;
		return;
	}
	(void)tool_out_put(o, p, len);
}

/* Append a string constant, its length known at compile time. */
#define PUT_LIT(o, s)	put_mem((o), "" s, sizeof(s) - 1)

/* Copy the literal s at d: the bytes after it. */
#define CPY_LIT(d, s) \
	(memcpy((d), "" s, sizeof(s) - 1), (d) + sizeof(s) - 1)

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

/* A credential in decimal at d, or none when m has none; past its end. */
static inline char *
cpy_id(char *d, const struct udg_msg *m, int64_t v, const char *none,
    size_t nonelen)
{
	if (m->flags & UDG_MSG_NOCRED) {
		memcpy(d, none, nonelen);
		return d + nonelen;
	}
	return d + fmt_i64(d, v);
}

/* The forms of the credentials struct record_ids keeps. */
#define IDS_TEXT	1	/* "pid uid gid " */
#define IDS_JSON	2	/* ","pid":N,"uid":N,"gid":N */

/* "pid uid gid " for -C, "-1" for each when m has no credentials, at d. */
static char *
cpy_creds_text(char *d, const struct udg_msg *m)
{
	d = cpy_id(d, m, (int64_t)m->pid, "-1", 2);
	*d++ = ' ';
	d = cpy_id(d, m, (int64_t)m->uid, "-1", 2);
	*d++ = ' ';
	d = cpy_id(d, m, (int64_t)m->gid, "-1", 2);
	*d++ = ' ';
	return d;
}

/* ","pid":N,"uid":N,"gid":N, null for each when m has none, at d. */
static char *
cpy_creds_json(char *d, const struct udg_msg *m)
{
	d = CPY_LIT(d, "\",\"pid\":");
	d = cpy_id(d, m, (int64_t)m->pid, "null", 4);
	d = CPY_LIT(d, ",\"uid\":");
	d = cpy_id(d, m, (int64_t)m->uid, "null", 4);
	d = CPY_LIT(d, ",\"gid\":");
	return cpy_id(d, m, (int64_t)m->gid, "null", 4);
}

/* 1 if c holds m's credentials in form kind. */
static inline int
ids_hit(const struct record_ids *c, const struct udg_msg *m, int kind)
{
	int nocred = (m->flags & UDG_MSG_NOCRED) != 0;

	return c->kind == kind && c->nocred == nocred && (nocred ||
	    (c->pid == m->pid && c->uid == m->uid && c->gid == m->gid));
}

/*
 * m's credentials in form kind at d, from c (NULL: none) when it holds
 * them, else formatted and kept there; past their end.
 */
static char *
cpy_ids(char *d, const struct udg_msg *m, struct record_ids *c, int kind)
{
	char *e;

	if (c != NULL && ids_hit(c, m, kind)) {
		memcpy(d, c->s, c->len);
		return d + c->len;
	}
	e = kind == IDS_JSON ? cpy_creds_json(d, m) : cpy_creds_text(d, m);
	if (c != NULL && (size_t)(e - d) <= sizeof(c->s)) {
		c->kind = kind;
		c->nocred = (m->flags & UDG_MSG_NOCRED) != 0;
		c->pid = m->pid;
		c->uid = m->uid;
		c->gid = m->gid;
		c->len = (size_t)(e - d);
		memcpy(c->s, d, c->len);
	}
	return e;
}

/*
 * Append ,"KEY":"..." or ,"KEY_base64":"..." for p[0, len); key is a
 * string constant of keylen bytes.
 */
static void
put_json_bytes(struct tool_out *o, const char *key, size_t keylen,
    const char *p, size_t len)
{
	PUT_LIT(o, ",\"");
	put_mem(o, key, keylen);
	if (fmt_utf8_valid(p, len)) {
		PUT_LIT(o, "\":\"");
		put_encoded(o, fmt_json, p, len);
	} else {
		PUT_LIT(o, "_base64\":\"");
		put_encoded(o, fmt_base64, p, len);
	}
	(void)tool_out_putc(o, '"');
}

/* put_json_bytes() with a key that is a string constant. */
#define PUT_JSON_BYTES(o, key, p, len) \
	put_json_bytes((o), "" key, sizeof(key) - 1, (p), (len))

/* The most ,"KEY_base64":"..." can take for len bytes (\u00XX each). */
#define JSON_BYTES_MAX(keylen, len)	((keylen) + 13 + 6 * (len))

/*
 * put_json_bytes() at d, which has JSON_BYTES_MAX() room; past its end.
 * *text (text NULL: not wanted) is where the string starts when it is
 * JSON text, NULL when it is base64.  Inline: the key is a constant.
 */
static inline char *
cpy_json_text(char *d, const char *key, size_t keylen, const char *p,
    size_t len, char **text)
{
	char *k;
	size_t used, w;

	d = CPY_LIT(d, ",\"");
	memcpy(d, key, keylen);
	k = d += keylen;
	d = CPY_LIT(d, "\":\"");
	/*
	 * fmt_json() gives back as many bytes as it took only when it copied
	 * every one (escapes and U+FFFD for a bad byte are longer): then p
	 * is UTF-8 without a look of its own.
	 */
	if ((w = fmt_json(d, 6 * len, p, len, &used)) == len ||
	    fmt_utf8_valid(p, len)) {
		if (text != NULL)
			*text = d;
		d += w;
	} else {
		if (text != NULL)
			*text = NULL;
		d = CPY_LIT(k, "_base64\":\"");
		d += fmt_base64(d, 6 * len, p, len, &used);
	}
	*d++ = '"';
	return d;
}

/* cpy_json_text() with a key that is a string constant, and no *text. */
#define CPY_JSON_BYTES(d, key, p, len) \
	cpy_json_text((d), "" key, sizeof(key) - 1, (p), (len), NULL)

/* See listen-record.h. */
const char *
record_peer(const struct udg_msg *m, char name[RECORD_PEERMAX], size_t *len)
{
	const char *first = "@";

	if (m->peer_type == UDG_PEER_NONE || m->peer_len > UDG_PATH_MAX + 1)
		return NULL;
	if (m->peer_type == UDG_PEER_PATH) {
		*len = m->peer_len;
		if (m->peer_len == 0 || m->peer[0] != '@')
			return m->peer;
		first = "./";
	}
	memcpy(name, first, strlen(first));
	memcpy(name + strlen(first), m->peer, m->peer_len);
	*len = m->peer_len + strlen(first);
	return name;
}

/* Append ,"peer":... for m's sender; a name that is not UTF-8 as base64. */
static void
put_json_peer(struct tool_out *o, const struct udg_msg *m)
{
	char name[RECORD_PEERMAX];
	const char *p;
	size_t len;

	if ((p = record_peer(m, name, &len)) == NULL)
		PUT_LIT(o, ",\"peer\":null");
	else
		PUT_JSON_BYTES(o, "peer", p, len);
}

/* put_json_peer() at d, JSON_BYTES_MAX(4, RECORD_PEERMAX) room. */
static char *
cpy_json_peer(char *d, const struct udg_msg *m)
{
	char name[RECORD_PEERMAX];
	const char *p;
	size_t len;

	if ((p = record_peer(m, name, &len)) == NULL)
		return CPY_LIT(d, ",\"peer\":null");
	return CPY_JSON_BYTES(d, "peer", p, len);
}

/* Append ,"KEY":"...", or ,"KEY":null when s is unknown (NULL). */
static void
put_json_str(struct tool_out *o, const char *key, size_t keylen,
    const char *s)
{
	if (s != NULL) {
		put_json_bytes(o, key, keylen, s, strlen(s));
		return;
	}
	PUT_LIT(o, ",\"");
	put_mem(o, key, keylen);
	PUT_LIT(o, "\":null");
}

/* put_json_str() with a key that is a string constant. */
#define PUT_JSON_STR(o, key, s) \
	put_json_str((o), "" key, sizeof(key) - 1, (s))

/* -I: the sender's identity members; all null when none vouched. */
static void
put_json_ident(struct tool_out *o, const struct udg_ident *id)
{
	if (id == NULL || !(id->flags & UDG_ID_PINNED)) {
		PUT_LIT(o, ",\"pid_pinned\":false,\"comm\":null,\"exe\":null,"
		    "\"cmdline\":null,\"cgroup\":null,\"unit\":null");
		return;
	}
	PUT_LIT(o, ",\"pid_pinned\":true");
	PUT_JSON_STR(o, "comm", id->comm);
	PUT_JSON_STR(o, "exe", id->exe);
	PUT_JSON_STR(o, "cmdline", id->cmdline);
	PUT_JSON_STR(o, "cgroup", id->cgroup);
	PUT_JSON_STR(o, "unit", id->unit);
}

/* The longest JSON head: {"time":"TIME","pid":N,"uid":N,"gid":N */
#define JSON_HEAD	(9 + FMT_TIMELEN + 8 + 7 + 7 + 3 * FMT_I64LEN)

/* The longest ,"len":N,"truncated":false */
#define JSON_MID	(7 + FMT_U64LEN + 18)

/* Records of payloads up to this are reserved whole (put_json_fast()). */
#define JSON_FAST_LEN	2048

/*
 * The arrival time, RFC 3339 UTC, at d (FMT_TIMELEN bytes) through the
 * writer's cache; past its end.
 */
static char *
cpy_time(char *d, const struct record_meta *meta)
{
	static const char epoch[] = "1970-01-01T00:00:00.000000Z";
	int n;

	if ((n = fmt_time_fast(d, &meta->time, meta->cache)) == -1) {
		memcpy(d, epoch, sizeof(epoch) - 1);
		return d + sizeof(epoch) - 1;
	}
	return d + n;
}

/* {"time":...,"gid":N, the fixed start of a JSON record, at d. */
static char *
cpy_json_head(char *d, const struct udg_msg *m,
    const struct record_meta *meta)
{
	d = CPY_LIT(d, "{\"time\":\"");
	d = cpy_time(d, meta);
	return cpy_ids(d, m, meta->ids, IDS_JSON);
}

/* ,"len":N,"truncated":B, the fixed members after the peer, at d. */
static char *
cpy_json_mid(char *d, const struct udg_msg *m)
{
	d = CPY_LIT(d, ",\"len\":");
	d += fmt_u64(d, m->reallen);
	if (m->flags & UDG_MSG_TRUNC)
		return CPY_LIT(d, ",\"truncated\":true");
	return CPY_LIT(d, ",\"truncated\":false");
}

/* The longest names are "solaris-cron" and "warning", copied whole. */
#define JSON_SYSLOG	(27 + 2 * FMT_SYSLOG_NAME + 1)

/*
 * A facility or severity name at d: all FMT_SYSLOG_NAME bytes in one fixed
 * copy (d must have room for them), only its len kept; past its end.
 */
static inline char *
cpy_name(char *d, const char *name, size_t len)
{
	memcpy(d, name, FMT_SYSLOG_NAME);
	return d + len;
}

/* ,"facility":"F","severity":"S" for -s -J's decoded header, at d. */
static char *
cpy_json_syslog(char *d, const struct fmt_syslog *sl)
{
	d = CPY_LIT(d, ",\"facility\":\"");
	d = cpy_name(d, sl->facility, sl->facility_len);
	d = CPY_LIT(d, "\",\"severity\":\"");
	d = cpy_name(d, sl->severity, sl->severity_len);
	*d++ = '"';
	return d;
}

/* Append the fixed start of a JSON record. */
static void
put_json_head(struct tool_out *o, const struct udg_msg *m,
    const struct record_meta *meta)
{
	char tmp[JSON_HEAD], *p;

	if ((p = reserve(o, sizeof(tmp), tmp)) != NULL)
		commit(o, p, (size_t)(cpy_json_head(p, m, meta) - p), tmp);
}

/* Append the fixed members after the peer. */
static void
put_json_mid(struct tool_out *o, const struct udg_msg *m)
{
	char tmp[JSON_MID], *p;

	if ((p = reserve(o, sizeof(tmp), tmp)) != NULL)
		commit(o, p, (size_t)(cpy_json_mid(p, m) - p), tmp);
}

/* Append the decoded header's names. */
static void
put_json_syslog(struct tool_out *o, const struct fmt_syslog *sl)
{
	char tmp[JSON_SYSLOG], *p;

	if ((p = reserve(o, sizeof(tmp), tmp)) != NULL)
		commit(o, p, (size_t)(cpy_json_syslog(p, sl) - p), tmp);
}

/*
 * The most a JSON record without -I can take, or 0 when it is too large
 * to be worth reserving whole.
 */
static size_t
json_max(const struct record_opts *ro, const struct udg_msg *m,
    const struct record_meta *meta)
{
	size_t n;

	if (ro->identity || meta->socket != NULL || m->len > JSON_FAST_LEN)
		return 0;
	n = JSON_HEAD + JSON_BYTES_MAX(4, RECORD_PEERMAX) + JSON_MID +
	    JSON_BYTES_MAX(4, m->len) + 2;
	if (ro->syslog)
		n += JSON_SYSLOG + JSON_BYTES_MAX(7, m->len);
	return n;
}

/*
 * ,"message":"..." from the escaped "data" string [from, end) already
 * written: a decoded header is plain ASCII ("<PRI>", "1 "), which JSON
 * keeps as it is, and escaping goes a character at a time, so the
 * message's escape is the data's less the header's bytes, and less the
 * "\n" and "\u0000" of a last newline and NUL that are not the message's.
 */
static char *
cpy_json_tail(char *d, const char *from, const char *end,
    const struct udg_msg *m, const struct fmt_syslog *sl)
{
	size_t i;

	for (i = sl->hdrlen + sl->msglen; i < m->len; i++)
		end -= ((const char *)m->buf)[i] == '\0' ? 6 : 2;
	d = CPY_LIT(d, ",\"message\":\"");
	memcpy(d, from, (size_t)(end - from));
	d += end - from;
	*d++ = '"';
	return d;
}

/*
 * A JSON record written straight into the buffer when it has room for
 * the largest one m can make (no field checks room), else 0.
 */
static int
put_json_fast(struct tool_out *o, const struct record_opts *ro,
    const struct udg_msg *m, const struct fmt_syslog *sl,
    const struct record_meta *meta)
{
	size_t need, room;
	char *p, *d, *data, *end;

	if ((need = json_max(ro, m, meta)) == 0 ||
	    (p = tool_out_room(o, need, &room)) == NULL || room < need)
		return 0;
	d = cpy_json_head(p, m, meta);
	d = cpy_json_peer(d, m);
	d = cpy_json_mid(d, m);
	d = cpy_json_text(d, "data", 4, m->buf, m->len, &data);
	if (ro->syslog && sl != NULL) {
		end = d - 1;
		d = cpy_json_syslog(d, sl);
		if (data != NULL)
			d = cpy_json_tail(d, data + sl->hdrlen, end, m, sl);
		else
			d = CPY_JSON_BYTES(d, "message", (const char *)m->buf +
			    sl->hdrlen, sl->msglen);
	} else if (ro->syslog) {
		d = CPY_LIT(d, ",\"facility\":null,\"severity\":null");
		d = CPY_JSON_BYTES(d, "message", m->buf, m->len);
	}
	d = CPY_LIT(d, "}\n");
	o->len += (size_t)(d - p);
	return 1;
}

/* One JSON object for m, then a newline. */
static void
put_json(struct tool_out *o, const struct record_opts *ro,
    const struct udg_msg *m, const struct fmt_syslog *sl,
    const struct record_meta *meta)
{
	if (put_json_fast(o, ro, m, sl, meta))
		return;
	put_json_head(o, m, meta);
	if (ro->identity)
		put_json_ident(o, meta->id);
	if (meta->socket != NULL)
		PUT_JSON_BYTES(o, "socket", meta->socket,
		    strlen(meta->socket));
	put_json_peer(o, m);
	put_json_mid(o, m);
	PUT_JSON_BYTES(o, "data", m->buf, m->len);
	if (ro->syslog && sl != NULL) {
		put_json_syslog(o, sl);
		PUT_JSON_BYTES(o, "message", (const char *)m->buf +
		    sl->hdrlen, sl->msglen);
	} else if (ro->syslog) {
		PUT_LIT(o, ",\"facility\":null,\"severity\":null");
		PUT_JSON_BYTES(o, "message", m->buf, m->len);
	}
	PUT_LIT(o, "}\n");
}

/* Append -C's "pid uid gid ". */
static void
put_creds(struct tool_out *o, const struct udg_msg *m,
    const struct record_meta *meta)
{
	char tmp[3 * (FMT_I64LEN + 1)], *p;

	if ((p = reserve(o, sizeof(tmp), tmp)) != NULL)
		commit(o, p, (size_t)(cpy_ids(p, m, meta->ids, IDS_TEXT) - p),
		    tmp);
}

/*
 * Append p[0, len) as one space-separated field: escaped by enc, spaces as
 * \040, a lone "-" as \055 (a lone "-" means unknown: p is NULL), an
 * empty value as "", so that the field is never missing, and a value that
 * is itself "" as \042\042.
 */
static void
put_field(struct tool_out *o, fmt_encoder *enc, const char *p, size_t len)
{
	size_t run;

	if (p == NULL) {
		PUT_LIT(o, "- ");
		return;
	}
	if (len == 0) {
		PUT_LIT(o, "\"\" ");
		return;
	}
	if (len == 1 && p[0] == '-') {
		PUT_LIT(o, "\\055 ");
		return;
	}
	if (len == 2 && p[0] == '"' && p[1] == '"') {
		PUT_LIT(o, "\\042\\042 ");
		return;
	}
	while (len > 0) {
		for (run = 0; run < len && p[run] != ' '; run++)
			continue;
		put_encoded(o, enc, p, run);
		if (run < len) {
			PUT_LIT(o, "\\040");
			run++;
		}
		p += run;
		len -= run;
	}
	(void)tool_out_putc(o, ' ');
}

/* --peer: the sender's address as a field; "-" when it has none. */
static void
put_peer_field(struct tool_out *o, fmt_encoder *enc,
    const struct udg_msg *m)
{
	char name[RECORD_PEERMAX];
	const char *p;
	size_t len;

	if ((p = record_peer(m, name, &len)) != NULL)
		put_field(o, enc, p, len);
	else
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

/*
 * --timestamp=mono: seconds.microseconds at d (64 bytes); past its end,
 * or NULL on error.
 */
static char *
cpy_mono(char *d, const struct timespec *ts)
{
	unsigned int us;
	int n;

	if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L) {
		n = snprintf(d, 64, "%lld.%06ld", (long long)ts->tv_sec,
		    (long)(ts->tv_nsec / 1000));
		return n < 0 || n >= 64 ? NULL : d + n;
	}
	d += fmt_i64(d, (int64_t)ts->tv_sec);
	*d++ = '.';
	us = (unsigned int)(ts->tv_nsec / 1000);
	for (n = 5; n >= 0; n--) {
		d[n] = (char)('0' + us % 10);
		us /= 10;
	}
	return d + 6;
}

/* --timestamp: the arrival time in the clock asked for, then a space. */
static void
put_stamp(struct tool_out *o, enum record_stamp how,
    const struct record_meta *meta)
{
	char tmp[64 + 1], *p, *d, *e;
	int n;

	if ((p = d = reserve(o, sizeof(tmp), tmp)) == NULL)
		return;
	switch (how) {
	case RECORD_STAMP_UTC:
		n = fmt_time_cached(d, 64, &meta->time, meta->cache);
		e = n == -1 ? NULL : d + n;
		break;
	case RECORD_STAMP_LOCAL:
		e = local_time(d, 64, &meta->time) == -1 ? NULL :
		    d + strlen(d);
		break;
	default:
		e = cpy_mono(d, &meta->mono);
		break;
	}
	if (e == NULL)
		e = CPY_LIT(d, "-");
	*e++ = ' ';
	commit(o, p, (size_t)(e - p), tmp);
}

/* -s in text: "facility.severity: " for a decoded header. */
static void
put_syslog_names(struct tool_out *o, const struct fmt_syslog *sl)
{
	char tmp[2 * FMT_SYSLOG_NAME + 2], *p, *d;

	if ((p = d = reserve(o, sizeof(tmp), tmp)) == NULL)
		return;
	d = cpy_name(d, sl->facility, sl->facility_len);
	*d++ = '.';
	d = cpy_name(d, sl->severity, sl->severity_len);
	d = CPY_LIT(d, ": ");
	commit(o, p, (size_t)(d - p), tmp);
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

/* p[0, len) through enc and a newline: one call when it all fits. */
static inline void
put_text(struct tool_out *o, fmt_encoder *enc, const char *p, size_t len)
{
	size_t room, used, w;
	char *dst;

	if ((dst = tool_out_room(o, FMT_MINROOM, &room)) == NULL)
		return;
	w = enc(dst, room - 1, p, len, &used);
	if (used == len) {
		dst[w] = '\n';
		o->len += w + 1;
		return;
	}
	o->len += w;
	put_encoded(o, enc, p + used, len - used);
	(void)tool_out_putc(o, '\n');
}

/* p[0, len) as it is, then end. */
static inline void
put_raw(struct tool_out *o, const char *p, size_t len, char end)
{
	put_mem(o, p, len);
	(void)tool_out_putc(o, end);
}

/*
 * A JSON record, its syslog fields decoded with -s.  Not inlined, nor is
 * put_line(): their frames would make every plain text record pay.
 */
static void __attribute__((__noinline__))
put_json_record(struct tool_out *o, const struct record_opts *ro,
    const struct udg_msg *m, const struct record_meta *meta)
{
	struct fmt_syslog sl;
	int have_sl;

	have_sl = ro->syslog && fmt_syslog(m->buf, m->len, &sl) == 0;
	put_json(o, ro, m, have_sl ? &sl : NULL, meta);
}

/* A text, raw or NUL-ended record with the prefixes asked for. */
static void __attribute__((__noinline__))
put_line(struct tool_out *o, const struct record_opts *ro,
    const struct udg_msg *m, const struct record_meta *meta)
{
	struct fmt_syslog sl;
	const char *p = m->buf;
	size_t len = m->len;
	int have_sl;

	have_sl = ro->syslog && fmt_syslog(p, len, &sl) == 0;
	if (ro->stamp != RECORD_STAMP_NONE)
		put_stamp(o, ro->stamp, meta);
	if (ro->creds)
		put_creds(o, m, meta);
	if (ro->identity)
		put_comm_field(o, ro->text, meta->id);
	if (ro->peer && meta->socket != NULL)
		put_field(o, ro->text, meta->socket, strlen(meta->socket));
	if (ro->peer)
		put_peer_field(o, ro->text, m);
	if (have_sl) {
		put_syslog_names(o, &sl);
		p += sl.hdrlen;
		len = sl.msglen;
	}
	switch (ro->format) {
	case RECORD_TEXT:
		put_text(o, ro->text, p, len);
		break;
	case RECORD_RAW:
		put_raw(o, p, len, '\n');
		break;
	default:
		put_raw(o, p, len, '\0');
		break;
	}
}

/* Note which parts the options ask for; after they are all set. */
void
record_opts_finish(struct record_opts *ro)
{
	ro->prefixed = ro->stamp != RECORD_STAMP_NONE || ro->creds ||
	    ro->identity || ro->peer || ro->syslog;
}

/* Append m's record in the format ro asks for. */
int
record_write(struct tool_out *o, const struct record_opts *ro,
    const struct udg_msg *m, const struct record_meta *meta)
{
	const char *p = m->buf;
	size_t len = m->len;

	if (ro->format == RECORD_JSON)
		put_json_record(o, ro, m, meta);
	else if (ro->prefixed)
		put_line(o, ro, m, meta);
	else if (ro->format == RECORD_TEXT)
		put_text(o, ro->text, p, len);
	else
		put_raw(o, p, len, ro->format == RECORD_RAW ? '\n' : '\0');
	if (o->err != 0) {
		errno = o->err;
		return -1;
	}
	return 0;
}
