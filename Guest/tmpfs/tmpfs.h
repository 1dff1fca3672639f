/*
 * tmpfs.h: the in-guest RAM filesystem behind tmpfs mounts (private to
 * Guest/tmpfs and wasi/volume_*.c). It answers the same struct mewz_hc_fs
 * calls the monitor answers for host volumes, with Linux's errnos, so the
 * WASI layer treats both alike; its handles carry MEWZ_TMPFS_HANDLE.
 */
#ifndef MEWZ_TMPFS_H
#define MEWZ_TMPFS_H

#include "kernel.h"

#define MEWZ_TMPFS_HANDLE 0x80000000U
#define MEWZ_TMPFS_NODES 16384U
#define MEWZ_TMPFS_OPENS 1024U
#define MEWZ_TMPFS_NAME_MAX 255U
/* The largest file: one top page of 512 index pages of 512 data pages. */
#define MEWZ_TMPFS_FILE_MAX (512ULL * 512ULL * MEWZ_PAGE_SIZE)
/* Readdir cookies 0..2 are the start, "." and ".."; entries count on. */
#define MEWZ_TMPFS_FIRST_COOKIE 3U

struct mewz_tmpfs_node {
    uint8_t type; /* WASI filetype; 0: free */
    uint8_t fs;   /* the mount */
    uint16_t opens;
    uint32_t nlink;
    uint32_t parent; /* directories */
    uint32_t first, last; /* directories: entries (slot indices) */
    uint64_t next_serial; /* directories: the next entry's cookie */
    uint64_t size;
    uint64_t top; /* files, symlinks: the top index page, or 0 */
    uint64_t atim, mtim, ctim;
};

struct mewz_tmpfs_entry {
    uint32_t next; /* slot index (phys >> 9), 0: none */
    uint32_t ino;
    uint64_t serial;
    uint16_t len;
    char name[MEWZ_TMPFS_NAME_MAX + 1];
};

struct mewz_tmpfs_mount {
    uint64_t size; /* bytes */
    uint64_t used_pages;
    uint32_t root;
    bool readonly;
};

extern struct mewz_tmpfs_node mewz_tmpfs_nodes[MEWZ_TMPFS_NODES];
extern struct mewz_tmpfs_mount mewz_tmpfs_mounts[MEWZ_VOLUME_MAX];

/* tmpfs_store.c */
uint64_t mewz_tmpfs_now(void);
uint32_t mewz_tmpfs_node_new(uint32_t fs, uint8_t type, uint32_t *ino);
struct mewz_tmpfs_node *mewz_tmpfs_node(uint32_t ino);
/* Frees a node nothing links or holds open any more. */
void mewz_tmpfs_node_drop(uint32_t ino);
uint32_t mewz_tmpfs_resize(struct mewz_tmpfs_node *n, uint64_t size);
uint32_t mewz_tmpfs_reserve(struct mewz_tmpfs_node *n, uint64_t offset,
                            uint64_t len);
/* Copies len bytes at offset out of (or, with write, into) the node's
 * pages; returns how many (a write stops short when space runs out). */
uint64_t mewz_tmpfs_copy(struct mewz_tmpfs_node *n, uint64_t offset,
                         uint8_t *buffer, uint64_t len, bool write);
struct mewz_tmpfs_entry *mewz_tmpfs_entry_at(uint32_t index);
/* The inode named name in dir, or 0. */
uint32_t mewz_tmpfs_lookup(const struct mewz_tmpfs_node *dir, const char *name,
                           uint32_t len, struct mewz_tmpfs_entry **out);
uint32_t mewz_tmpfs_link(struct mewz_tmpfs_node *dir, const char *name,
                         uint32_t len, uint32_t ino);
void mewz_tmpfs_unlink_entry(struct mewz_tmpfs_node *dir,
                             struct mewz_tmpfs_entry *entry);

/* tmpfs_serve.c */
/* A mount of `size` bytes; its root's handle in *handle. */
uint32_t mewz_tmpfs_mount(uint32_t index, uint64_t size, bool readonly,
                          uint32_t *handle);
/* Answers a MEWZ_HC_FS call on tmpfs handles in *call; returns its errno. */
uint32_t mewz_tmpfs_serve(struct mewz_hc_fs *call);

#endif
