#ifndef CSHIM_FILES_H
#define CSHIM_FILES_H

/* openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: `path` is resolved as if `root_fd`
 * were "/", so neither ".." nor an absolute symlink can leave it. Returns an fd or -1 (errno). */
int cshim_open_in_root(int root_fd, const char *path, int flags);
/* A regular file beneath root_fd (as cshim_open_in_root), opened with `flags`
 * only once it is known to be one: it is first opened O_PATH, which never
 * opens the object itself, checked, and reopened through /proc/self/fd. A
 * device node is then never opened (a driver's open can act: a watchdog
 * starts, a tape rewinds), nor a fifo waited on. Returns the fd, -1 with
 * errno, or -2 for something that is not a regular file. */
int cshim_open_regular_in_root(int root_fd, const char *path, int flags);

/* Name `name` in the directory open as dir_fd, not followed, opened with
 * `flags` only if it is a regular file: as cshim_open_regular_in_root, for
 * one component. Returns the fd, -1 with errno, or -2 for something that is
 * not a regular file (never opened). */
int cshim_open_regular_at(int dir_fd, const char *name, int flags);

/* fstatfs(2)'s f_type for fd (the filesystem's magic, linux/magic.h), or -1
 * with errno (<sys/vfs.h> is not in Swift's Glibc module). */
long cshim_filesystem_type(int fd);

/* open(path, O_PATH | O_CLOEXEC | extra_flags): a handle that pins a file without opening it
 * for I/O (O_PATH needs _GNU_SOURCE, which Swift's Glibc does not define). */
int cshim_open_path(const char *path, int extra_flags);

/* pipe2(fds, O_CLOEXEC). */
int cshim_pipe_cloexec(int fds[2]);

/* Closes every fd >= 3 except those in keep[0..count) (which must be sorted ascending).
 * Returns 0, or -1 (errno) if close_range(2) is unavailable and the fallback failed. */
int cshim_close_fds_except(const int *keep, int count);

#endif
