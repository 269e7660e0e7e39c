/*
 * listen-stats.c - print udg-listen's counters.
 *
 * The kernel's own drop count for the socket comes from SO_MEMINFO
 * (SK_MEMINFO_DROPS): a blocking AF_UNIX sender waits rather than loses,
 * so it is normally 0, and worth showing when it is not.
 */
#include "config.h"

#include <sys/socket.h>

#include <linux/sock_diag.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "listen-stats.h"

/* SK_MEMINFO_DROPS of fd, or -1 if the kernel does not say. */
long long
stats_kernel_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == -1 ||
	    len < (socklen_t)((SK_MEMINFO_DROPS + 1) * sizeof(mem[0])))
		return -1;
	return (long long)mem[SK_MEMINFO_DROPS];
}

/* Print every counter on one line. */
void
stats_print(FILE *fp, const struct stats *st, long long kernel_drops)
{
	char kd[32];

	if (kernel_drops < 0)
		(void)snprintf(kd, sizeof(kd), "unknown");
	else
		(void)snprintf(kd, sizeof(kd), "%lld", kernel_drops);
	/*
	 * "WORD N" throughout, and each word once, so that scripts can
	 * pick any counter with one pattern.
	 */
	(void)fprintf(fp, "%s: received %llu, written %llu, lost %llu, "
	    "dropped %llu (not allowed %llu, rate limited %llu, bad identity "
	    "%llu), truncated %llu, unanswerable %llu, fds closed %llu, "
	    "replies %llu, unsent %llu, forwarded %llu, forward drops %llu, "
	    "bytes %llu, commands %llu (failed %llu, timed out %llu, skipped "
	    "%llu), spins %llu (slept %llu), kernel drops %s\n",
	    getprogname(), st->received,
	    st->written, st->lost, st->not_allowed + st->rate_limited +
	    st->bad_identity, st->not_allowed, st->rate_limited,
	    st->bad_identity, st->truncated, st->unanswerable, st->fds,
	    st->replies, st->replies_failed, st->forwarded, st->forward_drops,
	    st->bytes, st->commands, st->commands_failed,
	    st->commands_timedout, st->commands_skipped, st->spins,
	    st->spins_slept, kd);
}
