/*
 * filestat.c: WASI filestat records for ROFS nodes (dev from the
 * superblock, ino = inode index + 1, size as rofs.h defines it: bytes for
 * files, target length for symlinks, entries for directories), and the
 * fstflags check every set_times call makes before anything else.
 */
#include "kernel.h"

void mewz_filestat_store(uint32_t out, const struct mewz_rofs_node *node)
{
    uint8_t *stat = mewz_guest_ptr(out);
    memset(stat, 0, MEWZ_WASI_FILESTAT_SIZE);
    mewz_guest_store_u64(out, mewz_rofs_device());
    mewz_guest_store_u64(out + 8, (uint64_t)node->ino + 1);
    stat[16] = (uint8_t)node->type;
    mewz_guest_store_u64(out + 24, node->nlink);
    mewz_guest_store_u64(out + 32, node->size);
    mewz_guest_store_u64(out + 40, node->atim);
    mewz_guest_store_u64(out + 48, node->mtim);
    mewz_guest_store_u64(out + 56, node->ctim);
}

uint32_t mewz_fstflags_check(uint32_t fst_flags)
{
    if (fst_flags & ~MEWZ_WASI_FSTFLAGS_ALL)
        return MEWZ_WASI_EINVAL;
    bool both_atim = (fst_flags & MEWZ_WASI_FST_ATIM) &&
                     (fst_flags & MEWZ_WASI_FST_ATIM_NOW);
    bool both_mtim = (fst_flags & MEWZ_WASI_FST_MTIM) &&
                     (fst_flags & MEWZ_WASI_FST_MTIM_NOW);
    return both_atim || both_mtim ? MEWZ_WASI_EINVAL : MEWZ_WASI_ESUCCESS;
}
