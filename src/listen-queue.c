/*
 * listen-queue.c - a ring of request copies.  The ring is allocated
 * whole at creation (the bound is small); payloads are copied into
 * memory of their own, only for the queues that keep them.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "listen-queue.h"

struct entry {
	struct udg_msg	 m;		/* m.buf is ours, or NULL */
	int64_t		 deadline;
	int		 tag;		/* the caller's */
	struct udg_ident id;		/* its strings point into idbuf */
	char		*idbuf;		/* NULL: no identity kept */
};

struct reqq {
	struct entry	*ring;
	size_t		 max;
	size_t		 head;		/* the oldest */
	size_t		 len;
};

/* A queue of max entries. */
struct reqq *
reqq_new(size_t max)
{
	struct reqq *q;

	if (max == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	if ((q->ring = calloc(max, sizeof(*q->ring))) == NULL) {
		free(q);
		return NULL;
	}
	q->max = max;
	return q;
}

/* The entry of the i-th oldest request. */
static struct entry *
entry_at(const struct reqq *q, size_t i)
{
	return &q->ring[(q->head + i) % q->max];
}

/* Free what e owns. */
static void
forget(struct entry *e)
{
	free(e->m.buf);
	free(e->idbuf);
	e->m.buf = NULL;
	e->idbuf = NULL;
}

/* Free q and its payloads. */
void
reqq_free(struct reqq *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->len; i++)
		forget(entry_at(q, i));
	free(q->ring);
	free(q);
}

/* Entries in use. */
size_t
reqq_len(const struct reqq *q)
{
	return q->len;
}

/* Entries free. */
size_t
reqq_room(const struct reqq *q)
{
	return q->max - q->len;
}

/* Append a copy of m. */
int
reqq_push(struct reqq *q, const struct udg_msg *m, int payload,
    int64_t deadline, int tag)
{
	struct entry *e;
	void *buf = NULL;

	if (q->len == q->max) {
		errno = ENOBUFS;
		return -1;
	}
	if (payload) {
		if ((buf = malloc(m->len > 0 ? m->len : 1)) == NULL)
			return -1;
		memcpy(buf, m->buf, m->len);
	}
	e = entry_at(q, q->len);
	e->m = *m;
	e->m.buf = buf;
	e->m.size = payload ? m->len : 0;
	if (!payload)
		e->m.len = 0;
	e->deadline = deadline;
	e->tag = tag;
	e->idbuf = NULL;
	q->len++;
	return 0;
}

/* The i-th oldest. */
const struct udg_msg *
reqq_at(const struct reqq *q, size_t i)
{
	return i < q->len ? &entry_at(q, i)->m : NULL;
}

/* Its deadline. */
int64_t
reqq_deadline(const struct reqq *q, size_t i)
{
	return i < q->len ? entry_at(q, i)->deadline : 0;
}

/* Later deadlines. */
void
reqq_postpone(struct reqq *q, int64_t ms)
{
	size_t i;

	for (i = 0; i < q->len; i++)
		if (entry_at(q, i)->deadline != 0)
			entry_at(q, i)->deadline += ms;
}

/* Its tag. */
int
reqq_tag(const struct reqq *q, size_t i)
{
	return i < q->len ? entry_at(q, i)->tag : 0;
}

/* Drop the i-th oldest, closing the gap. */
void
reqq_remove(struct reqq *q, size_t i)
{
	size_t k;

	if (i >= q->len)
		return;
	forget(entry_at(q, i));
	if (i == 0) {
		q->head = (q->head + 1) % q->max;
	} else {
		for (k = i; k + 1 < q->len; k++)
			*entry_at(q, k) = *entry_at(q, k + 1);
	}
	q->len--;
	if (q->len == 0)
		q->head = 0;
}

/* Copy s to *d, NUL and all, and point *to at it (NULL stays NULL). */
static void
keep_str(char **d, const char *s, const char **to)
{
	size_t n;

	if (s == NULL) {
		*to = NULL;
		return;
	}
	n = strlen(s) + 1;
	memcpy(*d, s, n);
	*to = *d;
	*d += n;
}

/* The length of s with its NUL; 0 for NULL. */
static size_t
str_room(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

/* Keep a copy of id, strings and all, with the newest request. */
int
reqq_keep_ident(struct reqq *q, const struct udg_ident *id)
{
	struct entry *e;
	char *d;
	size_t n;

	if (q->len == 0) {
		errno = EINVAL;
		return -1;
	}
	e = entry_at(q, q->len - 1);
	n = str_room(id->comm) + str_room(id->exe) + str_room(id->cmdline) +
	    str_room(id->cgroup) + str_room(id->unit);
	free(e->idbuf);
	if ((e->idbuf = d = malloc(n > 0 ? n : 1)) == NULL)
		return -1;
	e->id.flags = id->flags;
	e->id.pid = id->pid;
	keep_str(&d, id->comm, &e->id.comm);
	keep_str(&d, id->exe, &e->id.exe);
	keep_str(&d, id->cmdline, &e->id.cmdline);
	keep_str(&d, id->cgroup, &e->id.cgroup);
	keep_str(&d, id->unit, &e->id.unit);
	return 0;
}

/* The identity kept with the i-th oldest, or NULL. */
const struct udg_ident *
reqq_ident(const struct reqq *q, size_t i)
{
	const struct entry *e;

	if (i >= q->len)
		return NULL;
	e = entry_at(q, i);
	return e->idbuf != NULL ? &e->id : NULL;
}

/* Same bound sender. */
int
reqq_same_sender(const struct udg_msg *a, const struct udg_msg *b)
{
	return a->peer_type != UDG_PEER_NONE &&
	    a->peer_type == b->peer_type && a->peer_len == b->peer_len &&
	    memcmp(a->peer, b->peer, a->peer_len) == 0;
}

/* One of the n oldest is from m's sender. */
int
reqq_has_sender(const struct reqq *q, const struct udg_msg *m, size_t n)
{
	size_t i;

	for (i = 0; i < q->len && i < n; i++)
		if (reqq_same_sender(&entry_at(q, i)->m, m))
			return 1;
	return 0;
}
