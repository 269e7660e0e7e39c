/*
 * udg-int.h - what the library's files share and nobody else sees.
 */
#ifndef UDG_INT_H
#define UDG_INT_H

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "udg.h"

struct udg {
	int		 fd;		/* the socket */
	int		 lockfd;	/* flock(2)ed PATH.lock, or -1 */
	int		 flags;		/* UDG_NONBLOCK ... */
	int		 autopath;	/* path was made up by udg_client() */
	dev_t		 dev;		/* what we bound, to unlink only it */
	ino_t		 ino;
	char		 path[UDG_PATH_MAX + 1];
	char		*lockpath;
	/* recvmmsg scratch, grown once, reused: no malloc per datagram */
	void		*scratch;
	int		 nscratch;
};

/* addr.c */
int	udg_addr_path(struct sockaddr_un *, socklen_t *, const char *);
int	udg_addr_msg(struct sockaddr_un *, socklen_t *, const struct udg_msg *);
void	udg_addr_peer(struct udg_msg *, const struct sockaddr_un *, socklen_t);

/* cred.c: the OS-specific part */
#define UDG_CTLBUF_SIZE	512
int	udg_cred_enable(int);
void	udg_cred_parse(struct udg_msg *, void *, size_t, int);

#endif /* UDG_INT_H */
