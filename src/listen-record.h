/*
 * listen-record.h - udg-listen's record for one datagram: escaped text,
 * raw, NUL-ended or a JSON object, with the -C and -s prefixes.
 *
 * Everything it needs comes in struct record_opts and the arguments: no
 * globals, no clock (the caller passes the time), so that every format
 * can be checked byte for byte.
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

struct record_opts {
	enum record_format	 format;
	int			 creds;		/* -C: "pid uid gid " first */
	int			 syslog;	/* -s: decode a <PRI> header */
	fmt_encoder		*text;		/* RECORD_TEXT's escaper */
};

/* Defaults: text escaped with fmt_vis, no prefixes. */
void	record_opts_init(struct record_opts *);

/*
 * Append the record for m, received at when (JSON "time"), to o.
 * -1 with errno (o->err) when the output failed.
 */
int	record_write(struct tool_out *o, const struct record_opts *,
	    const struct udg_msg *m, const struct timespec *when);

#endif /* UDG_LISTEN_RECORD_H */
