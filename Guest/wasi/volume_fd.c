/*
 * volume_fd.c: the fd_* calls on host volumes. Rights and arguments are
 * checked here, in the order the ROFS calls check them; what the file
 * says (sizes, errors of the host call) comes from the monitor, which
 * runs the Linux call on its descriptor (MEWZ_HC_FS), so the errno is
 * Linux's. Reads and writes go straight between linear memory and the
 * host file: one exit per call, no copy in the guest.
 */
#include "kernel.h"

/* Static: the monitor reads it from guest RAM. */
static struct mewz_hc_iovec vol_iov[MEWZ_HC_IOV_MAX] MEWZ_BULK(vol_iov);

static uint32_t need(const struct mewz_fd *entry, uint64_t rights)
{
    return (entry->rights_base & rights) == rights ? MEWZ_WASI_ESUCCESS
                                                   : MEWZ_WASI_ENOTCAPABLE;
}

/* A host file (not a directory: EISDIR) with `rights`. */
static uint32_t host_file(uint32_t fd, uint64_t rights, struct mewz_fd **out)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (entry->kind == MEWZ_FD_HOST_DIR)
        return MEWZ_WASI_EISDIR;
    uint32_t err = need(entry, rights);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    *out = entry;
    return MEWZ_WASI_ESUCCESS;
}

/* One read or write of the iovecs (at most MEWZ_HC_IOV_MAX of them, the
 * total within a WASI size), as readv/writev do it once. */
static uint32_t transfer(const struct mewz_fd *entry, uint32_t op,
                         uint32_t iovs, uint32_t iovs_len, uint64_t offset,
                         uint32_t done_out)
{
    uint32_t err = mewz_iovec_check(iovs, iovs_len);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(done_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    uint64_t bytes;
    uint32_t next = 0;
    uint32_t count = mewz_iovec_translate(iovs, iovs_len, &next, vol_iov,
                                          MEWZ_HC_IOV_MAX, &bytes);
    uint64_t done = 0;
    if (count > 0) {
        struct mewz_hc_fs call = {
            .op = op,
            .handle = entry->handle,
            .buf_addr = MEWZ_HC_ADDR(vol_iov),
            .buf_len = count,
            .arg0 = offset,
        };
        err = mewz_volume_call(&call);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
        done = call.result > bytes ? bytes : call.result;
    }
    mewz_guest_store_u32(done_out, (uint32_t)done);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_volume_fd_read(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                             uint32_t nread_out)
{
    struct mewz_fd *entry;
    uint32_t err = host_file(fd, MEWZ_WASI_RIGHT_FD_READ, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    return transfer(entry, MEWZ_FS_READ, iovs, iovs_len, 0, nread_out);
}

uint32_t mewz_volume_fd_pread(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                              uint64_t offset, uint32_t nread_out)
{
    struct mewz_fd *entry;
    uint32_t err = host_file(
        fd, MEWZ_WASI_RIGHT_FD_READ | MEWZ_WASI_RIGHT_FD_SEEK, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (offset > INT64_MAX)
        return MEWZ_WASI_EINVAL;
    return transfer(entry, MEWZ_FS_PREAD, iovs, iovs_len, offset, nread_out);
}

uint32_t mewz_volume_fd_write(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                              uint32_t nwritten_out)
{
    struct mewz_fd *entry;
    uint32_t err = host_file(fd, MEWZ_WASI_RIGHT_FD_WRITE, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    return transfer(entry, MEWZ_FS_WRITE, iovs, iovs_len, 0, nwritten_out);
}

uint32_t mewz_volume_fd_pwrite(uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                               uint64_t offset, uint32_t nwritten_out)
{
    struct mewz_fd *entry;
    uint32_t err = host_file(
        fd, MEWZ_WASI_RIGHT_FD_WRITE | MEWZ_WASI_RIGHT_FD_SEEK, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (offset > INT64_MAX)
        return MEWZ_WASI_EINVAL;
    return transfer(entry, MEWZ_FS_PWRITE, iovs, iovs_len, offset,
                    nwritten_out);
}

static uint32_t seek(struct mewz_fd *entry, uint64_t offset, uint32_t whence,
                     uint32_t out)
{
    if (!mewz_guest_range_ok(out, sizeof(uint64_t)))
        return MEWZ_WASI_EFAULT;
    struct mewz_hc_fs call = {
        .op = MEWZ_FS_SEEK,
        .handle = entry->handle,
        .flags = whence,
        .arg0 = offset,
    };
    uint32_t err = mewz_volume_call(&call);
    if (err == MEWZ_WASI_ESUCCESS)
        mewz_guest_store_u64(out, call.result);
    return err;
}

uint32_t mewz_volume_fd_seek(uint32_t fd, uint64_t offset, uint32_t whence,
                             uint32_t newoffset_out)
{
    if (whence > UINT8_MAX)
        return MEWZ_WASI_EOVERFLOW;
    if (whence > MEWZ_WASI_WHENCE_END)
        return MEWZ_WASI_EINVAL;
    uint64_t rights = offset == 0 && whence == MEWZ_WASI_WHENCE_CUR
                          ? MEWZ_WASI_RIGHT_FD_TELL
                          : MEWZ_WASI_RIGHT_FD_SEEK;
    struct mewz_fd *entry;
    uint32_t err = host_file(fd, rights, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    return seek(entry, offset, whence, newoffset_out);
}

uint32_t mewz_volume_fd_tell(uint32_t fd, uint32_t offset_out)
{
    struct mewz_fd *entry;
    uint32_t err = host_file(fd, MEWZ_WASI_RIGHT_FD_TELL, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    return seek(entry, 0, MEWZ_WASI_WHENCE_CUR, offset_out);
}

uint32_t mewz_volume_fd_filestat_get(uint32_t fd, uint32_t stat_out)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    uint32_t err = need(entry, MEWZ_WASI_RIGHT_FD_FILESTAT_GET);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(stat_out, MEWZ_WASI_FILESTAT_SIZE))
        return MEWZ_WASI_EFAULT;
    struct mewz_hc_fs call = {
        .op = MEWZ_FS_FILESTAT,
        .handle = entry->handle,
        .buf_addr = MEWZ_HC_ADDR(mewz_guest_ptr(stat_out)),
        .buf_len = MEWZ_WASI_FILESTAT_SIZE,
    };
    return mewz_volume_call(&call);
}

uint32_t mewz_volume_fd_filestat_set_size(uint32_t fd, uint64_t size)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    uint32_t err = need(entry, MEWZ_WASI_RIGHT_FD_FILESTAT_SET_SIZE);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (entry->kind == MEWZ_FD_HOST_DIR || size > INT64_MAX)
        return MEWZ_WASI_EINVAL; /* ftruncate's answers */
    struct mewz_hc_fs call = {
        .op = MEWZ_FS_SET_SIZE, .handle = entry->handle, .arg0 = size};
    return mewz_volume_call(&call);
}

uint32_t mewz_volume_fd_filestat_set_times(uint32_t fd, uint64_t atim,
                                           uint64_t mtim, uint32_t fst_flags)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    uint32_t err = mewz_fstflags_check(fst_flags);
    if (err == MEWZ_WASI_ESUCCESS)
        err = need(entry, MEWZ_WASI_RIGHT_FD_FILESTAT_SET_TIMES);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_hc_fs call = {
        .op = MEWZ_FS_SET_TIMES,
        .handle = entry->handle,
        .flags = fst_flags,
        .arg0 = atim,
        .arg1 = mtim,
    };
    return mewz_volume_call(&call);
}

/* Advice is a hint the host's page cache would mostly ignore: checked and
 * accepted, as posix_fadvise accepts it, without an exit. */
uint32_t mewz_volume_fd_advise(uint32_t fd, uint64_t offset, uint64_t len,
                               uint32_t advice)
{
    (void)offset;
    (void)len;
    if (advice > UINT8_MAX)
        return MEWZ_WASI_EOVERFLOW;
    if (advice > MEWZ_WASI_ADVICE_NOREUSE)
        return MEWZ_WASI_EINVAL;
    struct mewz_fd *entry;
    return host_file(fd, MEWZ_WASI_RIGHT_FD_ADVISE, &entry);
}

uint32_t mewz_volume_fd_allocate(uint32_t fd, uint64_t offset, uint64_t len)
{
    struct mewz_fd *entry;
    uint32_t err = host_file(fd, MEWZ_WASI_RIGHT_FD_ALLOCATE, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (offset > INT64_MAX || len == 0 || len > INT64_MAX)
        return MEWZ_WASI_EINVAL;
    struct mewz_hc_fs call = {.op = MEWZ_FS_ALLOCATE,
                              .handle = entry->handle,
                              .arg0 = offset,
                              .arg1 = len};
    return mewz_volume_call(&call);
}

/* A real fsync/fdatasync on the host descriptor: the data is on the host's
 * storage when this returns. */
uint32_t mewz_volume_fd_sync(uint32_t fd, bool data_only)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    uint32_t err = need(entry, data_only ? MEWZ_WASI_RIGHT_FD_DATASYNC
                                         : MEWZ_WASI_RIGHT_FD_SYNC);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_hc_fs call = {
        .op = data_only ? MEWZ_FS_DATASYNC : MEWZ_FS_SYNC,
        .handle = entry->handle,
    };
    return mewz_volume_call(&call);
}

uint32_t mewz_volume_fd_fdstat_set_flags(uint32_t fd, uint32_t flags)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (flags > UINT16_MAX)
        return MEWZ_WASI_EOVERFLOW;
    const uint32_t sync = MEWZ_WASI_FDFLAG_DSYNC | MEWZ_WASI_FDFLAG_RSYNC |
                          MEWZ_WASI_FDFLAG_SYNC;
    if ((flags & ~MEWZ_WASI_FDFLAGS_ALL) || (flags & sync))
        return MEWZ_WASI_EINVAL;
    uint32_t err = need(entry, MEWZ_WASI_RIGHT_FD_FDSTAT_SET_FLAGS);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_hc_fs call = {
        .op = MEWZ_FS_SET_FLAGS, .handle = entry->handle, .flags = flags};
    err = mewz_volume_call(&call);
    if (err == MEWZ_WASI_ESUCCESS)
        entry->flags = (uint16_t)((entry->flags & sync) | flags);
    return err;
}

uint32_t mewz_volume_fd_readdir(uint32_t fd, uint32_t buf, uint32_t buf_len,
                                uint64_t cookie, uint32_t size_out)
{
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (entry->kind != MEWZ_FD_HOST_DIR)
        return MEWZ_WASI_ENOTDIR;
    uint32_t err = need(entry, MEWZ_WASI_RIGHT_FD_READDIR);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (!mewz_guest_range_ok(buf, buf_len) ||
        !mewz_guest_range_ok(size_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    struct mewz_hc_fs call = {
        .op = MEWZ_FS_READDIR,
        .handle = entry->handle,
        .buf_addr = MEWZ_HC_ADDR(mewz_guest_ptr(buf)),
        .buf_len = buf_len,
        .arg0 = cookie,
    };
    err = mewz_volume_call(&call);
    if (err == MEWZ_WASI_ESUCCESS)
        mewz_guest_store_u32(size_out, (uint32_t)call.result);
    return err;
}
