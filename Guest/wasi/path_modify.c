/*
 * path_modify.c: the calls that change the tree, answered as Linux answers
 * them on a read-only mount, in the order it checks (fs/namei.c): the
 * directory descriptor and its right first, then the parent path (ENOENT,
 * ENOTDIR, ELOOP, ENOTCAPABLE, ...), then:
 *
 *   create_directory, symlink, link (new name): "."/".." or a name that
 *     exists is EEXIST (filename_create looks it up first), else EROFS;
 *   remove_directory: "." EINVAL, ".." ENOTEMPTY, else EROFS (do_rmdir asks
 *     for write access before it looks the name up);
 *   unlink_file: "." or ".." EISDIR, else EROFS (as do_unlinkat);
 *   rename: "." or ".." on either side EBUSY, else EROFS;
 *   link: the source is resolved fully first (following its last symlink
 *     with SYMLINK_FOLLOW), then the new name as for create.
 *
 * Nothing here can succeed: the image is immutable.
 */
#include "kernel.h"
#include "mewz/rofs.h"

static bool is_dot(const struct mewz_walk *w)
{
    return w->last_len == 1 && w->last[0] == '.';
}

static bool is_dotdot(const struct mewz_walk *w)
{
    return w->last_len == 2 && w->last[0] == '.' && w->last[1] == '.';
}

static uint32_t parent_of(uint32_t fd, uint64_t right, uint32_t path,
                          uint32_t path_len, struct mewz_walk *out)
{
    struct mewz_fd *dir;
    uint32_t err = mewz_fd_dir(fd, right, &dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    return mewz_path_walk(dir, path, path_len, MEWZ_WALK_PARENT, out);
}

/* filename_create: EEXIST when the name is there, EROFS when it is not. */
static uint32_t would_create(const struct mewz_walk *parent)
{
    if (is_dot(parent) || is_dotdot(parent))
        return MEWZ_WASI_EEXIST;
    if (parent->last_len > MEWZ_ROFS_NAME_MAX)
        return MEWZ_WASI_ENAMETOOLONG;
    struct mewz_rofs_node dir;
    uint32_t ino;
    uint32_t err = mewz_rofs_node(parent->ino, &dir);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_rofs_lookup(&dir, parent->last, parent->last_len, &ino);
    if (err == MEWZ_WASI_ESUCCESS)
        return MEWZ_WASI_EEXIST;
    return err == MEWZ_WASI_ENOENT ? MEWZ_WASI_EROFS : err;
}

uint32_t mewz_wasi_path_create_directory(uint32_t fd, uint32_t path,
                                         uint32_t path_len)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_path_create_directory(fd, path, path_len);
    struct mewz_walk parent;
    uint32_t err = parent_of(fd, MEWZ_WASI_RIGHT_PATH_CREATE_DIRECTORY, path,
                             path_len, &parent);
    return err != MEWZ_WASI_ESUCCESS ? err : would_create(&parent);
}

uint32_t mewz_wasi_path_remove_directory(uint32_t fd, uint32_t path,
                                         uint32_t path_len)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_path_remove_directory(fd, path, path_len);
    struct mewz_walk parent;
    uint32_t err = parent_of(fd, MEWZ_WASI_RIGHT_PATH_REMOVE_DIRECTORY, path,
                             path_len, &parent);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (is_dot(&parent))
        return MEWZ_WASI_EINVAL;
    if (is_dotdot(&parent))
        return MEWZ_WASI_ENOTEMPTY;
    return MEWZ_WASI_EROFS;
}

uint32_t mewz_wasi_path_unlink_file(uint32_t fd, uint32_t path,
                                    uint32_t path_len)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_path_unlink_file(fd, path, path_len);
    struct mewz_walk parent;
    uint32_t err = parent_of(fd, MEWZ_WASI_RIGHT_PATH_UNLINK_FILE, path,
                             path_len, &parent);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (is_dot(&parent) || is_dotdot(&parent))
        return MEWZ_WASI_EISDIR;
    return MEWZ_WASI_EROFS;
}

uint32_t mewz_wasi_path_rename(uint32_t fd, uint32_t old_path,
                               uint32_t old_path_len, uint32_t new_fd,
                               uint32_t new_path, uint32_t new_path_len)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd) || mewz_volume_owns(new_fd))
        return mewz_volume_path_rename(fd, old_path, old_path_len, new_fd,
                                       new_path, new_path_len);
    struct mewz_fd *old_dir, *new_dir;
    uint32_t err = mewz_fd_dir(fd, MEWZ_WASI_RIGHT_PATH_RENAME_SOURCE,
                               &old_dir);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_fd_dir(new_fd, MEWZ_WASI_RIGHT_PATH_RENAME_TARGET, &new_dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_walk from, to;
    err = mewz_path_walk(old_dir, old_path, old_path_len, MEWZ_WALK_PARENT,
                         &from);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_path_walk(new_dir, new_path, new_path_len,
                             MEWZ_WALK_PARENT, &to);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (is_dot(&from) || is_dotdot(&from) || is_dot(&to) || is_dotdot(&to))
        return MEWZ_WASI_EBUSY;
    return MEWZ_WASI_EROFS;
}

uint32_t mewz_wasi_path_link(uint32_t old_fd, uint32_t old_flags,
                             uint32_t old_path, uint32_t old_path_len,
                             uint32_t new_fd, uint32_t new_path,
                             uint32_t new_path_len)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(old_fd) || mewz_volume_owns(new_fd))
        return mewz_volume_path_link(old_fd, old_flags, old_path, old_path_len,
                                     new_fd, new_path, new_path_len);
    struct mewz_fd *old_dir, *new_dir;
    uint32_t err = mewz_fd_dir(old_fd, MEWZ_WASI_RIGHT_PATH_LINK_SOURCE,
                               &old_dir);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_fd_dir(new_fd, MEWZ_WASI_RIGHT_PATH_LINK_TARGET, &new_dir);
    unsigned walk_flags;
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_lookup_flags(old_flags, &walk_flags);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_walk source, target;
    err = mewz_path_walk(old_dir, old_path, old_path_len, walk_flags, &source);
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_path_walk(new_dir, new_path, new_path_len,
                             MEWZ_WALK_PARENT, &target);
    return err != MEWZ_WASI_ESUCCESS ? err : would_create(&target);
}

uint32_t mewz_wasi_path_symlink(uint32_t old_path, uint32_t old_path_len,
                                uint32_t fd, uint32_t new_path,
                                uint32_t new_path_len)
{
    /* Host volumes: wasi/volume_*.c. */
    if (mewz_volume_owns(fd))
        return mewz_volume_path_symlink(old_path, old_path_len, fd, new_path,
                                        new_path_len);
    struct mewz_fd *dir;
    uint32_t err = mewz_fd_dir(fd, MEWZ_WASI_RIGHT_PATH_SYMLINK, &dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    /* The target is only text, but it must be a valid path argument, and
     * Linux refuses an empty one. */
    const char *target;
    err = mewz_path_arg(old_path, old_path_len, &target);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (old_path_len == 0)
        return MEWZ_WASI_ENOENT;
    struct mewz_walk parent;
    err = mewz_path_walk(dir, new_path, new_path_len, MEWZ_WALK_PARENT,
                         &parent);
    return err != MEWZ_WASI_ESUCCESS ? err : would_create(&parent);
}
