/*
 * mewz read-only filesystem (ROFS): the byte layout of the image's ROFS
 * section, the rootfs of the bundle as the guest sees it.
 *
 * The ONE definition shared by the writer (Sources/ImageFormat, pure Swift,
 * which repeats these numbers; ImageFormatTests checks they agree) and the
 * guest reader (Guest/rofs/). Only <stdint.h> may be included. Bump
 * MEWZ_ROFS_VERSION on any change.
 *
 * The section is mapped read-only at MEWZ_ROFS_BASE (abi.h); the guest
 * serves open, read, seek, stat, readlink and readdir from it with no VM
 * exit. Everything is little endian and naturally aligned; every 64-bit
 * offset is from the start of the section (a dirent's 32-bit name_offset
 * is from strings_offset). The image is untrusted input to the
 * reader: every offset, length and index is checked against the section
 * size (and `inode_count`) before use; a bad one is EIO, never a fault.
 *
 *   struct mewz_rofs_super        at 0
 *   struct mewz_rofs_inode[]      at inode_offset, inode_count of them
 *   struct mewz_rofs_dirent[]     at dirent_offset, dirent_count of them;
 *                                 each directory's entries are one
 *                                 contiguous run, sorted by name
 *   names and symlink targets     at strings_offset, strings_size bytes
 *                                 (not NUL-terminated; lengths are explicit)
 *   file data                     at data_offset, data_size bytes; each
 *                                 regular file's bytes are contiguous
 */
#ifndef MEWZ_ROFS_H
#define MEWZ_ROFS_H

#include <stdint.h>

#define MEWZ_ROFS_MAGIC 0x53464f52U /* "ROFS" */
#define MEWZ_ROFS_VERSION 1

/* Inode 0 is the root directory "/". */
#define MEWZ_ROFS_ROOT_INODE 0U

/* Inode types: the WASI preview1 filetype values. */
#define MEWZ_ROFS_TYPE_DIRECTORY 3
#define MEWZ_ROFS_TYPE_REGULAR 4
#define MEWZ_ROFS_TYPE_SYMLINK 7

/* Longest name of one directory entry, and longest symlink target. */
#define MEWZ_ROFS_NAME_MAX 255U
#define MEWZ_ROFS_SYMLINK_MAX 4095U

struct mewz_rofs_super {
    uint32_t magic;   /* MEWZ_ROFS_MAGIC */
    uint32_t version; /* MEWZ_ROFS_VERSION */
    uint64_t size;    /* bytes of the whole section, this struct included */
    uint32_t inode_count;  /* at least 1 (the root) */
    uint32_t dirent_count;
    uint64_t inode_offset;   /* 8-aligned */
    uint64_t dirent_offset;  /* 8-aligned */
    uint64_t strings_offset;
    uint64_t strings_size;
    uint64_t data_offset;    /* 4096-aligned */
    uint64_t data_size;
    uint64_t device;         /* filestat dev of every inode */
};

/* 56 bytes. Timestamps are nanoseconds since the Unix epoch, as WASI's
 * filestat has them. An inode's filestat ino is its index + 1 (never 0),
 * its dev the superblock's `device`. */
struct mewz_rofs_inode {
    uint16_t type;  /* MEWZ_ROFS_TYPE_* */
    uint16_t mode;  /* permission bits (07777) of the rootfs file */
    uint32_t nlink; /* hard links: directory entries naming this inode
                       (directories: 2 + subdirectories, as on Linux) */
    /* REGULAR: file size in bytes. DIRECTORY: number of entries (its run
     * in the dirent array, "." and ".." not included). SYMLINK: target
     * length in bytes (1 ..= MEWZ_ROFS_SYMLINK_MAX). */
    uint64_t size;
    /* REGULAR: offset of the file's bytes (inside the data area).
     * DIRECTORY: index of its first dirent in the dirent array. SYMLINK:
     * offset of the target (inside the strings area). */
    uint64_t offset;
    uint64_t atim;
    uint64_t mtim;
    uint64_t ctim;
    /* DIRECTORY: inode of its parent ("..": the root's is itself). Others:
     * 0. */
    uint32_t parent;
    uint32_t _reserved; /* 0 */
};

/* 16 bytes. A directory's run is sorted by name, compared bytewise as
 * unsigned bytes with a shorter name first when one is a prefix of the
 * other (memcmp, then length), so lookups are a binary search. Names are
 * 1 ..= MEWZ_ROFS_NAME_MAX bytes, never "." or "..", never contain '/' or
 * NUL. */
struct mewz_rofs_dirent {
    uint32_t name_offset; /* from strings_offset */
    uint32_t name_len;
    uint32_t inode;
    uint32_t _reserved; /* 0 */
};

/* The sizes the writer and the reader both rely on. */
_Static_assert(sizeof(struct mewz_rofs_super) == 80, "superblock size");
_Static_assert(sizeof(struct mewz_rofs_inode) == 56, "inode size");
_Static_assert(sizeof(struct mewz_rofs_dirent) == 16, "dirent size");

#endif /* MEWZ_ROFS_H */
