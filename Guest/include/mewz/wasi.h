/*
 * WASI preview1 (wasi_snapshot_preview1): the values of its witx types the
 * guest uses, and the 46 functions the guest implements, with the
 * Wasm-level signature the generated code calls them by: module
 * "wasi_snapshot_preview1", field NAME -> C symbol mewz_wasi_NAME; i32 is
 * uint32_t, i64 is uint64_t; pointers are linear-memory addresses (u32).
 * Every function returns a WASI errno (or does not return).
 *
 * WasmToC keeps the same list with the same signatures (WASIImports.swift);
 * an import outside it fails the build with a message that names it, and a
 * signature drift fails to compile against these prototypes.
 */
#ifndef MEWZ_WASI_H
#define MEWZ_WASI_H

#include <stdint.h>

/* ---- errno --------------------------------------------------------------- */

#define MEWZ_WASI_ESUCCESS 0
#define MEWZ_WASI_E2BIG 1
#define MEWZ_WASI_EACCES 2
#define MEWZ_WASI_EAFNOSUPPORT 5
#define MEWZ_WASI_EAGAIN 6
#define MEWZ_WASI_EBADF 8
#define MEWZ_WASI_EBUSY 10
#define MEWZ_WASI_EEXIST 20
#define MEWZ_WASI_EFAULT 21
#define MEWZ_WASI_EFBIG 22
#define MEWZ_WASI_EILSEQ 25
#define MEWZ_WASI_EINPROGRESS 26
#define MEWZ_WASI_EINTR 27
#define MEWZ_WASI_EINVAL 28
#define MEWZ_WASI_EIO 29
#define MEWZ_WASI_EISDIR 31
#define MEWZ_WASI_ELOOP 32
#define MEWZ_WASI_EMFILE 33
#define MEWZ_WASI_ENAMETOOLONG 37
#define MEWZ_WASI_ENOENT 44
#define MEWZ_WASI_ENOMEM 48
#define MEWZ_WASI_ENOPROTOOPT 50
#define MEWZ_WASI_ENOSPC 51
#define MEWZ_WASI_ENOSYS 52
#define MEWZ_WASI_ENOTDIR 54
#define MEWZ_WASI_ENOTEMPTY 55
#define MEWZ_WASI_ENOTSOCK 57
#define MEWZ_WASI_ENOTSUP 58
#define MEWZ_WASI_EOVERFLOW 61
#define MEWZ_WASI_EPERM 63
#define MEWZ_WASI_EPIPE 64
#define MEWZ_WASI_EROFS 69
#define MEWZ_WASI_ESPIPE 70
#define MEWZ_WASI_EXDEV 75
#define MEWZ_WASI_ENOTCAPABLE 76
/* WasmEdge's getaddrinfo errors, past preview1's. */
#define MEWZ_WASI_EAI_FAMILY 81
#define MEWZ_WASI_EAI_NONAME 84
#define MEWZ_WASI_EAI_SERVICE 85
#define MEWZ_WASI_EAI_SOCKTYPE 86

/* ---- filetype (u8) ----------------------------------------------------- */

#define MEWZ_WASI_FILETYPE_UNKNOWN 0
#define MEWZ_WASI_FILETYPE_CHARACTER_DEVICE 2
#define MEWZ_WASI_FILETYPE_DIRECTORY 3
#define MEWZ_WASI_FILETYPE_REGULAR_FILE 4
#define MEWZ_WASI_FILETYPE_SOCKET_DGRAM 5
#define MEWZ_WASI_FILETYPE_SOCKET_STREAM 6
#define MEWZ_WASI_FILETYPE_SYMBOLIC_LINK 7

/* ---- rights (u64) ------------------------------------------------------ */

#define MEWZ_WASI_RIGHT_FD_DATASYNC (1ULL << 0)
#define MEWZ_WASI_RIGHT_FD_READ (1ULL << 1)
#define MEWZ_WASI_RIGHT_FD_SEEK (1ULL << 2)
#define MEWZ_WASI_RIGHT_FD_FDSTAT_SET_FLAGS (1ULL << 3)
#define MEWZ_WASI_RIGHT_FD_SYNC (1ULL << 4)
#define MEWZ_WASI_RIGHT_FD_TELL (1ULL << 5)
#define MEWZ_WASI_RIGHT_FD_WRITE (1ULL << 6)
#define MEWZ_WASI_RIGHT_FD_ADVISE (1ULL << 7)
#define MEWZ_WASI_RIGHT_FD_ALLOCATE (1ULL << 8)
#define MEWZ_WASI_RIGHT_PATH_CREATE_DIRECTORY (1ULL << 9)
#define MEWZ_WASI_RIGHT_PATH_CREATE_FILE (1ULL << 10)
#define MEWZ_WASI_RIGHT_PATH_LINK_SOURCE (1ULL << 11)
#define MEWZ_WASI_RIGHT_PATH_LINK_TARGET (1ULL << 12)
#define MEWZ_WASI_RIGHT_PATH_OPEN (1ULL << 13)
#define MEWZ_WASI_RIGHT_FD_READDIR (1ULL << 14)
#define MEWZ_WASI_RIGHT_PATH_READLINK (1ULL << 15)
#define MEWZ_WASI_RIGHT_PATH_RENAME_SOURCE (1ULL << 16)
#define MEWZ_WASI_RIGHT_PATH_RENAME_TARGET (1ULL << 17)
#define MEWZ_WASI_RIGHT_PATH_FILESTAT_GET (1ULL << 18)
#define MEWZ_WASI_RIGHT_PATH_FILESTAT_SET_SIZE (1ULL << 19)
#define MEWZ_WASI_RIGHT_PATH_FILESTAT_SET_TIMES (1ULL << 20)
#define MEWZ_WASI_RIGHT_FD_FILESTAT_GET (1ULL << 21)
#define MEWZ_WASI_RIGHT_FD_FILESTAT_SET_SIZE (1ULL << 22)
#define MEWZ_WASI_RIGHT_FD_FILESTAT_SET_TIMES (1ULL << 23)
#define MEWZ_WASI_RIGHT_PATH_SYMLINK (1ULL << 24)
#define MEWZ_WASI_RIGHT_PATH_REMOVE_DIRECTORY (1ULL << 25)
#define MEWZ_WASI_RIGHT_PATH_UNLINK_FILE (1ULL << 26)
#define MEWZ_WASI_RIGHT_POLL_FD_READWRITE (1ULL << 27)
#define MEWZ_WASI_RIGHT_SOCK_SHUTDOWN (1ULL << 28)
#define MEWZ_WASI_RIGHT_SOCK_ACCEPT (1ULL << 29)
#define MEWZ_WASI_RIGHTS_ALL ((1ULL << 30) - 1)

/* ---- flags ------------------------------------------------------------- */

/* fdflags (u16) */
#define MEWZ_WASI_FDFLAG_APPEND (1U << 0)
#define MEWZ_WASI_FDFLAG_DSYNC (1U << 1)
#define MEWZ_WASI_FDFLAG_NONBLOCK (1U << 2)
#define MEWZ_WASI_FDFLAG_RSYNC (1U << 3)
#define MEWZ_WASI_FDFLAG_SYNC (1U << 4)
#define MEWZ_WASI_FDFLAGS_ALL 0x1fU
/* oflags (u16) */
#define MEWZ_WASI_OFLAG_CREAT (1U << 0)
#define MEWZ_WASI_OFLAG_DIRECTORY (1U << 1)
#define MEWZ_WASI_OFLAG_EXCL (1U << 2)
#define MEWZ_WASI_OFLAG_TRUNC (1U << 3)
#define MEWZ_WASI_OFLAGS_ALL 0xfU
/* lookupflags (u32) */
#define MEWZ_WASI_LOOKUP_SYMLINK_FOLLOW (1U << 0)
/* fstflags (u16) */
#define MEWZ_WASI_FST_ATIM (1U << 0)
#define MEWZ_WASI_FST_ATIM_NOW (1U << 1)
#define MEWZ_WASI_FST_MTIM (1U << 2)
#define MEWZ_WASI_FST_MTIM_NOW (1U << 3)
#define MEWZ_WASI_FSTFLAGS_ALL 0xfU
/* sdflags (u8) */
#define MEWZ_WASI_SDFLAGS_ALL 0x3U

/* ---- enums ------------------------------------------------------------- */

#define MEWZ_WASI_CLOCK_REALTIME 0
#define MEWZ_WASI_CLOCK_MONOTONIC 1
#define MEWZ_WASI_CLOCK_PROCESS_CPUTIME 2
#define MEWZ_WASI_CLOCK_THREAD_CPUTIME 3
#define MEWZ_WASI_WHENCE_SET 0
#define MEWZ_WASI_WHENCE_CUR 1
#define MEWZ_WASI_WHENCE_END 2
#define MEWZ_WASI_ADVICE_NOREUSE 5 /* the last advice */
#define MEWZ_WASI_PREOPENTYPE_DIR 0
#define MEWZ_WASI_EVENTTYPE_CLOCK 0
#define MEWZ_WASI_EVENTTYPE_FD_READ 1
#define MEWZ_WASI_EVENTTYPE_FD_WRITE 2
#define MEWZ_WASI_SUBCLOCK_ABSTIME (1U << 0)
#define MEWZ_WASI_SIGNAL_SYS 30 /* the last signal */

/* ---- struct layouts in linear memory (offsets in bytes) ---------------- */

#define MEWZ_WASI_FDSTAT_SIZE 24   /* u8 filetype, u16 flags @2, u64 @8, @16 */
#define MEWZ_WASI_FILESTAT_SIZE 64 /* dev, ino, u8 type @16, nlink @24, size
                                      @32, atim @40, mtim @48, ctim @56 */
#define MEWZ_WASI_PRESTAT_SIZE 8   /* u8 tag, u32 name_len @4 */
#define MEWZ_WASI_DIRENT_SIZE 24   /* d_next, d_ino @8, u32 namlen @16,
                                      u8 type @20 */
#define MEWZ_WASI_SUBSCRIPTION_SIZE 48 /* userdata, u8 tag @8, union @16 */
#define MEWZ_WASI_EVENT_SIZE 32 /* userdata, u16 error @8, u8 type @10,
                                   u64 nbytes @16, u16 flags @24 */

/* ---- the functions ----------------------------------------------------- */

/* args, environment */
uint32_t mewz_wasi_args_get(uint32_t argv, uint32_t argv_buf);
uint32_t mewz_wasi_args_sizes_get(uint32_t argc_out, uint32_t argv_buf_size_out);
uint32_t mewz_wasi_environ_get(uint32_t environ, uint32_t environ_buf);
uint32_t mewz_wasi_environ_sizes_get(uint32_t count_out, uint32_t buf_size_out);

/* clocks, random, scheduling, process */
uint32_t mewz_wasi_clock_res_get(uint32_t clock_id, uint32_t res_out);
uint32_t mewz_wasi_clock_time_get(uint32_t clock_id, uint64_t precision,
                                  uint32_t time_out);
uint32_t mewz_wasi_random_get(uint32_t buf, uint32_t buf_len);
uint32_t mewz_wasi_poll_oneoff(uint32_t in, uint32_t out,
                               uint32_t nsubscriptions, uint32_t nevents_out);
uint32_t mewz_wasi_sched_yield(void);
_Noreturn void mewz_wasi_proc_exit(uint32_t code);
uint32_t mewz_wasi_proc_raise(uint32_t signal);

/* descriptors */
uint32_t mewz_wasi_fd_advise(uint32_t fd, uint64_t offset, uint64_t len,
                             uint32_t advice);
uint32_t mewz_wasi_fd_allocate(uint32_t fd, uint64_t offset, uint64_t len);
uint32_t mewz_wasi_fd_close(uint32_t fd);
uint32_t mewz_wasi_fd_datasync(uint32_t fd);
uint32_t mewz_wasi_fd_fdstat_get(uint32_t fd, uint32_t stat_out);
uint32_t mewz_wasi_fd_fdstat_set_flags(uint32_t fd, uint32_t flags);
uint32_t mewz_wasi_fd_fdstat_set_rights(uint32_t fd, uint64_t rights_base,
                                        uint64_t rights_inheriting);
uint32_t mewz_wasi_fd_filestat_get(uint32_t fd, uint32_t stat_out);
uint32_t mewz_wasi_fd_filestat_set_size(uint32_t fd, uint64_t size);
uint32_t mewz_wasi_fd_filestat_set_times(uint32_t fd, uint64_t atim,
                                         uint64_t mtim, uint32_t fst_flags);
uint32_t mewz_wasi_fd_pread(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                            uint64_t offset, uint32_t nread_out);
uint32_t mewz_wasi_fd_prestat_get(uint32_t fd, uint32_t prestat_out);
uint32_t mewz_wasi_fd_prestat_dir_name(uint32_t fd, uint32_t path,
                                       uint32_t path_len);
uint32_t mewz_wasi_fd_pwrite(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                             uint64_t offset, uint32_t nwritten_out);
uint32_t mewz_wasi_fd_read(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                           uint32_t nread_out);
uint32_t mewz_wasi_fd_readdir(uint32_t fd, uint32_t buf, uint32_t buf_len,
                              uint64_t cookie, uint32_t size_out);
uint32_t mewz_wasi_fd_renumber(uint32_t fd, uint32_t to);
uint32_t mewz_wasi_fd_seek(uint32_t fd, uint64_t offset, uint32_t whence,
                           uint32_t newoffset_out);
uint32_t mewz_wasi_fd_sync(uint32_t fd);
uint32_t mewz_wasi_fd_tell(uint32_t fd, uint32_t offset_out);
uint32_t mewz_wasi_fd_write(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                            uint32_t nwritten_out);

/* paths (each path is a pointer and a length, not NUL-terminated) */
uint32_t mewz_wasi_path_create_directory(uint32_t fd, uint32_t path,
                                         uint32_t path_len);
uint32_t mewz_wasi_path_filestat_get(uint32_t fd, uint32_t flags,
                                     uint32_t path, uint32_t path_len,
                                     uint32_t stat_out);
uint32_t mewz_wasi_path_filestat_set_times(uint32_t fd, uint32_t flags,
                                           uint32_t path, uint32_t path_len,
                                           uint64_t atim, uint64_t mtim,
                                           uint32_t fst_flags);
uint32_t mewz_wasi_path_link(uint32_t old_fd, uint32_t old_flags,
                             uint32_t old_path, uint32_t old_path_len,
                             uint32_t new_fd, uint32_t new_path,
                             uint32_t new_path_len);
uint32_t mewz_wasi_path_open(uint32_t fd, uint32_t dirflags, uint32_t path,
                             uint32_t path_len, uint32_t oflags,
                             uint64_t rights_base, uint64_t rights_inheriting,
                             uint32_t fdflags, uint32_t fd_out);
uint32_t mewz_wasi_path_readlink(uint32_t fd, uint32_t path, uint32_t path_len,
                                 uint32_t buf, uint32_t buf_len,
                                 uint32_t size_out);
uint32_t mewz_wasi_path_remove_directory(uint32_t fd, uint32_t path,
                                         uint32_t path_len);
uint32_t mewz_wasi_path_rename(uint32_t fd, uint32_t old_path,
                               uint32_t old_path_len, uint32_t new_fd,
                               uint32_t new_path, uint32_t new_path_len);
uint32_t mewz_wasi_path_symlink(uint32_t old_path, uint32_t old_path_len,
                                uint32_t fd, uint32_t new_path,
                                uint32_t new_path_len);
uint32_t mewz_wasi_path_unlink_file(uint32_t fd, uint32_t path,
                                    uint32_t path_len);

/* sockets: preview1's four */
uint32_t mewz_wasi_sock_accept(uint32_t fd, uint32_t flags, uint32_t fd_out);
uint32_t mewz_wasi_sock_recv(uint32_t fd, uint32_t ri_data,
                             uint32_t ri_data_len, uint32_t ri_flags,
                             uint32_t nread_out, uint32_t roflags_out);
uint32_t mewz_wasi_sock_send(uint32_t fd, uint32_t si_data,
                             uint32_t si_data_len, uint32_t si_flags,
                             uint32_t nwritten_out);
uint32_t mewz_wasi_sock_shutdown(uint32_t fd, uint32_t how);

/* sockets: WasmEdge's extension (v2 signatures; v1's where they differ end
 * in _v1). Families 1 (IPv4) and 2 (IPv6), types 1 (datagram) and 2
 * (stream), options of level 0 (SOL_SOCKET, WasmEdge's numbering 0-13), 6
 * (IPPROTO_TCP: 1 TCP_NODELAY) and 41 (IPPROTO_IPV6: 26 IPV6_V6ONLY). */
#define MEWZ_WASMEDGE_SOL_SOCKET 0
#define MEWZ_WASMEDGE_IPPROTO_TCP 6
#define MEWZ_WASMEDGE_IPPROTO_IPV6 41
uint32_t mewz_wasi_sock_open(uint32_t family, uint32_t type, uint32_t fd_out);
uint32_t mewz_wasi_sock_bind(uint32_t fd, uint32_t addr, uint32_t port);
uint32_t mewz_wasi_sock_connect(uint32_t fd, uint32_t addr, uint32_t port);
uint32_t mewz_wasi_sock_listen(uint32_t fd, uint32_t backlog);
uint32_t mewz_wasi_sock_accept_v1(uint32_t fd, uint32_t fd_out);
uint32_t mewz_wasi_sock_recv_from(uint32_t fd, uint32_t ri_data,
                                  uint32_t ri_data_len, uint32_t addr,
                                  uint32_t ri_flags, uint32_t port_out,
                                  uint32_t nread_out, uint32_t roflags_out);
uint32_t mewz_wasi_sock_recv_from_v1(uint32_t fd, uint32_t ri_data,
                                     uint32_t ri_data_len, uint32_t addr,
                                     uint32_t ri_flags, uint32_t nread_out,
                                     uint32_t roflags_out);
uint32_t mewz_wasi_sock_send_to(uint32_t fd, uint32_t si_data,
                                uint32_t si_data_len, uint32_t addr,
                                uint32_t port, uint32_t si_flags,
                                uint32_t nwritten_out);
uint32_t mewz_wasi_sock_getsockopt(uint32_t fd, uint32_t level, uint32_t name,
                                   uint32_t value, uint32_t value_len_ptr);
uint32_t mewz_wasi_sock_setsockopt(uint32_t fd, uint32_t level, uint32_t name,
                                   uint32_t value, uint32_t value_len);
uint32_t mewz_wasi_sock_getlocaladdr(uint32_t fd, uint32_t addr,
                                     uint32_t port_out);
uint32_t mewz_wasi_sock_getpeeraddr(uint32_t fd, uint32_t addr,
                                    uint32_t port_out);
uint32_t mewz_wasi_sock_getlocaladdr_v1(uint32_t fd, uint32_t addr,
                                        uint32_t addr_type_out,
                                        uint32_t port_out);
uint32_t mewz_wasi_sock_getpeeraddr_v1(uint32_t fd, uint32_t addr,
                                       uint32_t addr_type_out,
                                       uint32_t port_out);
/* Numeric hosts, "localhost" and no host only: no DNS. */
uint32_t mewz_wasi_sock_getaddrinfo(uint32_t node, uint32_t node_len,
                                    uint32_t service, uint32_t service_len,
                                    uint32_t hints, uint32_t res,
                                    uint32_t max_res_len,
                                    uint32_t res_len_out);

#endif /* MEWZ_WASI_H */
