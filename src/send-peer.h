/*
 * send-peer.h - udg-send's view of the socket it is connected to.
 */
#ifndef UDG_SEND_PEER_H
#define UDG_SEND_PEER_H

/*
 * Is the socket that fd is connect()ed to still open?  1 yes, 0 it was
 * closed (its process exited or closed it), -1 the system cannot tell.
 */
int	send_peer_alive(int fd);

#endif /* UDG_SEND_PEER_H */
