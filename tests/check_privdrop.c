/*
 * check_privdrop.c - -U USER[:GROUP]: parsing names and numbers, and, as
 * root, dropping to nobody for good (skipped visibly without root).
 */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "privdrop.h"

/* nobody's ids, from the passwd file (not assumed to be 65534). */
static uid_t	nobody_uid;
static gid_t	nobody_gid;

START_TEST(parse_names_and_numbers)
{
	struct priv_user pu;
	const char *errstr = "unset";
	char spec[64];

	ck_assert_int_eq(priv_parse("nobody", &pu, &errstr), 0);
	ck_assert_ptr_null(errstr);
	ck_assert_uint_eq(pu.uid, nobody_uid);
	ck_assert_uint_eq(pu.gid, nobody_gid);
	ck_assert_str_eq(pu.name, "nobody");
	(void)snprintf(spec, sizeof(spec), "%lu", (unsigned long)nobody_uid);
	ck_assert_int_eq(priv_parse(spec, &pu, &errstr), 0);
	ck_assert_str_eq(pu.name, "nobody");
	ck_assert_uint_eq(pu.gid, nobody_gid);
	ck_assert_int_eq(priv_parse("nobody:0", &pu, &errstr), 0);
	ck_assert_uint_eq(pu.gid, 0);
	ck_assert_int_eq(priv_parse("nobody:root", &pu, &errstr), 0);
	ck_assert_uint_eq(pu.gid, 0);
	/* A uid nobody has: allowed with a group, nameless. */
	ck_assert_int_eq(priv_parse("4000000000:4000000001", &pu, &errstr), 0);
	ck_assert_uint_eq(pu.uid, 4000000000U);
	ck_assert_uint_eq(pu.gid, 4000000001U);
	ck_assert_str_eq(pu.name, "");
}
END_TEST

START_TEST(parse_refuses)
{
	static const char *const bad[] = {
		"", ":", "nobody:", ":nogroup", "no-such-user-here",
		"nobody:no-such-group-here", "root", "0", "0:0", "4000000000",
		"-1", "nobody:-1", "4294967295:1", "+5:5", " nobody",
	};
	struct priv_user pu;
	const char *errstr;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errstr = NULL;
		ck_assert_msg(priv_parse(bad[i], &pu, &errstr) == -1,
		    "'%s' accepted", bad[i]);
		ck_assert_msg(errstr != NULL, "'%s': no reason", bad[i]);
	}
}
END_TEST

/* In a child: drop, then try every way back to root. */
START_TEST(drop_to_nobody)
{
	struct priv_user pu;
	const char *errstr;
	gid_t groups[64];
	uid_t r, e, s;
	gid_t gr, ge, gs;
	int fd, n, i, bad = 0;
	pid_t pid;

	ck_assert_int_eq(priv_parse("nobody", &pu, &errstr), 0);
	t_write_file("rootonly", "secret");
	ck_assert_int_eq(chmod("rootonly", 0600), 0);
	if ((pid = t_fork()) == 0) {
		if (priv_drop(&pu) == -1)
			t_exit(10);
		if (getresuid(&r, &e, &s) == -1 || r != nobody_uid ||
		    e != nobody_uid || s != nobody_uid)
			t_exit(11);
		if (getresgid(&gr, &ge, &gs) == -1 || gr != nobody_gid ||
		    ge != nobody_gid || gs != nobody_gid)
			t_exit(12);
		n = getgroups(64, groups);
		for (i = 0; i < n; i++)
			if (groups[i] == 0)
				bad = 1;
		if (n < 0 || bad)
			t_exit(13);
		if (setuid(0) != -1 || errno != EPERM)
			t_exit(14);
		if (setgroups(0, NULL) != -1)
			t_exit(15);
		fd = open("rootonly", O_RDONLY | O_CLOEXEC);
		if (fd != -1 || errno != EACCES)
			t_exit(16);
		t_exit(0);
	}
	ck_assert_int_eq(t_wait(pid), 0);
}
END_TEST

/* A file opened as root, given to the user it will be reopened by. */
START_TEST(own_gives_the_file)
{
	struct priv_user pu;
	const char *errstr;
	struct stat st;
	int fd;

	ck_assert_int_eq(priv_parse("nobody", &pu, &errstr), 0);
	fd = open("out", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(priv_own(fd, &pu), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_eq(st.st_uid, nobody_uid);
	ck_assert_uint_eq(st.st_gid, nobody_gid);
	ck_assert_int_eq(close(fd), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("privdrop");
	struct passwd *pw;
	TCase *tc;

	if ((pw = getpwnam("nobody")) == NULL) {
		(void)printf("SKIP: no user nobody in the passwd file\n");
		return 77;
	}
	nobody_uid = pw->pw_uid;
	nobody_gid = pw->pw_gid;
	tc = t_tcase(s, "parse", 10);
	tcase_add_test(tc, parse_names_and_numbers);
	tcase_add_test(tc, parse_refuses);
	tc = t_tcase(s, "drop", 10);
	if (geteuid() == 0) {
		tcase_add_test(tc, drop_to_nobody);
		tcase_add_test(tc, own_gives_the_file);
	} else {
		t_skip("drop_to_nobody", "needs root");
		t_skip("own_gives_the_file", "needs root");
	}
	return t_run(s);
}
