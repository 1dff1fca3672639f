/*
 * fd_readdir.c: directory entries from a ROFS directory. The entries are
 * ".", "..", then the directory's sorted run; cookie n starts at entry n
 * and each entry's d_next is its index + 1. The image never changes, so a
 * cookie stays valid for the life of the VM. As the witx says (and
 * wasmtime does), the buffer is filled as far as it goes, the last entry
 * possibly cut short; fewer bytes than the buffer holds means the end.
 */
#include "kernel.h"
#include "mewz/rofs.h"

struct writer {
    uint32_t at;
    uint32_t left;
};

/* Copies as much of src as still fits; false when the buffer is full. */
static bool put(struct writer *w, const void *src, uint32_t len)
{
    uint32_t n = len < w->left ? len : w->left;
    memcpy(mewz_guest_ptr(w->at), src, n);
    w->at += n;
    w->left -= n;
    return w->left > 0;
}

static bool put_entry(struct writer *w, uint64_t next, uint32_t ino,
                      uint8_t type, const char *name, uint32_t name_len)
{
    uint8_t header[MEWZ_WASI_DIRENT_SIZE] = {0};
    uint64_t d_ino = (uint64_t)ino + 1;
    memcpy(header, &next, 8);
    memcpy(header + 8, &d_ino, 8);
    memcpy(header + 16, &name_len, 4);
    header[20] = type;
    return put(w, header, sizeof header) && put(w, name, name_len);
}

uint32_t mewz_wasi_fd_readdir(uint32_t fd, uint32_t buf, uint32_t buf_len,
                              uint64_t cookie, uint32_t size_out)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_fd_readdir(fd, buf, buf_len, cookie, size_out);
    struct mewz_fd *entry = mewz_fd_get(fd);
    if (entry == NULL)
        return MEWZ_WASI_EBADF;
    if (entry->kind != MEWZ_FD_DIRECTORY)
        return MEWZ_WASI_ENOTDIR;
    if (!(entry->rights_base & MEWZ_WASI_RIGHT_FD_READDIR))
        return MEWZ_WASI_ENOTCAPABLE;
    if (!mewz_guest_range_ok(buf, buf_len) ||
        !mewz_guest_range_ok(size_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    struct mewz_rofs_node dir;
    uint32_t err = mewz_fd_node(entry, &dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;

    struct writer w = {.at = buf, .left = buf_len};
    bool room = buf_len > 0;
    uint64_t total = dir.size + 2;
    for (uint64_t index = cookie; room && index < total; index++) {
        if (index < 2) {
            uint32_t ino = index == 0 ? dir.ino : dir.parent;
            room = put_entry(&w, index + 1, ino, MEWZ_WASI_FILETYPE_DIRECTORY,
                             "..", (uint32_t)index + 1);
            continue;
        }
        struct mewz_rofs_entry child;
        struct mewz_rofs_node node;
        err = mewz_rofs_entry(&dir, index - 2, &child);
        if (err == MEWZ_WASI_ESUCCESS)
            err = mewz_rofs_node(child.ino, &node);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
        room = put_entry(&w, index + 1, child.ino, (uint8_t)node.type,
                         child.name, child.name_len);
    }
    mewz_guest_store_u32(size_out, buf_len - w.left);
    return MEWZ_WASI_ESUCCESS;
}
