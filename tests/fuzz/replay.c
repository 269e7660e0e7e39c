/*
 * replay.c - run a fuzz target over saved inputs, without libFuzzer.
 *
 * Linked with one fuzz-*.c, it is that target as a plain program any
 * compiler builds: make check replays the committed corpus through it,
 * and a crash input from scripts/fuzz can be re-run under a debugger.
 * Arguments are files, or directories whose files (not dot files, not
 * subdirectories) are each one input.  A broken property aborts.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static int	nrun;

/* Read path whole into a buffer of exactly its size, and run it. */
static int
run_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	size_t len, off = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		warn("%s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		warnx("%s: not a regular file", path);
		(void)close(fd);
		return -1;
	}
	len = (size_t)st.st_size;
	buf = fuzz_alloc(len);
	while (off < len) {
		if ((n = read(fd, buf + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			warn("%s", path);
			break;
		}
		if (n == 0) {
			warnx("%s: shrank while being read", path);
			break;
		}
		off += (size_t)n;
	}
	(void)close(fd);
	if (off < len) {
		free(buf);
		return -1;
	}
	/* Named first, so that a target's abort says which input it was. */
	printf("%s\n", path);
	(void)fflush(stdout);
	(void)LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	nrun++;
	return 0;
}

static int
not_dotfile(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every file in dir, in name order so that runs are repeatable. */
static int
run_dir(const char *dir)
{
	struct dirent **ents;
	struct stat st;
	char *path;
	int i, n, rc = 0;

	if ((n = scandir(dir, &ents, not_dotfile, alphasort)) == -1) {
		warn("%s", dir);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (asprintf(&path, "%s/%s", dir, ents[i]->d_name) == -1)
			err(1, NULL);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			;	/* libFuzzer's corpus dirs are flat */
		else if (run_file(path) == -1)
			rc = -1;
		free(path);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat st;
	int i, rc = 0;

	if (argc < 2) {
		(void)fprintf(stderr, "usage: %s file|directory ...\n",
		    argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i]) == -1)
				rc = 1;
		} else if (run_file(argv[i]) == -1)
			rc = 1;
	}
	if (rc == 0)
		printf("%d inputs, every property held\n", nrun);
	else
		warnx("%d inputs run, but not all could be read", nrun);
	return rc;
}
