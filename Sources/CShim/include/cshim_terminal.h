#ifndef CSHIM_TERMINAL_H
#define CSHIM_TERMINAL_H

#include <stddef.h>

/* A new pty pair, both ends O_CLOEXEC and O_NOCTTY; the slave's path goes to name[0..size).
 * Returns 0, or -1 (errno) with nothing left open. */
int cshim_open_pty(int *master, int *slave, char *name, size_t size);

/* ioctl(fd, TIOCSCTTY, 0): fd's terminal becomes the controlling terminal of the caller's
 * new session (call setsid first). */
int cshim_set_controlling_terminal(int fd);

/* ioctl(fd, TIOCSWINSZ) with rows x columns. */
int cshim_set_window_size(int fd, unsigned short rows, unsigned short columns);

/* ioctl(fd, TIOCGWINSZ): the rows and columns of a terminal. */
int cshim_get_window_size(int fd, unsigned short *rows, unsigned short *columns);

/* A SOCK_STREAM connection to the unix socket at path (CLOEXEC), or -1 (errno). */
int cshim_connect_unix(const char *path);

/* sendmsg(socket) of payload[0..length) with exactly one SCM_RIGHTS message carrying fd,
 * as runc sends a console (go-runc and conmon accept nothing else). 0 or -1 (errno). */
int cshim_send_fd(int socket, const char *payload, size_t length, int fd);

#endif
