/*
 * check_parse.c - the tools' option value parsers: each accepts only its
 * strict form and reports any other with -1 and a reason, storing
 * nothing.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tool-parse.h"

START_TEST(seconds_strict_and_rounded_up)
{
	static const char *const bad[] = {
		"", ".", "-1", "+1", " 1", "1 ", "1..2", "1.2.3", "0x10",
		"inf", "nan", "1e3", "1s"
	};
	const char *errstr;
	size_t i;
	int ms;

	ck_assert_int_eq(tool_parse_seconds("1.5", &ms, &errstr), 0);
	ck_assert_int_eq(ms, 1500);
	ck_assert_ptr_null(errstr);
	ck_assert_int_eq(tool_parse_seconds("0", &ms, &errstr), 0);
	ck_assert_int_eq(ms, 0);
	ck_assert_int_eq(tool_parse_seconds("0.0001", &ms, &errstr), 0);
	ck_assert_int_eq(ms, 1);		/* never wait less */
	ck_assert_int_eq(tool_parse_seconds(".25", &ms, &errstr), 0);
	ck_assert_int_eq(ms, 250);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms = 42;
		ck_assert_msg(tool_parse_seconds(bad[i], &ms, &errstr) == -1,
		    "\"%s\" accepted", bad[i]);
		ck_assert_str_eq(errstr, "invalid");
		ck_assert_int_eq(ms, 42);
	}
	ck_assert_int_eq(tool_parse_seconds("99999999", &ms, &errstr), -1);
	ck_assert_str_eq(errstr, "too large");
}
END_TEST

START_TEST(count_and_mode)
{
	unsigned long long n = 7;
	const char *errstr;
	int mode = 7;

	ck_assert_int_eq(tool_parse_count("12", &n, &errstr), 0);
	ck_assert_uint_eq(n, 12);
	ck_assert_int_eq(tool_parse_count("0", &n, &errstr), -1);
	ck_assert_ptr_nonnull(errstr);
	ck_assert_int_eq(tool_parse_count("-1", &n, &errstr), -1);
	ck_assert_int_eq(tool_parse_count("+1", &n, &errstr), -1);
	ck_assert_int_eq(tool_parse_count("1x", &n, &errstr), -1);
	ck_assert_uint_eq(n, 12);
	ck_assert_int_eq(tool_parse_mode("0640", &mode, &errstr), 0);
	ck_assert_int_eq(mode, 0640);
	ck_assert_int_eq(tool_parse_mode("7777", &mode, &errstr), 0);
	ck_assert_int_eq(mode, 07777);
	ck_assert_int_eq(tool_parse_mode("10000", &mode, &errstr), -1);
	ck_assert_str_eq(errstr, "too large");
	ck_assert_int_eq(tool_parse_mode("8", &mode, &errstr), -1);
	ck_assert_str_eq(errstr, "not an octal mode");
	ck_assert_int_eq(tool_parse_mode("", &mode, &errstr), -1);
	ck_assert_int_eq(tool_parse_mode("u+rw", &mode, &errstr), -1);
	ck_assert_int_eq(mode, 07777);
}
END_TEST

START_TEST(ids_and_lists)
{
	const char *errstr;
	uint32_t *list = NULL;
	size_t n = 0;
	gid_t gid = 5;

	ck_assert_int_eq(tool_parse_gid("root", &gid, &errstr), 0);
	ck_assert_uint_eq(gid, 0);
	ck_assert_int_eq(tool_parse_gid("4294967294", &gid, &errstr), 0);
	ck_assert_uint_eq(gid, 4294967294U);
	ck_assert_int_eq(tool_parse_gid("4294967295", &gid, &errstr), -1);
	ck_assert_str_eq(errstr, "no such group");
	ck_assert_int_eq(tool_parse_gid("-1", &gid, &errstr), -1);
	ck_assert_int_eq(tool_parse_gid("", &gid, &errstr), -1);
	ck_assert_str_eq(errstr, "empty name");

	ck_assert_int_eq(tool_parse_idlist("root,12345", 0, &list, &n,
	    &errstr), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(list[0], 0);
	ck_assert_uint_eq(list[1], 12345);
	/* A bad element appends nothing, not even the good ones before it. */
	ck_assert_int_eq(tool_parse_idlist("7,no-such-user-here", 0, &list,
	    &n, &errstr), -1);
	ck_assert_str_eq(errstr, "no such user");
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(tool_parse_idlist("1,,2", 1, &list, &n, &errstr),
	    -1);
	ck_assert_str_eq(errstr, "empty name");
	ck_assert_int_eq(tool_parse_idlist("", 1, &list, &n, &errstr), -1);
	ck_assert_uint_eq(n, 2);
	free(list);
}
END_TEST

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc;

	tc = t_tcase(s, "values", 10);
	tcase_add_test(tc, seconds_strict_and_rounded_up);
	tcase_add_test(tc, count_and_mode);
	tcase_add_test(tc, ids_and_lists);
	return s;
}

int
main(void)
{
	return t_run(parse_suite());
}
