/*
 * fd_table.c: the descriptor table, fd_close and fd_renumber.
 *
 * 0, 1, 2 are stdin, stdout and stderr (the monitor's handles 0-2). With a
 * ROFS, 3 is the preopen "/" (the rootfs) and, when process.cwd is another
 * directory, 4 is the preopen "." (that directory). wasi-libc and Rust std
 * give a relative path to the most recently registered preopen whose name
 * matches, and both "/" and "." match every path: so with "." present,
 * open("data.txt") opens <cwd>/data.txt, and so does every path wasi-libc
 * hands to the same preopen, absolute ones included (wasi-libc strips
 * their leading "/"). The "." preopen's floor is the ROFS root, so "../x"
 * from the cwd works as on Linux. Without a ROFS no directory is preopened
 * (as `wasmtime run` without --dir). Listening sockets the monitor opened
 * (MEWZ_TCPLISTEN) follow the directories.
 */
#include "kernel.h"
#include "mewz/rofs.h"

static struct mewz_fd table[MEWZ_FD_MAX] MEWZ_BULK(table);
/* One past the highest entry ever written. Boot finds the table zero (it
 * is bss, and guest RAM starts zeroed), and clearing all 40 KB of it would
 * touch ten pages: on kvm-pvm each first touch is a shadow-page fault in
 * the host (30-80 us), so mewz_fd_init clears only what was used. */
static uint32_t used_end;

static struct mewz_fd *slot(uint32_t fd)
{
    if (fd >= used_end)
        used_end = fd + 1;
    return &table[fd];
}

struct mewz_fd *mewz_fd_get(uint32_t fd)
{
    if (fd >= MEWZ_FD_MAX || table[fd].kind == MEWZ_FD_FREE)
        return NULL;
    return &table[fd];
}

bool mewz_fd_is_open(uint32_t fd)
{
    return mewz_fd_get(fd) != NULL;
}

uint32_t mewz_fd_alloc(const struct mewz_fd *entry, uint32_t *fd)
{
    for (uint32_t i = 0; i < MEWZ_FD_MAX; i++) {
        if (table[i].kind == MEWZ_FD_FREE) {
            *slot(i) = *entry;
            *fd = i;
            return MEWZ_WASI_ESUCCESS;
        }
    }
    return MEWZ_WASI_EMFILE;
}

uint32_t mewz_fd_dir(uint32_t fd, uint64_t right, struct mewz_fd **out)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (entry->kind == MEWZ_FD_FILE)
        return MEWZ_WASI_ENOTDIR;
    if (entry->kind != MEWZ_FD_DIRECTORY)
        return MEWZ_WASI_EBADF;
    if ((entry->rights_base & right) != right)
        return MEWZ_WASI_ENOTCAPABLE;
    *out = entry;
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_fd_node(const struct mewz_fd *entry, struct mewz_rofs_node *out)
{
    return mewz_rofs_node(entry->ino, out);
}

static void add_stdio(uint32_t fd, uint8_t kind, uint64_t rights)
{
    *slot(fd) = (struct mewz_fd){
        .kind = kind,
        .handle = fd,
        .rights_base = rights,
        .rights_inheriting = rights,
    };
}

static void add_preopen(uint32_t fd, uint8_t preopen, uint32_t ino)
{
    *slot(fd) = (struct mewz_fd){
        .kind = MEWZ_FD_DIRECTORY,
        .preopen = preopen,
        .ino = ino,
        .floor = MEWZ_ROFS_ROOT_INODE,
        .rights_base = MEWZ_RIGHTS_DIRECTORY_BASE,
        .rights_inheriting = MEWZ_RIGHTS_DIRECTORY_INHERITING,
    };
}

/* The cwd's directory inode, or false for "/" (no "." preopen needed). A
 * cwd that is not a directory of the rootfs ends the VM, as runc refuses
 * to start a container whose cwd it cannot enter. */
static bool cwd_directory(uint32_t *ino)
{
    uint64_t size = mewz_boot->cwd_size;
    if (size <= 1 || mewz_boot->cwd_addr == 0)
        return false; /* no cwd given: "/" */
    const char *cwd = (const char *)(uintptr_t)mewz_boot->cwd_addr;
    uint32_t len = (uint32_t)(size - 1); /* without the NUL */
    if (size > MEWZ_PATH_MAX || cwd[len] != '\0' || cwd[0] != '/')
        mewz_fatal("process.cwd is not an absolute path");
    if (len == 1)
        return false;
    struct mewz_walk walk;
    struct mewz_rofs_node node;
    if (mewz_rofs_walk(MEWZ_ROFS_ROOT_INODE, MEWZ_ROFS_ROOT_INODE, cwd, len,
                       MEWZ_WALK_FOLLOW | MEWZ_WALK_IN_ROOT,
                       &walk) != MEWZ_WASI_ESUCCESS ||
        mewz_rofs_node(walk.ino, &node) != MEWZ_WASI_ESUCCESS ||
        node.type != MEWZ_ROFS_TYPE_DIRECTORY)
        mewz_fatal("process.cwd is not a directory of the rootfs");
    *ino = walk.ino;
    return walk.ino != MEWZ_ROFS_ROOT_INODE;
}

void mewz_fd_init(void)
{
    memset(table, 0, used_end * sizeof table[0]);
    used_end = 0;
    /* As wasmtime reports stdio: the one right of its direction. */
    add_stdio(0, MEWZ_FD_STDIN, MEWZ_WASI_RIGHT_FD_READ);
    add_stdio(1, MEWZ_FD_STDOUT, MEWZ_WASI_RIGHT_FD_WRITE);
    add_stdio(2, MEWZ_FD_STDERR, MEWZ_WASI_RIGHT_FD_WRITE);
    if (mewz_rofs_present())
        add_preopen(3, MEWZ_PREOPEN_ROOT, MEWZ_ROFS_ROOT_INODE);
    mewz_volume_init();
    /* "." after the volumes: a cwd inside a volume is that volume's. */
    uint32_t cwd, fd;
    if (!mewz_volume_cwd() && mewz_rofs_present() && cwd_directory(&cwd) &&
        mewz_fd_alloc(&(struct mewz_fd){0}, &fd) == MEWZ_WASI_ESUCCESS)
        add_preopen(fd, MEWZ_PREOPEN_CWD, cwd);
    /* The preopened listening sockets next, as wasmtime numbers its
     * --tcplisten sockets after the directories. */
    uint32_t count = mewz_boot->listener_count;
    for (uint32_t i = 0; i < count && i < MEWZ_LISTENERS_MAX; i++)
        if (mewz_sock_install(mewz_boot->listener_handles[i], MEWZ_SOCK_STREAM, 0, &fd) ==
            MEWZ_WASI_ESUCCESS)
            mewz_fd_get(fd)->listening = true;
}

/* What a descriptor holds outside the table closes with it (WASI has no
 * dup): a host socket, a volume's monitor handle. */
static uint32_t release(uint32_t fd, struct mewz_fd *entry)
{
    uint32_t err = MEWZ_WASI_ESUCCESS;
    if (entry->kind == MEWZ_FD_SOCKET) {
        mewz_sock_stage_release(entry->handle);
        struct mewz_hc_socket close = {.op = MEWZ_SOCK_CLOSE, .handle = entry->handle};
        mewz_hc_socket(&close);
        mewz_sock_forget(entry->handle);
    } else if (mewz_volume_owns(fd)) {
        err = mewz_volume_release(entry);
    }
    *entry = (struct mewz_fd){0};
    return err;
}

uint32_t mewz_wasi_fd_close(uint32_t fd)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    return release(fd, entry);
}

/* As wasmtime: `to` must be open too; it is closed and replaced. */
uint32_t mewz_wasi_fd_renumber(uint32_t fd, uint32_t to)
{
    struct mewz_fd *from = mewz_fd_get(fd);
    struct mewz_fd *target = mewz_fd_get(to);
    if (from == NULL || target == NULL)
        return MEWZ_WASI_EBADF;
    if (from != target) {
        release(to, target);
        *target = *from;
        *from = (struct mewz_fd){0};
    }
    return MEWZ_WASI_ESUCCESS;
}
