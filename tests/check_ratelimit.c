/*
 * check_ratelimit.c - the --rate-limit token buckets, on an injected clock:
 * option syntax, a flood cut to the limit beside a quiet sender, bursts,
 * eviction of the least recently seen key, and summary counts.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "ratelimit.h"

/* What rate_summary() reported, in order. */
struct seen {
	char			 key[8][RATE_KEYMAX];
	unsigned long long	 n[8];
	int			 count;
};

static void
remember(void *arg, const char *key, unsigned long long n)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->count, 8);
	(void)strlcpy(s->key[s->count], key == NULL ? "(untracked)" : key,
	    RATE_KEYMAX);
	s->n[s->count++] = n;
}

static struct rate_table *
table(const char *spec, size_t max)
{
	struct rate_spec rs;
	struct rate_table *t;
	const char *errstr;

	ck_assert_msg(rate_parse(spec, &rs, &errstr) == 0, "%s: %s", spec,
	    errstr);
	t = rate_new(&rs, max, 0);
	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(parse_good)
{
	struct rate_spec rs;
	const char *errstr = "unset";

	ck_assert_int_eq(rate_parse("10/1", &rs, &errstr), 0);
	ck_assert_ptr_null(errstr);
	ck_assert_uint_eq(rs.n, 10);
	ck_assert_uint_eq(rs.burst, 10);
	ck_assert_int_eq(rs.interval_ms, 1000);
	ck_assert_int_eq(rate_parse("5/60:200", &rs, &errstr), 0);
	ck_assert_uint_eq(rs.n, 5);
	ck_assert_uint_eq(rs.burst, 200);
	ck_assert_int_eq(rs.interval_ms, 60000);
	ck_assert_int_eq(rate_parse("1000000/3600:1000000", &rs, &errstr), 0);
	ck_assert_int_eq(rs.interval_ms, 3600000);
}
END_TEST

START_TEST(parse_bad)
{
	static const char *const bad[] = {
		"", "10", "/1", "10/", "0/1", "10/0", "10/1:", "10/1:0",
		"-1/1", "+1/1", "1.5/1", "10/1.5", "10/3601", "1000001/1",
		"10/1:1000001", "10/1:x", " 10/1", "10/1 ", "10//1", "10/1:2:3",
		"0x10/1", "99999999999999999999/1",
	};
	struct rate_spec rs;
	const char *errstr;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errstr = NULL;
		ck_assert_msg(rate_parse(bad[i], &rs, &errstr) == -1,
		    "'%s' accepted", bad[i]);
		ck_assert_msg(errstr != NULL, "'%s': no reason", bad[i]);
	}
}
END_TEST

START_TEST(parse_key)
{
	enum rate_key k;

	ck_assert_int_eq(rate_parse_key("uid", &k), 0);
	ck_assert_int_eq(k, RATE_KEY_UID);
	ck_assert_int_eq(rate_parse_key("pid", &k), 0);
	ck_assert_int_eq(k, RATE_KEY_PID);
	ck_assert_int_eq(rate_parse_key("unit", &k), 0);
	ck_assert_int_eq(k, RATE_KEY_UNIT);
	ck_assert_int_eq(rate_parse_key("UID", &k), -1);
	ck_assert_int_eq(rate_parse_key("", &k), -1);
	ck_assert_int_eq(rate_parse_key("gid", &k), -1);
}
END_TEST

/*
 * 10 s of a sender flooding one datagram per millisecond beside a quiet
 * one (one per 100 ms) under 50/1: the quiet one loses nothing, the flood
 * gets its burst plus 50 a second (one token of tolerance for where the
 * last millisecond falls), and the per-second summaries add up to exactly
 * what was suppressed, key by key.
 */
START_TEST(flood_cut_quiet_kept)
{
	struct rate_table *t = table("50/1", 16);
	unsigned long long flood_ok = 0, flood_cut = 0, quiet_ok = 0;
	unsigned long long sum_flood = 0, sum_quiet = 0, total = 0;
	struct seen s;
	int64_t now;
	int i;

	for (now = 0; now < 10000; now++) {
		if (rate_allow(t, "1000", now))
			flood_ok++;
		else
			flood_cut++;
		if (now % 100 == 0)
			quiet_ok += (unsigned long long)rate_allow(t, "1001",
			    now);
		if (rate_due_in(t, now) == 0) {
			memset(&s, 0, sizeof(s));
			total += rate_summary(t, now, remember, &s);
			for (i = 0; i < s.count; i++) {
				if (strcmp(s.key[i], "1000") == 0)
					sum_flood += s.n[i];
				else
					sum_quiet += s.n[i];
			}
		}
	}
	memset(&s, 0, sizeof(s));
	total += rate_summary(t, now, remember, &s);
	for (i = 0; i < s.count; i++)
		if (strcmp(s.key[i], "1000") == 0)
			sum_flood += s.n[i];
	ck_assert_uint_eq(quiet_ok, 100);
	ck_assert_uint_eq(sum_quiet, 0);
	ck_assert_uint_ge(flood_ok, 50 + 50 * 10 - 1);
	ck_assert_uint_le(flood_ok, 50 + 50 * 10 + 1);
	ck_assert_uint_eq(flood_ok + flood_cut, 10000);
	ck_assert_uint_eq(sum_flood, flood_cut);
	ck_assert_uint_eq(total, flood_cut);
	rate_free(t);
}
END_TEST

/* A burst larger than the rate: BURST at once, then N per interval. */
START_TEST(burst_then_rate)
{
	struct rate_table *t = table("1/10:5", 4);
	int i;

	for (i = 0; i < 5; i++)
		ck_assert_int_eq(rate_allow(t, "k", 0), 1);
	ck_assert_int_eq(rate_allow(t, "k", 0), 0);
	ck_assert_int_eq(rate_allow(t, "k", 9999), 0);
	ck_assert_int_eq(rate_allow(t, "k", 10000), 1);
	ck_assert_int_eq(rate_allow(t, "k", 10001), 0);
	/* A long silence fills the bucket, never beyond BURST. */
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(rate_allow(t, "k", 1000000000), 1);
	ck_assert_int_eq(rate_allow(t, "k", 1000000000), 0);
	rate_free(t);
}
END_TEST

/* The largest spec and a huge gap do not overflow the credit. */
START_TEST(largest_spec_no_overflow)
{
	struct rate_table *t = table("1000000/3600:1000000", 4);
	long i;

	for (i = 0; i < 1000000; i++)
		ck_assert_int_eq(rate_allow(t, "k", 0), 1);
	ck_assert_int_eq(rate_allow(t, "k", 0), 0);
	ck_assert_int_eq(rate_allow(t, "k", INT64_MAX / 2), 1);
	rate_free(t);
}
END_TEST

/* A clock that steps back earns no tokens. */
START_TEST(clock_back_earns_nothing)
{
	struct rate_table *t = table("1/1", 4);

	ck_assert_int_eq(rate_allow(t, "k", 5000), 1);
	ck_assert_int_eq(rate_allow(t, "k", 1000), 0);
	ck_assert_int_eq(rate_allow(t, "k", 5999), 0);
	ck_assert_int_eq(rate_allow(t, "k", 6000), 1);
	rate_free(t);
}
END_TEST

/*
 * A full table forgets its least recently seen key; what that key had
 * suppressed is reported as untracked, so the summary still adds up.
 */
START_TEST(evict_least_recent)
{
	struct rate_table *t = table("1/1", 3);
	struct seen s;

	ck_assert_int_eq(rate_allow(t, "a", 0), 1);
	ck_assert_int_eq(rate_allow(t, "a", 0), 0);
	ck_assert_int_eq(rate_allow(t, "b", 0), 1);
	ck_assert_int_eq(rate_allow(t, "b", 0), 0);
	ck_assert_int_eq(rate_allow(t, "c", 0), 1);
	ck_assert_int_eq(rate_allow(t, "c", 0), 0);
	ck_assert_int_eq(rate_allow(t, "a", 0), 0);	/* a: newest again */
	ck_assert_uint_eq(rate_tracked(t), 3);
	ck_assert_int_eq(rate_allow(t, "d", 0), 1);	/* b goes */
	ck_assert_uint_eq(rate_tracked(t), 3);
	ck_assert_uint_eq(rate_evicted(t), 1);
	memset(&s, 0, sizeof(s));
	ck_assert_uint_eq(rate_summary(t, 1000, remember, &s), 4);
	ck_assert_int_eq(s.count, 3);
	ck_assert_str_eq(s.key[0], "a");
	ck_assert_uint_eq(s.n[0], 2);
	ck_assert_str_eq(s.key[1], "c");
	ck_assert_uint_eq(s.n[1], 1);
	ck_assert_str_eq(s.key[2], "(untracked)");
	ck_assert_uint_eq(s.n[2], 1);
	/* b comes back as a stranger, with a full bucket, and c goes. */
	ck_assert_int_eq(rate_allow(t, "b", 1000), 1);
	ck_assert_uint_eq(rate_evicted(t), 2);
	ck_assert_int_eq(rate_allow(t, "c", 1000), 1);	/* c fresh: a goes */
	ck_assert_int_eq(rate_allow(t, "d", 1000), 1);	/* d was kept */
	ck_assert_int_eq(rate_allow(t, "d", 1000), 0);
	rate_free(t);
}
END_TEST

/* Many more keys than slots: the table stays at its bound. */
START_TEST(bounded_under_many_keys)
{
	struct rate_table *t = table("1/1", 100);
	char key[32];
	int i;

	for (i = 0; i < 10000; i++) {
		(void)snprintf(key, sizeof(key), "%d", i);
		ck_assert_int_eq(rate_allow(t, key, 0), 1);
		ck_assert_int_eq(rate_allow(t, key, 0), 0);
	}
	ck_assert_uint_eq(rate_tracked(t), 100);
	ck_assert_uint_eq(rate_evicted(t), 9900);
	ck_assert_uint_eq(rate_summary(t, 1000, NULL, NULL), 10000);
	rate_free(t);
}
END_TEST

/* No summary before the interval ends; counts carry over to it. */
START_TEST(summary_waits_for_interval)
{
	struct rate_table *t = table("1/2", 4);
	struct seen s;

	ck_assert_int_eq(rate_allow(t, "k", 0), 1);
	ck_assert_int_eq(rate_allow(t, "k", 10), 0);
	ck_assert_int_eq(rate_due_in(t, 500), 1500);
	ck_assert_uint_eq(rate_summary(t, 1999, remember, &s), 0);
	memset(&s, 0, sizeof(s));
	ck_assert_uint_eq(rate_summary(t, 2000, remember, &s), 1);
	ck_assert_int_eq(s.count, 1);
	ck_assert_uint_eq(rate_summary(t, 4000, remember, &s), 0);
	ck_assert_int_eq(rate_due_in(t, 4000), 2000);
	rate_free(t);
}
END_TEST

START_TEST(new_rejects_bad_bounds)
{
	struct rate_spec rs = { 1, 1, 1000 };

	ck_assert_ptr_null(rate_new(&rs, 0, 0));
	ck_assert_ptr_null(rate_new(&rs, 65537, 0));
	rs.burst = 0;
	ck_assert_ptr_null(rate_new(&rs, 10, 0));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc;

	tc = t_tcase(s, "parse", 10);
	tcase_add_test(tc, parse_good);
	tcase_add_test(tc, parse_bad);
	tcase_add_test(tc, parse_key);
	tc = t_tcase(s, "buckets", 30);
	tcase_add_test(tc, flood_cut_quiet_kept);
	tcase_add_test(tc, burst_then_rate);
	tcase_add_test(tc, largest_spec_no_overflow);
	tcase_add_test(tc, clock_back_earns_nothing);
	tcase_add_test(tc, new_rejects_bad_bounds);
	tc = t_tcase(s, "table", 30);
	tcase_add_test(tc, evict_least_recent);
	tcase_add_test(tc, bounded_under_many_keys);
	tcase_add_test(tc, summary_waits_for_interval);
	return t_run(s);
}
