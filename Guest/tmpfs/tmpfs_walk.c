/*
 * tmpfs_walk.c: path resolution in the RAM filesystem, as openat2 with
 * RESOLVE_BENEATH resolves on a host volume: nothing may leave the
 * directory the walk starts from (".." above it, an absolute path or an
 * absolute symlink target: ENOTCAPABLE), ELOOP past 40 symlinks,
 * ENAMETOOLONG for a name over 255 bytes, ENOTDIR for a non-directory
 * before a "/", ENOENT for a missing name.
 */
#include "tmpfs/tmpfs_walk.h"

#define SYMLINK_MAX 40

/* The parent one level up, or ENOTCAPABLE at the start. */
static uint32_t up(struct mewz_tmpfs_walk *w)
{
    if (w->depth == 0)
        return MEWZ_WASI_ENOTCAPABLE;
    w->depth--;
    w->dir = mewz_tmpfs_node(w->dir)->parent;
    return MEWZ_WASI_ESUCCESS;
}

/* Replaces path[0..len) with target + "/" + rest (rest may be empty). */
static uint32_t splice(struct mewz_tmpfs_walk *w, struct mewz_tmpfs_node *link,
                       const char *rest, uint32_t rest_len, bool slash,
                       char **path, uint32_t *len, int *which)
{
    if (link->size == 0)
        return MEWZ_WASI_ENOENT;
    char *next = w->buffers[*which ^ 1];
    if (link->size + 1 + rest_len >= sizeof w->buffers[0])
        return MEWZ_WASI_ENAMETOOLONG;
    mewz_tmpfs_copy(link, 0, (uint8_t *)next, link->size, false);
    uint32_t at = (uint32_t)link->size;
    if (rest_len > 0 || slash)
        next[at++] = '/';
    memmove(next + at, rest, rest_len);
    at += rest_len;
    *which ^= 1;
    *path = next;
    *len = at;
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_tmpfs_walk(uint32_t start, const char *text, uint32_t text_len,
                         bool follow, struct mewz_tmpfs_walk *w)
{
    int which = 0;
    if (text_len >= sizeof w->buffers[0])
        return MEWZ_WASI_ENAMETOOLONG;
    w->dir = start;
    w->depth = 0;
    w->last = NULL;
    w->last_len = 0;
    w->trailing_slash = false;
    memcpy(w->buffers[0], text, text_len);
    char *path = w->buffers[0];
    uint32_t len = text_len;
    uint32_t links = 0;
restart:
    if (len == 0)
        return MEWZ_WASI_ENOENT;
    if (path[0] == '/')
        return MEWZ_WASI_ENOTCAPABLE;
    for (uint32_t at = 0;;) {
        while (at < len && path[at] == '/')
            at++;
        uint32_t end = at;
        while (end < len && path[end] != '/')
            end++;
        uint32_t after = end;
        while (after < len && path[after] == '/')
            after++;
        bool last = after == len;
        const char *name = path + at;
        uint32_t name_len = end - at;
        if (name_len > MEWZ_TMPFS_NAME_MAX)
            return MEWZ_WASI_ENAMETOOLONG;
        struct mewz_tmpfs_node *dir = mewz_tmpfs_node(w->dir);
        if (last) {
            w->last = name;
            w->last_len = name_len;
            w->trailing_slash = end < len;
            bool dots = (name_len == 1 && name[0] == '.') ||
                        (name_len == 2 && name[0] == '.' && name[1] == '.');
            if (dots || (!follow && !w->trailing_slash))
                return MEWZ_WASI_ESUCCESS;
            uint32_t ino = mewz_tmpfs_lookup(dir, name, name_len, NULL);
            struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
            if (n == NULL || n->type != MEWZ_WASI_FILETYPE_SYMBOLIC_LINK)
                return MEWZ_WASI_ESUCCESS;
            if (++links > SYMLINK_MAX)
                return MEWZ_WASI_ELOOP;
            uint32_t err = splice(w, n, "", 0, w->trailing_slash, &path, &len,
                                  &which);
            if (err != MEWZ_WASI_ESUCCESS)
                return err;
            goto restart;
        }
        if (name_len == 1 && name[0] == '.') {
            at = after;
            continue;
        }
        if (name_len == 2 && name[0] == '.' && name[1] == '.') {
            uint32_t err = up(w);
            if (err != MEWZ_WASI_ESUCCESS)
                return err;
            at = after;
            continue;
        }
        uint32_t ino = mewz_tmpfs_lookup(dir, name, name_len, NULL);
        struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
        if (n == NULL)
            return MEWZ_WASI_ENOENT;
        if (n->type == MEWZ_WASI_FILETYPE_SYMBOLIC_LINK) {
            if (++links > SYMLINK_MAX)
                return MEWZ_WASI_ELOOP;
            uint32_t err = splice(w, n, path + after, len - after, false, &path,
                                  &len, &which);
            if (err != MEWZ_WASI_ESUCCESS)
                return err;
            goto restart;
        }
        if (n->type != MEWZ_WASI_FILETYPE_DIRECTORY)
            return MEWZ_WASI_ENOTDIR;
        w->dir = ino;
        w->depth++;
        at = after;
    }
}

uint32_t mewz_tmpfs_last(struct mewz_tmpfs_walk *w, uint32_t *ino,
                         struct mewz_tmpfs_entry **entry)
{
    if (entry)
        *entry = NULL;
    if (w->last_len == 1 && w->last[0] == '.') {
        *ino = w->dir;
        return MEWZ_WASI_ESUCCESS;
    }
    if (w->last_len == 2 && w->last[0] == '.' && w->last[1] == '.') {
        if (w->depth == 0)
            return MEWZ_WASI_ENOTCAPABLE;
        *ino = mewz_tmpfs_node(w->dir)->parent;
        return MEWZ_WASI_ESUCCESS;
    }
    *ino = mewz_tmpfs_lookup(mewz_tmpfs_node(w->dir), w->last, w->last_len,
                             entry);
    return *ino != 0 ? MEWZ_WASI_ESUCCESS : MEWZ_WASI_ENOENT;
}
