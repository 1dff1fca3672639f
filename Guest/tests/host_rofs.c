/*
 * host_rofs.c: the guest's ROFS reader and path walk (Guest/rofs/), on the
 * host, over images built by rofs_builder.h. Built with AddressSanitizer,
 * so a read outside an image (each is its own malloc'd block) fails the
 * test even where the reader's answer looks right; a corruption pass flips
 * bytes at random and walks everything, which must never read outside.
 */
#include <stdio.h>

#include "host_check.h"
#include "kernel.h"
#include "rofs_builder.h"

uint32_t mewz_memory_pages; /* kernel.h's inline helpers name it */

static const struct rb_spec tree[] = {
    {"hello", MEWZ_ROFS_TYPE_REGULAR, "hello world\n", 0},
    {"etc/passwd", MEWZ_ROFS_TYPE_REGULAR, "root:x:0:0\n", 0},
    {"app/data.txt", MEWZ_ROFS_TYPE_REGULAR, "app data\n", 0},
    {"app/rel", MEWZ_ROFS_TYPE_SYMLINK, "../etc/passwd", 0},
    {"app/abs", MEWZ_ROFS_TYPE_SYMLINK, "/etc/passwd", 0},
    {"app/dirlink", MEWZ_ROFS_TYPE_SYMLINK, "/etc", 0},
    {"app/slashlink", MEWZ_ROFS_TYPE_SYMLINK, "../etc/", 0},
    {"app/up", MEWZ_ROFS_TYPE_SYMLINK, "../../../../etc", 0},
    {"app/root", MEWZ_ROFS_TYPE_SYMLINK, "/", 0},
    {"a/b/c/deep", MEWZ_ROFS_TYPE_REGULAR, "deep", 0},
    {"loop1", MEWZ_ROFS_TYPE_SYMLINK, "loop2", 0},
    {"loop2", MEWZ_ROFS_TYPE_SYMLINK, "loop1", 0},
    {"self", MEWZ_ROFS_TYPE_SYMLINK, "self/x", 0},
    {"dangling", MEWZ_ROFS_TYPE_SYMLINK, "nowhere", 0},
    {"filelink", MEWZ_ROFS_TYPE_SYMLINK, "hello", 0},
    {"empty", MEWZ_ROFS_TYPE_REGULAR, NULL, 0},
    {"emptydir", MEWZ_ROFS_TYPE_DIRECTORY, NULL, 0},
};

static char long_name[300];

static struct rb_image build_tree(void)
{
    static struct rb_spec spec[sizeof tree / sizeof tree[0] + 90];
    size_t n = 0;
    for (size_t i = 0; i < sizeof tree / sizeof tree[0]; i++)
        spec[n++] = tree[i];
    /* Chains of links: l00 -> l01 -> ... -> l39 -> hello is 40 links,
     * m00 -> ... -> m40 -> hello is 41. */
    static char names[90][8], targets[90][8];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], 8, "l%02d", i);
        snprintf(targets[i], 8, i == 39 ? "hello" : "l%02d", i + 1);
        spec[n++] = (struct rb_spec){names[i], MEWZ_ROFS_TYPE_SYMLINK,
                                     targets[i], 0};
    }
    for (int i = 0; i < 41; i++) {
        snprintf(names[40 + i], 8, "m%02d", i);
        snprintf(targets[40 + i], 8, i == 40 ? "hello" : "m%02d", i + 1);
        spec[n++] = (struct rb_spec){names[40 + i], MEWZ_ROFS_TYPE_SYMLINK,
                                     targets[40 + i], 0};
    }
    memset(long_name, 'n', 255);
    long_name[255] = 0;
    spec[n++] = (struct rb_spec){long_name, MEWZ_ROFS_TYPE_REGULAR, "long", 0};
    return rb_build(spec, n);
}

static uint32_t walk(uint32_t start, uint32_t floor, const char *path,
                     unsigned flags, uint32_t *ino)
{
    struct mewz_walk w = {0};
    uint32_t err = mewz_rofs_walk(start, floor, path, (uint32_t)strlen(path),
                                  flags, &w);
    *ino = w.ino;
    return err;
}

#define F MEWZ_WALK_FOLLOW

static void test_walks(void)
{
    struct rb_image image = build_tree();
    mewz_rofs_mount(image.bytes, image.size);
    CHECK(mewz_rofs_present());
    uint32_t app = rb_index("app"), etc = rb_index("etc");
    uint32_t passwd = rb_index("etc/passwd"), hello = rb_index("hello");
    const struct {
        uint32_t start, floor;
        const char *path;
        unsigned flags;
        uint32_t err, ino;
    } cases[] = {
        {0, 0, "", F, MEWZ_WASI_ENOENT, 0},
        {0, 0, "hello", F, 0, hello},
        {0, 0, "/hello", F, MEWZ_WASI_ENOTCAPABLE, 0},
        {0, 0, ".", F, 0, 0},
        {0, 0, "./", F, 0, 0},
        {0, 0, ".//./", F, 0, 0},
        {0, 0, "etc/..", F, 0, 0},
        {0, 0, "..", F, MEWZ_WASI_ENOTCAPABLE, 0},
        {0, 0, "etc/../..", F, MEWZ_WASI_ENOTCAPABLE, 0},
        {0, 0, "etc/../etc/./passwd", F, 0, passwd},
        {0, 0, "etc//passwd", F, 0, passwd},
        {0, 0, "etc/", F, 0, etc},
        {0, 0, "hello/", F, MEWZ_WASI_ENOTDIR, 0},
        {0, 0, "hello/.", F, MEWZ_WASI_ENOTDIR, 0},
        {0, 0, "hello//", F, MEWZ_WASI_ENOTDIR, 0},
        {0, 0, "hello/x", F, MEWZ_WASI_ENOTDIR, 0},
        {0, 0, "missing", F, MEWZ_WASI_ENOENT, 0},
        {0, 0, "missing/x", F, MEWZ_WASI_ENOENT, 0},
        {0, 0, "emptydir/x", F, MEWZ_WASI_ENOENT, 0},
        {0, 0, "a/b/c/deep", F, 0, rb_index("a/b/c/deep")},
        {0, 0, long_name, F, 0, rb_index(long_name)},
        /* symlinks */
        {0, 0, "app/rel", F, 0, passwd},
        {0, 0, "app/rel", 0, 0, rb_index("app/rel")},
        {0, 0, "app/abs", F, 0, passwd},
        {0, 0, "app/dirlink/passwd", 0, 0, passwd},
        {0, 0, "app/dirlink", 0, 0, rb_index("app/dirlink")},
        {0, 0, "app/dirlink/", 0, 0, etc},
        {0, 0, "app/slashlink", F, 0, etc},
        {0, 0, "app/up/passwd", 0, 0, passwd}, /* ".." stops at "/" */
        {0, 0, "app/root/hello", 0, 0, hello},
        {0, 0, "filelink", F, 0, hello},
        {0, 0, "filelink/", F, MEWZ_WASI_ENOTDIR, 0},
        {0, 0, "filelink/", 0, MEWZ_WASI_ENOTDIR, 0},
        {0, 0, "loop1", F, MEWZ_WASI_ELOOP, 0},
        {0, 0, "loop1", 0, 0, rb_index("loop1")},
        {0, 0, "loop1/", 0, MEWZ_WASI_ELOOP, 0},
        {0, 0, "self", F, MEWZ_WASI_ELOOP, 0},
        {0, 0, "dangling", F, MEWZ_WASI_ENOENT, 0},
        {0, 0, "dangling", 0, 0, rb_index("dangling")},
        {0, 0, "l00", F, 0, hello},
        {0, 0, "m00", F, MEWZ_WASI_ELOOP, 0},
        {0, 0, "m00", 0, 0, rb_index("m00")},
        {0, 0, "m01", F, 0, hello},
        /* confined beneath app: the path may not climb, links may */
        {app, app, "..", F, MEWZ_WASI_ENOTCAPABLE, 0},
        {app, app, "data.txt/..", F, MEWZ_WASI_ENOTDIR, 0},
        {app, app, "./../app", F, MEWZ_WASI_ENOTCAPABLE, 0},
        {app, app, "rel", F, 0, passwd},
        {app, app, "dirlink/../..", F, 0, 0},
        {app, app, "dirlink/../hello", F, 0, hello},
        {app, 0, "..", F, 0, 0},
        /* rootfs-absolute text (the cwd) */
        {0, 0, "/app", F | MEWZ_WALK_IN_ROOT, 0, app},
        {0, 0, "/app/../..", F | MEWZ_WALK_IN_ROOT, 0, 0},
        {0, 0, "/app/dirlink", F | MEWZ_WALK_IN_ROOT, 0, etc},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t ino = 0xdead;
        uint32_t err = walk(cases[i].start, cases[i].floor, cases[i].path,
                            cases[i].flags, &ino);
        if (err != cases[i].err || (err == 0 && ino != cases[i].ino))
            fprintf(stderr, "walk case %zu \"%s\": err %u ino %u\n", i,
                    cases[i].path, err, ino);
        CHECK_EQ(err, cases[i].err);
        if (err == 0)
            CHECK_EQ(ino, cases[i].ino);
    }

    char too_long[300];
    memset(too_long, 'n', 256);
    too_long[256] = 0;
    uint32_t ino;
    CHECK_EQ(walk(0, 0, too_long, F, &ino), MEWZ_WASI_ENAMETOOLONG);
    too_long[255] = 0;
    CHECK_EQ(walk(0, 0, too_long, F, &ino), 0);
    too_long[254] = 0;
    CHECK_EQ(walk(0, 0, too_long, F, &ino), MEWZ_WASI_ENOENT);

    /* The parent walk: everything but the last name. */
    const struct {
        const char *path;
        uint32_t err, ino;
        const char *last;
        bool trailing;
    } parents[] = {
        {"a/b/new", 0, rb_index("a/b"), "new", false},
        {"a/b/c/", 0, rb_index("a/b"), "c", true},
        {"new", 0, 0, "new", false},
        {"a/..", 0, rb_index("a"), "..", false},
        {"a/.", 0, rb_index("a"), ".", false},
        {".", 0, 0, ".", false},
        {"app/dirlink/x", 0, etc, "x", false},
        {"app/dirlink", 0, app, "dirlink", false},
        {"hello/x", MEWZ_WASI_ENOTDIR, 0, NULL, false},
        {"missing/x", MEWZ_WASI_ENOENT, 0, NULL, false},
        {"../x", MEWZ_WASI_ENOTCAPABLE, 0, NULL, false},
        {"loop1/x", MEWZ_WASI_ELOOP, 0, NULL, false},
    };
    for (size_t i = 0; i < sizeof parents / sizeof parents[0]; i++) {
        struct mewz_walk w = {0};
        uint32_t err = mewz_rofs_walk(0, 0, parents[i].path,
                                      (uint32_t)strlen(parents[i].path),
                                      MEWZ_WALK_PARENT, &w);
        if (err != parents[i].err)
            fprintf(stderr, "parent case %zu \"%s\": err %u\n", i,
                    parents[i].path, err);
        CHECK_EQ(err, parents[i].err);
        if (err != 0 || parents[i].err != 0)
            continue;
        CHECK_EQ(w.ino, parents[i].ino);
        CHECK(w.last_len == strlen(parents[i].last) &&
              memcmp(w.last, parents[i].last, w.last_len) == 0);
        CHECK_EQ(w.trailing_slash, parents[i].trailing);
    }
    free(image.bytes);
}

static void test_nodes_and_entries(void)
{
    struct rb_image image = build_tree();
    mewz_rofs_mount(image.bytes, image.size);
    struct mewz_rofs_node node;
    CHECK_EQ(mewz_rofs_node(rb_index("hello"), &node), 0);
    CHECK_EQ(node.type, MEWZ_ROFS_TYPE_REGULAR);
    CHECK_EQ(node.size, 12);
    CHECK(memcmp(mewz_rofs_bytes(&node), "hello world\n", 12) == 0);
    CHECK_EQ(mewz_rofs_node(rb_index("app/abs"), &node), 0);
    CHECK(node.size == 11 && memcmp(mewz_rofs_bytes(&node), "/etc/passwd", 11) == 0);
    CHECK_EQ(mewz_rofs_node(rb_index("empty"), &node), 0);
    CHECK_EQ(node.size, 0);
    CHECK_EQ(mewz_rofs_node(image.super.inode_count, &node), MEWZ_WASI_EIO);
    CHECK_EQ(mewz_rofs_node(UINT32_MAX, &node), MEWZ_WASI_EIO);

    /* Entries come back sorted, and lookups find each one. */
    CHECK_EQ(mewz_rofs_node(rb_index("app"), &node), 0);
    CHECK_EQ(node.size, 7);
    CHECK_EQ(node.parent, 0);
    const char *sorted[] = {"abs", "data.txt", "dirlink", "rel", "root",
                            "slashlink", "up"};
    struct mewz_rofs_entry entry;
    for (uint64_t i = 0; i < 7; i++) {
        CHECK_EQ(mewz_rofs_entry(&node, i, &entry), 0);
        CHECK(entry.name_len == strlen(sorted[i]) &&
              memcmp(entry.name, sorted[i], entry.name_len) == 0);
    }
    CHECK_EQ(mewz_rofs_entry(&node, 7, &entry), MEWZ_WASI_EIO);
    uint32_t ino;
    CHECK_EQ(mewz_rofs_lookup(&node, "data", 4, &ino), MEWZ_WASI_ENOENT);
    CHECK_EQ(mewz_rofs_lookup(&node, "data.txtx", 9, &ino), MEWZ_WASI_ENOENT);
    CHECK_EQ(mewz_rofs_lookup(&node, "up", 2, &ino), 0);
    CHECK_EQ(ino, rb_index("app/up"));
    CHECK_EQ(mewz_rofs_lookup(&node, "", 0, &ino), MEWZ_WASI_ENOENT);
    struct mewz_rofs_node file;
    mewz_rofs_node(rb_index("hello"), &file);
    CHECK_EQ(mewz_rofs_lookup(&file, "x", 1, &ino), MEWZ_WASI_ENOTDIR);
    free(image.bytes);
}

/* Offsets of one inode's fields in the image. */
static uint8_t *inode_at(struct rb_image *image, uint32_t index)
{
    return image->bytes + image->super.inode_offset + (uint64_t)index * 56;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Each corruption of a well-formed image, and the walk that must then say
 * EIO (or mount refusing it: every walk EIO). */
static void test_corruption(void)
{
    struct {
        const char *what;
        uint32_t field_at; /* offset into the superblock, or UINT32_MAX */
        uint64_t value;
        unsigned width;
    } supers[] = {
        {"magic", 0, 0x12345678, 4},
        {"version", 4, 2, 4},
        {"size past the mapping", 8, 1ULL << 40, 8},
        {"size below the superblock", 8, 16, 8},
        {"no inodes", 16, 0, 4},
        {"inodes past the end", 16, 1U << 30, 4},
        {"dirents past the end", 20, 1U << 30, 4},
        {"misaligned inodes", 24, 81, 8},
        {"misaligned dirents", 32, 4, 8},
        {"strings past the end", 48, 1ULL << 40, 8},
        {"strings wrapping", 40, UINT64_MAX - 8, 8},
        {"misaligned data", 56, 4095, 8},
        {"data past the end", 64, 1ULL << 40, 8},
    };
    for (size_t i = 0; i < sizeof supers / sizeof supers[0]; i++) {
        struct rb_image image = build_tree();
        if (supers[i].width == 4)
            put32(image.bytes + supers[i].field_at, (uint32_t)supers[i].value);
        else
            put64(image.bytes + supers[i].field_at, supers[i].value);
        mewz_rofs_mount(image.bytes, image.size);
        uint32_t ino;
        uint32_t err = walk(0, 0, "hello", F, &ino);
        if (err != MEWZ_WASI_EIO)
            fprintf(stderr, "superblock case %s: %u\n", supers[i].what, err);
        CHECK_EQ(err, MEWZ_WASI_EIO);
        CHECK(mewz_rofs_present());
        free(image.bytes);
    }

    /* A root that is no directory. */
    struct rb_image image = build_tree();
    put32(inode_at(&image, 0), MEWZ_ROFS_TYPE_REGULAR);
    mewz_rofs_mount(image.bytes, image.size);
    uint32_t ino;
    CHECK_EQ(walk(0, 0, ".", F, &ino), MEWZ_WASI_EIO);
    free(image.bytes);

    /* Bad inodes and dirents: the walks that reach them. */
    struct {
        const char *path;
        unsigned node_field; /* offset in the inode */
        uint64_t value;
        unsigned width;
    } nodes[] = {
        {"hello", 0, 9, 2},                   /* unknown type */
        {"hello", 8, 1ULL << 40, 8},          /* size past the data */
        {"hello", 16, 0, 8},                  /* offset before the data */
        {"hello", 16, UINT64_MAX, 8},         /* offset wrapping */
        {"app/abs", 8, 0, 8},                 /* empty target */
        {"app/abs", 8, 4096, 8},              /* target too long */
        {"app/abs", 16, 0, 8},                /* target outside the strings */
        {"etc/passwd", 8, 1U << 30, 8},       /* etc: too many entries */
        {"etc/passwd", 16, 1U << 30, 8},      /* etc: run past the array */
        {"etc/..", 48, 1U << 30, 4},          /* etc: parent out of range */
        {"etc/..", 48, 1, 4},                 /* etc: parent no directory */
    };
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        image = build_tree();
        const char *target = nodes[i].path;
        uint32_t index = rb_index(strncmp(target, "etc/", 4) == 0 ? "etc" : target);
        if (nodes[i].node_field == 48 && nodes[i].value == 1)
            put32(inode_at(&image, index) + 48, rb_index("hello"));
        else if (nodes[i].width == 2)
            memcpy(inode_at(&image, index), &(uint16_t){(uint16_t)nodes[i].value}, 2);
        else if (nodes[i].width == 4)
            put32(inode_at(&image, index) + nodes[i].node_field, (uint32_t)nodes[i].value);
        else
            put64(inode_at(&image, index) + nodes[i].node_field, nodes[i].value);
        mewz_rofs_mount(image.bytes, image.size);
        uint32_t err = walk(0, 0, target, F, &ino);
        if (err != MEWZ_WASI_EIO)
            fprintf(stderr, "inode case %zu (%s): %u\n", i, target, err);
        CHECK_EQ(err, MEWZ_WASI_EIO);
        free(image.bytes);
    }

    /* The dirent naming "hello" in the root: index, name offset, length. */
    const struct {
        unsigned field;
        uint32_t value;
    } dirents[] = {{8, 1U << 30}, {0, 1U << 30}, {4, 0}, {4, 256}, {0, UINT32_MAX}};
    for (size_t i = 0; i < sizeof dirents / sizeof dirents[0]; i++) {
        image = build_tree();
        mewz_rofs_mount(image.bytes, image.size);
        struct mewz_rofs_node root;
        mewz_rofs_node(0, &root);
        uint64_t at = 0;
        struct mewz_rofs_entry entry;
        while (mewz_rofs_entry(&root, at, &entry) == 0 &&
               !(entry.name_len == 5 && memcmp(entry.name, "hello", 5) == 0))
            at++;
        put32(image.bytes + image.super.dirent_offset + (root.offset + at) * 16 +
                  dirents[i].field,
              dirents[i].value);
        CHECK_EQ(mewz_rofs_entry(&root, at, &entry), MEWZ_WASI_EIO);
        CHECK_EQ(walk(0, 0, "hello", F, &ino), MEWZ_WASI_EIO);
        free(image.bytes);
    }

    /* No section at all, and one too small for a superblock. */
    mewz_rofs_mount(NULL, 0);
    CHECK(!mewz_rofs_present());
    CHECK_EQ(walk(0, 0, ".", F, &ino), MEWZ_WASI_EIO);
    uint8_t tiny[16] = {0};
    mewz_rofs_mount(tiny, sizeof tiny);
    CHECK(mewz_rofs_present());
    CHECK_EQ(walk(0, 0, ".", F, &ino), MEWZ_WASI_EIO);
}

/* Random damage: any answer is fine, a read outside the image is not
 * (AddressSanitizer aborts). */
static void test_random_damage(void)
{
    static const char *paths[] = {"hello", "etc/passwd", "app/rel", "app/abs",
                                  "app/up/passwd", "a/b/c/deep", "l00", "m00",
                                  "app/dirlink/../..", "loop1", "emptydir"};
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    unsigned answered = 0;
    for (int round = 0; round < 3000; round++) {
        struct rb_image image = build_tree();
        for (int flips = 0; flips < 1 + round % 4; flips++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            /* Mostly the metadata, where the offsets are. */
            uint64_t span = round % 3 ? image.super.data_offset : image.size;
            image.bytes[(seed >> 33) % span] ^= (uint8_t)(1u << ((seed >> 20) % 8));
        }
        mewz_rofs_mount(image.bytes, image.size);
        for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
            uint32_t ino;
            if (walk(0, 0, paths[p], F, &ino) != 0)
                continue;
            struct mewz_rofs_node node;
            if (mewz_rofs_node(ino, &node) != 0)
                continue;
            answered++;
            volatile uint8_t sink = 0;
            if (node.type != MEWZ_ROFS_TYPE_DIRECTORY) {
                const uint8_t *bytes = mewz_rofs_bytes(&node);
                for (uint64_t b = 0; b < node.size; b++)
                    sink ^= bytes[b];
            }
            for (uint64_t e = 0; node.type == MEWZ_ROFS_TYPE_DIRECTORY && e < node.size; e++) {
                struct mewz_rofs_entry entry;
                if (mewz_rofs_entry(&node, e, &entry) == 0)
                    for (uint32_t b = 0; b < entry.name_len; b++)
                        sink ^= (uint8_t)entry.name[b];
            }
            (void)sink;
        }
        free(image.bytes);
    }
    CHECK(answered > 1000); /* most damage leaves most paths readable */
}

int main(void)
{
    test_walks();
    test_nodes_and_entries();
    test_corruption();
    test_random_damage();
    return check_report("host_rofs");
}
