/*
 * WASI preview1 functions the guest implements, with the Wasm-level
 * signature the generated code calls them by: module
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

/* errno values (wasi_snapshot_preview1 witx) used by the guest. */
#define MEWZ_WASI_ESUCCESS 0
#define MEWZ_WASI_E2BIG 1
#define MEWZ_WASI_EACCES 2
#define MEWZ_WASI_EAGAIN 6
#define MEWZ_WASI_EBADF 8
#define MEWZ_WASI_EFAULT 21
#define MEWZ_WASI_EINTR 27
#define MEWZ_WASI_EINVAL 28
#define MEWZ_WASI_EIO 29
#define MEWZ_WASI_EISDIR 31
#define MEWZ_WASI_ENOSYS 52
#define MEWZ_WASI_ENOTCAPABLE 76
#define MEWZ_WASI_ENOTSUP 58
#define MEWZ_WASI_EOVERFLOW 61
#define MEWZ_WASI_EPERM 63
#define MEWZ_WASI_EPIPE 64
#define MEWZ_WASI_ESPIPE 70

uint32_t mewz_wasi_args_get(uint32_t argv, uint32_t argv_buf);
uint32_t mewz_wasi_args_sizes_get(uint32_t argc_out, uint32_t argv_buf_size_out);
uint32_t mewz_wasi_environ_get(uint32_t environ, uint32_t environ_buf);
uint32_t mewz_wasi_environ_sizes_get(uint32_t count_out, uint32_t buf_size_out);
uint32_t mewz_wasi_fd_write(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                            uint32_t nwritten_out);
uint32_t mewz_wasi_fd_read(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                           uint32_t nread_out);
uint32_t mewz_wasi_fd_fdstat_get(uint32_t fd, uint32_t stat_out);
uint32_t mewz_wasi_fd_prestat_get(uint32_t fd, uint32_t prestat_out);
uint32_t mewz_wasi_fd_prestat_dir_name(uint32_t fd, uint32_t path,
                                       uint32_t path_len);
uint32_t mewz_wasi_fd_close(uint32_t fd);
uint32_t mewz_wasi_fd_seek(uint32_t fd, uint64_t offset, uint32_t whence,
                           uint32_t newoffset_out);
uint32_t mewz_wasi_clock_time_get(uint32_t clock_id, uint64_t precision,
                                  uint32_t time_out);
uint32_t mewz_wasi_clock_res_get(uint32_t clock_id, uint32_t res_out);
uint32_t mewz_wasi_random_get(uint32_t buf, uint32_t buf_len);
uint32_t mewz_wasi_poll_oneoff(uint32_t in, uint32_t out,
                               uint32_t nsubscriptions, uint32_t nevents_out);
uint32_t mewz_wasi_sched_yield(void);
_Noreturn void mewz_wasi_proc_exit(uint32_t code);

#endif /* MEWZ_WASI_H */
