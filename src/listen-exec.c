/*
 * listen-exec.c - udg-listen -e: jobs as non-blocking state machines.
 *
 * The command is started by spawn_sh() (listen-spawn.c): a new process
 * group (so a time limit reaches whatever the shell starts), the
 * caller's signal mask and default dispositions, and the UDG_* variables
 * added to the environment.  Both pipes are non-blocking on our side,
 * so a command that does not read its input, or writes more than a
 * reply can hold, can never stall the caller.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen-exec.h"
#include "listen-record.h"
#include "listen-spawn.h"
#include "tool.h"

extern char	**environ;

struct job {
	int		 used;
	pid_t		 pid;		/* 0 once reaped */
	pid_t		 pgid;		/* its process group */
	int		 wstatus;	/* waitpid(2) status */
	int		 in;		/* its stdin, ours to write; or -1 */
	int		 out;		/* its stdout, ours to read; or -1 */
	struct udg_msg	 req;		/* req.buf is ours (the payload) */
	int		 tag;		/* exec_start()'s, for the caller */
	size_t		 inoff;		/* payload bytes written */
	char		*buf;		/* its stdout, maxout bytes */
	size_t		 len;
	size_t		 overflow;
	int64_t		 start;
	int64_t		 deadline;	/* time limit, or 0 */
	int64_t		 kill_at;	/* SIGKILL due, or 0 */
	enum exec_end	 why;		/* EXEC_EXITED unless we killed it */
};

struct exec {
	struct exec_conf c;
	char		*cmd;		/* c.command, for argv */
	struct job	*jobs;
};

/* Close *fd if open. */
static void
close_fd(int *fd)
{
	if (*fd != -1) {
		(void)close(*fd);
		*fd = -1;
	}
}

/* A pool of conf->jobs job slots. */
struct exec *
exec_new(const struct exec_conf *conf)
{
	struct exec *x;
	int i;

	if (conf->jobs < 1) {
		errno = EINVAL;
		return NULL;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->c = *conf;
	x->jobs = calloc((size_t)conf->jobs, sizeof(*x->jobs));
	if (x->jobs == NULL || (x->cmd = strdup(conf->run.command)) == NULL) {
		free(x->jobs);
		free(x);
		return NULL;
	}
	for (i = 0; i < conf->jobs; i++)
		x->jobs[i].in = x->jobs[i].out = -1;
	return x;
}

/* Release job j's fds and memory; the slot is free again. */
static void
job_clear(struct job *j)
{
	close_fd(&j->in);
	close_fd(&j->out);
	free(j->req.buf);
	free(j->buf);
	memset(j, 0, sizeof(*j));
	j->in = j->out = -1;
}

/* Free the pool, killing what still runs. */
void
exec_free(struct exec *x)
{
	int i;

	if (x == NULL)
		return;
	for (i = 0; i < x->c.jobs; i++) {
		if (!x->jobs[i].used)
			continue;
		if (x->jobs[i].pid > 0) {
			(void)kill(-x->jobs[i].pgid, SIGKILL);
			(void)waitpid(x->jobs[i].pid, NULL, 0);
		}
		job_clear(&x->jobs[i]);
	}
	free(x->jobs);
	free(x->cmd);
	free(x);
}

/* Running jobs. */
int
exec_running(const struct exec *x)
{
	int i, n = 0;

	for (i = 0; i < x->c.jobs; i++)
		n += x->jobs[i].used;
	return n;
}

/* Free slots. */
int
exec_free_slots(const struct exec *x)
{
	return x->c.jobs - exec_running(x);
}

/* 1 if a and b are the same (bound) sender. */
static int
same_sender(const struct udg_msg *a, const struct udg_msg *b)
{
	return a->peer_type != UDG_PEER_NONE &&
	    a->peer_type == b->peer_type && a->peer_len == b->peer_len &&
	    memcmp(a->peer, b->peer, a->peer_len) == 0;
}

/* 1 if m's sender has a job running. */
int
exec_busy(const struct exec *x, const struct udg_msg *m)
{
	int i;

	for (i = 0; i < x->c.jobs; i++)
		if (x->jobs[i].used && same_sender(&x->jobs[i].req, m))
			return 1;
	return 0;
}

/* "NAME=value" in a new string, or NULL. */
static char *
env_pair(const char *name, const char *value)
{
	char *s;

	if (asprintf(&s, "%s=%s", name, value) == -1)
		return NULL;
	return s;
}

/* The variables a command gets about its request, in make_env()'s order. */
static const char *const env_names[] = {
	"UDG_PID", "UDG_UID", "UDG_GID", "UDG_PEER", "UDG_COMM", "UDG_EXE",
	"UDG_UNIT", "UDG_SOCKET"
};
#define NENV	(sizeof(env_names) / sizeof(env_names[0]))

/* 1 if environment entry e sets one of the variables we set. */
static int
env_ours(const char *e)
{
	size_t i, len;

	for (i = 0; i < NENV; i++) {
		len = strlen(env_names[i]);
		if (strncmp(e, env_names[i], len) == 0 && e[len] == '=')
			return 1;
	}
	return 0;
}

/* Free an environment built by make_env() (its last NENV are ours). */
static void
free_env(char **env, size_t n)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = n; i < n + NENV; i++)
		free(env[i]);
	free(env);
}

/* A string the identity vouched for, or "" (unknown). */
static const char *
id_str(const struct udg_ident *id, const char *s)
{
	return id != NULL && (id->flags & UDG_ID_PINNED) && s != NULL ? s : "";
}

/*
 * UDG_PEER for a path: as records show it (a path holds no NUL, so it
 * stays as it is), NUL-terminated in buf[RECORD_PEERMAX + 1].
 */
static const char *
env_path(const struct udg_msg *m, char *buf)
{
	char name[RECORD_PEERMAX];
	const char *p;
	size_t len;

	if ((p = record_peer(m, name, &len)) == NULL)
		return "";
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

/*
 * The environment for m's command: ours less UDG_*, then m's UDG_*; the
 * identity's only when id vouched for it, else empty; the socket it came
 * in on.
 */
static char **
make_env(const struct udg_msg *m, const struct udg_ident *id,
    const char *sock, size_t *nbase)
{
	char num[3][32], peer[TOOL_VISPATH + 1];
	const char *pv, *val[NENV];
	char **env;
	size_t n = 0, i, k = 0;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + NENV + 1, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (!env_ours(environ[i]))
			env[k++] = environ[i];
	*nbase = k;
	num[0][0] = num[1][0] = num[2][0] = '\0';
	if (!(m->flags & UDG_MSG_NOCRED)) {
		(void)snprintf(num[0], sizeof(num[0]), "%ld", (long)m->pid);
		(void)snprintf(num[1], sizeof(num[1]), "%lu",
		    (unsigned long)m->uid);
		(void)snprintf(num[2], sizeof(num[2]), "%lu",
		    (unsigned long)m->gid);
	}
	if (m->peer_type == UDG_PEER_PATH)
		pv = env_path(m, peer);
	else if (m->peer_type == UDG_PEER_ABSTRACT)
		pv = tool_peer_name(peer, sizeof(peer), m);
	else
		pv = "";
	val[0] = num[0];
	val[1] = num[1];
	val[2] = num[2];
	val[3] = pv;
	val[4] = id_str(id, id != NULL ? id->comm : NULL);
	val[5] = id_str(id, id != NULL ? id->exe : NULL);
	val[6] = id_str(id, id != NULL ? id->unit : NULL);
	val[7] = sock;
	for (i = 0; i < NENV; i++)
		if ((env[k + i] = env_pair(env_names[i], val[i])) == NULL) {
			free_env(env, k);
			errno = ENOMEM;
			return NULL;
		}
	return env;
}

/* /bin/sh -c command with stdin in, stdout out (listen-spawn.c). */
static int
spawn(const struct exec *x, int in, int out, char **env, pid_t *pid)
{
	return spawn_sh(x->cmd, in, out, x->c.run.childmask,
	    x->c.run.childdefault, env, pid);
}

/* The socket path of tag, or "". */
static const char *
tag_socket(const struct exec *x, int tag)
{
	if (x->c.sockets == NULL || tag < 0 || (size_t)tag >= x->c.nsockets)
		return "";
	return x->c.sockets[tag];
}

/* Copy request m into job j (payload and all). */
static int
job_copy_req(struct job *j, const struct udg_msg *m, size_t maxout)
{
	j->req = *m;
	j->req.buf = malloc(m->len > 0 ? m->len : 1);
	j->buf = malloc(maxout > 0 ? maxout : 1);
	if (j->req.buf == NULL || j->buf == NULL)
		return -1;
	memcpy(j->req.buf, m->buf, m->len);
	j->req.size = m->len;
	return 0;
}

/* Start a job for m. */
int
exec_start(struct exec *x, const struct udg_msg *m,
    const struct udg_ident *id, int tag)
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, i, e;
	struct job *j = NULL;
	size_t nbase = 0;
	char **env = NULL;

	for (i = 0; i < x->c.jobs && j == NULL; i++)
		if (!x->jobs[i].used)
			j = &x->jobs[i];
	if (j == NULL) {
		errno = EBUSY;
		return -1;
	}
	if (job_copy_req(j, m, x->c.maxout) == -1 ||
	    pipe2(inp, O_CLOEXEC) == -1 || pipe2(outp, O_CLOEXEC) == -1 ||
	    fcntl(inp[1], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(outp[0], F_SETFL, O_NONBLOCK) == -1 ||
	    (env = make_env(m, id, tag_socket(x, tag), &nbase)) == NULL)
		goto fail;
	if ((e = spawn(x, inp[0], outp[1], env, &j->pid)) != 0) {
		errno = e;
		goto fail;
	}
	free_env(env, nbase);
	j->pgid = j->pid;
	(void)close(inp[0]);
	(void)close(outp[1]);
	j->in = inp[1];
	j->out = outp[0];
	if (m->len == 0)
		close_fd(&j->in);
	j->used = 1;
	j->tag = tag;
	j->why = EXEC_EXITED;
	j->start = tool_now_ms();
	if (x->c.run.timeout_ms > 0)
		j->deadline = j->start + x->c.run.timeout_ms;
	return 0;
fail:
	e = errno;
	free_env(env, nbase);
	close_fd(&inp[0]);
	close_fd(&inp[1]);
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	job_clear(j);
	errno = e;
	return -1;
}

/* The fds to poll: each job's stdin (POLLOUT) and stdout (POLLIN). */
int
exec_pollfds(const struct exec *x, struct pollfd *pfd, int max)
{
	const struct job *j;
	int i, n = 0;

	for (i = 0; i < x->c.jobs; i++) {
		j = &x->jobs[i];
		if (!j->used)
			continue;
		if (j->in != -1 && n < max) {
			pfd[n].fd = j->in;
			pfd[n].events = POLLOUT;
			pfd[n++].revents = 0;
		}
		if (j->out != -1 && n < max) {
			pfd[n].fd = j->out;
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
	}
	return n;
}

/* Hand job j's result to the caller and free its slot. */
static void
job_report(struct exec *x, struct job *j)
{
	struct exec_result r;
	int st = j->wstatus;

	memset(&r, 0, sizeof(r));
	r.req = &j->req;
	r.tag = j->tag;
	r.end = j->why;
	if (WIFEXITED(st)) {
		r.status = WEXITSTATUS(st);
		if (j->why == EXEC_EXITED)
			r.end = EXEC_EXITED;
	} else if (WIFSIGNALED(st)) {
		r.status = WTERMSIG(st);
		if (j->why == EXEC_EXITED)
			r.end = EXEC_SIGNALED;
	}
	r.out = j->buf;
	r.outlen = j->len;
	r.overflow = j->overflow;
	r.ms = tool_now_ms() - j->start;
	x->c.done(x->c.arg, &r);
	job_clear(j);
}

/* Report j if it is over: reaped and its stdout closed. */
static void
job_check(struct exec *x, struct job *j)
{
	if (j->used && j->pid == 0 && j->out == -1)
		job_report(x, j);
}

/* Feed j's stdin. */
static void
job_write(struct job *j)
{
	ssize_t n;

	n = write(j->in, (char *)j->req.buf + j->inoff, j->req.len -
	    j->inoff);
	if (n > 0)
		j->inoff += (size_t)n;
	/* EPIPE: the command did not read it all; that is its choice. */
	if ((n == -1 && errno != EAGAIN && errno != EINTR) ||
	    j->inoff == j->req.len)
		close_fd(&j->in);
}

/* Drain j's stdout: keep up to maxout bytes, count the rest. */
static void
job_read(struct exec *x, struct job *j)
{
	char sink[4096];
	ssize_t n;

	if (j->len < x->c.maxout)
		n = read(j->out, j->buf + j->len, x->c.maxout - j->len);
	else
		n = read(j->out, sink, sizeof(sink));
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0)
		close_fd(&j->out);
	else if (j->len < x->c.maxout)
		j->len += (size_t)n;
	else
		j->overflow += (size_t)n;
}

/* The job whose stdin or stdout is fd, or NULL. */
static struct job *
job_of_fd(struct exec *x, int fd, int *is_in)
{
	int i;

	for (i = 0; i < x->c.jobs; i++) {
		if (!x->jobs[i].used)
			continue;
		if (x->jobs[i].in == fd || x->jobs[i].out == fd) {
			*is_in = x->jobs[i].in == fd;
			return &x->jobs[i];
		}
	}
	return NULL;
}

/* Act on poll(2)'s findings for the pipes. */
void
exec_events(struct exec *x, const struct pollfd *pfd, int n)
{
	struct job *j;
	int i, is_in;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if ((j = job_of_fd(x, pfd[i].fd, &is_in)) == NULL)
			continue;
		if (is_in)
			job_write(j);
		else
			job_read(x, j);
		job_check(x, j);
	}
}

/* Collect exited jobs. */
void
exec_reap(struct exec *x)
{
	struct job *j;
	pid_t r;
	int i;

	for (i = 0; i < x->c.jobs; i++) {
		j = &x->jobs[i];
		if (!j->used || j->pid == 0)
			continue;
		r = waitpid(j->pid, &j->wstatus, WNOHANG);
		if (r == j->pid || (r == -1 && errno == ECHILD)) {
			j->pid = 0;
			/* Nothing to feed any more. */
			close_fd(&j->in);
			/* Killed: what still holds its stdout is no reply. */
			if (j->why != EXEC_EXITED && j->kill_at == 0)
				close_fd(&j->out);
			job_check(x, j);
		}
	}
}

/* The earliest of t (0: none) and *next. */
static void
earliest(int64_t t, int64_t *next)
{
	if (t != 0 && (*next == 0 || t < *next))
		*next = t;
}

/* Time until the next deadline. */
int
exec_next_ms(const struct exec *x, int64_t now)
{
	int64_t next = 0;
	int i;

	for (i = 0; i < x->c.jobs; i++) {
		if (!x->jobs[i].used)
			continue;
		if (x->jobs[i].kill_at == 0)
			earliest(x->jobs[i].deadline, &next);
		earliest(x->jobs[i].kill_at, &next);
	}
	if (next == 0)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

/* SIGTERM j's process group, SIGKILL due after the grace. */
static void
job_term(const struct exec *x, struct job *j, enum exec_end why,
    int64_t now)
{
	if (j->kill_at != 0 || j->why != EXEC_EXITED)
		return;
	j->why = why;
	j->deadline = 0;
	j->kill_at = now + x->c.run.kill_grace_ms;
	if (j->kill_at == 0)
		j->kill_at = 1;
	close_fd(&j->in);
	(void)kill(-j->pgid, SIGTERM);
}

/* Act on passed deadlines. */
void
exec_tick(struct exec *x, int64_t now)
{
	struct job *j;
	int i;

	for (i = 0; i < x->c.jobs; i++) {
		j = &x->jobs[i];
		if (!j->used)
			continue;
		if (j->deadline != 0 && now >= j->deadline)
			job_term(x, j, EXEC_TIMEDOUT, now);
		if (j->kill_at != 0 && now >= j->kill_at) {
			(void)kill(-j->pgid, SIGKILL);
			j->kill_at = 0;
			/* Its output may be held by a process that left. */
			if (j->pid == 0)
				close_fd(&j->out);
			job_check(x, j);
		}
	}
}

/* Kill every job. */
void
exec_stop(struct exec *x, int64_t now)
{
	int i;

	for (i = 0; i < x->c.jobs; i++)
		if (x->jobs[i].used)
			job_term(x, &x->jobs[i], EXEC_STOPPED, now);
}
