/*
 * volume_path.c: path_open and the path_* calls on host volumes. The guest
 * checks the descriptor, its rights, the flags and that the path is valid
 * text in linear memory; the monitor resolves the path beneath the host
 * directory and runs the Linux call (MEWZ_HC_FS), whose errno comes back.
 * A rename or link between a host volume and anything else is EXDEV, as
 * Linux answers across mounts.
 */
#include "kernel.h"

/* What a directory opened through path_open never gets (no seek, no size). */
#define DIRECTORY_NEVER                                                        \
    (MEWZ_WASI_RIGHT_FD_SEEK | MEWZ_WASI_RIGHT_FD_FILESTAT_SET_SIZE |          \
     MEWZ_WASI_RIGHT_PATH_FILESTAT_SET_SIZE)
#define WRITE_RIGHTS                                                           \
    (MEWZ_WASI_RIGHT_FD_WRITE | MEWZ_WASI_RIGHT_FD_DATASYNC |                  \
     MEWZ_WASI_RIGHT_FD_ALLOCATE | MEWZ_WASI_RIGHT_FD_FILESTAT_SET_SIZE)
#define READ_RIGHTS (MEWZ_WASI_RIGHT_FD_READ | MEWZ_WASI_RIGHT_FD_READDIR)

/* A path argument as the monitor takes it: a guest address and length. */
static uint32_t path_ref(uint32_t path, uint32_t len, uint64_t *addr)
{
    const char *text;
    uint32_t err = mewz_path_arg(path, len, &text);
    if (err == MEWZ_WASI_ESUCCESS)
        *addr = MEWZ_HC_ADDR(text);
    return err;
}

/* One path call on a host directory with `right`. */
static uint32_t path_call(uint32_t fd, uint64_t right, uint32_t op,
                          uint32_t path, uint32_t len,
                          struct mewz_hc_fs *call)
{
    struct mewz_fd *dir;
    uint32_t err = mewz_volume_dir(fd, right, &dir);
    if (err == MEWZ_WASI_ESUCCESS)
        err = path_ref(path, len, &call->path_addr);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    call->op = op;
    call->handle = dir->handle;
    call->path_len = len;
    return mewz_volume_call(call);
}

uint32_t mewz_volume_path_open(uint32_t fd, uint32_t dirflags, uint32_t path,
                               uint32_t path_len, uint32_t oflags,
                               uint64_t rights_base, uint64_t rights_inheriting,
                               uint32_t fdflags, uint32_t fd_out)
{
    struct mewz_fd *dir;
    uint32_t err = mewz_volume_dir(fd, MEWZ_WASI_RIGHT_PATH_OPEN, &dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (dirflags & ~MEWZ_WASI_LOOKUP_SYMLINK_FOLLOW)
        return MEWZ_WASI_EINVAL;
    if ((oflags & ~MEWZ_WASI_OFLAGS_ALL) || (fdflags & ~MEWZ_WASI_FDFLAGS_ALL))
        return MEWZ_WASI_EINVAL;
    if ((oflags & MEWZ_WASI_OFLAG_CREAT) &&
        !(dir->rights_base & MEWZ_WASI_RIGHT_PATH_CREATE_FILE))
        return MEWZ_WASI_ENOTCAPABLE;
    if (!mewz_guest_range_ok(fd_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    uint64_t addr;
    err = path_ref(path, path_len, &addr);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;

    /* The host open's access mode from the rights, as wasmtime picks it. */
    uint64_t access = 0;
    if (rights_base & READ_RIGHTS)
        access |= 1;
    if ((rights_base & WRITE_RIGHTS) ||
        (fdflags & MEWZ_WASI_FDFLAG_APPEND))
        access |= 2;
    struct mewz_hc_fs call = {
        .op = MEWZ_FS_OPEN,
        .handle = dir->handle,
        .flags = oflags,
        .path_addr = addr,
        .path_len = path_len,
        .arg0 = dirflags,
        .arg1 = fdflags,
        .arg2 = access,
    };
    err = mewz_volume_call(&call);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    bool is_dir = call.handle2 == MEWZ_WASI_FILETYPE_DIRECTORY;
    uint64_t allowed = dir->rights_inheriting & ~(is_dir ? DIRECTORY_NEVER : 0);
    struct mewz_fd entry = {
        .kind = is_dir ? MEWZ_FD_HOST_DIR : MEWZ_FD_HOST_FILE,
        .flags = (uint16_t)fdflags,
        .handle = (uint32_t)call.result,
        .rights_base = rights_base & allowed,
        .rights_inheriting = rights_inheriting & dir->rights_inheriting,
    };
    uint32_t opened;
    err = mewz_fd_alloc(&entry, &opened);
    if (err != MEWZ_WASI_ESUCCESS) {
        mewz_volume_release(&entry);
        return err;
    }
    mewz_guest_store_u32(fd_out, opened);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_volume_path_create_directory(uint32_t fd, uint32_t path,
                                           uint32_t path_len)
{
    struct mewz_hc_fs call = {0};
    return path_call(fd, MEWZ_WASI_RIGHT_PATH_CREATE_DIRECTORY, MEWZ_FS_MKDIR,
                     path, path_len, &call);
}

uint32_t mewz_volume_path_remove_directory(uint32_t fd, uint32_t path,
                                           uint32_t path_len)
{
    struct mewz_hc_fs call = {0};
    return path_call(fd, MEWZ_WASI_RIGHT_PATH_REMOVE_DIRECTORY, MEWZ_FS_RMDIR,
                     path, path_len, &call);
}

uint32_t mewz_volume_path_unlink_file(uint32_t fd, uint32_t path,
                                      uint32_t path_len)
{
    struct mewz_hc_fs call = {0};
    return path_call(fd, MEWZ_WASI_RIGHT_PATH_UNLINK_FILE, MEWZ_FS_UNLINK,
                     path, path_len, &call);
}

/* path_rename and path_link: source and target directories with their
 * rights; EXDEV when one of them is not on a host volume. */
static uint32_t two_paths(uint32_t op, uint32_t old_fd, uint64_t old_right,
                          uint32_t old_path, uint32_t old_len,
                          uint32_t new_fd, uint64_t new_right,
                          uint32_t new_path, uint32_t new_len,
                          uint64_t lookup)
{
    struct mewz_fd *from = mewz_fd_get(old_fd);
    struct mewz_fd *to = mewz_fd_get(new_fd);
    bool from_host = from != NULL && from->kind == MEWZ_FD_HOST_DIR;
    bool to_host = to != NULL && to->kind == MEWZ_FD_HOST_DIR;
    uint32_t err;
    if (from_host)
        err = mewz_volume_dir(old_fd, old_right, &from);
    else
        err = mewz_fd_dir(old_fd, old_right, &from);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (to_host)
        err = mewz_volume_dir(new_fd, new_right, &to);
    else
        err = mewz_fd_dir(new_fd, new_right, &to);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    uint64_t old_addr, new_addr;
    err = path_ref(old_path, old_len, &old_addr);
    if (err == MEWZ_WASI_ESUCCESS)
        err = path_ref(new_path, new_len, &new_addr);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!from_host || !to_host)
        return MEWZ_WASI_EXDEV;
    struct mewz_hc_fs call = {
        .op = op,
        .handle = from->handle,
        .handle2 = to->handle,
        .path_addr = old_addr,
        .path_len = old_len,
        .path2_addr = new_addr,
        .path2_len = new_len,
        .arg0 = lookup,
    };
    return mewz_volume_call(&call);
}

uint32_t mewz_volume_path_rename(uint32_t fd, uint32_t old_path,
                                 uint32_t old_len, uint32_t new_fd,
                                 uint32_t new_path, uint32_t new_len)
{
    return two_paths(MEWZ_FS_RENAME, fd, MEWZ_WASI_RIGHT_PATH_RENAME_SOURCE,
                     old_path, old_len, new_fd,
                     MEWZ_WASI_RIGHT_PATH_RENAME_TARGET, new_path, new_len, 0);
}

uint32_t mewz_volume_path_link(uint32_t old_fd, uint32_t old_flags,
                               uint32_t old_path, uint32_t old_len,
                               uint32_t new_fd, uint32_t new_path,
                               uint32_t new_len)
{
    if (old_flags & ~MEWZ_WASI_LOOKUP_SYMLINK_FOLLOW)
        return MEWZ_WASI_EINVAL;
    return two_paths(MEWZ_FS_LINK, old_fd, MEWZ_WASI_RIGHT_PATH_LINK_SOURCE,
                     old_path, old_len, new_fd,
                     MEWZ_WASI_RIGHT_PATH_LINK_TARGET, new_path, new_len,
                     old_flags);
}

uint32_t mewz_volume_path_symlink(uint32_t old_path, uint32_t old_len,
                                  uint32_t fd, uint32_t new_path,
                                  uint32_t new_len)
{
    struct mewz_fd *dir;
    uint32_t err = mewz_volume_dir(fd, MEWZ_WASI_RIGHT_PATH_SYMLINK, &dir);
    uint64_t target_addr, link_addr;
    if (err == MEWZ_WASI_ESUCCESS)
        err = path_ref(old_path, old_len, &target_addr);
    if (err == MEWZ_WASI_ESUCCESS)
        err = path_ref(new_path, new_len, &link_addr);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_hc_fs call = {
        .op = MEWZ_FS_SYMLINK,
        .handle = dir->handle,
        .path_addr = target_addr,
        .path_len = old_len,
        .path2_addr = link_addr,
        .path2_len = new_len,
    };
    return mewz_volume_call(&call);
}

uint32_t mewz_volume_path_readlink(uint32_t fd, uint32_t path,
                                   uint32_t path_len, uint32_t buf,
                                   uint32_t buf_len, uint32_t bufused_out)
{
    if (!mewz_guest_range_ok(buf, buf_len) ||
        !mewz_guest_range_ok(bufused_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    struct mewz_hc_fs call = {
        .buf_addr = MEWZ_HC_ADDR(mewz_guest_ptr(buf)),
        .buf_len = buf_len,
    };
    uint32_t err = path_call(fd, MEWZ_WASI_RIGHT_PATH_READLINK,
                             MEWZ_FS_READLINK, path, path_len, &call);
    if (err == MEWZ_WASI_ESUCCESS)
        mewz_guest_store_u32(bufused_out, (uint32_t)call.result);
    return err;
}

uint32_t mewz_volume_path_filestat_get(uint32_t fd, uint32_t flags,
                                       uint32_t path, uint32_t path_len,
                                       uint32_t stat_out)
{
    if (flags & ~MEWZ_WASI_LOOKUP_SYMLINK_FOLLOW)
        return MEWZ_WASI_EINVAL;
    if (!mewz_guest_range_ok(stat_out, MEWZ_WASI_FILESTAT_SIZE))
        return MEWZ_WASI_EFAULT;
    struct mewz_hc_fs call = {
        .buf_addr = MEWZ_HC_ADDR(mewz_guest_ptr(stat_out)),
        .buf_len = MEWZ_WASI_FILESTAT_SIZE,
        .arg0 = flags,
    };
    return path_call(fd, MEWZ_WASI_RIGHT_PATH_FILESTAT_GET,
                     MEWZ_FS_PATH_FILESTAT, path, path_len, &call);
}

uint32_t mewz_volume_path_filestat_set_times(uint32_t fd, uint32_t flags,
                                             uint32_t path, uint32_t path_len,
                                             uint64_t atim, uint64_t mtim,
                                             uint32_t fst_flags)
{
    if (flags & ~MEWZ_WASI_LOOKUP_SYMLINK_FOLLOW)
        return MEWZ_WASI_EINVAL;
    uint32_t err = mewz_fstflags_check(fst_flags);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_hc_fs call = {
        .flags = fst_flags,
        .arg0 = atim,
        .arg1 = mtim,
        .arg2 = flags,
    };
    return path_call(fd, MEWZ_WASI_RIGHT_PATH_FILESTAT_SET_TIMES,
                     MEWZ_FS_PATH_SET_TIMES, path, path_len, &call);
}
