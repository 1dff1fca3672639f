/*
 * path_open.c: opening ROFS files and directories beneath a directory
 * descriptor, with the errors Linux openat gives on a read-only mount:
 *
 *   the directory descriptor: EBADF, ENOTDIR, ENOTCAPABLE (PATH_OPEN, and
 *     PATH_CREATE_FILE for CREAT; TRUNC does not ask for
 *     PATH_FILESTAT_SET_SIZE, which wasmtime's preopens lack and never
 *     check); unknown flag bits: EINVAL;
 *   CREAT: a name that does not exist would be created: EROFS; EXCL and a
 *     name that exists (a symlink included, never followed): EEXIST; a
 *     trailing slash, ".", ".." or an existing directory: EISDIR;
 *   the last component a symlink without SYMLINK_FOLLOW: ELOOP, or
 *     ENOTDIR with DIRECTORY; DIRECTORY and not a directory: ENOTDIR;
 *   write access (FD_WRITE) or TRUNC: EISDIR on a directory, EROFS on a
 *     file; read-only opens succeed.
 *
 * The new descriptor's rights are the ones asked for within the
 * directory's inheriting rights (fewer, silently, as the witx allows and
 * wasi-common did); a directory drops the rights that do not apply to it
 * (seeking and sizes), as wasmtime does.
 */
#include "kernel.h"
#include "mewz/rofs.h"

#define DIRECTORY_NEVER                                                        \
    (MEWZ_WASI_RIGHT_FD_SEEK | MEWZ_WASI_RIGHT_FD_FILESTAT_SET_SIZE |          \
     MEWZ_WASI_RIGHT_PATH_FILESTAT_SET_SIZE)

static bool is_dot_or_dotdot(const char *name, uint32_t len)
{
    return (len == 1 && name[0] == '.') ||
           (len == 2 && name[0] == '.' && name[1] == '.');
}

/* O_CREAT: the name must exist, since nothing can be created. */
static uint32_t resolve_creat(const struct mewz_fd *dir, uint32_t path,
                              uint32_t path_len, unsigned walk_flags,
                              uint32_t oflags, uint32_t *ino)
{
    struct mewz_walk parent;
    uint32_t err = mewz_path_walk(dir, path, path_len, MEWZ_WALK_PARENT,
                                  &parent);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (parent.trailing_slash || is_dot_or_dotdot(parent.last, parent.last_len))
        return MEWZ_WASI_EISDIR;
    if (parent.last_len > MEWZ_ROFS_NAME_MAX)
        return MEWZ_WASI_ENAMETOOLONG;
    struct mewz_rofs_node node;
    uint32_t child;
    err = mewz_rofs_node(parent.ino, &node);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_rofs_lookup(&node, parent.last, parent.last_len, &child);
    if (err == MEWZ_WASI_ENOENT)
        return MEWZ_WASI_EROFS;
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (oflags & MEWZ_WASI_OFLAG_EXCL)
        return MEWZ_WASI_EEXIST;
    /* It exists: open it as without CREAT (a dangling symlink would have
     * its target created: EROFS). */
    struct mewz_walk walk;
    err = mewz_path_walk(dir, path, path_len, walk_flags, &walk);
    if (err == MEWZ_WASI_ENOENT)
        return MEWZ_WASI_EROFS;
    *ino = walk.ino;
    return err;
}

/* What the node and the open mode allow, Linux's order. */
static uint32_t check_open(const struct mewz_rofs_node *node, uint32_t oflags,
                           uint64_t rights_base)
{
    bool directory = oflags & MEWZ_WASI_OFLAG_DIRECTORY;
    bool writes = (rights_base & MEWZ_WASI_RIGHT_FD_WRITE) ||
                  (oflags & MEWZ_WASI_OFLAG_TRUNC);
    switch (node->type) {
    case MEWZ_ROFS_TYPE_SYMLINK: /* the last one, not followed */
        return directory ? MEWZ_WASI_ENOTDIR : MEWZ_WASI_ELOOP;
    case MEWZ_ROFS_TYPE_DIRECTORY:
        if ((oflags & MEWZ_WASI_OFLAG_CREAT) || writes)
            return MEWZ_WASI_EISDIR;
        return MEWZ_WASI_ESUCCESS;
    default:
        if (directory)
            return MEWZ_WASI_ENOTDIR;
        return writes ? MEWZ_WASI_EROFS : MEWZ_WASI_ESUCCESS;
    }
}

uint32_t mewz_wasi_path_open(uint32_t fd, uint32_t dirflags, uint32_t path,
                             uint32_t path_len, uint32_t oflags,
                             uint64_t rights_base, uint64_t rights_inheriting,
                             uint32_t fdflags, uint32_t fd_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_path_open(fd, dirflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, fd_out);
    struct mewz_fd *dir;
    uint32_t err = mewz_fd_dir(fd, MEWZ_WASI_RIGHT_PATH_OPEN, &dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    unsigned walk_flags;
    err = mewz_lookup_flags(dirflags, &walk_flags);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if ((oflags & ~MEWZ_WASI_OFLAGS_ALL) || (fdflags & ~MEWZ_WASI_FDFLAGS_ALL))
        return MEWZ_WASI_EINVAL;
    if ((oflags & MEWZ_WASI_OFLAG_CREAT) &&
        !(dir->rights_base & MEWZ_WASI_RIGHT_PATH_CREATE_FILE))
        return MEWZ_WASI_ENOTCAPABLE;
    if (!mewz_guest_range_ok(fd_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;

    uint32_t ino;
    if (oflags & MEWZ_WASI_OFLAG_CREAT) {
        err = resolve_creat(dir, path, path_len, walk_flags, oflags, &ino);
    } else {
        struct mewz_walk walk;
        err = mewz_path_walk(dir, path, path_len, walk_flags, &walk);
        ino = walk.ino;
    }
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_rofs_node node;
    err = mewz_rofs_node(ino, &node);
    if (err == MEWZ_WASI_ESUCCESS)
        err = check_open(&node, oflags, rights_base);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;

    bool is_dir = node.type == MEWZ_ROFS_TYPE_DIRECTORY;
    uint64_t allowed = dir->rights_inheriting & ~(is_dir ? DIRECTORY_NEVER : 0);
    struct mewz_fd entry = {
        .kind = is_dir ? MEWZ_FD_DIRECTORY : MEWZ_FD_FILE,
        .flags = (uint16_t)fdflags,
        .ino = ino,
        .floor = ino,
        .rights_base = rights_base & allowed,
        .rights_inheriting = rights_inheriting & dir->rights_inheriting,
    };
    uint32_t opened;
    err = mewz_fd_alloc(&entry, &opened);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_guest_store_u32(fd_out, opened);
    return MEWZ_WASI_ESUCCESS;
}
