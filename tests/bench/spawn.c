/*
 * spawn - time a command from process start to exit, many times.
 *
 * spawn [-i input] [-n runs] COMMAND [ARG ...]
 *
 * Runs COMMAND (posix_spawnp(3), no shell) a few times to warm the caches,
 * then RUNS times (default 200), each with standard input from INPUT
 * (default /dev/null) and standard output to /dev/null, timing each from
 * just before the spawn to just after waitpid(2).  Any run that does not
 * exit 0 is an error.  Prints "MEDIAN MIN MAX" in nanoseconds per run.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WARMUP	3

extern char **environ;

static void usage(void) __attribute__((__noreturn__));
static double run(const posix_spawn_file_actions_t *, char **);
static int cmp_double(const void *, const void *);

/* Print the synopsis and exit 1. */
static void
usage(void)
{
	fprintf(stderr, "usage: spawn [-i input] [-n runs] command [arg ...]\n");
	exit(1);
}

/* Run the command once; its wall time in nanoseconds. */
static double
run(const posix_spawn_file_actions_t *fa, char **argv)
{
	struct timespec t0, t1;
	pid_t pid;
	int e, status;

	if (clock_gettime(CLOCK_MONOTONIC, &t0) == -1)
		err(1, "clock_gettime");
	if ((e = posix_spawnp(&pid, argv[0], fa, NULL, argv, environ)) != 0) {
		errno = e;
		err(1, "spawn %s", argv[0]);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			err(1, "waitpid");
	if (clock_gettime(CLOCK_MONOTONIC, &t1) == -1)
		err(1, "clock_gettime");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		errx(1, "%s: exit status %d", argv[0], WIFEXITED(status) ?
		    WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	    (double)(t1.tv_nsec - t0.tv_nsec);
}

/* qsort(3) order for doubles. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char *argv[])
{
	posix_spawn_file_actions_t fa;
	const char *input = "/dev/null";
	char *end;
	double *t;
	long runs = 200, i;
	int ch, e;

	while ((ch = getopt(argc, argv, "+i:n:")) != -1) {
		switch (ch) {
		case 'i':
			input = optarg;
			break;
		case 'n':
			errno = 0;
			runs = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    runs < 1 || runs > 1000000)
				errx(1, "bad runs: %s", optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if ((t = calloc((size_t)runs, sizeof(*t))) == NULL)
		err(1, "calloc");
	if ((e = posix_spawn_file_actions_init(&fa)) != 0 ||
	    (e = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, input,
	    O_RDONLY, 0)) != 0 ||
	    (e = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
	    "/dev/null", O_WRONLY, 0)) != 0) {
		errno = e;
		err(1, "posix_spawn_file_actions");
	}
	for (i = 0; i < WARMUP; i++)
		(void)run(&fa, argv);
	for (i = 0; i < runs; i++)
		t[i] = run(&fa, argv);
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	if (printf("%.0f %.0f %.0f\n", t[runs / 2], t[0], t[runs - 1]) < 0 ||
	    fflush(stdout) == EOF)
		err(1, "stdout");
	if ((e = posix_spawn_file_actions_destroy(&fa)) != 0) {
		errno = e;
		err(1, "posix_spawn_file_actions_destroy");
	}
	free(t);
	return 0;
}
