/*
 * tmpfs_serve.c: the MEWZ_HC_FS operations on the RAM filesystem, with
 * the errnos Linux's tmpfs gives for the same calls (see abi.h for each
 * operation's fields). Handles are open-file entries (MEWZ_TMPFS_HANDLE |
 * index) holding an inode, an offset and the access mode.
 */
#include "tmpfs/tmpfs_walk.h"

struct open_file {
    uint32_t ino; /* 0: free */
    bool read, write, append;
    uint64_t offset;
};

static struct open_file opens[MEWZ_TMPFS_OPENS] MEWZ_BULK(opens);

#define WASI_OFLAG_CREAT 1U
#define WASI_OFLAG_DIRECTORY 2U
#define WASI_OFLAG_EXCL 4U
#define WASI_OFLAG_TRUNC 8U

static uint32_t open_handle(uint32_t ino, bool read, bool write, bool append,
                            uint32_t *handle)
{
    for (uint32_t i = 0; i < MEWZ_TMPFS_OPENS; i++) {
        if (opens[i].ino == 0) {
            opens[i] = (struct open_file){
                .ino = ino, .read = read, .write = write, .append = append};
            mewz_tmpfs_node(ino)->opens++;
            *handle = MEWZ_TMPFS_HANDLE | i;
            return MEWZ_WASI_ESUCCESS;
        }
    }
    return MEWZ_WASI_EMFILE;
}

static struct open_file *handle_of(uint32_t handle)
{
    uint32_t index = handle & ~MEWZ_TMPFS_HANDLE;
    if (!(handle & MEWZ_TMPFS_HANDLE) || index >= MEWZ_TMPFS_OPENS ||
        opens[index].ino == 0)
        return NULL;
    return &opens[index];
}

static struct mewz_tmpfs_node *node_of(const struct open_file *f)
{
    return mewz_tmpfs_node(f->ino);
}

uint32_t mewz_tmpfs_mount(uint32_t index, uint64_t size, bool readonly,
                          uint32_t *handle)
{
    struct mewz_tmpfs_mount *m = &mewz_tmpfs_mounts[index];
    *m = (struct mewz_tmpfs_mount){.size = size, .readonly = readonly};
    uint32_t err = mewz_tmpfs_node_new(index, MEWZ_WASI_FILETYPE_DIRECTORY,
                                       &m->root);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_tmpfs_node(m->root)->parent = m->root;
    return open_handle(m->root, true, false, false, handle);
}

static const char *path_text(uint64_t addr)
{
    return mewz_phys_ptr(addr);
}

static bool readonly(const struct mewz_tmpfs_node *n)
{
    return mewz_tmpfs_mounts[n->fs].readonly;
}

/* A directory handle and the walk of its path argument. */
static uint32_t walk_from(uint32_t handle, uint64_t path, uint64_t len,
                          bool follow, struct mewz_tmpfs_walk *w)
{
    struct open_file *f = handle_of(handle);
    if (f == NULL)
        return MEWZ_WASI_EBADF;
    if (node_of(f)->type != MEWZ_WASI_FILETYPE_DIRECTORY)
        return MEWZ_WASI_ENOTDIR;
    return mewz_tmpfs_walk(f->ino, path_text(path), (uint32_t)len, follow, w);
}

static void store_filestat(uint64_t out, uint32_t ino,
                           const struct mewz_tmpfs_node *n)
{
    uint64_t words[8] = {
        0x746d7066ULL + n->fs, ino, n->type, n->nlink, n->size, n->atim,
        n->mtim, n->ctim};
    memcpy(mewz_phys_ptr(out), words, sizeof words);
}

/* ---- open ---------------------------------------------------------------- */

static uint32_t do_open(struct mewz_hc_fs *c)
{
    struct mewz_tmpfs_walk w;
    bool follow = c->arg0 & 1;
    uint32_t oflags = c->flags;
    bool want_write = c->arg2 & 2, want_read = c->arg2 & 1;
    uint32_t err = walk_from(c->handle, c->path_addr, c->path_len, follow, &w);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    uint32_t ino;
    err = mewz_tmpfs_last(&w, &ino, NULL);
    struct mewz_tmpfs_node *dir = mewz_tmpfs_node(w.dir);
    if (err == MEWZ_WASI_ENOENT && (oflags & WASI_OFLAG_CREAT)) {
        if (w.trailing_slash)
            return MEWZ_WASI_EISDIR;
        if (readonly(dir))
            return MEWZ_WASI_EROFS;
        err = mewz_tmpfs_node_new(dir->fs, MEWZ_WASI_FILETYPE_REGULAR_FILE, &ino);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
        err = mewz_tmpfs_link(dir, w.last, w.last_len, ino);
        if (err != MEWZ_WASI_ESUCCESS) {
            mewz_tmpfs_node(ino)->nlink = 0;
            mewz_tmpfs_node_drop(ino);
            return err;
        }
    } else if (err != MEWZ_WASI_ESUCCESS) {
        return err;
    } else if ((oflags & WASI_OFLAG_CREAT) && (oflags & WASI_OFLAG_EXCL)) {
        return MEWZ_WASI_EEXIST;
    }
    struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
    bool is_dir = n->type == MEWZ_WASI_FILETYPE_DIRECTORY;
    if (n->type == MEWZ_WASI_FILETYPE_SYMBOLIC_LINK)
        return (oflags & WASI_OFLAG_DIRECTORY) ? MEWZ_WASI_ENOTDIR
                                               : MEWZ_WASI_ELOOP;
    if (!is_dir && ((oflags & WASI_OFLAG_DIRECTORY) || w.trailing_slash))
        return MEWZ_WASI_ENOTDIR;
    bool truncate = oflags & WASI_OFLAG_TRUNC;
    if (is_dir && ((oflags & WASI_OFLAG_CREAT) || want_write || truncate))
        return MEWZ_WASI_EISDIR;
    if ((want_write || truncate) && readonly(n))
        return MEWZ_WASI_EROFS;
    if (truncate && want_write && n->size > 0) {
        mewz_tmpfs_resize(n, 0);
        n->mtim = n->ctim = mewz_tmpfs_now();
    }
    uint32_t handle;
    err = open_handle(ino, want_read || is_dir, want_write, c->arg1 & 1,
                      &handle);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    c->result = handle;
    c->handle2 = n->type;
    return MEWZ_WASI_ESUCCESS;
}

static uint32_t do_close(struct mewz_hc_fs *c)
{
    struct open_file *f = handle_of(c->handle);
    if (f == NULL)
        return MEWZ_WASI_EBADF;
    uint32_t ino = f->ino;
    mewz_tmpfs_node(ino)->opens--;
    *f = (struct open_file){0};
    mewz_tmpfs_node_drop(ino);
    return MEWZ_WASI_ESUCCESS;
}

/* ---- data ---------------------------------------------------------------- */

static uint32_t do_transfer(struct mewz_hc_fs *c, bool write, bool positioned)
{
    struct open_file *f = handle_of(c->handle);
    if (f == NULL)
        return MEWZ_WASI_EBADF;
    struct mewz_tmpfs_node *n = node_of(f);
    if (n->type == MEWZ_WASI_FILETYPE_DIRECTORY)
        return MEWZ_WASI_EISDIR;
    if (write ? !f->write : !f->read)
        return MEWZ_WASI_EBADF;
    const struct mewz_hc_iovec *iov = mewz_phys_ptr(c->buf_addr);
    uint64_t offset = positioned ? c->arg0 : f->offset;
    if (write && f->append && !positioned)
        offset = n->size;
    uint64_t done = 0;
    uint32_t err = MEWZ_WASI_ESUCCESS;
    for (uint64_t i = 0; i < c->buf_len; i++) {
        uint8_t *buffer = mewz_phys_ptr(iov[i].addr);
        uint64_t len = iov[i].len;
        if (write) {
            uint64_t copied = mewz_tmpfs_copy(n, offset + done, buffer, len, true);
            done += copied;
            /* Only what was written moves the end of the file. */
            if (copied > 0 && offset + done > n->size)
                n->size = offset + done;
            if (copied < len) {
                /* Past the largest file (1 GiB) as Linux past s_maxbytes. */
                err = offset + done >= MEWZ_TMPFS_FILE_MAX ? MEWZ_WASI_EFBIG
                                                           : MEWZ_WASI_ENOSPC;
                break;
            }
        } else {
            if (offset + done >= n->size)
                break;
            uint64_t left = n->size - (offset + done);
            uint64_t take = len < left ? len : left;
            done += mewz_tmpfs_copy(n, offset + done, buffer, take, false);
        }
    }
    if (done == 0 && err != MEWZ_WASI_ESUCCESS)
        return err;
    if (write && done > 0)
        n->mtim = n->ctim = mewz_tmpfs_now();
    if (!positioned)
        f->offset = offset + done;
    c->result = done;
    return MEWZ_WASI_ESUCCESS;
}

static uint32_t do_seek(struct mewz_hc_fs *c)
{
    struct open_file *f = handle_of(c->handle);
    if (f == NULL)
        return MEWZ_WASI_EBADF;
    int64_t delta = (int64_t)c->arg0;
    uint64_t base = c->flags == MEWZ_WASI_WHENCE_CUR   ? f->offset
                    : c->flags == MEWZ_WASI_WHENCE_END ? node_of(f)->size
                                                       : 0;
    if (c->flags > MEWZ_WASI_WHENCE_END)
        return MEWZ_WASI_EINVAL;
    if (delta < 0 && (uint64_t)(-(delta + 1)) + 1 > base)
        return MEWZ_WASI_EINVAL;
    if (delta > 0 && (uint64_t)delta > (uint64_t)INT64_MAX - base)
        return MEWZ_WASI_EOVERFLOW;
    f->offset = base + (uint64_t)delta;
    c->result = f->offset;
    return MEWZ_WASI_ESUCCESS;
}

static uint32_t do_size(struct mewz_hc_fs *c, bool allocate)
{
    struct open_file *f = handle_of(c->handle);
    if (f == NULL)
        return MEWZ_WASI_EBADF;
    struct mewz_tmpfs_node *n = node_of(f);
    if (!f->write)
        return allocate ? MEWZ_WASI_EBADF : MEWZ_WASI_EINVAL;
    if (n->type == MEWZ_WASI_FILETYPE_DIRECTORY)
        return allocate ? MEWZ_WASI_EISDIR : MEWZ_WASI_EINVAL;
    uint32_t err;
    if (allocate) {
        err = mewz_tmpfs_reserve(n, c->arg0, c->arg1);
        if (err == MEWZ_WASI_ESUCCESS && c->arg0 + c->arg1 > n->size)
            n->size = c->arg0 + c->arg1;
    } else {
        err = mewz_tmpfs_resize(n, c->arg0);
    }
    if (err == MEWZ_WASI_ESUCCESS)
        n->mtim = n->ctim = mewz_tmpfs_now();
    return err;
}

/* ---- metadata ------------------------------------------------------------ */

static uint32_t do_filestat(struct mewz_hc_fs *c)
{
    struct open_file *f = handle_of(c->handle);
    if (f == NULL)
        return MEWZ_WASI_EBADF;
    store_filestat(c->buf_addr, f->ino, node_of(f));
    return MEWZ_WASI_ESUCCESS;
}

static uint32_t do_path_filestat(struct mewz_hc_fs *c)
{
    struct mewz_tmpfs_walk w;
    uint32_t err = walk_from(c->handle, c->path_addr, c->path_len, c->arg0 & 1, &w);
    uint32_t ino;
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_tmpfs_last(&w, &ino, NULL);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
    if (w.trailing_slash && n->type != MEWZ_WASI_FILETYPE_DIRECTORY)
        return MEWZ_WASI_ENOTDIR;
    store_filestat(c->buf_addr, ino, n);
    return MEWZ_WASI_ESUCCESS;
}

static void set_times(struct mewz_tmpfs_node *n, uint32_t fst, uint64_t atim,
                      uint64_t mtim)
{
    uint64_t now = mewz_tmpfs_now();
    if (fst & MEWZ_WASI_FST_ATIM_NOW)
        n->atim = now;
    else if (fst & MEWZ_WASI_FST_ATIM)
        n->atim = atim;
    if (fst & MEWZ_WASI_FST_MTIM_NOW)
        n->mtim = now;
    else if (fst & MEWZ_WASI_FST_MTIM)
        n->mtim = mtim;
    n->ctim = now;
}

static uint32_t do_set_times(struct mewz_hc_fs *c)
{
    uint32_t ino;
    if (c->op == MEWZ_FS_SET_TIMES) {
        struct open_file *f = handle_of(c->handle);
        if (f == NULL)
            return MEWZ_WASI_EBADF;
        ino = f->ino;
    } else {
        struct mewz_tmpfs_walk w;
        uint32_t err = walk_from(c->handle, c->path_addr, c->path_len,
                                 c->arg2 & 1, &w);
        if (err == MEWZ_WASI_ESUCCESS)
            err = mewz_tmpfs_last(&w, &ino, NULL);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
    }
    struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
    if (readonly(n))
        return MEWZ_WASI_EROFS;
    set_times(n, c->flags, c->arg0, c->arg1);
    return MEWZ_WASI_ESUCCESS;
}

/* ---- names --------------------------------------------------------------- */

static bool is_dots(const struct mewz_tmpfs_walk *w)
{
    return (w->last_len == 1 && w->last[0] == '.') ||
           (w->last_len == 2 && w->last[0] == '.' && w->last[1] == '.');
}

static bool is_empty_dir(const struct mewz_tmpfs_node *n)
{
    return n->first == 0;
}

static uint32_t do_mkdir(struct mewz_hc_fs *c)
{
    struct mewz_tmpfs_walk w;
    uint32_t err = walk_from(c->handle, c->path_addr, c->path_len, false, &w);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    uint32_t ino;
    if (is_dots(&w) || mewz_tmpfs_last(&w, &ino, NULL) == MEWZ_WASI_ESUCCESS)
        return MEWZ_WASI_EEXIST;
    struct mewz_tmpfs_node *dir = mewz_tmpfs_node(w.dir);
    if (readonly(dir))
        return MEWZ_WASI_EROFS;
    err = mewz_tmpfs_node_new(dir->fs, MEWZ_WASI_FILETYPE_DIRECTORY, &ino);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    mewz_tmpfs_node(ino)->parent = w.dir;
    err = mewz_tmpfs_link(dir, w.last, w.last_len, ino);
    if (err != MEWZ_WASI_ESUCCESS) {
        mewz_tmpfs_node(ino)->nlink = 0;
        mewz_tmpfs_node_drop(ino);
        return err;
    }
    dir->nlink++;
    return MEWZ_WASI_ESUCCESS;
}

/* Drops one name of ino (and a directory's own "." link). */
static void forget(struct mewz_tmpfs_node *dir, struct mewz_tmpfs_entry *entry)
{
    uint32_t ino = entry->ino;
    struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
    mewz_tmpfs_unlink_entry(dir, entry);
    if (n->type == MEWZ_WASI_FILETYPE_DIRECTORY) {
        n->nlink = 0;
        dir->nlink--;
    } else {
        n->nlink--;
    }
    n->ctim = mewz_tmpfs_now();
    mewz_tmpfs_node_drop(ino);
}

static uint32_t do_remove(struct mewz_hc_fs *c, bool directory)
{
    struct mewz_tmpfs_walk w;
    uint32_t err = walk_from(c->handle, c->path_addr, c->path_len, false, &w);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (directory && w.last_len == 1 && w.last[0] == '.')
        return MEWZ_WASI_EINVAL;
    if (directory && is_dots(&w))
        return MEWZ_WASI_ENOTEMPTY;
    if (is_dots(&w))
        return MEWZ_WASI_EISDIR;
    uint32_t ino;
    struct mewz_tmpfs_entry *entry;
    err = mewz_tmpfs_last(&w, &ino, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
    struct mewz_tmpfs_node *dir = mewz_tmpfs_node(w.dir);
    bool is_dir = n->type == MEWZ_WASI_FILETYPE_DIRECTORY;
    if (directory && !is_dir)
        return MEWZ_WASI_ENOTDIR;
    if (!directory && is_dir)
        return MEWZ_WASI_EISDIR;
    if (!directory && w.trailing_slash)
        return MEWZ_WASI_ENOTDIR;
    if (is_dir && !is_empty_dir(n))
        return MEWZ_WASI_ENOTEMPTY;
    if (readonly(dir))
        return MEWZ_WASI_EROFS;
    forget(dir, entry);
    return MEWZ_WASI_ESUCCESS;
}

/* Whether `ino` is `dir` or one of its ancestors (a rename would make a
 * directory its own descendant). A removed directory (still open) may name
 * a parent that is gone, or whose slot a new node took: the walk stops at a
 * node that is not a directory, and after as many steps as there are nodes. */
static bool is_ancestor(uint32_t ino, uint32_t dir)
{
    uint32_t at = dir;
    for (uint32_t steps = 0; steps <= MEWZ_TMPFS_NODES; steps++) {
        if (at == ino)
            return true;
        const struct mewz_tmpfs_node *n = mewz_tmpfs_node(at);
        if (n == NULL || n->type != MEWZ_WASI_FILETYPE_DIRECTORY || n->parent == at)
            return false;
        at = n->parent;
    }
    return false;
}

static uint32_t do_rename(struct mewz_hc_fs *c)
{
    struct mewz_tmpfs_walk from, to;
    uint32_t err = walk_from(c->handle, c->path_addr, c->path_len, false, &from);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    err = walk_from(c->handle2, c->path2_addr, c->path2_len, false, &to);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_tmpfs_node *from_dir = mewz_tmpfs_node(from.dir);
    struct mewz_tmpfs_node *to_dir = mewz_tmpfs_node(to.dir);
    if (from_dir->fs != to_dir->fs)
        return MEWZ_WASI_EXDEV;
    /* Into a removed directory (still open): nothing is there to find, and
     * its parent's slot may be another node's by now. */
    if (to_dir->nlink == 0)
        return MEWZ_WASI_ENOENT;
    if (is_dots(&from) || is_dots(&to))
        return MEWZ_WASI_EBUSY;
    uint32_t ino, target;
    struct mewz_tmpfs_entry *entry, *target_entry;
    err = mewz_tmpfs_last(&from, &ino, &entry);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
    bool is_dir = n->type == MEWZ_WASI_FILETYPE_DIRECTORY;
    if (!is_dir && (from.trailing_slash || to.trailing_slash))
        return MEWZ_WASI_ENOTDIR;
    if (readonly(n))
        return MEWZ_WASI_EROFS;
    bool exists = mewz_tmpfs_last(&to, &target, &target_entry) ==
                  MEWZ_WASI_ESUCCESS;
    if (exists && target == ino)
        return MEWZ_WASI_ESUCCESS;
    if (is_dir && is_ancestor(ino, to.dir))
        return MEWZ_WASI_EINVAL;
    if (exists) {
        struct mewz_tmpfs_node *t = mewz_tmpfs_node(target);
        bool target_dir = t->type == MEWZ_WASI_FILETYPE_DIRECTORY;
        if (is_dir && !target_dir)
            return MEWZ_WASI_ENOTDIR;
        if (!is_dir && target_dir)
            return MEWZ_WASI_EISDIR;
        if (target_dir && !is_empty_dir(t))
            return MEWZ_WASI_ENOTEMPTY;
    }
    /* Link the new name before dropping anything: ENOSPC leaves both. */
    err = mewz_tmpfs_link(to_dir, to.last, to.last_len, ino);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    n->nlink++;
    if (exists) {
        /* The new entry sits after the old one in to_dir's list. */
        forget(to_dir, target_entry);
    }
    mewz_tmpfs_unlink_entry(from_dir, entry);
    n->nlink--;
    if (is_dir) {
        from_dir->nlink--;
        to_dir->nlink++;
        n->parent = to.dir;
    }
    n->ctim = mewz_tmpfs_now();
    return MEWZ_WASI_ESUCCESS;
}

static uint32_t do_link(struct mewz_hc_fs *c)
{
    struct mewz_tmpfs_walk from, to;
    uint32_t err = walk_from(c->handle, c->path_addr, c->path_len, c->arg0 & 1, &from);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    err = walk_from(c->handle2, c->path2_addr, c->path2_len, false, &to);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    uint32_t ino, existing;
    err = mewz_tmpfs_last(&from, &ino, NULL);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
    struct mewz_tmpfs_node *to_dir = mewz_tmpfs_node(to.dir);
    bool is_dir = n->type == MEWZ_WASI_FILETYPE_DIRECTORY;
    if (from.trailing_slash && !is_dir)
        return MEWZ_WASI_ENOTDIR;
    if (is_dots(&to) || mewz_tmpfs_last(&to, &existing, NULL) == MEWZ_WASI_ESUCCESS)
        return MEWZ_WASI_EEXIST;
    if (to.trailing_slash) /* a new name cannot be a directory */
        return MEWZ_WASI_ENOENT;
    if (n->fs != to_dir->fs)
        return MEWZ_WASI_EXDEV;
    if (is_dir)
        return MEWZ_WASI_EPERM;
    if (readonly(n))
        return MEWZ_WASI_EROFS;
    err = mewz_tmpfs_link(to_dir, to.last, to.last_len, ino);
    if (err == MEWZ_WASI_ESUCCESS) {
        n->nlink++;
        n->ctim = mewz_tmpfs_now();
    }
    return err;
}

static uint32_t do_symlink(struct mewz_hc_fs *c)
{
    if (c->path_len == 0)
        return MEWZ_WASI_ENOENT;
    if (path_text(c->path_addr)[0] == '/')
        return MEWZ_WASI_EPERM; /* as on host volumes */
    struct mewz_tmpfs_walk w;
    uint32_t err = walk_from(c->handle, c->path2_addr, c->path2_len, false, &w);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    uint32_t ino;
    if (is_dots(&w) || mewz_tmpfs_last(&w, &ino, NULL) == MEWZ_WASI_ESUCCESS)
        return MEWZ_WASI_EEXIST;
    if (w.trailing_slash)
        return MEWZ_WASI_ENOENT;
    struct mewz_tmpfs_node *dir = mewz_tmpfs_node(w.dir);
    if (readonly(dir))
        return MEWZ_WASI_EROFS;
    err = mewz_tmpfs_node_new(dir->fs, MEWZ_WASI_FILETYPE_SYMBOLIC_LINK, &ino);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
    uint8_t *target = mewz_phys_ptr(c->path_addr);
    if (mewz_tmpfs_copy(n, 0, target, c->path_len, true) != c->path_len)
        err = MEWZ_WASI_ENOSPC;
    n->size = c->path_len;
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_tmpfs_link(dir, w.last, w.last_len, ino);
    if (err != MEWZ_WASI_ESUCCESS) {
        n->nlink = 0;
        mewz_tmpfs_node_drop(ino);
    }
    return err;
}

static uint32_t do_readlink(struct mewz_hc_fs *c)
{
    struct mewz_tmpfs_walk w;
    uint32_t err = walk_from(c->handle, c->path_addr, c->path_len, false, &w);
    uint32_t ino;
    if (err == MEWZ_WASI_ESUCCESS)
        err = mewz_tmpfs_last(&w, &ino, NULL);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
    if (n->type != MEWZ_WASI_FILETYPE_SYMBOLIC_LINK)
        return MEWZ_WASI_EINVAL;
    uint64_t take = n->size < c->buf_len ? n->size : c->buf_len;
    c->result = mewz_tmpfs_copy(n, 0, mewz_phys_ptr(c->buf_addr), take, false);
    return MEWZ_WASI_ESUCCESS;
}

/* Appends one WASI dirent (cut short when the buffer ends); false when
 * the buffer is full. */
static bool put_dirent(uint8_t *out, uint64_t size, uint64_t *used,
                       uint64_t next, uint64_t ino, uint8_t type,
                       const char *name, uint32_t len)
{
    uint8_t header[24] = {0};
    memcpy(header, &next, 8);
    memcpy(header + 8, &ino, 8);
    memcpy(header + 16, &len, 4);
    header[20] = type;
    for (uint32_t i = 0; i < 24 + len; i++) {
        if (*used == size)
            return false;
        out[(*used)++] = i < 24 ? header[i] : (uint8_t)name[i - 24];
    }
    return *used < size;
}

static uint32_t do_readdir(struct mewz_hc_fs *c)
{
    struct open_file *f = handle_of(c->handle);
    if (f == NULL)
        return MEWZ_WASI_EBADF;
    struct mewz_tmpfs_node *dir = node_of(f);
    if (dir->type != MEWZ_WASI_FILETYPE_DIRECTORY)
        return MEWZ_WASI_ENOTDIR;
    uint8_t *out = mewz_phys_ptr(c->buf_addr);
    uint64_t used = 0, size = c->buf_len, cookie = c->arg0;
    bool room = size > 0;
    if (room && cookie < 1)
        room = put_dirent(out, size, &used, 1, f->ino,
                          MEWZ_WASI_FILETYPE_DIRECTORY, ".", 1);
    if (room && cookie < 2)
        room = put_dirent(out, size, &used, 2, dir->parent,
                          MEWZ_WASI_FILETYPE_DIRECTORY, "..", 2);
    for (struct mewz_tmpfs_entry *e = mewz_tmpfs_entry_at(dir->first);
         room && e; e = mewz_tmpfs_entry_at(e->next)) {
        if (e->serial < cookie)
            continue;
        room = put_dirent(out, size, &used, e->serial + 1, e->ino,
                          mewz_tmpfs_node(e->ino)->type, e->name, e->len);
    }
    c->result = used;
    return MEWZ_WASI_ESUCCESS;
}

static uint32_t do_set_flags(struct mewz_hc_fs *c)
{
    struct open_file *f = handle_of(c->handle);
    if (f == NULL)
        return MEWZ_WASI_EBADF;
    f->append = c->flags & MEWZ_WASI_FDFLAG_APPEND;
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_tmpfs_serve(struct mewz_hc_fs *c)
{
    c->result = 0;
    uint32_t err;
    switch (c->op) {
    case MEWZ_FS_OPEN: err = do_open(c); break;
    case MEWZ_FS_CLOSE: err = do_close(c); break;
    case MEWZ_FS_READ: err = do_transfer(c, false, false); break;
    case MEWZ_FS_WRITE: err = do_transfer(c, true, false); break;
    case MEWZ_FS_PREAD: err = do_transfer(c, false, true); break;
    case MEWZ_FS_PWRITE: err = do_transfer(c, true, true); break;
    case MEWZ_FS_SEEK: err = do_seek(c); break;
    case MEWZ_FS_FILESTAT: err = do_filestat(c); break;
    case MEWZ_FS_PATH_FILESTAT: err = do_path_filestat(c); break;
    case MEWZ_FS_SET_SIZE: err = do_size(c, false); break;
    case MEWZ_FS_ALLOCATE: err = do_size(c, true); break;
    case MEWZ_FS_SET_TIMES:
    case MEWZ_FS_PATH_SET_TIMES: err = do_set_times(c); break;
    case MEWZ_FS_SYNC:
    case MEWZ_FS_DATASYNC: /* RAM: nothing to make durable */
        err = handle_of(c->handle) ? MEWZ_WASI_ESUCCESS : MEWZ_WASI_EBADF;
        break;
    case MEWZ_FS_MKDIR: err = do_mkdir(c); break;
    case MEWZ_FS_RMDIR: err = do_remove(c, true); break;
    case MEWZ_FS_UNLINK: err = do_remove(c, false); break;
    case MEWZ_FS_RENAME: err = do_rename(c); break;
    case MEWZ_FS_LINK: err = do_link(c); break;
    case MEWZ_FS_SYMLINK: err = do_symlink(c); break;
    case MEWZ_FS_READLINK: err = do_readlink(c); break;
    case MEWZ_FS_READDIR: err = do_readdir(c); break;
    case MEWZ_FS_SET_FLAGS: err = do_set_flags(c); break;
    default: err = MEWZ_WASI_ENOTSUP; break;
    }
    c->error = err;
    return err;
}
