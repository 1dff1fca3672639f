/*
 * rofs_builder.h: a tiny ROFS image writer for the host tests, written from
 * mewz/rofs.h alone (independently of the Swift writer), so the guest's
 * reader is tested against the layout the header defines. A tree is a list
 * of paths; parent directories are made as needed. The result is one
 * malloc'd, page-rounded blob; tests corrupt it byte by byte as they need.
 */
#ifndef MEWZ_ROFS_BUILDER_H
#define MEWZ_ROFS_BUILDER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mewz/rofs.h"

#define RB_MAX_NODES 256

struct rb_spec {
    const char *path; /* no leading "/"; "" is the root */
    uint16_t type;    /* MEWZ_ROFS_TYPE_* */
    const char *data; /* file contents or symlink target (NUL-terminated) */
    uint64_t size;    /* file size when data is NULL (zero bytes) */
};

struct rb_node {
    char name[256];
    uint32_t parent;
    uint16_t type;
    const char *data;
    uint64_t size;
    uint32_t index; /* inode index, root 0, then breadth first */
};

struct rb_image {
    uint8_t *bytes;
    uint64_t size; /* a whole number of pages */
    struct mewz_rofs_super super;
};

static struct rb_node rb_nodes[RB_MAX_NODES];
static uint32_t rb_count;

static uint32_t rb_child(uint32_t parent, const char *name, size_t len)
{
    for (uint32_t i = 1; i < rb_count; i++)
        if (rb_nodes[i].parent == parent && strlen(rb_nodes[i].name) == len &&
            memcmp(rb_nodes[i].name, name, len) == 0)
            return i;
    return 0;
}

/* Adds (or finds) the node at path, making parent directories. */
static uint32_t rb_add(const char *path, uint16_t type)
{
    uint32_t cur = 0;
    while (*path) {
        const char *slash = strchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : strlen(path);
        uint32_t next = rb_child(cur, path, len);
        if (next == 0) {
            next = rb_count++;
            memset(&rb_nodes[next], 0, sizeof rb_nodes[next]);
            memcpy(rb_nodes[next].name, path, len);
            rb_nodes[next].parent = cur;
            rb_nodes[next].type = slash ? MEWZ_ROFS_TYPE_DIRECTORY : type;
        }
        cur = next;
        path += len;
        if (*path == '/')
            path++;
    }
    return cur;
}

static int rb_compare_names(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int c = memcmp(a, b, la < lb ? la : lb);
    return c != 0 ? c : (la < lb ? -1 : la > lb);
}

/* The children of dir, sorted as the format wants. */
static uint32_t rb_children(uint32_t dir, uint32_t *out)
{
    uint32_t n = 0;
    for (uint32_t i = 1; i < rb_count; i++)
        if (rb_nodes[i].parent == dir)
            out[n++] = i;
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0 && rb_compare_names(rb_nodes[out[j - 1]].name,
                                                       rb_nodes[out[j]].name) > 0;
             j--) {
            uint32_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

static uint64_t rb_align(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

static struct rb_image rb_build(const struct rb_spec *spec, size_t count)
{
    rb_count = 1;
    memset(&rb_nodes[0], 0, sizeof rb_nodes[0]);
    rb_nodes[0].type = MEWZ_ROFS_TYPE_DIRECTORY;
    for (size_t i = 0; i < count; i++) {
        uint32_t n = rb_add(spec[i].path, spec[i].type);
        rb_nodes[n].type = spec[i].type;
        rb_nodes[n].data = spec[i].data;
        rb_nodes[n].size = spec[i].data && spec[i].type != MEWZ_ROFS_TYPE_DIRECTORY
                               ? strlen(spec[i].data)
                               : spec[i].size;
    }
    /* Inode order: breadth first, so each directory's children are
     * consecutive (not required by the format, but typical). */
    uint32_t order[RB_MAX_NODES], kids[RB_MAX_NODES];
    uint32_t head = 0, tail = 0;
    order[tail++] = 0;
    while (head < tail) {
        uint32_t d = order[head++];
        if (rb_nodes[d].type != MEWZ_ROFS_TYPE_DIRECTORY)
            continue;
        uint32_t n = rb_children(d, kids);
        for (uint32_t k = 0; k < n; k++)
            order[tail++] = kids[k];
    }
    for (uint32_t i = 0; i < tail; i++)
        rb_nodes[order[i]].index = i;

    struct mewz_rofs_super s = {
        .magic = MEWZ_ROFS_MAGIC,
        .version = MEWZ_ROFS_VERSION,
        .inode_count = tail,
        .device = 0x6d65777a,
    };
    s.inode_offset = rb_align(sizeof s, 8);
    s.dirent_count = tail - 1;
    s.dirent_offset = rb_align(s.inode_offset + (uint64_t)tail * 56, 8);
    s.strings_offset = s.dirent_offset + (uint64_t)s.dirent_count * 16;
    uint64_t strings = 0, data = 0;
    for (uint32_t i = 1; i < tail; i++) {
        struct rb_node *n = &rb_nodes[order[i]];
        strings += strlen(n->name);
        if (n->type == MEWZ_ROFS_TYPE_SYMLINK)
            strings += n->size;
        if (n->type == MEWZ_ROFS_TYPE_REGULAR)
            data += n->size;
    }
    s.strings_size = strings;
    s.data_offset = rb_align(s.strings_offset + strings, 4096);
    s.data_size = data;
    s.size = s.data_offset + data;
    struct rb_image image = {.size = rb_align(s.size, 4096), .super = s};
    if (image.size == s.data_offset && data == 0)
        image.size = rb_align(s.size + 1, 4096);
    image.bytes = calloc(1, image.size);
    memcpy(image.bytes, &s, sizeof s);

    uint64_t string_at = 0, data_at = 0, dirent_at = 0;
    for (uint32_t i = 0; i < tail; i++) {
        struct rb_node *n = &rb_nodes[order[i]];
        struct mewz_rofs_inode inode = {
            .type = n->type,
            .mode = n->type == MEWZ_ROFS_TYPE_DIRECTORY ? 0755 : 0644,
            .nlink = 1,
            .size = n->size,
            .atim = 1000000000ULL * (i + 1),
            .mtim = 2000000000ULL * (i + 1),
            .ctim = 3000000000ULL * (i + 1),
        };
        if (n->type == MEWZ_ROFS_TYPE_DIRECTORY) {
            uint32_t k = rb_children(order[i], kids);
            inode.size = k;
            inode.offset = dirent_at;
            inode.nlink = 2;
            inode.parent = i == 0 ? 0 : rb_nodes[n->parent].index;
            for (uint32_t j = 0; j < k; j++) {
                struct rb_node *c = &rb_nodes[kids[j]];
                if (c->type == MEWZ_ROFS_TYPE_DIRECTORY)
                    inode.nlink++;
                struct mewz_rofs_dirent d = {
                    .name_offset = (uint32_t)string_at,
                    .name_len = (uint32_t)strlen(c->name),
                    .inode = c->index,
                };
                memcpy(image.bytes + s.strings_offset + string_at, c->name,
                       d.name_len);
                string_at += d.name_len;
                memcpy(image.bytes + s.dirent_offset + dirent_at * 16, &d,
                       sizeof d);
                dirent_at++;
            }
        } else if (n->type == MEWZ_ROFS_TYPE_SYMLINK) {
            inode.offset = s.strings_offset + string_at;
            memcpy(image.bytes + inode.offset, n->data, n->size);
            string_at += n->size;
        } else {
            inode.offset = s.data_offset + data_at;
            if (n->data)
                memcpy(image.bytes + inode.offset, n->data, n->size);
            data_at += n->size;
        }
        memcpy(image.bytes + s.inode_offset + (uint64_t)i * 56, &inode,
               sizeof inode);
    }
    return image;
}

/* The inode index of a path in the last image built (0 if absent). */
static uint32_t rb_index(const char *path)
{
    uint32_t cur = 0;
    while (*path) {
        const char *slash = strchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : strlen(path);
        cur = rb_child(cur, path, len);
        path += len;
        if (*path == '/')
            path++;
    }
    return rb_nodes[cur].index;
}

#endif
