/*
 * ratelimit.c - per-sender token buckets with a bounded, LRU-evicted table.
 *
 * Credit is kept in integer units so that no rounding lets a flood through:
 * one token is interval_ms units and every millisecond adds n units, so a
 * full bucket (burst tokens) is burst * interval_ms units, at most
 * RATE_N_MAX * RATE_SECONDS_MAX * 1000 (3.6e12), far inside int64_t.
 * Keys are found through a chained hash with a per-table random seed, so a
 * sender cannot choose keys that collide; entries also sit on a list in
 * order of last use, whose tail is the one evicted.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

#define NONE		UINT32_MAX
#define TRACK_MAX	65536		/* largest table rate_new() accepts */

struct rate_entry {
	char		 key[RATE_KEYMAX];
	int64_t		 credit;	/* units, see above */
	int64_t		 last;		/* when credit was last brought up */
	unsigned long long suppressed;	/* in the current interval */
	uint32_t	 hnext;		/* next in the hash chain */
	uint32_t	 prev, next;	/* list by last use, head = newest */
};

struct rate_table {
	struct rate_spec	 spec;
	int64_t			 cap;		/* burst * interval_ms */
	int64_t			 start;		/* the interval's start */
	uint64_t		 seed;
	struct rate_entry	*e;
	uint32_t		*bucket;
	uint32_t		 nbucket;	/* a power of two */
	uint32_t		 max, used;
	uint32_t		 head, tail;
	unsigned long long	 untracked;	/* suppressed, then evicted */
	unsigned long long	 evicted;
};

/* Parse a decimal in [1, max] from s up to end (exclusive). */
static int
parse_num(const char *s, const char *end, long long max, long long *v,
    const char **errstr)
{
	char buf[32];
	size_t len = (size_t)(end - s);

	if (len == 0 || len >= sizeof(buf) || *s < '0' || *s > '9') {
		*errstr = "invalid";
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	*v = strtonum(buf, 1, max, errstr);
	return *errstr == NULL ? 0 : -1;
}

/* Parse N/SECONDS[:BURST] into spec. */
int
rate_parse(const char *s, struct rate_spec *spec, const char **errstr)
{
	const char *slash, *colon;
	long long n, secs, burst;

	if ((slash = strchr(s, '/')) == NULL) {
		*errstr = "not N/SECONDS[:BURST]";
		return -1;
	}
	if ((colon = strchr(slash + 1, ':')) == NULL)
		colon = slash + 1 + strlen(slash + 1);
	if (parse_num(s, slash, RATE_N_MAX, &n, errstr) == -1 ||
	    parse_num(slash + 1, colon, RATE_SECONDS_MAX, &secs,
	    errstr) == -1)
		return -1;
	burst = n;
	if (*colon == ':' && parse_num(colon + 1, colon + 1 + strlen(colon + 1),
	    RATE_N_MAX, &burst, errstr) == -1)
		return -1;
	spec->n = (unsigned long)n;
	spec->burst = (unsigned long)burst;
	spec->interval_ms = secs * 1000;
	*errstr = NULL;
	return 0;
}

/* Parse the name of a key kind. */
int
rate_parse_key(const char *s, enum rate_key *key)
{
	if (strcmp(s, "uid") == 0)
		*key = RATE_KEY_UID;
	else if (strcmp(s, "pid") == 0)
		*key = RATE_KEY_PID;
	else if (strcmp(s, "unit") == 0)
		*key = RATE_KEY_UNIT;
	else
		return -1;
	return 0;
}

/* A new, empty table; NULL and errno (EINVAL for a bad spec or max). */
struct rate_table *
rate_new(const struct rate_spec *spec, size_t max, int64_t now_ms)
{
	struct rate_table *t;

	if (spec->n < 1 || spec->n > RATE_N_MAX || spec->burst < 1 ||
	    spec->burst > RATE_N_MAX || spec->interval_ms < 1 ||
	    spec->interval_ms > RATE_SECONDS_MAX * 1000LL || max < 1 ||
	    max > TRACK_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->spec = *spec;
	t->cap = (int64_t)spec->burst * spec->interval_ms;
	t->start = now_ms;
	t->seed = ((uint64_t)arc4random() << 32) | arc4random();
	t->max = (uint32_t)max;
	for (t->nbucket = 1; t->nbucket < 2 * t->max; t->nbucket <<= 1)
		continue;
	t->head = t->tail = NONE;
	t->e = calloc(max, sizeof(*t->e));
	t->bucket = malloc(t->nbucket * sizeof(*t->bucket));
	if (t->e == NULL || t->bucket == NULL) {
		rate_free(t);
		errno = ENOMEM;
		return NULL;
	}
	memset(t->bucket, 0xff, t->nbucket * sizeof(*t->bucket));
	return t;
}

/* Free the table; NULL is fine. */
void
rate_free(struct rate_table *t)
{
	if (t == NULL)
		return;
	free(t->e);
	free(t->bucket);
	free(t);
}

/* FNV-1a over key, started from the table's seed. */
static uint32_t
hash(const struct rate_table *t, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ t->seed;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 0x100000001b3ULL;
	}
	return (uint32_t)(h ^ (h >> 32)) & (t->nbucket - 1);
}

/* Take entry i off the last-use list. */
static void
list_remove(struct rate_table *t, uint32_t i)
{
	struct rate_entry *e = &t->e[i];

	if (e->prev != NONE)
		t->e[e->prev].next = e->next;
	else
		t->head = e->next;
	if (e->next != NONE)
		t->e[e->next].prev = e->prev;
	else
		t->tail = e->prev;
}

/* Put entry i at the head (newest end) of the last-use list. */
static void
list_push(struct rate_table *t, uint32_t i)
{
	struct rate_entry *e = &t->e[i];

	e->prev = NONE;
	e->next = t->head;
	if (t->head != NONE)
		t->e[t->head].prev = i;
	t->head = i;
	if (t->tail == NONE)
		t->tail = i;
}

/* Unlink entry i from its hash chain. */
static void
hash_remove(struct rate_table *t, uint32_t i)
{
	uint32_t *p = &t->bucket[hash(t, t->e[i].key)];

	while (*p != i)
		p = &t->e[*p].hnext;
	*p = t->e[i].hnext;
}

/* The entry for key, or NONE. */
static uint32_t
lookup(const struct rate_table *t, const char *key)
{
	uint32_t i;

	for (i = t->bucket[hash(t, key)]; i != NONE; i = t->e[i].hnext)
		if (strcmp(t->e[i].key, key) == 0)
			return i;
	return NONE;
}

/* A fresh entry for key with a full bucket, evicting the oldest if full. */
static uint32_t
insert(struct rate_table *t, const char *key, int64_t now_ms)
{
	struct rate_entry *e;
	uint32_t i, b;

	if (t->used < t->max)
		i = t->used++;
	else {
		i = t->tail;
		t->untracked += t->e[i].suppressed;
		t->evicted++;
		hash_remove(t, i);
		list_remove(t, i);
	}
	e = &t->e[i];
	(void)strlcpy(e->key, key, sizeof(e->key));
	e->credit = t->cap;
	e->last = now_ms;
	e->suppressed = 0;
	b = hash(t, key);
	e->hnext = t->bucket[b];
	t->bucket[b] = i;
	list_push(t, i);
	return i;
}

/* Add the credit earned since e->last, up to a full bucket. */
static void
refill(const struct rate_table *t, struct rate_entry *e, int64_t now_ms)
{
	int64_t elapsed = now_ms - e->last, need = t->cap - e->credit;

	if (elapsed <= 0)
		return;		/* a clock that went back earns nothing */
	e->last = now_ms;
	if (elapsed > need / (int64_t)t->spec.n)
		e->credit = t->cap;
	else
		e->credit += elapsed * (int64_t)t->spec.n;
}

/* Take one token from key's bucket. */
int
rate_allow(struct rate_table *t, const char *key, int64_t now_ms)
{
	struct rate_entry *e;
	uint32_t i;

	if (strlen(key) >= RATE_KEYMAX)
		key = "(long key)";	/* none are real: units fit, ids do */
	if ((i = lookup(t, key)) == NONE)
		i = insert(t, key, now_ms);
	else if (i != t->head) {
		list_remove(t, i);
		list_push(t, i);
	}
	e = &t->e[i];
	refill(t, e, now_ms);
	if (e->credit >= t->spec.interval_ms) {
		e->credit -= t->spec.interval_ms;
		return 1;
	}
	e->suppressed++;
	return 0;
}

/* Time left in the current interval. */
int64_t
rate_due_in(const struct rate_table *t, int64_t now_ms)
{
	int64_t left = t->start + t->spec.interval_ms - now_ms;

	return left > 0 ? left : 0;
}

/* Report and reset the interval's suppressed counts, if it is over. */
unsigned long long
rate_summary(struct rate_table *t, int64_t now_ms, rate_report_fn *fn,
    void *arg)
{
	unsigned long long total = 0;
	uint32_t i;

	if (rate_due_in(t, now_ms) > 0)
		return 0;
	for (i = t->head; i != NONE; i = t->e[i].next) {
		if (t->e[i].suppressed == 0)
			continue;
		total += t->e[i].suppressed;
		if (fn != NULL)
			fn(arg, t->e[i].key, t->e[i].suppressed);
		t->e[i].suppressed = 0;
	}
	if (t->untracked > 0) {
		total += t->untracked;
		if (fn != NULL)
			fn(arg, NULL, t->untracked);
		t->untracked = 0;
	}
	t->start = now_ms;
	return total;
}

/* How many keys the table holds now. */
size_t
rate_tracked(const struct rate_table *t)
{
	return t->used;
}

/* How many keys were forgotten to make room. */
unsigned long long
rate_evicted(const struct rate_table *t)
{
	return t->evicted;
}
