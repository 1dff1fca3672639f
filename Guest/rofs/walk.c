/*
 * walk.c: path resolution in the ROFS, one component at a time, the way
 * Linux walks a path (namei): "." and ".." and repeated slashes, symlinks
 * in every component but the last always followed, the last one only when
 * asked or when a slash follows it, a trailing slash demanding a directory.
 *
 * Two kinds of text are walked. The program's path, relative to a
 * directory descriptor, is confined beneath it: an absolute path, or ".."
 * above `floor`, is ENOTCAPABLE (RESOLVE_BENEATH; wasmtime answers EPERM).
 * Symlink targets come from the image and are resolved inside the rootfs as
 * in a chroot: an absolute target starts at the ROFS root and ".." stops
 * there. Once a walk has followed an absolute target it is in rootfs
 * coordinates for good (the floor no longer applies).
 *
 * Pending text is a stack of segments: the path, then each symlink target
 * being followed (pointers into the image, which never changes), so
 * following a link copies nothing and MEWZ_SYMLINK_MAX bounds the depth.
 */
#include "kernel.h"
#include "mewz/rofs.h"

struct segment {
    const char *text;
    uint32_t len;
    uint32_t pos;
    uint32_t end; /* one past the last non-slash byte: the rest is slashes */
    bool from_link;
};

struct walker {
    struct segment stack[MEWZ_SYMLINK_MAX + 1];
    unsigned depth;
    unsigned links;
    uint32_t cur;
    uint32_t floor;
    bool in_root;
};

static void push(struct walker *w, const char *text, uint32_t len,
                 bool from_link)
{
    uint32_t end = len;
    while (end > 0 && text[end - 1] == '/')
        end--;
    w->stack[w->depth++] = (struct segment){
        .text = text, .len = len, .end = end, .from_link = from_link};
}

/* Nothing but slashes is left, in any segment. */
static bool only_slashes_left(const struct walker *w)
{
    for (unsigned i = 0; i < w->depth; i++)
        if (w->stack[i].pos < w->stack[i].end)
            return false;
    return true;
}

static bool any_text_left(const struct walker *w)
{
    for (unsigned i = 0; i < w->depth; i++)
        if (w->stack[i].pos < w->stack[i].len)
            return true;
    return false;
}

static uint32_t step_up(struct walker *w, bool from_link)
{
    if (!from_link && !w->in_root && w->cur == w->floor)
        return MEWZ_WASI_ENOTCAPABLE;
    if (w->cur == MEWZ_ROFS_ROOT_INODE)
        return MEWZ_WASI_ESUCCESS; /* "/.." is "/" */
    struct mewz_rofs_node dir;
    uint32_t err = mewz_rofs_node(w->cur, &dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_rofs_node parent;
    err = mewz_rofs_node(dir.parent, &parent);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (parent.type != MEWZ_ROFS_TYPE_DIRECTORY)
        return MEWZ_WASI_EIO;
    w->cur = dir.parent;
    return MEWZ_WASI_ESUCCESS;
}

/* Pushes a symlink's target for the walk to continue through. */
static uint32_t enter_link(struct walker *w, const struct mewz_rofs_node *link)
{
    if (++w->links > MEWZ_SYMLINK_MAX)
        return MEWZ_WASI_ELOOP;
    const char *target = (const char *)mewz_rofs_bytes(link);
    if (target[0] == '/') {
        w->cur = MEWZ_ROFS_ROOT_INODE;
        w->in_root = true;
    }
    push(w, target, (uint32_t)link->size, true);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_rofs_walk(uint32_t start, uint32_t floor, const char *path,
                        uint32_t len, unsigned flags, struct mewz_walk *out)
{
    if (len == 0)
        return MEWZ_WASI_ENOENT;
    struct walker w = {.cur = start, .floor = floor};
    struct mewz_rofs_node dir;
    uint32_t err = mewz_rofs_node(start, &dir);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (dir.type != MEWZ_ROFS_TYPE_DIRECTORY)
        return MEWZ_WASI_EIO; /* descriptors only ever hold directories */
    if (path[0] == '/') {
        if (!(flags & MEWZ_WALK_IN_ROOT))
            return MEWZ_WASI_ENOTCAPABLE;
        w.cur = MEWZ_ROFS_ROOT_INODE;
    }
    w.in_root = flags & MEWZ_WALK_IN_ROOT;
    push(&w, path, len, w.in_root);

    for (;;) {
        struct segment *seg = &w.stack[w.depth - 1];
        while (seg->pos < seg->len && seg->text[seg->pos] == '/')
            seg->pos++;
        if (seg->pos == seg->len) {
            if (--w.depth > 0)
                continue;
            /* The text ended on a directory (".", "a/..", a link to a
             * directory): it is the result; there is no last name. */
            if (flags & MEWZ_WALK_PARENT) {
                *out = (struct mewz_walk){.ino = w.cur, .last = ".",
                                          .last_len = 1};
                return MEWZ_WASI_ESUCCESS;
            }
            out->ino = w.cur;
            return MEWZ_WASI_ESUCCESS;
        }
        const char *name = seg->text + seg->pos;
        uint32_t name_len = 0;
        while (seg->pos < seg->len && seg->text[seg->pos] != '/') {
            seg->pos++;
            name_len++;
        }
        bool from_link = seg->from_link;
        bool last = only_slashes_left(&w);
        bool trailing = last && any_text_left(&w);

        if (last && (flags & MEWZ_WALK_PARENT)) {
            *out = (struct mewz_walk){.ino = w.cur, .last = name,
                                      .last_len = name_len,
                                      .trailing_slash = trailing};
            return MEWZ_WASI_ESUCCESS;
        }
        if (name_len == 1 && name[0] == '.')
            continue;
        if (name_len == 2 && name[0] == '.' && name[1] == '.') {
            err = step_up(&w, from_link);
            if (err != MEWZ_WASI_ESUCCESS)
                return err;
            continue;
        }
        if (name_len > MEWZ_ROFS_NAME_MAX)
            return MEWZ_WASI_ENAMETOOLONG;
        struct mewz_rofs_node child;
        uint32_t ino;
        err = mewz_rofs_node(w.cur, &dir);
        if (err == MEWZ_WASI_ESUCCESS)
            err = mewz_rofs_lookup(&dir, name, name_len, &ino);
        if (err == MEWZ_WASI_ESUCCESS)
            err = mewz_rofs_node(ino, &child);
        if (err != MEWZ_WASI_ESUCCESS)
            return err;
        if (child.type == MEWZ_ROFS_TYPE_SYMLINK &&
            (!last || trailing || (flags & MEWZ_WALK_FOLLOW))) {
            err = enter_link(&w, &child);
            if (err != MEWZ_WASI_ESUCCESS)
                return err;
            continue;
        }
        if (last) {
            if (trailing && child.type != MEWZ_ROFS_TYPE_DIRECTORY)
                return MEWZ_WASI_ENOTDIR;
            out->ino = ino;
            return MEWZ_WASI_ESUCCESS;
        }
        if (child.type != MEWZ_ROFS_TYPE_DIRECTORY)
            return MEWZ_WASI_ENOTDIR;
        w.cur = ino;
    }
}
