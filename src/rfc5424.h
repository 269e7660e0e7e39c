/*
 * rfc5424.h - a received datagram as an RFC 5424 syslog message carrying
 * the sender's kernel-verified identity as structured data, for
 * udg-listen --forward-format rfc5424.
 *
 * Pure: no I/O, no allocation, no clock; the caller passes the host name
 * and the arrival time, so the output can be checked byte for byte.
 */
#ifndef UDG_RFC5424_H
#define UDG_RFC5424_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

/*
 * The SD-ID of udg's element.  32473 is the Private Enterprise Number
 * that RFC 5612 reserves for documentation: a placeholder, to be replaced
 * by a site's own number (udg-listen --forward-sd-id).
 */
#define RFC5424_SDID_DEFAULT	"udg@32473"
#define RFC5424_SDID_MAX	32	/* SD-NAME: 1*32 PRINTUSASCII */

/* Room beyond the payload that always suffices (see rfc5424_format). */
#define RFC5424_OVERHEAD	2048

#define RFC5424_COMM_MAX	64	/* longer comm values are not kept */
#define RFC5424_UNIT_MAX	256	/* longer unit names are not kept */

struct rfc5424_ident {
	int		 have_cred;	/* pid, uid and gid are known */
	pid_t		 pid;
	uid_t		 uid;
	gid_t		 gid;
	const char	*comm;		/* NULL: unknown (left out) */
	const char	*unit;		/* NULL: none (left out) */
};

struct rfc5424_ctx {
	const char		*host;	/* this host's name */
	const char		*sdid;	/* RFC5424_SDID_DEFAULT or a site's */
	struct timespec		 now;	/* arrival time */
};

/* 1 if s can be an SD-ID ("name@number", or a name IANA registered). */
int	rfc5424_sdid_valid(const char *s);

/*
 * Write payload p[0, len) as RFC 5424 into dst[0, size): the sender's PRI
 * (user.notice when it gave none), the arrival time, host, the sender's
 * APP-NAME or RFC 3164 tag, the kernel's pid as PROCID, the sender's
 * MSGID, udg's SD element, the sender's own SD elements (but any with
 * ctx's SD-ID), and the message unchanged.  Returns the length, or -1 (ENOBUFS) if it does not fit;
 * size >= len + RFC5424_OVERHEAD always fits when comm and unit are within
 * their maxima and host is a host name (at most 255 bytes).
 */
ssize_t	rfc5424_format(char *dst, size_t size, const char *p, size_t len,
	    const struct rfc5424_ident *id, const struct rfc5424_ctx *ctx);

#endif /* UDG_RFC5424_H */
