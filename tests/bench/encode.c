/*
 * encode - a micro loop over one of format.c's encoders, for counting
 * instructions per call with callgrind (N calls minus 0 calls, over N).
 *
 * encode OP N [LEN]
 *
 * OP is vis, visutf8, json, base64, utf8valid (on the first LEN bytes,
 * 64 unless given, of a printable line as the sink job sends: LEN 63 is
 * udg-listen's "line N xxx..." test load, and takes the encoders' tails),
 * u64, i64 (a pid-sized number), time (fmt_time),
 * timecached (fmt_time_cached, the second advancing every 1000 calls),
 * or the snprintf(3) versions the tools used: u64printf, timeprintf.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"

static const char line[] =
    "00012345 abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012";

/* The sum of the outputs' bytes: keeps the compiler from dropping them. */
static volatile unsigned long sink;

/* The bytes of line the encoders get. */
static size_t linelen = sizeof(line) - 1;

static void
usage(void)
{
	fprintf(stderr, "usage: encode vis|visutf8|json|base64|utf8valid|"
	    "u64|i64|time|timecached|u64printf|timeprintf n [len]\n");
	exit(1);
}

/* Run encoder enc n times over the line. */
static void
run_encoder(fmt_encoder *enc, long n)
{
	char out[512];
	size_t used;
	long i;

	for (i = 0; i < n; i++)
		sink += enc(out, sizeof(out), line, linelen, &used);
}

/*
 * Run the time formatter called what n times, a new second each 1000.
 * The name is looked at once, not in the loop, so that its strcmp(3)s
 * are not counted as the formatter's.
 */
static void
run_time(const char *what, long n)
{
	struct fmt_timecache tc;
	struct timespec ts = { 1764583200, 0 };
	struct tm tm;
	char buf[FMT_TIMELEN];
	long i;
	int op;

	op = strcmp(what, "time") == 0 ? 0 :
	    strcmp(what, "timecached") == 0 ? 1 : 2;
	memset(&tc, 0, sizeof(tc));
	for (i = 0; i < n; i++) {
		ts.tv_sec += i % 1000 == 0;
		ts.tv_nsec = (i * 7919) % 1000000000L;
		if (op == 0)
			sink += (unsigned long)fmt_time(buf, sizeof(buf), &ts);
		else if (op == 1)
			sink += (unsigned long)fmt_time_cached(buf,
			    sizeof(buf), &ts, &tc);
		else if (gmtime_r(&ts.tv_sec, &tm) != NULL)
			sink += (unsigned long)snprintf(buf, sizeof(buf),
			    "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
	}
}

int
main(int argc, char *argv[])
{
	char buf[32];
	long n, i, len;

	if (argc < 3 || argc > 4 || (n = strtol(argv[2], NULL, 10)) < 0)
		usage();
	if (argc == 4) {
		len = strtol(argv[3], NULL, 10);
		if (len < 0 || (size_t)len > sizeof(line) - 1)
			usage();
		linelen = (size_t)len;
	}
	if (strcmp(argv[1], "vis") == 0)
		run_encoder(fmt_vis, n);
	else if (strcmp(argv[1], "visutf8") == 0)
		run_encoder(fmt_vis_utf8, n);
	else if (strcmp(argv[1], "json") == 0)
		run_encoder(fmt_json, n);
	else if (strcmp(argv[1], "base64") == 0)
		run_encoder(fmt_base64, n);
	else if (strcmp(argv[1], "utf8valid") == 0)
		for (i = 0; i < n; i++)
			sink += (unsigned long)fmt_utf8_valid(line, linelen);
	else if (strcmp(argv[1], "u64") == 0)
		for (i = 0; i < n; i++)
			sink += fmt_u64(buf, (uint64_t)(1000000 + i % 4000000));
	else if (strcmp(argv[1], "i64") == 0)
		for (i = 0; i < n; i++)
			sink += fmt_i64(buf, (int64_t)(1000000 + i % 4000000));
	else if (strcmp(argv[1], "u64printf") == 0)
		for (i = 0; i < n; i++)
			sink += (unsigned long)snprintf(buf, sizeof(buf),
			    "%lld", (long long)(1000000 + i % 4000000));
	else if (strncmp(argv[1], "time", 4) == 0)
		run_time(argv[1], n);
	else
		usage();
	return 0;
}
