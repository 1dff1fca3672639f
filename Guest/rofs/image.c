/*
 * image.c: the read-only filesystem image (mewz/rofs.h) as the guest sees it,
 * mapped read-only at MEWZ_ROFS_BASE. The image is untrusted: the superblock
 * is checked once at mount, and every inode, dirent, name, symlink target
 * and file extent is checked against it each time it is read, so a bad
 * offset, length or index is EIO, never an access outside the section.
 * Reads go through memcpy into locals: nothing relies on the image's
 * alignment.
 */
#include "kernel.h"
#include "mewz/rofs.h"

static struct {
    const uint8_t *base;
    bool present; /* the image has a ROFS section */
    bool valid;   /* ... and its superblock and root are sound */
    struct mewz_rofs_super super;
} rofs;

/* [offset, offset + len) lies inside [0, limit), without overflow. */
static bool fits(uint64_t offset, uint64_t len, uint64_t limit)
{
    return offset <= limit && len <= limit - offset;
}

/* [offset, offset + count * size) lies inside [0, limit). */
static bool array_fits(uint64_t offset, uint64_t count, uint64_t size,
                       uint64_t limit)
{
    return offset <= limit && count <= (limit - offset) / size;
}

static bool super_valid(const struct mewz_rofs_super *s, uint64_t mapped)
{
    return s->magic == MEWZ_ROFS_MAGIC && s->version == MEWZ_ROFS_VERSION &&
           s->size >= sizeof *s && s->size <= mapped &&
           s->inode_count >= 1 && s->inode_offset % 8 == 0 &&
           s->dirent_offset % 8 == 0 && s->data_offset % 4096 == 0 &&
           array_fits(s->inode_offset, s->inode_count,
                      sizeof(struct mewz_rofs_inode), s->size) &&
           array_fits(s->dirent_offset, s->dirent_count,
                      sizeof(struct mewz_rofs_dirent), s->size) &&
           fits(s->strings_offset, s->strings_size, s->size) &&
           fits(s->data_offset, s->data_size, s->size);
}

void mewz_rofs_mount(const void *base, uint64_t size)
{
    rofs.base = base;
    rofs.present = size > 0;
    rofs.valid = false;
    if (size < sizeof rofs.super)
        return;
    memcpy(&rofs.super, base, sizeof rofs.super);
    if (!super_valid(&rofs.super, size))
        return;
    rofs.valid = true;
    struct mewz_rofs_node root;
    if (mewz_rofs_node(MEWZ_ROFS_ROOT_INODE, &root) != MEWZ_WASI_ESUCCESS ||
        root.type != MEWZ_ROFS_TYPE_DIRECTORY)
        rofs.valid = false;
}

bool mewz_rofs_present(void)
{
    return rofs.present;
}

uint64_t mewz_rofs_device(void)
{
    return rofs.super.device;
}

static bool node_valid(const struct mewz_rofs_inode *inode)
{
    const struct mewz_rofs_super *s = &rofs.super;
    switch (inode->type) {
    case MEWZ_ROFS_TYPE_REGULAR:
        return inode->offset >= s->data_offset &&
               fits(inode->offset - s->data_offset, inode->size,
                    s->data_size);
    case MEWZ_ROFS_TYPE_DIRECTORY:
        return fits(inode->offset, inode->size, s->dirent_count) &&
               inode->parent < s->inode_count;
    case MEWZ_ROFS_TYPE_SYMLINK:
        return inode->size >= 1 && inode->size <= MEWZ_ROFS_SYMLINK_MAX &&
               inode->offset >= s->strings_offset &&
               fits(inode->offset - s->strings_offset, inode->size,
                    s->strings_size);
    default:
        return false;
    }
}

uint32_t mewz_rofs_node(uint32_t ino, struct mewz_rofs_node *out)
{
    if (!rofs.valid || ino >= rofs.super.inode_count)
        return MEWZ_WASI_EIO;
    struct mewz_rofs_inode inode;
    memcpy(&inode,
           rofs.base + rofs.super.inode_offset + (uint64_t)ino * sizeof inode,
           sizeof inode);
    if (!node_valid(&inode))
        return MEWZ_WASI_EIO;
    *out = (struct mewz_rofs_node){
        .ino = ino,
        .type = inode.type,
        .mode = inode.mode,
        .nlink = inode.nlink,
        .parent = inode.parent,
        .size = inode.size,
        .offset = inode.offset,
        .atim = inode.atim,
        .mtim = inode.mtim,
        .ctim = inode.ctim,
    };
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_rofs_entry(const struct mewz_rofs_node *dir, uint64_t index,
                         struct mewz_rofs_entry *out)
{
    /* dir came from mewz_rofs_node: offset + size <= dirent_count. */
    if (dir->type != MEWZ_ROFS_TYPE_DIRECTORY || index >= dir->size)
        return MEWZ_WASI_EIO;
    struct mewz_rofs_dirent dirent;
    memcpy(&dirent,
           rofs.base + rofs.super.dirent_offset +
               (dir->offset + index) * sizeof dirent,
           sizeof dirent);
    if (dirent.name_len == 0 || dirent.name_len > MEWZ_ROFS_NAME_MAX ||
        !fits(dirent.name_offset, dirent.name_len, rofs.super.strings_size) ||
        dirent.inode >= rofs.super.inode_count)
        return MEWZ_WASI_EIO;
    *out = (struct mewz_rofs_entry){
        .name = (const char *)rofs.base + rofs.super.strings_offset +
                dirent.name_offset,
        .name_len = dirent.name_len,
        .ino = dirent.inode,
    };
    return MEWZ_WASI_ESUCCESS;
}

/* The writer's order: bytewise, a prefix before the longer name. */
static int compare_names(const char *a, uint32_t a_len, const char *b,
                         uint32_t b_len)
{
    int c = memcmp(a, b, a_len < b_len ? a_len : b_len);
    if (c != 0)
        return c;
    return a_len < b_len ? -1 : a_len > b_len;
}

uint32_t mewz_rofs_lookup(const struct mewz_rofs_node *dir, const char *name,
                          uint32_t len, uint32_t *ino)
{
    if (dir->type != MEWZ_ROFS_TYPE_DIRECTORY)
        return MEWZ_WASI_ENOTDIR;
    uint64_t low = 0, high = dir->size;
    while (low < high) {
        uint64_t mid = low + (high - low) / 2;
        struct mewz_rofs_entry entry;
        uint32_t err = mewz_rofs_entry(dir, mid, &entry);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
        int c = compare_names(name, len, entry.name, entry.name_len);
        if (c == 0) {
            *ino = entry.ino;
            return MEWZ_WASI_ESUCCESS;
        }
        if (c < 0)
            high = mid;
        else
            low = mid + 1;
    }
    return MEWZ_WASI_ENOENT;
}

const uint8_t *mewz_rofs_bytes(const struct mewz_rofs_node *node)
{
    /* node came from mewz_rofs_node: its extent lies inside the section. */
    return rofs.base + node->offset;
}
