/* tmpfs_walk.h: path resolution in the RAM filesystem (tmpfs_walk.c). */
#ifndef MEWZ_TMPFS_WALK_H
#define MEWZ_TMPFS_WALK_H

#include "tmpfs/tmpfs.h"

struct mewz_tmpfs_walk {
    uint32_t dir;   /* the directory holding the last component */
    uint32_t depth; /* how far below the start dir is */
    const char *last; /* the last component (may be "." or "..") */
    uint32_t last_len;
    bool trailing_slash;
    char buffers[2][2 * MEWZ_PATH_MAX]; /* the path, symlinks spliced in */
};

/* Resolves all but the last component of path beneath `start`; with
 * `follow` (or a trailing slash), a last component that is a symlink is
 * replaced by its target first. */
uint32_t mewz_tmpfs_walk(uint32_t start, const char *path, uint32_t len,
                         bool follow, struct mewz_tmpfs_walk *w);
/* The last component's inode (and its entry for a plain name): ENOENT,
 * ENOTCAPABLE for ".." at the start. */
uint32_t mewz_tmpfs_last(struct mewz_tmpfs_walk *w, uint32_t *ino,
                         struct mewz_tmpfs_entry **entry);

#endif
