/*
 * send-wait.h - udg-send's waits, each of which also sees SIGINT, SIGTERM
 * and SIGHUP, and its death by a signal.
 *
 * Those signals are blocked and read from a signalfd, so no handler runs:
 * when one arrives during a wait, the cleanup function given to
 * send_wait_init() runs (it closes the endpoint through udg_close(), which
 * removes the socket file and its lock) and udg-send dies of the signal.
 */
#ifndef UDG_SEND_WAIT_H
#define UDG_SEND_WAIT_H

/*
 * Block SIGINT, SIGTERM and SIGHUP, open a signalfd for them and ignore
 * SIGPIPE; cleanup runs before a death by signal.  -1 with errno on error.
 */
int	send_wait_init(void (*cleanup)(void));

/*
 * Wait up to ms milliseconds (-1: no limit) for events on fd (-1: only
 * the time): 1 if fd is ready, 0 when the time is up, -1 with errno on
 * error.  A signal does not return: see send_die().
 */
int	send_wait(int fd, short events, int ms);

/* Run the cleanup function, then die of sig (as the shell should see). */
void	send_die(int sig) __attribute__((__noreturn__));

#endif /* UDG_SEND_WAIT_H */
