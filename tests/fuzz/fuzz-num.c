/*
 * fuzz-num.c - fmt_u64, fmt_i64 and the RFC 3339 times of fmt_time and
 * fmt_time_cached, against snprintf(3) (ref.h).
 *
 * The input is a list of 17-byte records: 8 bytes of seconds (also the
 * integer under test), 4 of nanoseconds, 4 of output buffer size and a
 * byte that says whether the seconds step on from the record before (so
 * that the cache is hit and missed in every order) or are taken as they
 * are.  One cache lives through the whole input, as in a listener.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "fuzz.h"
#include "ref.h"

#define REC	17

static void
check_int(uint64_t v)
{
	char got[FMT_U64LEN], want[32];
	size_t n;
	int wn;

	n = fmt_u64(got, v);
	wn = snprintf(want, sizeof(want), "%" PRIu64, v);
	FUZZ_CHECK(n <= FMT_U64LEN && n == (size_t)wn);
	FUZZ_CHECK(memcmp(got, want, n) == 0);
	n = fmt_i64(got, (int64_t)v);
	wn = snprintf(want, sizeof(want), "%" PRId64, (int64_t)v);
	FUZZ_CHECK(n <= FMT_I64LEN && n == (size_t)wn);
	FUZZ_CHECK(memcmp(got, want, n) == 0);
}

static void
check_time(const struct timespec *ts, size_t len, struct fmt_timecache *tc)
{
	char got[64], want[64];
	int n, wn;

	wn = ref_time(want, len, ts);
	n = fmt_time_cached(got, len, ts, tc);
	FUZZ_CHECK(n == wn);
	if (wn >= 0)
		FUZZ_CHECK(memcmp(got, want, (size_t)wn + 1) == 0);
	n = fmt_time(got, len, ts);
	FUZZ_CHECK(n == (wn >= 0 ? 0 : -1));
	if (wn >= 0)
		FUZZ_CHECK(strcmp(got, want) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fmt_timecache tc;
	struct timespec ts = { 0, 0 };
	uint64_t v;
	uint32_t ns, len;

	memset(&tc, 0, sizeof(tc));
	for (; size >= REC; data += REC, size -= REC) {
		memcpy(&v, data, 8);
		memcpy(&ns, data + 8, 4);
		memcpy(&len, data + 12, 4);
		check_int(v);
		if (data[16] & 1)
			ts.tv_sec = (time_t)((uint64_t)ts.tv_sec +
			    (data[16] >> 1));
		else
			ts.tv_sec = (time_t)v;
		/* mostly valid nanoseconds, sometimes not */
		ts.tv_nsec = (data[16] & 0x80) ? (long)(int32_t)ns :
		    (long)(ns % 1000000000U);
		check_time(&ts, len % 40, &tc);
	}
	return 0;
}
