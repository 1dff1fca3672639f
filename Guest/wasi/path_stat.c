/*
 * path_stat.c: path_filestat_get, path_readlink, path_filestat_set_times:
 * the lookups that read (or, for set_times, would change) one node.
 */
#include "kernel.h"
#include "mewz/rofs.h"

uint32_t mewz_wasi_path_filestat_get(uint32_t fd, uint32_t flags,
                                     uint32_t path, uint32_t path_len,
                                     uint32_t stat_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_path_filestat_get(fd, flags, path, path_len,
                                             stat_out);
    struct mewz_fd *dir;
    uint32_t err = mewz_fd_dir(fd, MEWZ_WASI_RIGHT_PATH_FILESTAT_GET, &dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    unsigned walk_flags;
    err = mewz_lookup_flags(flags, &walk_flags);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(stat_out, MEWZ_WASI_FILESTAT_SIZE))
        return MEWZ_WASI_EFAULT;
    struct mewz_walk walk;
    struct mewz_rofs_node node;
    err = mewz_path_walk(dir, path, path_len, walk_flags, &walk);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_rofs_node(walk.ino, &node);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_filestat_store(stat_out, &node);
    return MEWZ_WASI_ESUCCESS;
}

/* Like readlinkat: the last component is not followed (unless a slash
 * follows it); a node that is no symlink is EINVAL. The target is cut to
 * the buffer, without a NUL, as wasmtime does. */
uint32_t mewz_wasi_path_readlink(uint32_t fd, uint32_t path, uint32_t path_len,
                                 uint32_t buf, uint32_t buf_len,
                                 uint32_t size_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_path_readlink(fd, path, path_len, buf, buf_len,
                                         size_out);
    struct mewz_fd *dir;
    uint32_t err = mewz_fd_dir(fd, MEWZ_WASI_RIGHT_PATH_READLINK, &dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(buf, buf_len) ||
        !mewz_guest_range_ok(size_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    struct mewz_walk walk;
    struct mewz_rofs_node node;
    err = mewz_path_walk(dir, path, path_len, 0, &walk);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_rofs_node(walk.ino, &node);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (node.type != MEWZ_ROFS_TYPE_SYMLINK)
        return MEWZ_WASI_EINVAL;
    uint32_t n = node.size < buf_len ? (uint32_t)node.size : buf_len;
    memcpy(mewz_guest_ptr(buf), mewz_rofs_bytes(&node), n);
    mewz_guest_store_u32(size_out, n);
    return MEWZ_WASI_ESUCCESS;
}

/* utimensat on a read-only mount: the path is resolved (ENOENT and the
 * rest first), then EROFS, unless nothing is to change. */
uint32_t mewz_wasi_path_filestat_set_times(uint32_t fd, uint32_t flags,
                                           uint32_t path, uint32_t path_len,
                                           uint64_t atim, uint64_t mtim,
                                           uint32_t fst_flags)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_path_filestat_set_times(fd, flags, path, path_len,
                                                   atim, mtim, fst_flags);
    (void)atim;
    (void)mtim;
    struct mewz_fd *dir;
    uint32_t err = mewz_fd_dir(fd, MEWZ_WASI_RIGHT_PATH_FILESTAT_SET_TIMES,
                               &dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    unsigned walk_flags;
    err = mewz_lookup_flags(flags, &walk_flags);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_fstflags_check(fst_flags);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_walk walk;
    err = mewz_path_walk(dir, path, path_len, walk_flags, &walk);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    return fst_flags == 0 ? MEWZ_WASI_ESUCCESS : MEWZ_WASI_EROFS;
}
