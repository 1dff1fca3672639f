/*
 * tmpfs_store.c: the in-guest RAM filesystem's storage. Nodes live in a
 * fixed table (inode = index + 1); a file's bytes and a symlink's target
 * are pages from the guest's page pool, found through a top page of 512
 * index pages of 512 data pages each (1 GiB per file at most); directory
 * entries are 512-byte slots carved from pages, kept per directory in
 * creation order with a serial number that is their readdir cookie, so
 * cookies stay valid across calls and across changes elsewhere in the
 * directory. Every page counts against the mount's size= (ENOSPC).
 */
#include "kernel.h"
#include "tmpfs/tmpfs.h"

struct mewz_tmpfs_node mewz_tmpfs_nodes[MEWZ_TMPFS_NODES] MEWZ_BULK(mewz_tmpfs_nodes);
struct mewz_tmpfs_mount mewz_tmpfs_mounts[MEWZ_VOLUME_MAX];
static uint32_t free_entries; /* a list of free 512-byte slots (phys) */

#define ENTRY_SIZE 512U

uint64_t mewz_tmpfs_now(void)
{
    return mewz_clock_at_boot_ns(MEWZ_WASI_CLOCK_REALTIME) +
           mewz_clock_since_boot_ns();
}

static bool charge(uint32_t fs, uint64_t pages)
{
    struct mewz_tmpfs_mount *m = &mewz_tmpfs_mounts[fs];
    if (m->used_pages + pages > m->size / MEWZ_PAGE_SIZE)
        return false;
    m->used_pages += pages;
    return true;
}

static void refund(uint32_t fs, uint64_t pages)
{
    mewz_tmpfs_mounts[fs].used_pages -= pages;
}

/* A zeroed page charged to fs, or 0 (ENOSPC or the pool is empty). */
static uint64_t page_for(uint32_t fs)
{
    if (!charge(fs, 1))
        return 0;
    uint64_t page = mewz_page_alloc();
    if (page == 0)
        refund(fs, 1);
    return page;
}

static void page_release(uint32_t fs, uint64_t page)
{
    mewz_page_free(page);
    refund(fs, 1);
}

uint32_t mewz_tmpfs_node_new(uint32_t fs, uint8_t type, uint32_t *out)
{
    for (uint32_t i = 0; i < MEWZ_TMPFS_NODES; i++) {
        struct mewz_tmpfs_node *n = &mewz_tmpfs_nodes[i];
        if (n->type != 0)
            continue;
        uint64_t now = mewz_tmpfs_now();
        *n = (struct mewz_tmpfs_node){
            .type = type, .fs = fs, .nlink = 1, .atim = now, .mtim = now,
            .ctim = now,
        };
        if (type == MEWZ_WASI_FILETYPE_DIRECTORY) {
            n->nlink = 2;
            n->next_serial = MEWZ_TMPFS_FIRST_COOKIE;
        }
        *out = i + 1;
        return MEWZ_WASI_ESUCCESS;
    }
    return MEWZ_WASI_ENOSPC;
}

struct mewz_tmpfs_node *mewz_tmpfs_node(uint32_t ino)
{
    if (ino == 0 || ino > MEWZ_TMPFS_NODES)
        return NULL;
    struct mewz_tmpfs_node *n = &mewz_tmpfs_nodes[ino - 1];
    return n->type != 0 ? n : NULL;
}

/* The slot of data page `index`, allocating the index pages on the way
 * when `create`; NULL past 1 GiB or when out of space. */
static uint64_t *page_slot(struct mewz_tmpfs_node *n, uint64_t index,
                           bool create)
{
    if (index >= 512ULL * 512ULL)
        return NULL;
    if (n->top == 0) {
        if (!create || (n->top = page_for(n->fs)) == 0)
            return NULL;
    }
    uint64_t *top = mewz_phys_ptr(n->top);
    uint64_t *index_page = &top[index / 512];
    if (*index_page == 0) {
        if (!create || (*index_page = page_for(n->fs)) == 0)
            return NULL;
    }
    return &((uint64_t *)mewz_phys_ptr(*index_page))[index % 512];
}

/* Frees the data pages from byte `from` on (rounded up to a page). */
static void free_from(struct mewz_tmpfs_node *n, uint64_t from)
{
    if (n->top == 0)
        return;
    uint64_t first = (from + MEWZ_PAGE_SIZE - 1) / MEWZ_PAGE_SIZE;
    uint64_t *top = mewz_phys_ptr(n->top);
    for (uint64_t i = 0; i < 512; i++) {
        if (top[i] == 0)
            continue;
        uint64_t *pages = mewz_phys_ptr(top[i]);
        bool empty = true;
        for (uint64_t j = 0; j < 512; j++) {
            if (pages[j] != 0 && i * 512 + j >= first) {
                page_release(n->fs, pages[j]);
                pages[j] = 0;
            }
            empty &= pages[j] == 0;
        }
        if (empty) {
            page_release(n->fs, top[i]);
            top[i] = 0;
        }
    }
    if (first == 0) {
        page_release(n->fs, n->top);
        n->top = 0;
    }
}

uint32_t mewz_tmpfs_resize(struct mewz_tmpfs_node *n, uint64_t size)
{
    if (size > MEWZ_TMPFS_FILE_MAX)
        return MEWZ_WASI_EFBIG;
    if (size < n->size) {
        /* The tail of the last kept page reads as zeros after growth. */
        uint64_t *slot = page_slot(n, size / MEWZ_PAGE_SIZE, false);
        if (slot != NULL && *slot != 0 && size % MEWZ_PAGE_SIZE != 0)
            memset((uint8_t *)mewz_phys_ptr(*slot) + size % MEWZ_PAGE_SIZE, 0,
                   MEWZ_PAGE_SIZE - size % MEWZ_PAGE_SIZE);
        free_from(n, size);
    }
    n->size = size;
    return MEWZ_WASI_ESUCCESS;
}

/* A failure gives back what it took past the end of the file, as Linux's
 * fallocate does: the pages would otherwise stay charged to the mount with
 * nothing to free them but a later growth and truncation. (Holes it filled
 * inside the file stay: they are the file's.) */
uint32_t mewz_tmpfs_reserve(struct mewz_tmpfs_node *n, uint64_t offset,
                            uint64_t len)
{
    for (uint64_t p = offset / MEWZ_PAGE_SIZE;
         p * MEWZ_PAGE_SIZE < offset + len; p++) {
        uint64_t *slot = page_slot(n, p, true);
        uint32_t err = MEWZ_WASI_ESUCCESS;
        if (slot == NULL)
            err = p >= 512ULL * 512ULL ? MEWZ_WASI_EFBIG : MEWZ_WASI_ENOSPC;
        else if (*slot == 0 && (*slot = page_for(n->fs)) == 0)
            err = MEWZ_WASI_ENOSPC;
        if (err != MEWZ_WASI_ESUCCESS) {
            free_from(n, n->size);
            return err;
        }
    }
    return MEWZ_WASI_ESUCCESS;
}

uint64_t mewz_tmpfs_copy(struct mewz_tmpfs_node *n, uint64_t offset,
                         uint8_t *buffer, uint64_t len, bool write)
{
    uint64_t done = 0;
    while (done < len) {
        uint64_t at = offset + done;
        uint64_t in_page = at % MEWZ_PAGE_SIZE;
        uint64_t take = MEWZ_PAGE_SIZE - in_page;
        if (take > len - done)
            take = len - done;
        uint64_t *slot = page_slot(n, at / MEWZ_PAGE_SIZE, write);
        if (write) {
            if (slot == NULL || (*slot == 0 && (*slot = page_for(n->fs)) == 0))
                break;
            memcpy((uint8_t *)mewz_phys_ptr(*slot) + in_page, buffer + done,
                   take);
        } else if (slot == NULL || *slot == 0) {
            memset(buffer + done, 0, take); /* a hole */
        } else {
            memcpy(buffer + done, (uint8_t *)mewz_phys_ptr(*slot) + in_page,
                   take);
        }
        done += take;
    }
    return done;
}

void mewz_tmpfs_node_drop(uint32_t ino)
{
    struct mewz_tmpfs_node *n = mewz_tmpfs_node(ino);
    if (n == NULL || n->nlink > 0 || n->opens > 0)
        return;
    free_from(n, 0);
    *n = (struct mewz_tmpfs_node){0};
}

/* ---- directory entries ------------------------------------------------ */

struct mewz_tmpfs_entry *mewz_tmpfs_entry_at(uint32_t phys_index)
{
    return phys_index == 0 ? NULL : mewz_phys_ptr((uint64_t)phys_index << 9);
}

uint32_t mewz_tmpfs_lookup(const struct mewz_tmpfs_node *dir, const char *name,
                           uint32_t len, struct mewz_tmpfs_entry **out)
{
    for (struct mewz_tmpfs_entry *e = mewz_tmpfs_entry_at(dir->first); e;
         e = mewz_tmpfs_entry_at(e->next)) {
        if (e->len == len && memcmp(e->name, name, len) == 0) {
            if (out)
                *out = e;
            return e->ino;
        }
    }
    return 0;
}

uint32_t mewz_tmpfs_link(struct mewz_tmpfs_node *dir, const char *name,
                         uint32_t len, uint32_t ino)
{
    /* A removed directory (nlink 0, still open somewhere) takes no new
     * names: ENOENT, as Linux answers. */
    if (dir->nlink == 0)
        return MEWZ_WASI_ENOENT;
    if (len > MEWZ_TMPFS_NAME_MAX)
        return MEWZ_WASI_ENAMETOOLONG;
    if (free_entries == 0) {
        uint64_t page = page_for(dir->fs);
        if (page == 0)
            return MEWZ_WASI_ENOSPC;
        for (uint32_t i = 0; i < MEWZ_PAGE_SIZE / ENTRY_SIZE; i++) {
            struct mewz_tmpfs_entry *slot =
                mewz_phys_ptr(page + (uint64_t)i * ENTRY_SIZE);
            slot->next = free_entries;
            free_entries = (uint32_t)((page + (uint64_t)i * ENTRY_SIZE) >> 9);
        }
    }
    uint32_t index = free_entries;
    struct mewz_tmpfs_entry *e = mewz_tmpfs_entry_at(index);
    free_entries = e->next;
    e->next = 0;
    e->ino = ino;
    e->len = (uint16_t)len;
    e->serial = dir->next_serial++;
    memcpy(e->name, name, len);
    if (dir->last == 0)
        dir->first = index;
    else
        mewz_tmpfs_entry_at(dir->last)->next = index;
    dir->last = index;
    dir->mtim = dir->ctim = mewz_tmpfs_now();
    return MEWZ_WASI_ESUCCESS;
}

void mewz_tmpfs_unlink_entry(struct mewz_tmpfs_node *dir,
                             struct mewz_tmpfs_entry *entry)
{
    uint32_t prev = 0;
    uint32_t at = dir->first;
    while (at != 0 && mewz_tmpfs_entry_at(at) != entry) {
        prev = at;
        at = mewz_tmpfs_entry_at(at)->next;
    }
    if (at == 0)
        return;
    if (prev == 0)
        dir->first = entry->next;
    else
        mewz_tmpfs_entry_at(prev)->next = entry->next;
    if (dir->last == at)
        dir->last = prev;
    entry->next = free_entries;
    free_entries = at;
    dir->mtim = dir->ctim = mewz_tmpfs_now();
}
