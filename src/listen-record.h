/*
 * listen-record.h - udg-listen's record for one datagram: escaped text,
 * raw, NUL-ended or a JSON object, with the --timestamp, -C, -I, --peer
 * and -s prefixes, and the socket it came in on when there are several.
 *
 * Everything it needs comes in struct record_opts and the arguments: no
 * globals, no clock (the caller passes the time), so that every format
 * can be checked byte for byte.  The one state kept across records is the
 * caller's struct fmt_timecache (record_meta.cache): the time's text up to
 * the second, formatted once a second.
 */
#ifndef UDG_LISTEN_RECORD_H
#define UDG_LISTEN_RECORD_H

#include <time.h>

#include "udg.h"
#include "format.h"
#include "tool-out.h"

enum record_format {
	RECORD_TEXT,		/* escaped by opts.text, then '\n' */
	RECORD_RAW,		/* the payload, then '\n' */
	RECORD_NUL,		/* the payload, then '\0' */
	RECORD_JSON		/* one JSON object, then '\n' */
};

/* --timestamp: which clock a text record begins with. */
enum record_stamp {
	RECORD_STAMP_NONE,
	RECORD_STAMP_UTC,	/* RFC 3339, microseconds, "Z" */
	RECORD_STAMP_LOCAL,	/* RFC 3339, microseconds, "+hh:mm" */
	RECORD_STAMP_MONO	/* seconds.microseconds, CLOCK_MONOTONIC */
};

struct record_opts {
	enum record_format	 format;
	int			 creds;		/* -C: "pid uid gid " first */
	int			 identity;	/* -I: comm (text), all (-J) */
	int			 peer;		/* --peer: sender's address */
	enum record_stamp	 stamp;		/* --timestamp */
	int			 syslog;	/* -s: decode a <PRI> header */
	fmt_encoder		*text;		/* RECORD_TEXT's escaper */
	int			 prefixed;	/* record_opts_finish(): more
						   than the payload */
};

/*
 * The writer's last sender credentials as it wrote them: most datagrams
 * come from the sender before, whose numbers then need no formatting.
 */
struct record_ids {
	int		 kind;		/* 0: none yet, else which form */
	int		 nocred;	/* UDG_MSG_NOCRED */
	pid_t		 pid;
	uid_t		 uid;
	gid_t		 gid;
	size_t		 len;
	char		 s[3 * (FMT_I64LEN + 8)];
};

/* What the listener knows of a datagram besides the message itself. */
struct record_meta {
	struct timespec		 time;	/* arrival, CLOCK_REALTIME */
	struct timespec		 mono;	/* arrival, CLOCK_MONOTONIC */
	const struct udg_ident	*id;	/* -I: its sender; NULL: unknown */
	const char		*socket; /* the socket it came in on: NULL,
					    not shown (only one) */
	struct fmt_timecache	*cache;	/* the writer's last second; NULL */
	struct record_ids	*ids;	/* and last credentials; NULL */
};

/*
 * m's sender's address as records show it, without loss; NULL when it
 * has none, else its bytes (no NUL) and *len, built in name[] if need
 * be.  An abstract name has '@' first, and a path that begins with '@'
 * (a relative one) "./", so that the two never look alike.
 */
#define RECORD_PEERMAX	(UDG_PATH_MAX + 3)
const char *record_peer(const struct udg_msg *m, char name[RECORD_PEERMAX],
	    size_t *len);

/* Defaults: text escaped with fmt_vis, no prefixes. */
void	record_opts_init(struct record_opts *);

/* Once the options are set: decide what record_write() can skip. */
void	record_opts_finish(struct record_opts *);

/*
 * Append the record for m, described further by meta, to o.  -1 with
 * errno (o->err) when the output failed.
 */
int	record_write(struct tool_out *o, const struct record_opts *,
	    const struct udg_msg *m, const struct record_meta *meta);

/*
 * The monotonic time of realtime instant rt, given one reading of both
 * clocks (rt_now, mono_now): the kernel stamps arrivals on the realtime
 * clock only.  Never before the monotonic clock's zero.
 */
struct timespec	record_mono(const struct timespec *rt,
	    const struct timespec *rt_now, const struct timespec *mono_now);

#endif /* UDG_LISTEN_RECORD_H */
