/*
 * host_tmpfs.c: the in-guest RAM filesystem (Guest/tmpfs) on the host:
 * MEWZ_HC_FS calls answered by mewz_tmpfs_serve, with a page pool in a
 * buffer standing in for guest RAM. Checks the errnos Linux's tmpfs gives.
 */
#include <stdlib.h>
#include <string.h>

#include "host_check.h"
#include "kernel.h"
#include "tmpfs/tmpfs.h"

#define RAM_SIZE (8u << 20)
#define SCRATCH 0x1000u /* strings and buffers the calls point at */
#define POOL 0x100000u

static uint8_t *ram;
static uint32_t scratch_used;

uint64_t mewz_clock_at_boot_ns(uint32_t clock_id)
{
    (void)clock_id;
    return 1000000000ULL;
}

uint64_t mewz_clock_since_boot_ns(void)
{
    return 5;
}

/* Copies bytes into the scratch area; returns their guest address. */
static uint64_t put(const void *bytes, uint32_t len)
{
    uint64_t at = SCRATCH + scratch_used;
    memcpy(ram + at, bytes, len);
    scratch_used += (len + 15) & ~15u;
    return at;
}

static uint32_t call(struct mewz_hc_fs *c)
{
    scratch_used = 0;
    return mewz_tmpfs_serve(c);
}

static struct mewz_hc_fs path_op(uint32_t op, uint32_t dir, const char *path)
{
    scratch_used = 0;
    return (struct mewz_hc_fs){.op = op, .handle = dir,
                               .path_addr = put(path, (uint32_t)strlen(path)),
                               .path_len = strlen(path)};
}

static uint32_t simple(uint32_t op, uint32_t dir, const char *path)
{
    struct mewz_hc_fs c = path_op(op, dir, path);
    return mewz_tmpfs_serve(&c);
}

/* A call of two paths (symlink, rename, link): `path` beneath `dir`, `path2`
 * beneath `dir2` (symlink ignores dir2: its link is beneath `dir`). */
static uint32_t two_paths(uint32_t op, uint32_t dir, const char *path,
                          uint32_t dir2, const char *path2)
{
    struct mewz_hc_fs c = path_op(op, dir, path);
    c.handle2 = dir2;
    c.path2_addr = put(path2, (uint32_t)strlen(path2));
    c.path2_len = strlen(path2);
    return call(&c);
}

/* Opens path (oflags, follow, access 1 read 2 write); returns the errno. */
static uint32_t open_at(uint32_t dir, const char *path, uint32_t oflags,
                        bool follow, uint32_t access, uint32_t *handle)
{
    struct mewz_hc_fs c = path_op(MEWZ_FS_OPEN, dir, path);
    c.flags = oflags;
    c.arg0 = follow;
    c.arg2 = access;
    uint32_t err = mewz_tmpfs_serve(&c);
    if (handle)
        *handle = (uint32_t)c.result;
    return err;
}

static uint64_t transfer(uint32_t op, uint32_t handle, void *buffer,
                         uint64_t len, uint64_t offset, uint32_t *err)
{
    scratch_used = 0;
    uint64_t data = put(buffer, (uint32_t)len);
    struct mewz_hc_iovec iov = {.addr = data, .len = len};
    struct mewz_hc_fs c = {.op = op, .handle = handle,
                           .buf_addr = put(&iov, sizeof iov), .buf_len = 1,
                           .arg0 = offset};
    *err = mewz_tmpfs_serve(&c);
    memcpy(buffer, ram + data, len);
    return c.result;
}

static uint64_t stat_field(uint32_t handle, unsigned word)
{
    scratch_used = 0;
    struct mewz_hc_fs c = {.op = MEWZ_FS_FILESTAT, .handle = handle,
                           .buf_addr = put((uint8_t[64]){0}, 64)};
    CHECK_EQ(call(&c), MEWZ_WASI_ESUCCESS);
    uint64_t value;
    memcpy(&value, ram + SCRATCH + word * 8, 8);
    return value;
}

int main(void)
{
    ram = aligned_alloc(4096, RAM_SIZE);
    memset(ram, 0, RAM_SIZE);
    mewz_phys_offset = (uintptr_t)ram;
    mewz_pages_init(POOL, RAM_SIZE);

    uint32_t root;
    CHECK_EQ(mewz_tmpfs_mount(0, 64 << 10, false, &root), MEWZ_WASI_ESUCCESS);

    /* Files: create, write, read back, sizes, offsets. */
    uint32_t file, again;
    CHECK_EQ(open_at(root, "a", 1, false, 3, &file), MEWZ_WASI_ESUCCESS);
    uint32_t err;
    CHECK_EQ(transfer(MEWZ_FS_WRITE, file, "hello", 5, 0, &err), 5);
    CHECK_EQ(stat_field(file, 4), 5);     /* size */
    CHECK_EQ(stat_field(file, 2), MEWZ_WASI_FILETYPE_REGULAR_FILE);
    char buffer[16] = {0};
    CHECK_EQ(transfer(MEWZ_FS_PREAD, file, buffer, 16, 1, &err), 4);
    CHECK(memcmp(buffer, "ello", 4) == 0);
    CHECK_EQ(transfer(MEWZ_FS_READ, file, buffer, 16, 0, &err), 0); /* at the end */
    CHECK_EQ(transfer(MEWZ_FS_PWRITE, file, "!", 1, 9, &err), 1);
    CHECK_EQ(stat_field(file, 4), 10);    /* a hole up to 9 */
    CHECK_EQ(transfer(MEWZ_FS_PREAD, file, buffer, 16, 5, &err), 5);
    CHECK(memcmp(buffer, "\0\0\0\0!", 5) == 0);

    /* Opening: the errors of Linux's open. */
    CHECK_EQ(open_at(root, "a", 1 | 4, false, 2, NULL), MEWZ_WASI_EEXIST);
    CHECK_EQ(open_at(root, "a/", 0, false, 1, NULL), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(open_at(root, "a", 2, false, 1, NULL), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(open_at(root, "missing", 0, false, 1, NULL), MEWZ_WASI_ENOENT);
    CHECK_EQ(open_at(root, "new/", 1, false, 2, NULL), MEWZ_WASI_EISDIR);
    CHECK_EQ(open_at(root, "../x", 0, false, 1, NULL), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(open_at(root, "/a", 0, false, 1, NULL), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(open_at(root, ".", 0, false, 2, NULL), MEWZ_WASI_EISDIR);
    CHECK_EQ(open_at(file, "x", 0, false, 1, NULL), MEWZ_WASI_ENOTDIR);

    /* Directories. */
    CHECK_EQ(simple(MEWZ_FS_MKDIR, root, "d"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(simple(MEWZ_FS_MKDIR, root, "d"), MEWZ_WASI_EEXIST);
    CHECK_EQ(simple(MEWZ_FS_MKDIR, root, "d/e/f"), MEWZ_WASI_ENOENT);
    CHECK_EQ(simple(MEWZ_FS_MKDIR, root, "d/e"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(simple(MEWZ_FS_RMDIR, root, "d"), MEWZ_WASI_ENOTEMPTY);
    CHECK_EQ(simple(MEWZ_FS_UNLINK, root, "d"), MEWZ_WASI_EISDIR);
    CHECK_EQ(simple(MEWZ_FS_RMDIR, root, "a"), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(simple(MEWZ_FS_RMDIR, root, "."), MEWZ_WASI_EINVAL);
    CHECK_EQ(simple(MEWZ_FS_UNLINK, root, "a/"), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(open_at(root, "d/e/../../a", 0, false, 1, NULL), MEWZ_WASI_ESUCCESS);

    /* Symlinks: followed beneath the start only, loops stop. */
    CHECK_EQ(two_paths(MEWZ_FS_SYMLINK, root, "a", root, "l"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(open_at(root, "l", 0, true, 1, &again), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(stat_field(again, 1), stat_field(file, 1)); /* same inode */
    CHECK_EQ(open_at(root, "l", 0, false, 1, NULL), MEWZ_WASI_ELOOP);
    CHECK_EQ(open_at(root, "l", 2, false, 1, NULL), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(two_paths(MEWZ_FS_SYMLINK, root, "/etc", root, "abs"), MEWZ_WASI_EPERM);
    CHECK_EQ(two_paths(MEWZ_FS_SYMLINK, root, "../a", root, "d/up"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(open_at(root, "d/up", 0, true, 1, NULL), MEWZ_WASI_ESUCCESS);
    uint32_t sub;
    CHECK_EQ(open_at(root, "d", 2, false, 1, &sub), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(open_at(sub, "up", 0, true, 1, NULL), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(two_paths(MEWZ_FS_SYMLINK, root, "loop", root, "loop"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(open_at(root, "loop", 0, true, 1, NULL), MEWZ_WASI_ELOOP);
    struct mewz_hc_fs c = path_op(MEWZ_FS_READLINK, root, "l");
    c.buf_addr = put("??", 2);
    c.buf_len = 1;
    CHECK_EQ(mewz_tmpfs_serve(&c), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(c.result, 1);
    CHECK_EQ(simple(MEWZ_FS_READLINK, root, "a"), MEWZ_WASI_EINVAL);

    /* Rename and link. */
    CHECK_EQ(two_paths(MEWZ_FS_RENAME, root, "d", root, "d/e/inside"), MEWZ_WASI_EINVAL);
    CHECK_EQ(two_paths(MEWZ_FS_RENAME, root, "a", root, "d"), MEWZ_WASI_EISDIR);
    CHECK_EQ(two_paths(MEWZ_FS_LINK, root, "a", root, "b"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(stat_field(file, 3), 2); /* nlink */
    CHECK_EQ(two_paths(MEWZ_FS_RENAME, root, "b", root, "d/e/b"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(open_at(root, "d/e/b", 0, false, 1, NULL), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(open_at(root, "b", 0, false, 1, NULL), MEWZ_WASI_ENOENT);

    /* readdir: cookies resume where the last call stopped. */
    uint8_t listing[512];
    c = (struct mewz_hc_fs){.op = MEWZ_FS_READDIR, .handle = root,
                            .buf_addr = SCRATCH, .buf_len = sizeof listing};
    CHECK_EQ(mewz_tmpfs_serve(&c), MEWZ_WASI_ESUCCESS);
    memcpy(listing, ram + SCRATCH, sizeof listing);
    uint64_t used = c.result, at = 0, count = 0, second_next = 0;
    while (at + 24 <= used) {
        uint32_t len;
        memcpy(&len, listing + at + 16, 4);
        if (count == 1)
            memcpy(&second_next, listing + at, 8);
        at += 24 + len;
        count++;
    }
    CHECK_EQ(count, 6); /* . .. a d l loop */
    c.arg0 = second_next;
    CHECK_EQ(mewz_tmpfs_serve(&c), MEWZ_WASI_ESUCCESS);
    uint32_t first_len;
    memcpy(&first_len, ram + SCRATCH + 16, 4);
    CHECK_EQ(first_len, 1);
    CHECK(ram[SCRATCH + 24] == 'a');

    /* size=: ENOSPC, and an unlinked file's pages come back at close. */
    uint64_t before = mewz_tmpfs_mounts[0].used_pages;
    uint32_t big;
    CHECK_EQ(open_at(root, "big", 1, false, 2, &big), MEWZ_WASI_ESUCCESS);
    static char block[128 << 10];
    uint64_t wrote = transfer(MEWZ_FS_WRITE, big, block, sizeof block, 0, &err);
    CHECK(wrote > 0 && wrote < sizeof block);
    CHECK_EQ(transfer(MEWZ_FS_WRITE, big, block, 4096, 0, &err), 0);
    CHECK_EQ(err, MEWZ_WASI_ENOSPC);
    CHECK_EQ(simple(MEWZ_FS_UNLINK, root, "big"), MEWZ_WASI_ESUCCESS);
    CHECK(mewz_tmpfs_mounts[0].used_pages > before);
    c = (struct mewz_hc_fs){.op = MEWZ_FS_CLOSE, .handle = big};
    CHECK_EQ(mewz_tmpfs_serve(&c), MEWZ_WASI_ESUCCESS);
    CHECK(mewz_tmpfs_mounts[0].used_pages <= before + 1);
    CHECK_EQ(mewz_tmpfs_serve(&c), MEWZ_WASI_EBADF);

    /* A write past the largest file: EFBIG, and the size does not move. */
    uint32_t edge;
    CHECK_EQ(open_at(root, "edge", 1, false, 3, &edge), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(transfer(MEWZ_FS_PWRITE, edge, "x", 1, 1ULL << 40, &err), 0);
    CHECK_EQ(err, MEWZ_WASI_EFBIG);
    CHECK_EQ(stat_field(edge, 4), 0);
    CHECK_EQ(transfer(MEWZ_FS_PWRITE, edge, "x", 1, MEWZ_TMPFS_FILE_MAX - 1, &err), 1);
    CHECK_EQ(stat_field(edge, 4), MEWZ_TMPFS_FILE_MAX);
    CHECK_EQ(simple(MEWZ_FS_UNLINK, root, "edge"), MEWZ_WASI_ESUCCESS);
    c = (struct mewz_hc_fs){.op = MEWZ_FS_CLOSE, .handle = edge};
    CHECK_EQ(mewz_tmpfs_serve(&c), MEWZ_WASI_ESUCCESS);

    /* An allocation the mount cannot hold gives back what it took. */
    before = mewz_tmpfs_mounts[0].used_pages;
    uint32_t hog;
    CHECK_EQ(open_at(root, "hog", 1, false, 3, &hog), MEWZ_WASI_ESUCCESS);
    c = (struct mewz_hc_fs){.op = MEWZ_FS_ALLOCATE, .handle = hog, .arg0 = 0, .arg1 = 1 << 20};
    CHECK_EQ(mewz_tmpfs_serve(&c), MEWZ_WASI_ENOSPC);
    CHECK_EQ(stat_field(hog, 4), 0);
    CHECK_EQ(mewz_tmpfs_mounts[0].used_pages, before);

    /* A removed directory that is still open takes no new names (ENOENT,
     * as Linux), and a rename into it does not walk its gone parents. */
    uint32_t gone;
    CHECK_EQ(simple(MEWZ_FS_MKDIR, root, "p"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(simple(MEWZ_FS_MKDIR, root, "p/q"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(open_at(root, "p/q", 2, false, 1, &gone), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(simple(MEWZ_FS_RMDIR, root, "p/q"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(simple(MEWZ_FS_RMDIR, root, "p"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(open_at(gone, "new", 1, false, 2, NULL), MEWZ_WASI_ENOENT);
    CHECK_EQ(simple(MEWZ_FS_MKDIR, gone, "z"), MEWZ_WASI_ENOENT);
    CHECK_EQ(simple(MEWZ_FS_MKDIR, root, "m"), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(two_paths(MEWZ_FS_RENAME, root, "m", gone, "x"), MEWZ_WASI_ENOENT);

    /* A read-only tmpfs: nothing changes. */
    uint32_t ro;
    CHECK_EQ(mewz_tmpfs_mount(1, 1 << 20, true, &ro), MEWZ_WASI_ESUCCESS);
    CHECK_EQ(open_at(ro, "x", 1, false, 2, NULL), MEWZ_WASI_EROFS);
    CHECK_EQ(simple(MEWZ_FS_MKDIR, ro, "x"), MEWZ_WASI_EROFS);
    CHECK_EQ(two_paths(MEWZ_FS_RENAME, root, "a", ro, "a"), MEWZ_WASI_EXDEV);
    return check_report("host_tmpfs");
}
