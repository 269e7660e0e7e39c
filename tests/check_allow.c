/*
 * check_allow.c - udg-listen's --allow-unit and --allow-exe lists: how
 * names are parsed and completed, and the verdict for every kind of
 * identity, cgroups of system and user units included.  Only a pinned
 * identity ever matches.
 */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "listen-allow.h"

/* A pinned sender in cgroup with unit, running exe. */
static struct udg_ident
ident(const char *exe, const char *cgroup, const char *unit)
{
	struct udg_ident id;

	memset(&id, 0, sizeof(id));
	id.flags = UDG_ID_PINNED;
	id.pid = 4711;
	id.comm = "demo";
	id.exe = exe;
	id.cmdline = "demo";
	id.cgroup = cgroup;
	id.unit = unit;
	return id;
}

/* Make an empty file t_dir/name, its path in path (resolved), *st. */
static void
program(const char *name, char *path, size_t size, struct stat *st)
{
	char made[PATH_MAX], *real;
	FILE *f;

	(void)snprintf(made, sizeof(made), "%s/%s", t_dir, name);
	ck_assert_ptr_nonnull(f = fopen(made, "w"));
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(real = realpath(made, NULL));
	ck_assert_uint_lt(strlen(real), size);
	(void)strcpy(path, real);
	free(real);
	ck_assert_int_eq(stat(path, st), 0);
}

START_TEST(units_parsed_and_completed)
{
	struct allow a = { 0 };
	const char *why = NULL;

	ck_assert(!allow_active(&a));
	ck_assert_int_eq(allow_add_units(&a, "demo,app-x.scope", &why), 0);
	ck_assert_int_eq(allow_add_units(&a, "user@1000.service", &why), 0);
	ck_assert(allow_active(&a));
	ck_assert_uint_eq(a.nunits, 3);
	ck_assert_str_eq(a.units[0], "demo.service");
	ck_assert_str_eq(a.units[1], "app-x.scope");
	ck_assert_str_eq(a.units[2], "user@1000.service");
	/* A bad name anywhere in a list adds none of it. */
	ck_assert_int_eq(allow_add_units(&a, "ok,", &why), -1);
	ck_assert_str_eq(why, "empty unit name");
	ck_assert_int_eq(allow_add_units(&a, "ok,a/b.service", &why), -1);
	ck_assert_str_eq(why, "not a unit name");
	/* Names no sender can run in: matching is on services and scopes. */
	ck_assert_int_eq(allow_add_units(&a, "foo.slice", &why), -1);
	ck_assert_str_eq(why, "not a .service or .scope");
	ck_assert_int_eq(allow_add_units(&a, ".service", &why), -1);
	ck_assert_str_eq(why, "not a unit name");
	ck_assert_int_eq(allow_add_units(&a, "a b", &why), -1);
	ck_assert_str_eq(why, "not a unit name");
	ck_assert_int_eq(allow_add_units(&a, "x\\x2d:y_z@1.service", &why), 0);
	ck_assert_uint_eq(a.nunits, 4);
	allow_free(&a);
	ck_assert_uint_eq(a.nunits, 0);
}
END_TEST

START_TEST(exes_parsed_and_resolved)
{
	struct allow a = { 0 };
	const char *why = NULL;
	char real[PATH_MAX], link[PATH_MAX], list[2 * PATH_MAX + 16];
	char *want;
	FILE *f;

	(void)snprintf(real, sizeof(real), "%s/prog", t_dir);
	(void)snprintf(link, sizeof(link), "%s/alias", t_dir);
	ck_assert_ptr_nonnull(f = fopen(real, "w"));
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(symlink(real, link), 0);
	(void)snprintf(list, sizeof(list), "%s,/no/such/prog", link);
	ck_assert_int_eq(allow_add_exes(&a, list, &why), 0);
	ck_assert_uint_eq(a.nexes, 2);
	/* As /proc/PID/exe names it: the link resolved. */
	ck_assert_ptr_nonnull(want = realpath(real, NULL));
	ck_assert_str_eq(a.exes[0], want);
	free(want);
	ck_assert_str_eq(a.exes[1], "/no/such/prog");
	ck_assert_int_eq(allow_add_exes(&a, "/bin/sh,prog", &why), -1);
	ck_assert_str_eq(why, "not an absolute path");
	ck_assert_int_eq(allow_add_exes(&a, "", &why), -1);
	ck_assert_str_eq(why, "empty path");
	ck_assert_uint_eq(a.nexes, 2);
	allow_free(&a);
}
END_TEST

START_TEST(no_list_allows_anyone)
{
	struct allow a = { 0 };
	struct udg_ident id = ident("/bin/x", "/", NULL);

	ck_assert_int_eq(allow_check(&a, NULL, NULL), ALLOW_YES);
	ck_assert_int_eq(allow_check(&a, &id, NULL), ALLOW_YES);
}
END_TEST

/*
 * The system unit is matched.  Below a unit's own cgroup, names are
 * chosen by whoever the unit delegates it to: a user's manager, a
 * container engine.  They may name a system unit, and are not one.
 */
START_TEST(unit_matches_system_units)
{
	struct allow a = { 0 };
	const char *why;
	struct udg_ident sys = ident("/usr/sbin/demo",
	    "/system.slice/demo.service", "demo.service");
	struct udg_ident scope = ident("/usr/bin/app",
	    "/system.slice/app-x.scope/payload", "app-x.scope");
	struct udg_ident none = ident("/usr/sbin/demo", "/", NULL);
	struct udg_ident user = ident("/usr/bin/app", "/user.slice/"
	    "user-1000.slice/user@1000.service/app.slice/cron.service",
	    "cron.service");
	struct udg_ident deleg = ident("/usr/bin/app",
	    "/system.slice/demo.service/cron.service", "cron.service");

	ck_assert_int_eq(allow_add_units(&a, "demo,app-x.scope,cron", &why),
	    0);
	ck_assert_int_eq(allow_check(&a, &sys, NULL), ALLOW_YES);
	ck_assert_int_eq(allow_check(&a, &scope, NULL), ALLOW_YES);
	/* A known cgroup outside every unit is in none of the listed. */
	ck_assert_int_eq(allow_check(&a, &none, NULL), ALLOW_NO);
	ck_assert_int_eq(allow_check(&a, &user, NULL), ALLOW_NO);
	/* Delegated by demo.service: it is demo.service's. */
	ck_assert_int_eq(allow_check(&a, &deleg, NULL), ALLOW_YES);
	allow_free(&a);
	ck_assert_int_eq(allow_add_units(&a, "cron,other", &why), 0);
	ck_assert_int_eq(allow_check(&a, &sys, NULL), ALLOW_NO);
	ck_assert_int_eq(allow_check(&a, &deleg, NULL), ALLOW_NO);
	/* The user's manager is the system unit its processes are in. */
	ck_assert_int_eq(allow_add_units(&a, "user@1000", &why), 0);
	ck_assert_int_eq(allow_check(&a, &user, NULL), ALLOW_YES);
	allow_free(&a);
}
END_TEST

/* The system unit of a cgroup path, as journald's _SYSTEMD_UNIT. */
START_TEST(system_unit_of_cgroup)
{
	static const struct {
		const char	*cgroup, *unit;
	} t[] = {
		{ "/system.slice/demo.service", "demo.service" },
		{ "/system.slice/demo.service/cron.service", "demo.service" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
		    "cron.service", "user@1000.service" },
		{ "/user.slice/user-1000.slice/session-2.scope", "session-2.scope" },
		{ "/a.slice/b.slice/c.scope/d", "c.scope" },
		{ "/init.scope", "init.scope" },
		{ "/", NULL }, { "", NULL }, { "/system.slice", NULL },
		{ "/system.slice/payload/x.service", NULL },
		{ "/.service", NULL }, { "//x.service//", "x.service" },
	};
	const char *u;
	size_t i, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		u = allow_system_unit(t[i].cgroup, &n);
		if (t[i].unit == NULL)
			ck_assert_msg(u == NULL, "%s: %s", t[i].cgroup, u);
		else
			ck_assert_msg(u != NULL && n == strlen(t[i].unit) &&
			    memcmp(u, t[i].unit, n) == 0, "%s: %.*s",
			    t[i].cgroup, u == NULL ? 4 : (int)n,
			    u == NULL ? "NULL" : u);
	}
}
END_TEST

START_TEST(exe_matches_exactly)
{
	struct allow a = { 0 };
	const char *why;
	char path[PATH_MAX], deleted[PATH_MAX + 16], longer[PATH_MAX + 16];
	struct stat st;
	struct udg_ident id;

	program("demo", path, sizeof(path), &st);
	id = ident(path, "/", NULL);
	ck_assert_int_eq(allow_add_exes(&a, path, &why), 0);
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_YES);
	(void)snprintf(deleted, sizeof(deleted), "%s (deleted)", path);
	id.exe = deleted;
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_NO);
	(void)snprintf(longer, sizeof(longer), "%s2", path);
	id.exe = longer;
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_NO);
	allow_free(&a);
}
END_TEST

/*
 * A sender that may mount can bind another program over the allowed path
 * in its own namespace: the path matches, the file does not.  A file
 * replaced after start (an upgrade) is the one then allowed.
 */
START_TEST(exe_is_the_file_not_the_path)
{
	struct allow a = { 0 };
	const char *why;
	char path[PATH_MAX], other[PATH_MAX];
	struct stat st, ost;
	struct udg_ident id;

	program("allowed", path, sizeof(path), &st);
	program("impostor", other, sizeof(other), &ost);
	id = ident(path, "/", NULL);
	ck_assert_int_eq(allow_add_exes(&a, path, &why), 0);
	ck_assert_int_eq(allow_check(&a, &id, &ost), ALLOW_NO);
	/* The path, with no file to look at, vouches for nothing. */
	ck_assert_int_eq(allow_check(&a, &id, NULL), ALLOW_UNVERIFIED);
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_YES);
	ck_assert_int_eq(rename(other, path), 0);
	ck_assert_int_eq(allow_check(&a, &id, &ost), ALLOW_YES);
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_NO);
	allow_free(&a);
}
END_TEST

/* Both lists, for demo.service running a file demo; *id matches. */
static void
demo_lists(struct allow *a, struct udg_ident *id, struct stat *st)
{
	static char path[PATH_MAX];
	const char *why;

	memset(a, 0, sizeof(*a));
	program("demo", path, sizeof(path), st);
	ck_assert_int_eq(allow_add_units(a, "demo", &why), 0);
	ck_assert_int_eq(allow_add_exes(a, path, &why), 0);
	*id = ident(path, "/system.slice/demo.service", "demo.service");
}

START_TEST(every_list_must_match)
{
	struct allow a;
	struct udg_ident id;
	struct stat st;
	const char *exe;

	demo_lists(&a, &id, &st);
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_YES);
	exe = id.exe;
	id.exe = "/usr/bin/sh";
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_NO);
	id.exe = exe;
	id.cgroup = "/system.slice/other.service";
	id.unit = "other.service";
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_NO);
	allow_free(&a);
}
END_TEST

START_TEST(unpinned_is_never_matched)
{
	struct allow a;
	struct udg_ident id;
	struct stat st;
	const char *exe;

	demo_lists(&a, &id, &st);
	exe = id.exe;
	ck_assert_int_eq(allow_check(&a, NULL, &st), ALLOW_UNVERIFIED);
	/* Read by pid alone: it may be another process. */
	id.flags = UDG_ID_GUESSED;
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_UNVERIFIED);
	id.flags = UDG_ID_GONE;
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_UNVERIFIED);
	/* Pinned, but its executable could not be read. */
	id.flags = UDG_ID_PINNED;
	id.exe = NULL;
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_UNVERIFIED);
	id.exe = exe;
	id.cgroup = NULL;
	id.unit = NULL;
	ck_assert_int_eq(allow_check(&a, &id, &st), ALLOW_UNVERIFIED);
	allow_free(&a);
}
END_TEST

static Suite *
allow_suite(void)
{
	Suite *s = suite_create("allow");
	TCase *tc;

	tc = t_tcase(s, "parse", 10);
	tcase_add_test(tc, units_parsed_and_completed);
	tcase_add_test(tc, exes_parsed_and_resolved);
	tc = t_tcase(s, "check", 10);
	tcase_add_test(tc, no_list_allows_anyone);
	tcase_add_test(tc, unit_matches_system_units);
	tcase_add_test(tc, system_unit_of_cgroup);
	tcase_add_test(tc, exe_matches_exactly);
	tcase_add_test(tc, exe_is_the_file_not_the_path);
	tcase_add_test(tc, every_list_must_match);
	tcase_add_test(tc, unpinned_is_never_matched);
	return s;
}

int
main(void)
{
	return t_run(allow_suite());
}
