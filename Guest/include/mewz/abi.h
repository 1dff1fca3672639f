/*
 * mewz hypercall ABI and guest memory layout.
 *
 * The ONE definition shared by the monitor (Swift, imported through the
 * CMewzABI module map) and the guest unikernel. Only <stdint.h> and
 * <stddef.h> may be included. Bump MEWZ_ABI_VERSION on any change.
 *
 * Guest virtual addresses equal guest physical addresses (identity mapping
 * built by the monitor before the first instruction), so every address in
 * this file is both.
 */
#ifndef MEWZ_ABI_H
#define MEWZ_ABI_H

#include <stddef.h>
#include <stdint.h>

#define MEWZ_ABI_VERSION 8

/* ---- Guest physical / virtual layout ---------------------------------- */

#define MEWZ_PAGE_SIZE 0x1000ULL
#define MEWZ_LARGE_PAGE_SIZE 0x200000ULL

/* Page 0 is never mapped (null dereferences fault). */
/* Boot GDT written by the monitor: null, code64 (sel 0x08), data (sel 0x10),
 * then a 64-bit TSS descriptor (sel 0x18, two slots) for the zeroed TSS at
 * MEWZ_TSS_ADDR, which TR holds at entry, as IDTR holds MEWZ_IDT_ADDR
 * (MEWZ_IDT_GATES zeroed gates). The guest fills the gates and the TSS's IST
 * pointers in place and loads no tables (each load is an emulated instruction
 * under kvm-pvm). A monitor that writes only the first three entries (the TSS
 * slot stays 0) leaves TR and IDTR to the guest, which then loads its own. */
#define MEWZ_GDT_ADDR 0x1000ULL
#define MEWZ_TSS_ADDR 0x1080ULL
#define MEWZ_IDT_ADDR 0x1100ULL
#define MEWZ_IDT_GATES 32
/* struct mewz_boot_info, one page. */
#define MEWZ_BOOT_INFO_ADDR 0x2000ULL
/* struct mewz_ring, the hypercall ring's slot, one page (0x3000 is
 * kvm-pvm's interrupt-flag page when the monitor registers it). */
#define MEWZ_RING_ADDR 0x4000ULL
/* struct mewz_outbox, the sends the guest holds until its next call to the
 * host, one page. */
#define MEWZ_OUTBOX_ADDR 0x5000ULL
/* Page tables built by the monitor live in [MEWZ_PAGE_TABLE_ADDR,
 * MEWZ_PAGE_TABLE_END); PML4 first. */
#define MEWZ_PAGE_TABLE_ADDR 0x10000ULL
#define MEWZ_PAGE_TABLE_END 0x100000ULL
/* The unikernel ELF (guest library + compiled module) is linked here. */
#define MEWZ_IMAGE_ADDR 0x100000ULL

/*
 * Wasm linear memory: its own KVM memory slot at guest-physical
 * MEWZ_LM_BASE, identity mapped. A Wasm address is u32 index + u32 offset,
 * so every access lands in [MEWZ_LM_BASE, MEWZ_LM_BASE + MEWZ_LM_WINDOW);
 * nothing else is ever mapped in that window, and pages past the current
 * memory size are not present, so an out-of-bounds access is a #PF there.
 * Guest RAM (slot 0, at GPA 0) must end below MEWZ_LM_BASE.
 */
#define MEWZ_LM_BASE 0x100000000ULL
#define MEWZ_LM_WINDOW (0x200000000ULL + 0x10000ULL)
#define MEWZ_WASM_PAGE_SIZE 0x10000ULL
#define MEWZ_WASM_MAX_PAGES 65536U

/*
 * The image's read-only filesystem (mewz/rofs.h), mapped read-only and NX
 * at guest-physical MEWZ_ROFS_BASE from the image file (its own KVM slot,
 * KVM_MEM_READONLY), identity mapped; boot_info rofs_size bytes of it.
 */
#define MEWZ_ROFS_BASE 0x400000000ULL
#define MEWZ_ROFS_MAX_SIZE 0x1000000000ULL /* 64 GiB */

/* ---- Boot info (monitor -> guest, at MEWZ_BOOT_INFO_ADDR; RDI holds it) */

#define MEWZ_BOOT_MAGIC 0x7a77656dU /* "mewz" */
#define MEWZ_LISTENERS_MAX 8

struct mewz_boot_info {
    uint32_t magic;       /* MEWZ_BOOT_MAGIC */
    uint32_t abi_version; /* MEWZ_ABI_VERSION */

    /* Guest RAM is [0, ram_size) in slot 0. */
    uint64_t ram_size;
    /* Pages the guest may allocate (page tables for linear memory):
     * [free_start, free_end), page aligned, identity mapped RW. */
    uint64_t free_start;
    uint64_t free_end;
    /* The stack: [stack_bottom, stack_top), RW NX; the page just below
     * stack_bottom is the guard page and is not present. RSP starts at
     * stack_top. */
    uint64_t stack_bottom;
    uint64_t stack_top;

    /* Linear memory is backed lazily, in KVM slots the monitor adds one
     * after another from MEWZ_LM_BASE. [MEWZ_LM_BASE, + lm_backed_size) is
     * backed at boot (a multiple of MEWZ_LARGE_PAGE_SIZE, covering the
     * module's initial memory); MEWZ_HC_MEMORY backs more, up to
     * lm_limit_size (the most the monitor will ever back, a multiple of
     * MEWZ_LARGE_PAGE_SIZE). memory.grow beyond lm_limit_size returns -1.
     * Nothing in the window is mapped in the page tables at boot: the guest
     * maps pages as the memory grows. */
    uint64_t lm_backed_size;
    uint64_t lm_limit_size;

    /* Arguments: argc NUL-terminated strings back to back at argv_addr,
     * argv_size bytes in all (NULs included). */
    uint64_t argv_addr;
    uint64_t argv_size;
    uint32_t argc;
    /* Environment: envc "KEY=VALUE" NUL-terminated strings back to back. */
    uint32_t envc;
    uint64_t env_addr;
    uint64_t env_size;

    /* Clocks, written by the monitor just before the first KVM_RUN (after
     * `start`, not at `create`). The guest reads the TSC at entry and
     * counts from these. */
    uint64_t tsc_khz;
    uint64_t boot_realtime_ns;  /* CLOCK_REALTIME */
    uint64_t boot_monotonic_ns; /* CLOCK_MONOTONIC */

    /* Host CPU features the guest may use (MEWZ_CPU_* bits). */
    uint64_t cpu_features;

    /* The ROFS at MEWZ_ROFS_BASE: rofs_size bytes (a whole number of
     * pages), or 0 when the image has none (the guest then preopens
     * nothing, as `wasmtime run` without --dir). */
    uint64_t rofs_size;
    /* process.cwd: an absolute path, NUL-terminated, at cwd_addr (cwd_size
     * bytes, the NUL included), in the same area as args and env. */
    uint64_t cwd_addr;
    uint64_t cwd_size;
    /* Volumes (config.json mounts the guest sees): how many; the guest asks
     * for each with MEWZ_FS_MOUNT_INFO. */
    uint32_t volume_count;
    uint32_t _pad_volumes;

    /* Listening sockets the monitor opened before the guest ran (the
     * container's MEWZ_TCPLISTEN, as wasmtime's --tcplisten): their socket
     * handles, in order. The guest gives them the descriptors after the
     * preopened directories. */
    uint32_t listener_count; /* at most MEWZ_LISTENERS_MAX */
    uint32_t listener_handles[MEWZ_LISTENERS_MAX];
};

#define MEWZ_CPU_RDRAND (1ULL << 0)
#define MEWZ_CPU_RDSEED (1ULL << 1)

/* ---- Hypercalls ------------------------------------------------------- */

/*
 * A hypercall is one 32-bit `out` to port MEWZ_HC_PORT_BASE + number; the
 * value is the guest-physical address of the call's argument struct (which
 * must lie below 4 GiB, in guest RAM, naturally aligned). The monitor
 * checks every (address, length) against guest memory before touching it
 * and answers in the struct's OUT fields with a WASI errno.
 */
#define MEWZ_HC_PORT_BASE 0x500

enum mewz_hypercall {
    MEWZ_HC_WRITE = 1,  /* struct mewz_hc_write */
    MEWZ_HC_EXIT = 2,   /* struct mewz_hc_exit; does not return */
    MEWZ_HC_RANDOM = 3, /* struct mewz_hc_random */
    MEWZ_HC_READ = 4,   /* struct mewz_hc_read */
    MEWZ_HC_MEMORY = 5, /* struct mewz_hc_memory */
    MEWZ_HC_POLL = 6,   /* struct mewz_hc_poll */
    MEWZ_HC_SOCKET = 7, /* struct mewz_hc_socket */
    MEWZ_HC_ACCEPT = 8, /* struct mewz_hc_accept */
    MEWZ_HC_RECV = 9,   /* struct mewz_hc_recv */
    MEWZ_HC_SEND = 10,  /* struct mewz_hc_send */
    MEWZ_HC_POLL_RECV = 11, /* struct mewz_hc_poll_recv */
    MEWZ_HC_RING_WAIT = 12, /* none: waits for the call posted in the ring */
    MEWZ_HC_FLUSH = 13, /* none: only sends the outbox (as every call does) */
    MEWZ_HC_COUNT
};

/*
 * The hypercall ring: a call made without a VM exit. When the monitor runs
 * a ring server (a host thread polling the slot at MEWZ_RING_ADDR), it sets
 * `listening`. The guest then writes number and argument (what it would
 * `out`), stores the call's sequence number in `seq` (the previous one plus
 * one) with a full barrier, checks `listening` again, and spins until
 * `answered` equals that number (the answer is in the argument struct, as
 * after an exit). Each cache line has one writer: the call's is the guest's,
 * the answer's the monitor's, so the slot costs one line transfer each way
 * a call and no state word goes back and forth. `taken` (a line of its own,
 * read only by a guest that has waited a while) is the call the server
 * runs.
 *
 * With `listening` 0 (no server, or it went to sleep after a quiet spell;
 * the next exit wakes it) the guest makes exits instead; one that finds it
 * 0 after posting, or that spun long enough, or sees `failed`, makes
 * MEWZ_HC_RING_WAIT: the vCPU waits in the host until the call is answered
 * (running it itself if the server has not taken it), or ends the VM when
 * the server found the call bad. The server takes only calls that need not
 * wait: WRITE, RANDOM, SOCKET, ACCEPT, RECV, SEND, POLL, POLL_RECV, FS and
 * FLUSH (anything else ends the VM); the guest posts socket calls only in
 * non-blocking mode and polls only with timeout 0. The monitor trusts
 * nothing here: it reads seq, number and argument once per call, and keeps
 * its own copy of everything it writes.
 */
struct mewz_ring {
    /* The guest's line. */
    uint32_t seq;      /* the last call posted (0: none yet) */
    uint32_t number;   /* enum mewz_hypercall */
    uint64_t argument; /* the argument struct's address, as for `out` */
    uint8_t _guest_line[48];
    /* The monitor's line. */
    uint32_t answered;  /* the last call answered */
    uint32_t failed;    /* nonzero: the call `answered` ended the VM */
    uint32_t listening; /* nonzero while a server polls `seq` */
    uint32_t _pad;
    uint8_t _monitor_line[48];
    /* The monitor's, read by the guest only after a long wait. */
    uint32_t taken; /* the call the server runs or ran last */
    uint8_t _taken_line[60];
};

/* Converts a guest pointer to the plain integer the structs carry. */
#define MEWZ_HC_ADDR(p) ((uint64_t)(uintptr_t)(p))

/* Host-side I/O vector; addr is a guest address (guest RAM or linear
 * memory). */
struct mewz_hc_iovec {
    uint64_t addr;
    uint64_t len;
};

#define MEWZ_HC_IOV_MAX 1024

/* Gathering write to a host descriptor the container owns. fd is the
 * handle (1: stdout, 2: stderr), whatever WASI fd the module renumbered it
 * to. */
struct mewz_hc_write {
    uint32_t fd;       /* IN */
    uint32_t iovcnt;   /* IN: at most MEWZ_HC_IOV_MAX */
    uint64_t iov_addr; /* IN: struct mewz_hc_iovec[iovcnt] */
    uint64_t written;  /* OUT: bytes written */
    uint32_t error;    /* OUT: WASI errno, 0 on success */
    uint32_t _pad;
};

/* Scattering read from a host descriptor; fd is the handle, 0 (stdin). */
struct mewz_hc_read {
    uint32_t fd;       /* IN */
    uint32_t iovcnt;   /* IN: at most MEWZ_HC_IOV_MAX */
    uint64_t iov_addr; /* IN: struct mewz_hc_iovec[iovcnt] */
    uint64_t nread;    /* OUT: bytes read, 0 at end of file */
    uint32_t error;    /* OUT: WASI errno, 0 on success */
    uint32_t _pad;
};

/* Ends the VM. With trap != MEWZ_TRAP_NONE the monitor prints
 * "wasm trap: <reason>" on stderr and exits 134; otherwise it exits with
 * status & 0xff. */
struct mewz_hc_exit {
    uint32_t status; /* IN: proc_exit code */
    uint32_t trap;   /* IN: enum mewz_trap */
    uint64_t detail; /* IN: for MEWZ_TRAP_GUEST_FAULT: vector << 32 | error
                        code; else 0 */
    uint64_t rip;    /* IN: for MEWZ_TRAP_GUEST_FAULT: faulting rip */
    uint64_t addr;   /* IN: for MEWZ_TRAP_GUEST_FAULT: CR2 */
};

/* Host entropy (getrandom) into guest memory; used when the CPU has no
 * RDRAND/RDSEED. */
struct mewz_hc_random {
    uint64_t addr;  /* IN */
    uint64_t len;   /* IN: at most 65536 per call */
    uint32_t error; /* OUT: WASI errno */
    uint32_t _pad;
};

/* Backs at least the first `wanted` bytes of the linear-memory window
 * (from MEWZ_LM_BASE) with zero-filled memory. The monitor may back more
 * (it grows geometrically); `backed` is the backed size afterwards, on
 * success or not. Errors: EINVAL (wanted beyond lm_limit_size), ENOMEM (no
 * KVM memory slot left, or KVM refused the slot). */
struct mewz_hc_memory {
    uint64_t wanted; /* IN: bytes from MEWZ_LM_BASE */
    uint64_t backed; /* OUT: bytes backed from MEWZ_LM_BASE */
    uint32_t error;  /* OUT: WASI errno, 0 on success */
    uint32_t _pad;
};

/* Waits until at least one host handle is ready or the timeout passes
 * (ppoll in the monitor: a sleeping guest costs no host CPU). A handle is
 * what the monitor gave the guest for a host descriptor, never a host fd
 * number: 0, 1 and 2 are the container's stdin, stdout and stderr, sockets
 * are handles from MEWZ_SOCK_HANDLE_BASE. With
 * nfds 0 it only sleeps. The monitor fills every revents (MEWZ_POLL_* bits;
 * ERR/HUP/NVAL are reported whatever events asked) and `ready`, the number
 * of entries with revents != 0 (0: the timeout passed). A signal that ends
 * the container ends the VM, not just the wait (the call answers EINTR and
 * the guest never runs again). A handle listed twice is answered in each
 * entry. Errors: EFAULT (the array is outside guest memory), EINVAL (nfds >
 * MEWZ_HC_POLL_MAX). A timeout too long to represent as a host deadline
 * counts as none. */
#define MEWZ_POLL_IN 0x1
#define MEWZ_POLL_OUT 0x4
#define MEWZ_POLL_ERR 0x8
#define MEWZ_POLL_HUP 0x10
#define MEWZ_POLL_NVAL 0x20 /* not a handle the guest owns */
#define MEWZ_HC_POLL_MAX 1024
#define MEWZ_HC_TIMEOUT_NONE UINT64_MAX

struct mewz_hc_poll_fd {
    uint32_t handle;  /* IN */
    uint16_t events;  /* IN: MEWZ_POLL_IN | MEWZ_POLL_OUT; other bits ignored */
    uint16_t revents; /* OUT */
    /* OUT: with MEWZ_POLL_IN in revents, the bytes the host says are ready
     * to read (FIONREAD: a pipe's contents, a file's rest), 0 when it cannot
     * tell (a tty, /dev/null, a closed pipe); else 0. WASI's event nbytes. */
    uint64_t nbytes;
};

struct mewz_hc_poll {
    uint64_t fds_addr;   /* IN: struct mewz_hc_poll_fd[nfds] */
    uint32_t nfds;       /* IN: at most MEWZ_HC_POLL_MAX */
    uint32_t ready;      /* OUT */
    uint64_t timeout_ns; /* IN: relative; MEWZ_HC_TIMEOUT_NONE: none */
    uint32_t error;      /* OUT: WASI errno, 0 on success */
    uint32_t _pad;
};

/* ---- Volumes (writable mounts) --------------------------------------- */

/*
 * Numbered from 32 so other hypercall families can grow from MEWZ_HC_POLL
 * without renumbering. One call, MEWZ_HC_FS, carries every filesystem
 * operation on host directories the monitor serves (bind mounts): the
 * monitor resolves every path beneath the mount's host root (openat2
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) and answers a WASI errno.
 * Handles are the monitor's, not WASI fds; a mount's root is handle
 * `index` (0 ..< volume_count) from MEWZ_FS_MOUNT_INFO on. Paths and
 * buffers are guest addresses (linear memory included); paths are not
 * NUL-terminated. tmpfs mounts live in the guest and never reach here.
 */
enum mewz_hypercall_fs {
    MEWZ_HC_FS = 32, /* struct mewz_hc_fs */
    MEWZ_HC_FS_LAST = MEWZ_HC_FS
};

enum mewz_fs_op {
    /* handle: mount index; buf: the destination path (result: its length,
     * EOVERFLOW when buf_len is short); flags: MEWZ_VOLUME_*; arg0: tmpfs
     * size in bytes. */
    MEWZ_FS_MOUNT_INFO = 1,
    /* handle: dir; path; flags: WASI oflags; arg0: WASI lookupflags; arg1:
     * WASI fdflags; arg2: 1 read, 2 write, 3 both. result: new handle;
     * handle2 (OUT): WASI filetype. */
    MEWZ_FS_OPEN = 2,
    MEWZ_FS_CLOSE = 3,
    /* buf: struct mewz_hc_iovec[buf_len]; result: bytes. P* at arg0. */
    MEWZ_FS_READ = 4,
    MEWZ_FS_WRITE = 5,
    MEWZ_FS_PREAD = 6,
    MEWZ_FS_PWRITE = 7,
    /* arg0: offset (two's complement), flags: WASI whence; result: new
     * offset. */
    MEWZ_FS_SEEK = 8,
    /* buf: a WASI filestat (64 bytes) written by the monitor. */
    MEWZ_FS_FILESTAT = 9,
    /* handle: dir; path; arg0: lookupflags; buf: filestat. */
    MEWZ_FS_PATH_FILESTAT = 10,
    MEWZ_FS_SET_SIZE = 11,      /* arg0: size */
    MEWZ_FS_ALLOCATE = 12,      /* arg0: offset, arg1: len */
    MEWZ_FS_SET_TIMES = 13,     /* arg0: atim, arg1: mtim, flags: fstflags */
    MEWZ_FS_PATH_SET_TIMES = 14, /* + path, arg2: lookupflags */
    MEWZ_FS_SYNC = 15,
    MEWZ_FS_DATASYNC = 16,
    MEWZ_FS_MKDIR = 17,         /* handle: dir; path */
    MEWZ_FS_RMDIR = 18,
    MEWZ_FS_UNLINK = 19,
    /* handle/path: old, handle2/path2: new. LINK: arg0 old lookupflags. */
    MEWZ_FS_RENAME = 20,
    MEWZ_FS_LINK = 21,
    /* path: target text, handle/path2: the link. */
    MEWZ_FS_SYMLINK = 22,
    /* handle: dir; path; buf/buf_len: target bytes; result: length. */
    MEWZ_FS_READLINK = 23,
    /* arg0: cookie; buf/buf_len: WASI dirents; result: bytes used. */
    MEWZ_FS_READDIR = 24,
    /* flags: WASI fdflags (APPEND, NONBLOCK). */
    MEWZ_FS_SET_FLAGS = 25,
    /* advice in flags, arg0 offset, arg1 len. */
    MEWZ_FS_ADVISE = 26,
};

#define MEWZ_VOLUME_READONLY 0x1
#define MEWZ_VOLUME_TMPFS 0x2
/* At most this many volumes (config.json mounts that reach the guest). */
#define MEWZ_VOLUME_MAX 64
/* At most this many open monitor handles at once (EMFILE past it). */
#define MEWZ_FS_HANDLE_MAX 1024

struct mewz_hc_fs {
    uint32_t op;      /* IN: enum mewz_fs_op */
    uint32_t handle;  /* IN */
    uint32_t handle2; /* IN (OUT for OPEN) */
    uint32_t flags;   /* IN */
    uint64_t path_addr, path_len;   /* IN */
    uint64_t path2_addr, path2_len; /* IN */
    uint64_t buf_addr, buf_len;     /* IN */
    uint64_t arg0, arg1, arg2;      /* IN */
    uint64_t result; /* OUT */
    uint32_t error;  /* OUT: WASI errno, 0 on success */
    /* IN: a handle + 1 to close (0: none; a handle that is not open is
     * passed over). The monitor frees the handle before the operation (the
     * call may reuse it) and closes its host descriptor after the answer.
     * The guest's fd_close of a host file rides on its next call this way
     * instead of costing a round trip: its answer is 0 whatever the host's
     * close says, as Linux frees the descriptor either way (wasmtime's
     * fd_close ignores it as well). */
    uint32_t closing;
};

/* ---- Sockets ---------------------------------------------------------- */

/*
 * Host sockets the monitor opens for the guest, in the container's network
 * namespace (the OCI layer joins it before the monitor starts). A socket is
 * a handle from MEWZ_SOCK_HANDLE_BASE on; MEWZ_HC_POLL takes socket handles
 * as it takes stdio's. Host sockets are always non-blocking: a call without
 * MEWZ_SOCK_NONBLOCK waits in the monitor (ppoll on that one socket, cut
 * short by a termination signal and by the socket's receive/send timeout,
 * then EAGAIN). At most MEWZ_SOCK_MAX sockets are open at once per VM
 * (EMFILE beyond). Errors are WASI errnos (ECONNREFUSED, ECONNRESET,
 * EADDRINUSE, ... as the host answered).
 */
#define MEWZ_SOCK_HANDLE_BASE 16U
#define MEWZ_SOCK_MAX 512U

#define MEWZ_SOCK_AF_INET 1  /* as WasmEdge's address_family */
#define MEWZ_SOCK_AF_INET6 2
#define MEWZ_SOCK_DGRAM 1 /* as WasmEdge's sock_type */
#define MEWZ_SOCK_STREAM 2

/* Per-call flags of accept, recv and send. */
#define MEWZ_SOCK_NONBLOCK 0x1 /* EAGAIN instead of waiting */
#define MEWZ_RECV_PEEK 0x2
#define MEWZ_RECV_WAITALL 0x4 /* with PEEK: what one peek sees, not waited for */
#define MEWZ_RECV_TRUNCATED 0x1 /* roflags: a datagram was cut */

/* An IPv4 or IPv6 endpoint; family 0: none. */
struct mewz_hc_sockaddr {
    uint16_t family;   /* MEWZ_SOCK_AF_* */
    uint16_t port;     /* host byte order */
    uint32_t scope_id; /* IPv6 */
    uint8_t addr[16];  /* network byte order; IPv4 in the first 4 bytes */
};

enum mewz_sock_op {
    MEWZ_SOCK_OPEN = 1,     /* arg0 family, arg1 type; OUT handle */
    MEWZ_SOCK_BIND = 2,     /* addr */
    MEWZ_SOCK_LISTEN = 3,   /* arg0 backlog */
    MEWZ_SOCK_CONNECT = 4,  /* addr; arg0 MEWZ_SOCK_NONBLOCK: EINPROGRESS */
    MEWZ_SOCK_SHUTDOWN = 5, /* arg0: 1 read, 2 write, 3 both */
    MEWZ_SOCK_CLOSE = 6,
    MEWZ_SOCK_GETOPT = 7, /* arg0 option (MEWZ_SOCKOPT_*); OUT value */
    MEWZ_SOCK_SETOPT = 8, /* arg0 option, value */
    MEWZ_SOCK_LOCAL_ADDR = 9, /* OUT addr */
    MEWZ_SOCK_PEER_ADDR = 10, /* OUT addr */
};

/* Socket options. Integers and booleans travel as the value; timeouts in
 * nanoseconds (0: none); SO_LINGER as onoff << 32 | seconds. */
enum mewz_sockopt {
    MEWZ_SOCKOPT_REUSEADDR = 1,
    MEWZ_SOCKOPT_TYPE = 2, /* get only: MEWZ_SOCK_DGRAM or MEWZ_SOCK_STREAM */
    MEWZ_SOCKOPT_ERROR = 3, /* get only: the pending error as a WASI errno */
    MEWZ_SOCKOPT_DONTROUTE = 4,
    MEWZ_SOCKOPT_BROADCAST = 5,
    MEWZ_SOCKOPT_SNDBUF = 6,
    MEWZ_SOCKOPT_RCVBUF = 7,
    MEWZ_SOCKOPT_KEEPALIVE = 8,
    MEWZ_SOCKOPT_OOBINLINE = 9,
    MEWZ_SOCKOPT_LINGER = 10,
    MEWZ_SOCKOPT_RCVLOWAT = 11,
    MEWZ_SOCKOPT_RCVTIMEO = 12,
    MEWZ_SOCKOPT_SNDTIMEO = 13,
    MEWZ_SOCKOPT_ACCEPTCONN = 14, /* get only */
    MEWZ_SOCKOPT_TCP_NODELAY = 15,
    MEWZ_SOCKOPT_IPV6_V6ONLY = 16,
};

/* Everything on a socket but data and accept: one op per call. */
struct mewz_hc_socket {
    uint32_t op;     /* IN: enum mewz_sock_op */
    uint32_t handle; /* IN; OUT for MEWZ_SOCK_OPEN */
    uint32_t arg0;   /* IN */
    uint32_t arg1;   /* IN */
    uint64_t value;  /* IN (SETOPT) / OUT (GETOPT) */
    struct mewz_hc_sockaddr addr; /* IN (BIND, CONNECT) / OUT (addresses) */
    uint32_t error;  /* OUT: WASI errno, 0 on success */
    uint32_t _pad;
};

struct mewz_hc_accept {
    uint32_t handle;   /* IN: a listening socket */
    uint32_t flags;    /* IN: MEWZ_SOCK_NONBLOCK */
    uint32_t accepted; /* OUT: the new socket's handle */
    uint32_t error;    /* OUT */
    struct mewz_hc_sockaddr peer; /* OUT */
    uint64_t _pad;     /* 8-byte alignment, as every argument struct */
};

/* Scattering receive; `from` is the sender (datagram sockets). */
struct mewz_hc_recv {
    uint32_t handle;   /* IN */
    uint32_t iovcnt;   /* IN: at most MEWZ_HC_IOV_MAX */
    uint64_t iov_addr; /* IN: struct mewz_hc_iovec[iovcnt] */
    uint32_t flags;    /* IN: MEWZ_SOCK_NONBLOCK | MEWZ_RECV_* */
    uint32_t roflags;  /* OUT: MEWZ_RECV_TRUNCATED */
    uint64_t nread;    /* OUT: 0 at end of stream */
    struct mewz_hc_sockaddr from; /* OUT */
    uint32_t error;    /* OUT */
    uint32_t _pad;
};

/* Gathering send; `to` with family 0 sends on the connection. */
struct mewz_hc_send {
    uint32_t handle;   /* IN */
    uint32_t iovcnt;   /* IN: at most MEWZ_HC_IOV_MAX */
    uint64_t iov_addr; /* IN: struct mewz_hc_iovec[iovcnt] */
    uint32_t flags;    /* IN: MEWZ_SOCK_NONBLOCK */
    uint32_t error;    /* OUT */
    uint64_t written;  /* OUT */
    struct mewz_hc_sockaddr to; /* IN */
};

/* MEWZ_HC_POLL, then, in the same exit, one receive into the stage of
 * each entry whose stream socket polled readable (revents has
 * MEWZ_POLL_IN) and whose stage has room (cap > 0): the request a server
 * reads next comes back with the wait instead of costing its own exit. A
 * stage answers like a receive: len bytes, or eof, or error; nothing (all
 * 0) when the socket had nothing after all. An entry with a stage gets
 * len as its nbytes (0 when nothing came), not the host's count. A listening
 * socket's stage is left empty (readable means a connection). stages_addr
 * holds poll.nfds stages; a stage outside guest memory is answered
 * EFAULT. */
struct mewz_hc_stage {
    uint64_t buf;   /* IN: guest address */
    uint32_t cap;   /* IN: bytes; 0: no receive for this entry */
    uint32_t len;   /* OUT: bytes received */
    uint32_t error; /* OUT: the receive's WASI errno */
    uint32_t eof;   /* OUT: 1 at end of stream */
};

struct mewz_hc_poll_recv {
    uint64_t poll_addr;   /* IN: struct mewz_hc_poll */
    uint64_t stages_addr; /* IN: struct mewz_hc_stage[poll nfds] */
};

/*
 * The outbox, at MEWZ_OUTBOX_ADDR: sends on non-blocking stream sockets
 * that the guest answered at once and holds until its next call to the
 * host, so a server's responses ride on its next poll instead of costing
 * an exit each. Before it handles any hypercall (an exit or a ring call,
 * MEWZ_HC_FLUSH included), the monitor sends records [0, count) in order
 * (while any socket is open) and sets count to 0. A record the host
 * socket cannot take whole is kept by the monitor (held: the bytes it
 * keeps, at most MEWZ_OUTBOX_HELD_MAX per socket) and sent as the socket
 * drains, before anything sent later; while it keeps bytes for a socket, a
 * send on it (MEWZ_HC_SEND) is EAGAIN, a poll reports it writable only
 * once they are gone, and closing it sends them first (the handle stays
 * taken until they are). A host error drops the record (error: its WASI
 * errno); the guest reports it on the socket's next send. Records on a
 * handle that is not an open stream socket are answered EBADF, bytes
 * outside guest memory EFAULT, a record longer than MEWZ_OUTBOX_HELD_MAX
 * ENOBUFS.
 */
#define MEWZ_OUTBOX_RECORDS 128
#define MEWZ_OUTBOX_HELD_MAX (64U << 10)

struct mewz_outbox_record {
    uint64_t addr;   /* IN: guest address of the bytes */
    uint32_t handle; /* IN: a stream socket */
    uint32_t len;    /* IN */
    uint32_t error;  /* OUT: WASI errno; 0 when sent or held */
    uint32_t held;   /* OUT: bytes the monitor keeps to send later */
};

struct mewz_outbox {
    uint32_t count; /* IN: records to send; the monitor sets it to 0 */
    uint32_t _pad;
    struct mewz_outbox_record records[MEWZ_OUTBOX_RECORDS];
};

/* ---- Traps ------------------------------------------------------------ */

/* Every trap prints "wasm trap: <text>" (texts from the spec suite) and
 * exits 134 (128 + SIGABRT). */
enum mewz_trap {
    MEWZ_TRAP_NONE = 0,
    MEWZ_TRAP_UNREACHABLE = 1,           /* "unreachable" */
    MEWZ_TRAP_MEMORY_OOB = 2,            /* "out of bounds memory access" */
    MEWZ_TRAP_INT_DIV_ZERO = 3,          /* "integer divide by zero" */
    MEWZ_TRAP_INT_OVERFLOW = 4,          /* "integer overflow" */
    MEWZ_TRAP_INVALID_CONVERSION = 5,    /* "invalid conversion to integer" */
    MEWZ_TRAP_INDIRECT_TYPE_MISMATCH = 6, /* "indirect call type mismatch" */
    MEWZ_TRAP_UNDEFINED_ELEMENT = 7,     /* "undefined element" */
    MEWZ_TRAP_UNINITIALIZED_ELEMENT = 8, /* "uninitialized element" */
    MEWZ_TRAP_TABLE_OOB = 9,             /* "out of bounds table access" */
    MEWZ_TRAP_CALL_STACK_EXHAUSTED = 10, /* "call stack exhausted" */
    MEWZ_TRAP_GUEST_FAULT = 11, /* "guest fault" (unexpected CPU exception) */
    MEWZ_TRAP_COUNT
};

#define MEWZ_TRAP_EXIT_STATUS 134

#endif /* MEWZ_ABI_H */
