/*
 * listen-queue.h - udg-listen's requests that wait: a bounded first-in,
 * first-out queue of copies of received datagrams.
 *
 * -j keeps here the requests of senders whose previous request is still
 * being answered; -E keeps here, without their payloads, the requests
 * the worker has been given and has not answered yet.  The bound is set
 * at creation: the caller stops reading its socket while the queue is
 * full, so that further requests wait in the kernel, not in memory.
 */
#ifndef UDG_LISTEN_QUEUE_H
#define UDG_LISTEN_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "udg.h"

struct reqq;

/* A queue of at most max requests, or NULL with errno. */
struct reqq	*reqq_new(size_t max);

/* Free the queue and every copy in it. */
void	reqq_free(struct reqq *);

/* How many requests wait. */
size_t	reqq_len(const struct reqq *);

/* How many more may be added. */
size_t	reqq_room(const struct reqq *);

/*
 * Add a copy of m at the end, with its payload when payload is 1, the
 * time (a caller's clock, 0: none) by which it must be answered, and the
 * caller's tag (which socket it came in on).  -1 with errno ENOBUFS when
 * the queue is full, ENOMEM.
 */
int	reqq_push(struct reqq *, const struct udg_msg *m, int payload,
	    int64_t deadline, int tag);

/*
 * Keep a copy of id (its strings too) with the newest request: the
 * endpoint's identity record changes with the next datagram.  -1 with
 * errno ENOMEM, or EINVAL when the queue is empty.
 */
int	reqq_keep_ident(struct reqq *, const struct udg_ident *id);

/* The identity kept with the i-th oldest request, or NULL if none. */
const struct udg_ident *reqq_ident(const struct reqq *, size_t i);

/* The i-th oldest request (0: the oldest), or NULL past the end. */
const struct udg_msg *reqq_at(const struct reqq *, size_t i);

/* The deadline reqq_push() gave the i-th oldest request. */
int64_t	reqq_deadline(const struct reqq *, size_t i);

/* Move every deadline ms later (0, none, stays 0). */
void	reqq_postpone(struct reqq *, int64_t ms);

/* The tag reqq_push() gave the i-th oldest request. */
int	reqq_tag(const struct reqq *, size_t i);

/* Remove the i-th oldest request; the ones after it move up. */
void	reqq_remove(struct reqq *, size_t i);

/* 1 if a and b come from the same bound socket (unbound: never). */
int	reqq_same_sender(const struct udg_msg *a, const struct udg_msg *b);

/* 1 if a request from m's sender is among the n oldest. */
int	reqq_has_sender(const struct reqq *, const struct udg_msg *m,
	    size_t n);

#endif /* UDG_LISTEN_QUEUE_H */
