/*
 * listen-stats.h - udg-listen's counters, printed on SIGUSR1 and by -v
 * at exit.  Each name printed is the one udg-listen(1) explains.
 */
#ifndef UDG_LISTEN_STATS_H
#define UDG_LISTEN_STATS_H

#include <stdio.h>

struct stats {
	unsigned long long	 received;
	unsigned long long	 written;	/* records written */
	unsigned long long	 lost;		/* records made, not written */
	unsigned long long	 bytes;		/* payload bytes written */
	unsigned long long	 not_allowed;	/* dropped by -u/-G */
	unsigned long long	 rate_limited;	/* dropped by --rate-limit */
	unsigned long long	 bad_identity;	/* dropped: identity unproven */
	unsigned long long	 truncated;
	unsigned long long	 unanswerable;	/* relative sender addresses */
	unsigned long long	 fds;		/* datagrams' fds we closed */
	unsigned long long	 replies;	/* sent */
	unsigned long long	 replies_failed;
	unsigned long long	 commands;	/* -e runs finished */
	unsigned long long	 commands_failed; /* non-zero exit or signal */
	unsigned long long	 commands_timedout;
	unsigned long long	 commands_skipped; /* could not be started */
	unsigned long long	 forwarded;
	unsigned long long	 forward_drops;	/* dropped after the wait */
	unsigned long long	 spins;		/* --spin waits begun */
	unsigned long long	 spins_slept;	/* and ended finding nothing */
};

/* The kernel's count of datagrams the socket fd dropped, or -1. */
long long	stats_kernel_drops(int fd);

/* One line "PROG: received N, written N, ..." (kernel_drops -1: unknown). */
void	stats_print(FILE *fp, const struct stats *st, long long kernel_drops);

#endif /* UDG_LISTEN_STATS_H */
