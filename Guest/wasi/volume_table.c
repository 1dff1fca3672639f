/*
 * volume_table.c: volumes as preopens. At boot the guest asks the monitor
 * for each mount (MEWZ_FS_MOUNT_INFO): its destination becomes the
 * preopen's name, and its root the monitor's handle `index`. wasi-libc and
 * Rust std give a path to the preopen with the longest matching name, so
 * "/data/x" reaches a mount at /data and "/etc/x" the rootfs: a path
 * resolves to the longest matching mount, and a destination need not
 * exist in the rootfs. A mount at "/" replaces the rootfs at fd 3. A tmpfs
 * mount is served in the guest (Guest/tmpfs), a bind mount by the monitor:
 * mewz_volume_call sends each call to the one that owns its handle.
 */
#include "kernel.h"
#include "tmpfs/tmpfs.h"

#define NAME_POOL_SIZE 16384

static char name_pool[NAME_POOL_SIZE] MEWZ_BULK(name_pool);
/* Each served mount's root handle (for a cwd inside it). */
static uint32_t root_handle[MEWZ_VOLUME_MAX];
static bool served[MEWZ_VOLUME_MAX];
static uint32_t name_used;
static uint32_t name_offset[MEWZ_VOLUME_MAX];

const char *mewz_volume_name(const struct mewz_fd *entry)
{
    return &name_pool[name_offset[entry->ino]];
}

bool mewz_volume_owns(uint32_t fd)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    return entry != NULL && (entry->kind == MEWZ_FD_HOST_DIR ||
                             entry->kind == MEWZ_FD_HOST_FILE);
}

uint32_t mewz_volume_dir(uint32_t fd, uint64_t right, struct mewz_fd **out)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (entry->kind == MEWZ_FD_HOST_FILE || entry->kind == MEWZ_FD_FILE)
        return MEWZ_WASI_ENOTDIR;
    if (entry->kind != MEWZ_FD_HOST_DIR)
        return MEWZ_WASI_EBADF;
    if ((entry->rights_base & right) != right)
        return MEWZ_WASI_ENOTCAPABLE;
    *out = entry;
    return MEWZ_WASI_ESUCCESS;
}

/* A monitor handle the guest closed, + 1 (0: none): its close rides on the
 * next file call (abi.h, struct mewz_hc_fs closing). At most one waits, and
 * only until that call or the guest's next wait in the host. */
static uint32_t closing;

uint32_t mewz_volume_call(struct mewz_hc_fs *call)
{
    bool local = call->handle & MEWZ_TMPFS_HANDLE;
    bool two = call->op == MEWZ_FS_RENAME || call->op == MEWZ_FS_LINK;
    if (two && local != (bool)(call->handle2 & MEWZ_TMPFS_HANDLE)) {
        call->error = MEWZ_WASI_EXDEV; /* RAM and host: two mounts */
        return call->error;
    }
    if (local)
        return mewz_tmpfs_serve(call);
    call->closing = closing;
    closing = 0;
    return mewz_hc_fs(call);
}

uint32_t mewz_volume_release(const struct mewz_fd *entry)
{
    if (!(entry->handle & MEWZ_TMPFS_HANDLE) && closing == 0) {
        closing = entry->handle + 1;
        return MEWZ_WASI_ESUCCESS;
    }
    struct mewz_hc_fs call = {.op = MEWZ_FS_CLOSE, .handle = entry->handle};
    return mewz_volume_call(&call);
}

void mewz_volume_close_deferred(void)
{
    if (closing == 0)
        return;
    struct mewz_hc_fs call = {.op = MEWZ_FS_CLOSE, .handle = closing - 1};
    closing = 0;
    mewz_hc_fs(&call);
}

/* Asks for mount `index` and sets *handle to its root's handle (a new RAM
 * filesystem for a tmpfs); false for a name that does not fit. */
static bool mount_info(uint32_t index, uint32_t *handle)
{
    uint32_t left = NAME_POOL_SIZE - name_used;
    if (left < 2)
        return false;
    struct mewz_hc_fs call = {
        .op = MEWZ_FS_MOUNT_INFO,
        .handle = index,
        .buf_addr = MEWZ_HC_ADDR(&name_pool[name_used]),
        .buf_len = left - 1,
    };
    if (mewz_hc_fs(&call) != MEWZ_WASI_ESUCCESS)
        mewz_fatal("the monitor did not describe a volume");
    *handle = index;
    if ((call.flags & MEWZ_VOLUME_TMPFS) &&
        mewz_tmpfs_mount(index, call.arg0, call.flags & MEWZ_VOLUME_READONLY,
                         handle) != MEWZ_WASI_ESUCCESS)
        mewz_fatal("no room for a tmpfs mount");
    name_offset[index] = name_used;
    name_pool[name_used + call.result] = '\0';
    name_used += (uint32_t)call.result + 1;
    return true;
}

void mewz_volume_init(void)
{
    uint32_t count = mewz_boot->volume_count;
    if (count > MEWZ_VOLUME_MAX)
        mewz_fatal("the monitor gave more volumes than MEWZ_VOLUME_MAX");
    name_used = 0;
    memset(served, 0, sizeof served);
    for (uint32_t index = 0; index < count; index++) {
        uint32_t handle;
        served[index] = mount_info(index, &handle);
        if (!served[index])
            continue;
        root_handle[index] = handle;
        struct mewz_fd entry = {
            .kind = MEWZ_FD_HOST_DIR,
            .preopen = MEWZ_PREOPEN_VOLUME,
            .ino = index,
            .handle = handle,
            .rights_base = MEWZ_RIGHTS_DIRECTORY_BASE,
            .rights_inheriting = MEWZ_RIGHTS_DIRECTORY_INHERITING,
        };
        const char *name = &name_pool[name_offset[index]];
        struct mewz_fd *root = mewz_fd_get(3);
        if (name[0] == '/' && name[1] == '\0' && root != NULL &&
            root->preopen == MEWZ_PREOPEN_ROOT) {
            *root = entry;
            continue;
        }
        uint32_t fd;
        if (mewz_fd_alloc(&entry, &fd) != MEWZ_WASI_ESUCCESS)
            mewz_fatal("no descriptor left for a volume");
    }
}

/* The mount whose destination is the longest prefix of path[0..len) at a
 * component boundary, or -1. */
static int covering_mount(const char *path, uint32_t len, uint32_t *rest)
{
    int best = -1;
    uint32_t best_len = 0;
    for (uint32_t i = 0; i < mewz_boot->volume_count && i < MEWZ_VOLUME_MAX;
         i++) {
        if (!served[i])
            continue;
        const char *name = &name_pool[name_offset[i]];
        uint32_t n = (uint32_t)strlen(name);
        bool root = n == 1 && name[0] == '/';
        bool prefix = root || (n <= len && memcmp(name, path, n) == 0 &&
                               (n == len || path[n] == '/'));
        if (prefix && (best < 0 || n > best_len)) {
            best = (int)i;
            best_len = n;
        }
    }
    *rest = best_len;
    return best;
}

bool mewz_volume_cwd(void)
{
    uint64_t size = mewz_boot->cwd_size;
    if (size <= 2 || mewz_boot->cwd_addr == 0 || size > MEWZ_PATH_MAX)
        return false; /* none, "/", or fd_table.c's error to report */
    const char *cwd = (const char *)(uintptr_t)mewz_boot->cwd_addr;
    uint32_t len = (uint32_t)(size - 1);
    if (cwd[0] != '/' || cwd[len] != '\0')
        return false;
    uint32_t skip;
    int mount = covering_mount(cwd, len, &skip);
    if (mount < 0)
        return false;
    while (skip < len && cwd[skip] == '/')
        skip++;
    const char *rest = skip < len ? cwd + skip : ".";
    struct mewz_hc_fs call = {
        .op = MEWZ_FS_OPEN,
        .handle = root_handle[mount],
        .flags = MEWZ_WASI_OFLAG_DIRECTORY,
        .path_addr = MEWZ_HC_ADDR(rest),
        .path_len = skip < len ? len - skip : 1,
        .arg0 = MEWZ_WASI_LOOKUP_SYMLINK_FOLLOW,
        .arg2 = 1,
    };
    if (mewz_volume_call(&call) != MEWZ_WASI_ESUCCESS)
        mewz_fatal("process.cwd is not a directory of its volume");
    struct mewz_fd entry = {
        .kind = MEWZ_FD_HOST_DIR,
        .preopen = MEWZ_PREOPEN_CWD,
        .handle = (uint32_t)call.result,
        .rights_base = MEWZ_RIGHTS_DIRECTORY_BASE,
        .rights_inheriting = MEWZ_RIGHTS_DIRECTORY_INHERITING,
    };
    uint32_t fd;
    if (mewz_fd_alloc(&entry, &fd) != MEWZ_WASI_ESUCCESS)
        mewz_fatal("no descriptor left for process.cwd");
    return true;
}
