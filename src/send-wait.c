/*
 * send-wait.c - udg-send's waits: one poll(2) over what it waits for and a
 * signalfd, so that a signal is seen whatever udg-send is waiting for.
 */
#include "config.h"

#include <sys/signalfd.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "send-wait.h"

static int	  sigfd = -1;
static void	(*on_death)(void);

/* The signals that end udg-send through its cleanup. */
static void
stop_signals(sigset_t *set)
{
	(void)sigemptyset(set);
	(void)sigaddset(set, SIGINT);
	(void)sigaddset(set, SIGTERM);
	(void)sigaddset(set, SIGHUP);
}

/* Block the stop signals, open their signalfd, ignore SIGPIPE. */
int
send_wait_init(void (*cleanup)(void))
{
	struct sigaction sa;
	sigset_t set;

	on_death = cleanup;
	stop_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	/* A reader of stdout that has gone is an EPIPE (send_die). */
	memset(&sa, 0, sizeof(sa));
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return -1;
	sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return sigfd == -1 ? -1 : 0;
}

/* Read the signalfd; die of what arrived. */
static void
take_signal(void)
{
	struct signalfd_siginfo si;
	ssize_t n;

	do
		n = read(sigfd, &si, sizeof(si));
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)sizeof(si))
		send_die((int)si.ssi_signo);
}

/* Poll fd for events and the signalfd, up to ms (-1: no limit). */
int
send_wait(int fd, short events, int ms)
{
	struct pollfd pfd[2];
	int r;

	pfd[0].fd = sigfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = fd;
	pfd[1].events = events;
	for (;;) {
		pfd[0].revents = pfd[1].revents = 0;
		if ((r = poll(pfd, 2, ms)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[0].revents != 0)
			take_signal();
		if (r == 0)
			return 0;
		if (pfd[1].revents != 0)
			return 1;
		/* The signalfd had nothing to read after all: poll again. */
	}
}

/* Clean up, then die of sig with the default action. */
void
send_die(int sig)
{
	struct sigaction sa;
	sigset_t set;

	if (on_death != NULL)
		on_death();
	memset(&sa, 0, sizeof(sa));
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	(void)sigaction(sig, &sa, NULL);
	(void)sigemptyset(&set);
	(void)sigaddset(&set, sig);
	(void)raise(sig);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
	_exit(128 + sig);
}
