/*
 * fuzz.h - what the fuzz targets share, under libFuzzer and under
 * replay.c (the same targets built by any compiler, for make check).
 *
 * A broken property aborts: libFuzzer reports the abort as a crash and
 * keeps the input, and the replay of the corpus fails.
 */
#ifndef UDG_FUZZ_H
#define UDG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_FAIL(what) do {						\
	(void)fprintf(stderr, "%s:%d: property broken: %s\n",		\
	    __FILE__, __LINE__, (what));				\
	abort();							\
} while (0)

/* Always on, unlike assert(3): NDEBUG must not turn the checks off. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond))							\
		FUZZ_FAIL(#cond);					\
} while (0)

/* Exactly n bytes (1 for 0), so that ASan sees the first byte past them. */
static inline void *
fuzz_alloc(size_t n)
{
	void *p;

	if ((p = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	return p;
}

#endif /* UDG_FUZZ_H */
