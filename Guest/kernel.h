/*
 * kernel.h: the guest's internal interfaces, grouped by the file that
 * implements them (Solo5 bindings.h style). The contracts with the outside
 * are mewz/abi.h (monitor), mewz/wasm_rt.h (generated code) and
 * mewz/wasi.h (WASI imports); everything here is private to Guest/.
 */
#ifndef MEWZ_KERNEL_H
#define MEWZ_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mewz/abi.h"
#include "mewz/wasi.h"
#include "mewz/wasm_rt.h"

#define MEWZ_ALIGN_PAGE __attribute__((aligned(4096)))
/* Large zero-initialised arrays (one section each, so that --gc-sections
 * still drops the unused ones) go after every other .bss variable (link.ld):
 * the small ones the boot path touches then share two pages instead of
 * being spread over six between them. Under kvm-pvm's shadow paging the first
 * touch of each page is a fault of about 12 us. */
#define MEWZ_BULK(name) __attribute__((section(".bss.~bulk." #name)))

/* boot/main.c */
/* The boot info the monitor handed over (RDI at entry). */
extern const struct mewz_boot_info *mewz_boot;
_Noreturn void mewz_main(const struct mewz_boot_info *boot);

/* cpu/gdt.c: own GDT with a 64-bit TSS whose IST stacks take exceptions. */
#define MEWZ_SEL_CODE 0x08
#define MEWZ_SEL_DATA 0x10
#define MEWZ_SEL_TSS 0x18
#define MEWZ_IST_FAULT 1 /* #PF and #DF: the stack may be exhausted */
#define MEWZ_IST_OTHER 2 /* every other exception */
void mewz_gdt_init(void);

/* cpu/segments.S: lgdt, far return to reload CS, reload data segments, ltr */
struct mewz_descriptor_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));
void mewz_cpu_load_gdt(const struct mewz_descriptor_ptr *gdt, uint16_t tss);
/* Whether the monitor's boot GDT has the TSS descriptor, so TR and IDTR
 * already hold MEWZ_TSS_ADDR and MEWZ_IDT_ADDR (abi.h). A read of guest RAM:
 * no exit. */
static inline bool mewz_monitor_cpu_tables(void)
{
    return ((const volatile uint64_t *)(uintptr_t)MEWZ_GDT_ADDR)[MEWZ_SEL_TSS / 8] != 0;
}

/* cpu/idt.c: gates for vectors 0-31, each on an IST stack. */
#define MEWZ_EXCEPTION_VECTORS MEWZ_IDT_GATES
void mewz_idt_init(void);
/* Before the GDT and TSS: an IDT with only the #GP gate, on the current
 * stack, which is all mewz_cpu_wrmsr_probe needs. */
void mewz_idt_init_probe(void);

/* cpu/vectors.S: one stub per vector; they call mewz_exception. */
extern const uint64_t mewz_exception_stubs[MEWZ_EXCEPTION_VECTORS];

/* cpu/msr_probe.S: WRMSR that returns false instead of faulting on an MSR
 * the hypervisor does not implement (see the #GP stub in vectors.S). */
bool mewz_cpu_wrmsr_probe(uint32_t msr, uint64_t value);

/* cpu/pvm.c: under kvm-pvm, register the paravirtual interrupt-flag page so
 * the hypervisor runs the guest natively instead of emulating it, unless the
 * monitor has registered one and the guest already runs natively. Loads the
 * probe IDT (the #GP gate) first: the probe faults on other hypervisors. */
#define MEWZ_PVM_MSR_VIF 0x4b564d10U
/* True when the guest runs natively under kvm-pvm. */
extern bool mewz_pvm_native;
/* True when the monitor had registered the page and the guest started native. */
extern bool mewz_pvm_registered_by_host;
void mewz_pvm_init(void);

/* cpu/registers.c */
uint64_t mewz_read_cr2(void);
void mewz_invlpg(uint64_t virt);
uint64_t mewz_rdtsc(void);
/* RDRAND / RDSEED once: true and *out set when the CPU had entropy. */
bool mewz_rdrand64(uint64_t *out);
bool mewz_rdseed64(uint64_t *out);
_Noreturn void mewz_halt(void);

/* hc/ring.c: makes call `nr` on `args` through the hypercall ring; false
 * when no ring server is listening (the caller then makes an exit). */
bool mewz_ring_call(uint32_t nr, const void *args);

/* hc/hypercall.c: one `outl` per call with a static argument struct, or a
 * ring call (hc/ring.c) for those that cannot wait in the host. Each
 * returns the monitor's WASI errno. The iovec arrays must be in guest RAM
 * (static storage), the buffers they describe may be in linear memory. */
uint32_t mewz_hc_write(uint32_t fd, const struct mewz_hc_iovec *iov,
                       uint32_t iovcnt, uint64_t *written);
uint32_t mewz_hc_read(uint32_t fd, const struct mewz_hc_iovec *iov,
                      uint32_t iovcnt, uint64_t *nread);
uint32_t mewz_hc_random(uint64_t addr, uint64_t len);
/* Backs at least `wanted` bytes of the linear-memory window; *backed gets
 * the backed size. Returns a WASI errno. */
uint32_t mewz_hc_memory(uint64_t wanted, uint64_t *backed);
/* Waits until a handle in fds[0..nfds) is ready or timeout_ns passes
 * (MEWZ_HC_TIMEOUT_NONE: no timeout); the monitor fills every revents and
 * nbytes and *ready. fds must be in guest RAM. Returns a WASI errno. */
uint32_t mewz_hc_poll(struct mewz_hc_poll_fd *fds, uint32_t nfds,
                      uint64_t timeout_ns, uint32_t *ready);
_Noreturn void mewz_hc_exit(uint32_t status, uint32_t trap, uint64_t detail,
                            uint64_t rip, uint64_t addr);
/* Sockets (abi.h "Sockets"). mewz_hc_socket makes the call described by
 * *call (op, handle, args, value, addr) and copies the answer back. accept,
 * recv and send may wait in the host. */
uint32_t mewz_hc_socket(struct mewz_hc_socket *call);
uint32_t mewz_hc_accept(uint32_t handle, uint32_t flags, uint32_t *accepted,
                        struct mewz_hc_sockaddr *peer);
uint32_t mewz_hc_recv(uint32_t handle, const struct mewz_hc_iovec *iov,
                      uint32_t iovcnt, uint32_t flags, uint64_t *nread,
                      uint32_t *roflags, struct mewz_hc_sockaddr *from);
uint32_t mewz_hc_send(uint32_t handle, const struct mewz_hc_iovec *iov,
                      uint32_t iovcnt, uint32_t flags,
                      const struct mewz_hc_sockaddr *to, uint64_t *written);
/* MEWZ_HC_FLUSH: only the outbox's sends (every call sends them first). */
void mewz_hc_flush(void);

/* trap/classify.c: which trap an exception is (pure, host tested). */
struct mewz_exception_frame {
    uint64_t vector; /* pushed by the stub */
    uint64_t error;  /* pushed by the CPU, or 0 by the stub */
    uint64_t rip;    /* the rest is the CPU's interrupt frame */
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};
#define MEWZ_VECTOR_DF 8
#define MEWZ_VECTOR_GP 13
#define MEWZ_VECTOR_PF 14
/* How far below the stack bottom a faulting RSP still counts as a stack
 * overflow (a frame bigger than the guard page skips over it). */
#define MEWZ_STACK_OVERFLOW_SLACK 0x100000ULL
uint32_t mewz_classify_exception(uint64_t vector, uint64_t cr2, uint64_t rsp,
                                 uint64_t stack_bottom);

/* trap/exception.c: called by the stubs on an IST stack; never returns. */
_Noreturn void mewz_exception(const struct mewz_exception_frame *frame);

/* trap/fatal.c: "mewz: <message>" on stderr, then exit as a guest fault. */
_Noreturn void mewz_fatal(const char *message);

/* mm/pages.c: page pool over boot_info [free_start, free_end); a bump
 * pointer plus a free list. Addresses are physical; mewz_phys_ptr turns
 * one into a pointer (identity in the guest, an offset in host tests). */
extern uintptr_t mewz_phys_offset;
static inline void *mewz_phys_ptr(uint64_t phys)
{
    return (void *)(uintptr_t)(phys + mewz_phys_offset);
}
static inline uint64_t mewz_virt_to_phys(const void *pointer)
{
    return (uint64_t)(uintptr_t)pointer - mewz_phys_offset;
}
void mewz_pages_init(uint64_t start, uint64_t end);
uint64_t mewz_pages_available(void);
/* A zeroed page, or 0 when the pool is empty. */
uint64_t mewz_page_alloc(void);
void mewz_page_free(uint64_t phys);

/* mm/paging.c: identity mappings in the 4-level tables at cr3. Every entry
 * it writes is present, writable and user (MEWZ_PTE_US); leaves are NX. */
#define MEWZ_PTE_P (1ULL << 0)
#define MEWZ_PTE_RW (1ULL << 1)
/* Set in every entry: kvm-pvm runs the guest at hardware CPL3 and cannot
 * run it natively on supervisor-only mappings (see cpu/pvm.c). CPL0 on
 * VMX ignores it (the guest never sets CR4.SMEP/SMAP). */
#define MEWZ_PTE_US (1ULL << 2)
/* Accessed (in every entry the guest writes) and dirty (in every leaf), as
 * the CPU would set them on first use: under shadow paging (kvm-pvm) a clear
 * dirty bit costs a second fault on the first write to the page. */
#define MEWZ_PTE_A (1ULL << 5)
#define MEWZ_PTE_D (1ULL << 6)
#define MEWZ_PTE_PS (1ULL << 7)
#define MEWZ_PTE_NX (1ULL << 63)
#define MEWZ_PTE_ADDR 0x000ffffffffff000ULL
/* Maps [virt, virt + len) to the same physical addresses, RW NX: 2 MiB
 * pages for whole aligned 2 MiB chunks, 4 KiB pages elsewhere; a page
 * table that becomes full is folded into a 2 MiB page. virt and len must
 * be 4 KiB aligned. All or nothing: returns false, with the tables
 * unchanged, when the pool lacks the pages the tables need, the range is
 * not canonical, or it meets a 1 GiB mapping. */
bool mewz_map_identity(uint64_t cr3, uint64_t virt, uint64_t len);

/* mm/memory.c: linear memory (mewz_memory_init/grow of wasm_rt.h). */
/* The most pages the memory may have (module maximum, slot, 4 GiB). */
uint32_t mewz_memory_limit_pages(void);

/* rofs/image.c: the read-only filesystem image (mewz/rofs.h). Inodes are
 * ROFS indices (filestat ino is index + 1). Every accessor checks what it
 * reads from the image and answers EIO for anything out of bounds. */
struct mewz_rofs_node {
    uint32_t ino;
    uint16_t type; /* MEWZ_ROFS_TYPE_* (the WASI filetype) */
    uint16_t mode;
    uint32_t nlink;
    uint32_t parent; /* directories */
    uint64_t size;
    uint64_t offset;
    uint64_t atim, mtim, ctim;
};
struct mewz_rofs_entry {
    const char *name; /* name_len bytes, not NUL-terminated */
    uint32_t name_len;
    uint32_t ino;
};
/* Checks the superblock of the section at base (size 0: the image has
 * none); a bad one leaves the filesystem present but every access EIO. */
void mewz_rofs_mount(const void *base, uint64_t size);
bool mewz_rofs_present(void);
uint64_t mewz_rofs_device(void);
uint32_t mewz_rofs_node(uint32_t ino, struct mewz_rofs_node *out);
/* Entry `index` of a directory's sorted run. */
uint32_t mewz_rofs_entry(const struct mewz_rofs_node *dir, uint64_t index,
                         struct mewz_rofs_entry *out);
/* Binary search of dir for name: ENOENT, ENOTDIR, EIO. */
uint32_t mewz_rofs_lookup(const struct mewz_rofs_node *dir, const char *name,
                          uint32_t len, uint32_t *ino);
/* A file's bytes or a symlink's target (node from mewz_rofs_node). */
const uint8_t *mewz_rofs_bytes(const struct mewz_rofs_node *node);

/* rofs/walk.c: path resolution beneath a directory, the way Linux openat
 * resolves under RESOLVE_BENEATH for the program's own path (no absolute
 * paths, ".." never above `floor`: ENOTCAPABLE) and inside the rootfs for
 * symlink targets from the image (absolute targets start at the ROFS root,
 * ".." stops at it). ELOOP past MEWZ_SYMLINK_MAX links, ENAMETOOLONG for a
 * component longer than MEWZ_ROFS_NAME_MAX, ENOTDIR for a non-directory
 * before a "/", ENOENT for a missing name. */
#define MEWZ_SYMLINK_MAX 40
#define MEWZ_WALK_FOLLOW 1U  /* follow a symlink in the last component */
#define MEWZ_WALK_PARENT 2U  /* stop before the last component */
#define MEWZ_WALK_IN_ROOT 4U /* the path itself is rootfs-absolute text */
struct mewz_walk {
    /* The resolved inode; with MEWZ_WALK_PARENT, the directory holding
     * the last component. */
    uint32_t ino;
    /* MEWZ_WALK_PARENT only: the last component (may be "." or "..") and
     * whether slashes followed it. */
    const char *last;
    uint32_t last_len;
    bool trailing_slash;
};
uint32_t mewz_rofs_walk(uint32_t start, uint32_t floor, const char *path,
                        uint32_t len, unsigned flags, struct mewz_walk *out);

/* wasi/guest memory access: every pointer a module passes is a u32 offset
 * into linear memory and is checked against the current size. */
static inline bool mewz_guest_range_ok(uint32_t ptr, uint64_t len)
{
    /* u64: a u32 pointer plus a length below 2^36 cannot wrap. */
    return (uint64_t)ptr + len <=
           (uint64_t)mewz_memory_pages * MEWZ_WASM_PAGE_SIZE;
}
static inline uint8_t *mewz_guest_ptr(uint32_t ptr)
{
    return MEWZ_MEM + ptr;
}
/* lib/string.c: clang emits calls to the mem* functions itself. */
void *memcpy(void *restrict dest, const void *restrict src, size_t n);
void *memset(void *dest, int c, size_t n);
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
#if !__STDC_HOSTED__
/* -ffreestanding stops clang from treating these names as the library's, so
 * even a 4-byte memcpy was a call to `rep movsb` (a third of a busy web
 * server's guest time went there). Through the builtins a constant size is
 * a plain load or store again; other sizes still call lib/string.c. Host
 * tests build hosted and get libc's. */
#define memcpy(dest, src, n) __builtin_memcpy((dest), (src), (n))
#define memset(dest, c, n) __builtin_memset((dest), (c), (n))
#define memmove(dest, src, n) __builtin_memmove((dest), (src), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#endif
static inline uint32_t mewz_guest_load_u32(uint32_t ptr)
{
    uint32_t value;
    memcpy(&value, mewz_guest_ptr(ptr), sizeof value);
    return value;
}
static inline uint64_t mewz_guest_load_u64(uint32_t ptr)
{
    uint64_t value;
    memcpy(&value, mewz_guest_ptr(ptr), sizeof value);
    return value;
}
static inline void mewz_guest_store_u16(uint32_t ptr, uint16_t value)
{
    memcpy(mewz_guest_ptr(ptr), &value, sizeof value);
}
static inline void mewz_guest_store_u32(uint32_t ptr, uint32_t value)
{
    memcpy(mewz_guest_ptr(ptr), &value, sizeof value);
}
static inline void mewz_guest_store_u64(uint32_t ptr, uint64_t value)
{
    memcpy(mewz_guest_ptr(ptr), &value, sizeof value);
}

/* wasi/iovec.c: wasm iovecs ({u32 buf, u32 len}, 8 bytes each) to
 * hypercall iovecs. */
#define MEWZ_WASM_IOVEC_SIZE 8
/* ESUCCESS when the array and every buffer it names lie inside linear
 * memory, EFAULT otherwise. */
uint32_t mewz_iovec_check(uint32_t iovs, uint32_t iovs_len);
/* Translates checked wasm iovecs from *next on into out[0..max), skipping
 * empty ones and stopping before the total would pass UINT32_MAX (a WASI
 * size). Advances *next past what it consumed; returns the count written
 * to out and the bytes they describe in *bytes. */
uint32_t mewz_iovec_translate(uint32_t iovs, uint32_t iovs_len, uint32_t *next,
                              struct mewz_hc_iovec *out, uint32_t max,
                              uint64_t *bytes);
/* Copies src[0..len) into checked wasm iovecs in order, at most UINT32_MAX
 * bytes in all; returns the count copied. */
/* Copies the first len bytes of checked wasm iovecs into dst; returns how
 * many there were. */
uint32_t mewz_iovec_gather(uint32_t iovs, uint32_t iovs_len, uint8_t *dst,
                           uint32_t len);
uint32_t mewz_iovec_fill(uint32_t iovs, uint32_t iovs_len, const uint8_t *src,
                         uint64_t len);

/* wasi/strings.c: args and environ share one layout in the boot info. */
uint32_t mewz_strings_sizes_get(uint32_t count, uint64_t size,
                                uint32_t count_out, uint32_t size_out);
uint32_t mewz_strings_get(const char *strings, uint64_t size, uint32_t count,
                          uint32_t ptrs, uint32_t buf);

/* wasi/fd_table.c: the descriptor table. Numbers are the lowest free one,
 * below MEWZ_FD_MAX (EMFILE when all are taken, like RLIMIT_NOFILE). */
#define MEWZ_FD_MAX 1024
enum mewz_fd_kind {
    MEWZ_FD_FREE = 0,
    MEWZ_FD_STDIN,
    MEWZ_FD_STDOUT,
    MEWZ_FD_STDERR,
    MEWZ_FD_DIRECTORY, /* a ROFS directory */
    MEWZ_FD_FILE,      /* a ROFS regular file */
    MEWZ_FD_SOCKET,    /* a host socket: handle is the monitor's */
    /* Volumes (wasi/volume_*.c): `handle` is the monitor's MEWZ_HC_FS handle. */
    MEWZ_FD_HOST_DIR = 16,  /* a directory of a host volume */
    MEWZ_FD_HOST_FILE = 17, /* a file of a host volume */
};
enum mewz_preopen {
    MEWZ_PREOPEN_NONE = 0,
    MEWZ_PREOPEN_ROOT, /* "/": the rootfs */
    MEWZ_PREOPEN_CWD,  /* ".": process.cwd when it is not "/" */
    MEWZ_PREOPEN_VOLUME = 16, /* a mount's destination; ino: the mount index */
};
struct mewz_fd {
    uint8_t kind;    /* enum mewz_fd_kind */
    uint8_t preopen; /* enum mewz_preopen */
    uint16_t flags;  /* fdflags */
    uint32_t ino;    /* directories and files: the ROFS inode */
    uint32_t floor;  /* directories: where ".." in a path must stop */
    uint32_t handle; /* stdio: the monitor's handle (0, 1, 2); sockets */
    uint32_t socktype; /* sockets: MEWZ_SOCK_STREAM or MEWZ_SOCK_DGRAM */
    uint64_t offset; /* files: the position */
    uint64_t rights_base;
    uint64_t rights_inheriting;
    bool listening; /* sockets: listening (readable means a connection) */
};
/* Rights of the preopens, as wasmtime reports them for a preopened
 * directory: what a directory descriptor may do, and what descriptors
 * opened through it may get. */
#define MEWZ_RIGHTS_DIRECTORY_BASE                                             \
    (MEWZ_WASI_RIGHT_PATH_CREATE_DIRECTORY |                                   \
     MEWZ_WASI_RIGHT_PATH_CREATE_FILE | MEWZ_WASI_RIGHT_PATH_LINK_SOURCE |     \
     MEWZ_WASI_RIGHT_PATH_LINK_TARGET | MEWZ_WASI_RIGHT_PATH_OPEN |            \
     MEWZ_WASI_RIGHT_FD_READDIR | MEWZ_WASI_RIGHT_PATH_READLINK |              \
     MEWZ_WASI_RIGHT_PATH_RENAME_SOURCE | MEWZ_WASI_RIGHT_PATH_RENAME_TARGET | \
     MEWZ_WASI_RIGHT_PATH_SYMLINK | MEWZ_WASI_RIGHT_PATH_REMOVE_DIRECTORY |    \
     MEWZ_WASI_RIGHT_PATH_UNLINK_FILE | MEWZ_WASI_RIGHT_PATH_FILESTAT_GET |    \
     MEWZ_WASI_RIGHT_PATH_FILESTAT_SET_TIMES |                                 \
     MEWZ_WASI_RIGHT_FD_FILESTAT_GET | MEWZ_WASI_RIGHT_FD_FILESTAT_SET_TIMES)
#define MEWZ_RIGHTS_DIRECTORY_INHERITING                                       \
    (MEWZ_RIGHTS_DIRECTORY_BASE | MEWZ_WASI_RIGHT_FD_DATASYNC |                \
     MEWZ_WASI_RIGHT_FD_READ | MEWZ_WASI_RIGHT_FD_SEEK |                       \
     MEWZ_WASI_RIGHT_FD_FDSTAT_SET_FLAGS | MEWZ_WASI_RIGHT_FD_SYNC |           \
     MEWZ_WASI_RIGHT_FD_TELL | MEWZ_WASI_RIGHT_FD_WRITE |                      \
     MEWZ_WASI_RIGHT_FD_ADVISE | MEWZ_WASI_RIGHT_FD_ALLOCATE |                 \
     MEWZ_WASI_RIGHT_FD_FILESTAT_GET | MEWZ_WASI_RIGHT_FD_FILESTAT_SET_SIZE |  \
     MEWZ_WASI_RIGHT_FD_FILESTAT_SET_TIMES | MEWZ_WASI_RIGHT_POLL_FD_READWRITE)
/* What a socket descriptor may do, as wasmtime gives its sockets. */
#define MEWZ_RIGHTS_SOCKET                                                     \
    (MEWZ_WASI_RIGHT_FD_READ | MEWZ_WASI_RIGHT_FD_WRITE |                      \
     MEWZ_WASI_RIGHT_FD_FDSTAT_SET_FLAGS | MEWZ_WASI_RIGHT_FD_FILESTAT_GET |   \
     MEWZ_WASI_RIGHT_POLL_FD_READWRITE | MEWZ_WASI_RIGHT_SOCK_SHUTDOWN |       \
     MEWZ_WASI_RIGHT_SOCK_ACCEPT)
/* stdio 0-2, then the preopens from the mounted ROFS and boot_info cwd:
 * "/" at 3, and "." at 4 when the cwd is another directory. No ROFS
 * section: nothing is preopened. */
void mewz_fd_init(void);
/* The open descriptor fd, or NULL. */
struct mewz_fd *mewz_fd_get(uint32_t fd);
bool mewz_fd_is_open(uint32_t fd);
/* Stores a copy of entry under the lowest free number. */
uint32_t mewz_fd_alloc(const struct mewz_fd *entry, uint32_t *fd);
/* A directory descriptor with `right` for a path_* call: EBADF (not open,
 * or stdio), ENOTDIR (a file), ENOTCAPABLE (the right is missing). */
uint32_t mewz_fd_dir(uint32_t fd, uint64_t right, struct mewz_fd **out);
/* The descriptor's ROFS inode (directories and files only). */
uint32_t mewz_fd_node(const struct mewz_fd *entry, struct mewz_rofs_node *out);

/* hc/hypercall.c: MEWZ_HC_FS; the monitor answers in *call. Returns its errno. */
uint32_t mewz_hc_fs(struct mewz_hc_fs *call);

/* wasi/volume_table.c: volumes (config.json mounts) as preopens. A mount
 * at "/" takes the rootfs's place at fd 3; the others follow the rootfs
 * preopens in mount order. Bind mounts are the monitor's (MEWZ_HC_FS),
 * tmpfs mounts the guest's own RAM filesystem (Guest/tmpfs). */
void mewz_volume_init(void);
/* When process.cwd lies in a volume, preopens it as "." (opened in that
 * volume) and returns true; false leaves the cwd to the rootfs. */
bool mewz_volume_cwd(void);
/* A MEWZ_HC_FS call to whichever serves its handle (EXDEV for a rename or
 * link between the two). Returns the errno, also in call->error. */
uint32_t mewz_volume_call(struct mewz_hc_fs *call);
/* The mount destination of a MEWZ_PREOPEN_VOLUME entry. */
const char *mewz_volume_name(const struct mewz_fd *entry);
/* Whether fd is open and a host volume's file or directory. */
bool mewz_volume_owns(uint32_t fd);
/* A host directory with `right` for a path_* call: EBADF, ENOTDIR,
 * ENOTCAPABLE, as mewz_fd_dir. */
uint32_t mewz_volume_dir(uint32_t fd, uint64_t right, struct mewz_fd **out);
/* Releases the monitor's handle behind a host entry (fd_close, and the
 * target of fd_renumber). */
uint32_t mewz_volume_release(const struct mewz_fd *entry);
/* Closes the handle whose close waits for the next file call, if any. */
void mewz_volume_close_deferred(void);

/* wasi/volume_fd.c and volume_path.c: the WASI calls on host volumes, with
 * the arguments of the mewz_wasi_ function that hands over to them. */
uint32_t mewz_volume_fd_read(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                             uint32_t nread_out);
uint32_t mewz_volume_fd_pread(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                              uint64_t offset, uint32_t nread_out);
uint32_t mewz_volume_fd_write(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                              uint32_t nwritten_out);
uint32_t mewz_volume_fd_pwrite(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                               uint64_t offset, uint32_t nwritten_out);
uint32_t mewz_volume_fd_seek(uint32_t fd, uint64_t offset, uint32_t whence,
                             uint32_t newoffset_out);
uint32_t mewz_volume_fd_tell(uint32_t fd, uint32_t offset_out);
uint32_t mewz_volume_fd_filestat_get(uint32_t fd, uint32_t stat_out);
uint32_t mewz_volume_fd_filestat_set_size(uint32_t fd, uint64_t size);
uint32_t mewz_volume_fd_filestat_set_times(uint32_t fd, uint64_t atim,
                                           uint64_t mtim, uint32_t fst_flags);
uint32_t mewz_volume_fd_advise(uint32_t fd, uint64_t offset, uint64_t len,
                               uint32_t advice);
uint32_t mewz_volume_fd_allocate(uint32_t fd, uint64_t offset, uint64_t len);
uint32_t mewz_volume_fd_sync(uint32_t fd, bool data_only);
uint32_t mewz_volume_fd_fdstat_set_flags(uint32_t fd, uint32_t flags);
uint32_t mewz_volume_fd_readdir(uint32_t fd, uint32_t buf, uint32_t buf_len,
                                uint64_t cookie, uint32_t size_out);
uint32_t mewz_volume_path_open(uint32_t fd, uint32_t dirflags, uint32_t path,
                               uint32_t path_len, uint32_t oflags,
                               uint64_t rights_base, uint64_t rights_inheriting,
                               uint32_t fdflags, uint32_t fd_out);
uint32_t mewz_volume_path_create_directory(uint32_t fd, uint32_t path,
                                           uint32_t path_len);
uint32_t mewz_volume_path_remove_directory(uint32_t fd, uint32_t path,
                                           uint32_t path_len);
uint32_t mewz_volume_path_unlink_file(uint32_t fd, uint32_t path,
                                      uint32_t path_len);
uint32_t mewz_volume_path_rename(uint32_t fd, uint32_t old_path,
                                 uint32_t old_len, uint32_t new_fd,
                                 uint32_t new_path, uint32_t new_len);
uint32_t mewz_volume_path_link(uint32_t old_fd, uint32_t old_flags,
                               uint32_t old_path, uint32_t old_len,
                               uint32_t new_fd, uint32_t new_path,
                               uint32_t new_len);
uint32_t mewz_volume_path_symlink(uint32_t old_path, uint32_t old_len,
                                  uint32_t fd, uint32_t new_path,
                                  uint32_t new_len);
uint32_t mewz_volume_path_readlink(uint32_t fd, uint32_t path,
                                   uint32_t path_len, uint32_t buf,
                                   uint32_t buf_len, uint32_t bufused_out);
uint32_t mewz_volume_path_filestat_get(uint32_t fd, uint32_t flags,
                                       uint32_t path, uint32_t path_len,
                                       uint32_t stat_out);
uint32_t mewz_volume_path_filestat_set_times(uint32_t fd, uint32_t flags,
                                             uint32_t path, uint32_t path_len,
                                             uint64_t atim, uint64_t mtim,
                                             uint32_t fst_flags);

/* wasi/sock_io.c: data on socket descriptors, shared by sock_* and fd_*. */
/* The socket behind fd: EBADF (not open), ENOTSOCK (another kind). */
uint32_t mewz_sock_get(uint32_t fd, struct mewz_fd **out);
/* A descriptor for a new host socket handle; on EMFILE the host socket is
 * closed again. */
uint32_t mewz_sock_install(uint32_t handle, uint32_t socktype, uint16_t flags,
                           uint32_t *fd);
/* Receives into checked wasm iovecs; flags are MEWZ_RECV_* (the
 * descriptor's NONBLOCK is added). from may be NULL. */
uint32_t mewz_sock_recv(const struct mewz_fd *entry, uint32_t iovs,
                        uint32_t iovs_len, uint32_t flags, uint32_t *nread,
                        uint32_t *roflags, struct mewz_hc_sockaddr *from);
/* Sends checked wasm iovecs, to `to` (NULL: the connection). */
uint32_t mewz_sock_send(const struct mewz_fd *entry, uint32_t iovs,
                        uint32_t iovs_len, const struct mewz_hc_sockaddr *to,
                        uint32_t *nwritten);
/* Receive stages (MEWZ_HC_POLL_RECV): poll_oneoff lets the monitor receive
 * into a stream socket's stage with the wait, and the next receive is
 * answered from it without an exit. MEWZ_SOCK_STAGES sockets have one at
 * a time. */
#define MEWZ_SOCK_STAGES 64
#define MEWZ_SOCK_STAGE_SIZE 4096
/* Something to answer a receive with (bytes, end of stream or an error);
 * *nbytes gets the bytes. */
bool mewz_sock_staged(uint32_t handle, uint64_t *nbytes);
/* Fills *stage with an empty stage's buffer for handle (cap 0 when none is
 * free or the stage still holds something). */
void mewz_sock_stage_offer(uint32_t handle, struct mewz_hc_stage *stage);
/* Takes the monitor's answer to an offered stage. */
void mewz_sock_stage_take(uint32_t handle, const struct mewz_hc_stage *stage);
/* Drops the handle's stage (its socket closes). */
void mewz_sock_stage_release(uint32_t handle);
uint32_t mewz_hc_poll_recv(struct mewz_hc_poll_fd *fds, uint32_t nfds,
                           struct mewz_hc_stage *stages, uint64_t timeout_ns,
                           uint32_t *ready);
/* wasi/sock_outbox.c: sends held until the next call to the host (abi.h,
 * struct mewz_outbox). mewz_sock_defer takes a send of `total` bytes into
 * the outbox (true, *nwritten set) when the socket is a connected
 * non-blocking stream the monitor holds nothing of and the bytes fit. After each call to
 * the host, mewz_outbox_settle reads the monitor's answers (held bytes,
 * errors) into the sockets' state. */
extern struct mewz_outbox *mewz_outbox_page; /* MEWZ_OUTBOX_ADDR */
extern uint32_t mewz_outbox_records;         /* records not yet answered */
bool mewz_sock_defer(const struct mewz_fd *entry, uint32_t iovs, uint32_t iovs_len,
                     uint64_t total, uint32_t *nwritten);
void mewz_outbox_settle(void);
/* Sends the outbox now (one MEWZ_HC_FLUSH) when it holds anything. */
void mewz_outbox_flush(void);
/* The error a held send of the socket failed with, once; 0 when none. */
uint32_t mewz_sock_take_error(uint32_t handle);
/* The socket was accepted or is connecting: its sends may wait in the
 * outbox. */
void mewz_sock_mark_connected(uint32_t handle);
/* A send went straight to the monitor and was answered: nothing is held. */
void mewz_sock_sent_directly(uint32_t handle);
/* The handle's socket is new or closed: no state. */
void mewz_sock_forget(uint32_t handle);

/* One MEWZ_HC_SOCKET op on a descriptor's host socket. */
uint32_t mewz_sock_op(const struct mewz_fd *entry, uint32_t op, uint32_t arg0,
                      struct mewz_hc_socket *call);

/* wasi/sock_addr.c: WasmEdge's socket addresses in linear memory. An
 * address argument is a {u32 buf, u32 buf_len}: buf_len 4 or 16 is the v1
 * layout (the raw IPv4 or IPv6 bytes), 128 (any length from 18) the v2
 * layout (u16 family, 1 IPv4 or 2 IPv6, then the raw bytes). */
#define MEWZ_WASMEDGE_ADDRESS_V2_MIN 18
/* Reads the address at addr_ptr with `port`: EFAULT, EINVAL (a length of
 * neither layout), EAFNOSUPPORT (a v2 family other than 1 and 2). */
uint32_t mewz_sockaddr_read(uint32_t addr_ptr, uint32_t port,
                            struct mewz_hc_sockaddr *out);
/* Writes an address into the buffer of the address at addr_ptr in the
 * layout its length asks for (v1: 4 or 16 bytes, at least that length; v2:
 * family and bytes); EFAULT, EINVAL (a buffer too small). */
uint32_t mewz_sockaddr_write(uint32_t addr_ptr,
                             const struct mewz_hc_sockaddr *address);
/* Parses a numeric IPv4 (dotted quad) or IPv6 (RFC 4291 text, no zone)
 * address; true and *out set (port 0) when it is one. */
bool mewz_sockaddr_parse(const char *text, uint32_t len,
                         struct mewz_hc_sockaddr *out);

/* wasi/path_arg.c: path strings from linear memory. */
#define MEWZ_PATH_MAX 4096 /* with the NUL a C path would have, as Linux */
/* Checks path[0..len): EFAULT outside memory, ENAMETOOLONG from
 * MEWZ_PATH_MAX bytes, EINVAL for a NUL, EILSEQ for invalid UTF-8. */
uint32_t mewz_path_arg(uint32_t path, uint32_t len, const char **out);
/* Resolves a path argument beneath directory descriptor dir. */
uint32_t mewz_path_walk(const struct mewz_fd *dir, uint32_t path, uint32_t len,
                        unsigned flags, struct mewz_walk *out);
/* lookupflags: EINVAL for unknown bits; MEWZ_WALK_FOLLOW or 0. */
uint32_t mewz_lookup_flags(uint32_t lookupflags, unsigned *walk_flags);

/* wasi/filestat.c: a WASI filestat for a ROFS node, into linear memory. */
void mewz_filestat_store(uint32_t out, const struct mewz_rofs_node *node);
/* fstflags: EINVAL for unknown bits or a time both given and "now". */
uint32_t mewz_fstflags_check(uint32_t fst_flags);

/* wasi/clock.c */
void mewz_clock_init(uint64_t tsc_at_entry);
/* Nanoseconds since entry, from the TSC and boot_info tsc_khz. */
uint64_t mewz_clock_since_boot_ns(void);
/* TSC ticks spent in MEWZ_HC_READ and MEWZ_HC_POLL, which may wait in the
 * host; hc/hypercall.c adds them up. */
extern uint64_t mewz_clock_wait_ticks;
/* The guest's CPU time: mewz_clock_since_boot_ns() less the waits in the
 * host. */
uint64_t mewz_clock_cpu_ns(void);
/* What the realtime or monotonic clock read at entry (the monitor's boot
 * timestamps): a clock reads that plus mewz_clock_since_boot_ns(). */
uint64_t mewz_clock_at_boot_ns(uint32_t clock_id);
/* random_get asks the monitor for at most this much per hypercall. */
#define MEWZ_HC_RANDOM_MAX 65536

#endif /* MEWZ_KERNEL_H */
