/*
 * common.h - fixtures and raw-socket helpers shared by the Check suites.
 *
 * Every test runs in a fresh, short mkdtemp directory (sun_path holds only
 * 107 bytes and distcheck builds deep), which is its working directory.
 * The helpers talk to the kernel directly, not through libudg, so that a
 * test never uses the code under test to check the code under test.
 */
#ifndef UDG_TESTS_COMMON_H
#define UDG_TESTS_COMMON_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>
#include <stddef.h>

#include "udg.h"

/* The current test's directory (absolute, no trailing slash). */
extern char	t_dir[];

/* Checked fixture: a fresh temp dir per test, chdir'ed into, removed after. */
void	t_setup(void);
void	t_teardown(void);

/* Add tc (with the fixture) to s; timeout in seconds. */
TCase	*t_tcase(Suite *s, const char *name, double timeout);

/* Run the suite with CK_ENV, print skips, clean up: the exit status. */
int	t_run(Suite *s);

/* Note a test that was not registered; printed as "SKIP: ..." by t_run. */
void	t_skip(const char *test, const char *why);

/* Scale a loop count by $UDG_TEST_SCALE (percent, 1..100; default 100). */
long	t_scaled(long n);

/* Fill sun; aborts the test if path does not fit. */
socklen_t t_addr(struct sockaddr_un *sun, const char *path);

/* A raw AF_UNIX datagram socket, bound at path (NULL: unbound), or -1. */
int	t_raw_socket(const char *path, int passcred);

/* A socket file at path that nobody is bound to any more. */
void	t_stale_socket(const char *path);

/* sendto(2) with nfds SCM_RIGHTS and/or SCM_CREDENTIALS (cred != NULL). */
ssize_t	t_sendmsg(int s, const char *path, const void *buf, size_t len,
	    const int *fds, int nfds, const struct ucred *cred);

/* Entries in /proc/self/fd (the directory's own fd not counted). */
int	t_count_fds(void);

/* Is fd readable within timeout_ms? 1 yes, 0 no. */
int	t_readable(int fd, int timeout_ms);

/* fork(2), the child dying with its parent (a timed-out test leaves none). */
pid_t	t_fork(void);

/* End a t_fork child with code (see common.c for valgrind runs). */
void	t_exit(int code) __attribute__((__noreturn__));

/* waitpid(2) for pid: its exit status, or 128 + signal. */
int	t_wait(pid_t pid);

/* Write and read exactly len bytes on a pipe; 0 or -1. */
int	t_write(int fd, const void *buf, size_t len);
int	t_read(int fd, void *buf, size_t len);

/* rm -rf path (no symlinks followed). */
void	t_rmtree(const char *path);

/* Does path exist (lstat)?  And its st_ino, or 0. */
int	t_exists(const char *path);
ino_t	t_ino(const char *path);

/* Receive one datagram on u within 5 s; assert it is exactly buf/len. */
void	t_expect(struct udg *u, const void *buf, size_t len);

/* The same without Check, for forked children: 1 if it came, else 0. */
int	t_got(struct udg *u, const void *buf, size_t len);

/* Receive one datagram on a raw socket within timeout_ms: length or -1. */
ssize_t	t_raw_recv(int s, void *buf, size_t size, int timeout_ms);

/*
 * Called right after every successful bind(2) of an AF_UNIX socket in the
 * process, the library's included (the test binary interposes bind), while
 * non-NULL: a test can look at the fresh socket file, or send to it, before
 * the library takes its next step.  t_binds counts the calls.
 */
extern void	(*t_after_bind)(const char *path);
extern int	t_binds;

/* Create a regular file holding text. */
void	t_write_file(const char *path, const char *text);

/* Is the regular file at path holding exactly text? */
int	t_file_is(const char *path, const char *text);

/* Wait up to 5 s, then udg_recv into m, freshly udg_msg_init'ed: the length. */
ssize_t	t_recv_msg(struct udg *u, struct udg_msg *m, void *buf, size_t size);

/* An absolute path for name in the test's directory (four kept at once). */
const char *t_path(const char *name);

#endif /* UDG_TESTS_COMMON_H */
