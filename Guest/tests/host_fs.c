/*
 * host_fs.c: the filesystem side of WASI on the host: the preopens and
 * process.cwd, path_open with its flags and rights, reads, seeks, stat,
 * readdir cookies, the fd table (renumber, close, EMFILE), the errno every
 * write-like call gives on the read-only filesystem, poll_oneoff, the
 * socket calls and proc_raise. Images come from rofs_builder.h; the
 * surroundings from host_fakes.h.
 */
#include "host_fakes.h"
#include "rofs_builder.h"
#include "tmpfs/tmpfs.h"

#define R(name) MEWZ_WASI_RIGHT_##name
#define FOLLOW MEWZ_WASI_LOOKUP_SYMLINK_FOLLOW

static const struct rb_spec tree[] = {
    {"hello", MEWZ_ROFS_TYPE_REGULAR, "hello world\n", 0},
    {"etc/passwd", MEWZ_ROFS_TYPE_REGULAR, "root:x:0:0\n", 0},
    {"app/data.txt", MEWZ_ROFS_TYPE_REGULAR, "app data\n", 0},
    {"app/rel", MEWZ_ROFS_TYPE_SYMLINK, "../etc/passwd", 0},
    {"app/abs", MEWZ_ROFS_TYPE_SYMLINK, "/etc/passwd", 0},
    {"dir/file-0", MEWZ_ROFS_TYPE_REGULAR, NULL, 0},
    {"dir/file-1", MEWZ_ROFS_TYPE_REGULAR, NULL, 0},
    {"link", MEWZ_ROFS_TYPE_SYMLINK, "hello", 0},
    {"loop", MEWZ_ROFS_TYPE_SYMLINK, "loop", 0},
};

static struct rb_image image;

/* Paths live at 0x8000, results at 0x9000. */
#define PATH 0x8000U
#define OUT 0x9000U

static uint32_t put_path(const char *path)
{
    size_t len = strlen(path);
    memcpy(mem(PATH), path, len);
    return (uint32_t)len;
}

static void boot_with(const char *cwd)
{
    static char cwd_copy[256];
    if (cwd) {
        strcpy(cwd_copy, cwd);
        fake_boot.cwd_addr = (uint64_t)(uintptr_t)cwd_copy;
        fake_boot.cwd_size = strlen(cwd) + 1;
    } else {
        fake_boot.cwd_addr = 0;
        fake_boot.cwd_size = 0;
    }
    mewz_rofs_mount(image.bytes, image.size);
    mewz_fd_init();
}

static uint32_t open_at(uint32_t dir, uint32_t lookup, const char *path,
                        uint32_t oflags, uint64_t base, uint32_t fdflags,
                        uint32_t *fd)
{
    uint32_t len = put_path(path);
    uint32_t err = mewz_wasi_path_open(dir, lookup, PATH, len, oflags, base,
                                       base, fdflags, OUT);
    *fd = err == 0 ? mewz_guest_load_u32(OUT) : UINT32_MAX;
    return err;
}

static uint32_t open_read(uint32_t dir, const char *path)
{
    uint32_t fd;
    uint32_t err = open_at(dir, FOLLOW, path, 0,
                           R(FD_READ) | R(FD_SEEK) | R(FD_TELL) |
                               R(FD_FILESTAT_GET) | R(FD_READDIR) |
                               R(POLL_FD_READWRITE) | R(PATH_OPEN) |
                               R(FD_ADVISE) | R(FD_SYNC) | R(FD_DATASYNC) |
                               R(FD_FDSTAT_SET_FLAGS) | R(FD_ALLOCATE) |
                               R(FD_FILESTAT_SET_SIZE) |
                               R(FD_FILESTAT_SET_TIMES) | R(PATH_FILESTAT_GET),
                           0, &fd);
    if (err != 0)
        fprintf(stderr, "open_read %s: %u\n", path, err);
    return fd;
}

static uint32_t read_into(uint32_t fd, uint32_t buf, uint32_t len, uint32_t *n)
{
    put_iovec(0x100, buf, len);
    uint32_t err = mewz_wasi_fd_read(fd, 0x100, 1, 0x200);
    *n = err == 0 ? mewz_guest_load_u32(0x200) : UINT32_MAX;
    return err;
}

static void test_preopens_and_cwd(void)
{
    reset_fakes();
    boot_with("/");
    CHECK_EQ(mewz_wasi_fd_prestat_get(3, OUT), 0);
    CHECK_EQ(mem(OUT)[0], MEWZ_WASI_PREOPENTYPE_DIR);
    CHECK_EQ(mewz_guest_load_u32(OUT + 4), 1);
    CHECK_EQ(mewz_wasi_fd_prestat_dir_name(3, OUT, 1), 0);
    CHECK_EQ(mem(OUT)[0], '/');
    CHECK_EQ(mewz_wasi_fd_prestat_dir_name(3, OUT, 0), MEWZ_WASI_ENAMETOOLONG);
    CHECK_EQ(mewz_wasi_fd_prestat_dir_name(3, MEMORY_END, 1), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_fd_prestat_get(3, MEMORY_END - 4), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_fd_prestat_get(4, OUT), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_prestat_get(1, OUT), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_prestat_dir_name(1, OUT, 9), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(3, OUT), 0);
    CHECK_EQ(mem(OUT)[0], MEWZ_WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(mewz_guest_load_u64(OUT + 8), MEWZ_RIGHTS_DIRECTORY_BASE);
    CHECK_EQ(mewz_guest_load_u64(OUT + 16), MEWZ_RIGHTS_DIRECTORY_INHERITING);
    /* The inheriting rights hold the base ones (Rust std reopens "." of
     * the preopen with both). */
    CHECK_EQ(MEWZ_RIGHTS_DIRECTORY_BASE & ~MEWZ_RIGHTS_DIRECTORY_INHERITING, 0);

    /* A cwd: "." at 4, where relative opens land; its ".." reaches the
     * root. */
    boot_with("/app");
    CHECK_EQ(mewz_wasi_fd_prestat_get(4, OUT), 0);
    CHECK_EQ(mewz_wasi_fd_prestat_dir_name(4, OUT, 8), 0);
    CHECK_EQ(mem(OUT)[0], '.');
    uint32_t fd = open_read(4, "data.txt"), n;
    CHECK_EQ(fd, 5);
    CHECK_EQ(read_into(fd, 0x1000, 64, &n), 0);
    CHECK(n == 9 && memcmp(mem(0x1000), "app data\n", 9) == 0);
    CHECK_EQ(open_at(4, FOLLOW, "../hello", 0, R(FD_READ), 0, &fd), 0);
    CHECK_EQ(open_at(3, FOLLOW, "../hello", 0, R(FD_READ), 0, &fd),
             MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_prestat_get(5, OUT), MEWZ_WASI_EBADF);

    /* A cwd through a symlink, with a trailing slash, or "/" again. */
    boot_with("/app/../app/");
    CHECK_EQ(mewz_wasi_fd_prestat_get(4, OUT), 0);
    boot_with(NULL);
    CHECK_EQ(mewz_wasi_fd_prestat_get(4, OUT), MEWZ_WASI_EBADF);
    boot_with("/etc/..");
    CHECK_EQ(mewz_wasi_fd_prestat_get(4, OUT), MEWZ_WASI_EBADF);

    /* A cwd the rootfs does not have ends the VM with one line. */
    const char *bad[] = {"/nope", "/hello", "relative", "/loop"};
    for (size_t i = 0; i < 4; i++) {
        fatal_message = NULL;
        fatal_armed = true;
        if (setjmp(fatal_jump) == 0)
            boot_with(bad[i]);
        fatal_armed = false;
        CHECK(fatal_message != NULL);
    }

    /* No ROFS: nothing preopened, whatever the cwd. */
    fake_boot.cwd_addr = 0;
    mewz_rofs_mount(NULL, 0);
    mewz_fd_init();
    CHECK_EQ(mewz_wasi_fd_prestat_get(3, OUT), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(3, OUT), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_sock_shutdown(3, 1), MEWZ_WASI_EBADF);
}

static void test_read_seek_stat(void)
{
    reset_fakes();
    boot_with("/");
    uint32_t fd = open_read(3, "hello"), n;
    CHECK_EQ(fd, 4);
    CHECK_EQ(read_into(fd, 0x1000, 5, &n), 0);
    CHECK(n == 5 && memcmp(mem(0x1000), "hello", 5) == 0);
    CHECK_EQ(mewz_wasi_fd_tell(fd, OUT), 0);
    CHECK_EQ(mewz_guest_load_u64(OUT), 5);
    CHECK_EQ(mewz_wasi_fd_seek(fd, 1, MEWZ_WASI_WHENCE_CUR, OUT), 0);
    CHECK_EQ(mewz_guest_load_u64(OUT), 6);
    /* Two iovecs, one empty, all of the rest. */
    put_iovec(0x100, 0x2000, 3);
    put_iovec(0x108, 0x3000, 0);
    put_iovec(0x110, 0x2003, 100);
    CHECK_EQ(mewz_wasi_fd_read(fd, 0x100, 3, 0x200), 0);
    CHECK_EQ(mewz_guest_load_u32(0x200), 6);
    CHECK(memcmp(mem(0x2000), "world\n", 6) == 0);
    CHECK_EQ(read_into(fd, 0x1000, 5, &n), 0);
    CHECK_EQ(n, 0); /* end of file */
    /* pread leaves the position. */
    put_iovec(0x100, 0x4000, 5);
    CHECK_EQ(mewz_wasi_fd_pread(fd, 0x100, 1, 6, 0x200), 0);
    CHECK(mewz_guest_load_u32(0x200) == 5 && memcmp(mem(0x4000), "world", 5) == 0);
    CHECK_EQ(mewz_wasi_fd_pread(fd, 0x100, 1, 12, 0x200), 0);
    CHECK_EQ(mewz_guest_load_u32(0x200), 0);
    CHECK_EQ(mewz_wasi_fd_pread(fd, 0x100, 1, 1ULL << 63, 0x200), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_tell(fd, OUT), 0);
    CHECK_EQ(mewz_guest_load_u64(OUT), 12);

    const struct {
        int64_t offset;
        uint32_t whence, err;
        uint64_t position;
    } seeks[] = {
        {0, MEWZ_WASI_WHENCE_SET, 0, 0},
        {-1, MEWZ_WASI_WHENCE_END, 0, 11},
        {-1, MEWZ_WASI_WHENCE_SET, MEWZ_WASI_EINVAL, 11},
        {-12, MEWZ_WASI_WHENCE_CUR, MEWZ_WASI_EINVAL, 11},
        {-11, MEWZ_WASI_WHENCE_CUR, 0, 0},
        {100, MEWZ_WASI_WHENCE_END, 0, 112}, /* past the end is fine */
        {INT64_MAX, MEWZ_WASI_WHENCE_CUR, MEWZ_WASI_EOVERFLOW, 112},
        {INT64_MAX, MEWZ_WASI_WHENCE_SET, 0, INT64_MAX},
        {INT64_MIN, MEWZ_WASI_WHENCE_CUR, MEWZ_WASI_EINVAL, INT64_MAX},
    };
    for (size_t i = 0; i < sizeof seeks / sizeof seeks[0]; i++) {
        CHECK_EQ(mewz_wasi_fd_seek(fd, (uint64_t)seeks[i].offset,
                                   seeks[i].whence, OUT),
                 seeks[i].err);
        CHECK_EQ(mewz_wasi_fd_tell(fd, OUT), 0);
        CHECK_EQ(mewz_guest_load_u64(OUT), seeks[i].position);
    }
    CHECK_EQ(read_into(fd, 0x1000, 5, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(mewz_wasi_fd_seek(fd, 0, MEWZ_WASI_WHENCE_SET, MEMORY_END - 7),
             MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_fd_tell(fd, MEMORY_END - 7), MEWZ_WASI_EFAULT);
    put_iovec(0x100, MEMORY_END - 2, 5);
    CHECK_EQ(mewz_wasi_fd_read(fd, 0x100, 1, 0x200), MEWZ_WASI_EFAULT);

    /* filestat of the file, through the descriptor and the path. */
    CHECK_EQ(mewz_wasi_fd_filestat_get(fd, OUT), 0);
    CHECK_EQ(mewz_guest_load_u64(OUT), 0x6d65777a);
    CHECK_EQ(mewz_guest_load_u64(OUT + 8), rb_index("hello") + 1);
    CHECK_EQ(mem(OUT)[16], MEWZ_WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(mewz_guest_load_u64(OUT + 24), 1);
    CHECK_EQ(mewz_guest_load_u64(OUT + 32), 12);
    CHECK_EQ(mewz_guest_load_u64(OUT + 40), 1000000000ULL * (rb_index("hello") + 1));
    CHECK_EQ(mewz_guest_load_u64(OUT + 48), 2000000000ULL * (rb_index("hello") + 1));
    CHECK_EQ(mewz_guest_load_u64(OUT + 56), 3000000000ULL * (rb_index("hello") + 1));
    uint8_t via_fd[64];
    memcpy(via_fd, mem(OUT), 64);
    uint32_t len = put_path("link");
    CHECK_EQ(mewz_wasi_path_filestat_get(3, FOLLOW, PATH, len, OUT), 0);
    CHECK(memcmp(via_fd, mem(OUT), 64) == 0);
    CHECK_EQ(mewz_wasi_path_filestat_get(3, 0, PATH, len, OUT), 0);
    CHECK_EQ(mem(OUT)[16], MEWZ_WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_EQ(mewz_guest_load_u64(OUT + 32), 5);
    CHECK_EQ(mewz_wasi_path_filestat_get(3, 2, PATH, len, OUT), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_path_filestat_get(3, 0, PATH, len, MEMORY_END - 63),
             MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_path_filestat_get(fd, 0, PATH, len, OUT), MEWZ_WASI_ENOTDIR);
    len = put_path("etc");
    CHECK_EQ(mewz_wasi_path_filestat_get(3, 0, PATH, len, OUT), 0);
    CHECK_EQ(mem(OUT)[16], MEWZ_WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(mewz_guest_load_u64(OUT + 24), 2);
    /* stdio: a character device, nothing else known. */
    CHECK_EQ(mewz_wasi_fd_filestat_get(1, OUT), 0);
    CHECK_EQ(mem(OUT)[16], MEWZ_WASI_FILETYPE_CHARACTER_DEVICE);
    CHECK_EQ(mewz_guest_load_u64(OUT + 8), 0);

    /* The descriptor: a regular file with the rights asked for. */
    CHECK_EQ(mewz_wasi_fd_fdstat_get(fd, OUT), 0);
    CHECK_EQ(mem(OUT)[0], MEWZ_WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(mewz_guest_load_u64(OUT + 8) & R(FD_READ), R(FD_READ));
    CHECK_EQ(mewz_wasi_fd_close(fd), 0);
    CHECK_EQ(mewz_wasi_fd_close(fd), MEWZ_WASI_EBADF);
    CHECK_EQ(read_into(fd, 0x1000, 5, &n), MEWZ_WASI_EBADF);

    /* A symlink leaving its directory stays inside the rootfs. */
    uint32_t app;
    CHECK_EQ(open_at(3, 0, "app", MEWZ_WASI_OFLAG_DIRECTORY,
                     R(PATH_OPEN) | R(FD_READ), 0, &app), 0);
    CHECK_EQ(open_at(app, FOLLOW, "rel", 0, R(FD_READ), 0, &fd), 0);
    CHECK_EQ(read_into(fd, 0x1000, 64, &n), 0);
    CHECK(n == 11 && memcmp(mem(0x1000), "root:x:0:0\n", 11) == 0);
    CHECK_EQ(open_at(app, FOLLOW, "abs", 0, R(FD_READ), 0, &fd), 0);
    CHECK_EQ(open_at(app, FOLLOW, "..", 0, R(FD_READ), 0, &fd), MEWZ_WASI_ENOTCAPABLE);
}

static void test_rights(void)
{
    reset_fakes();
    boot_with("/");
    uint32_t fd, n;
    /* Only FD_READ: no seek, tell, pread or stat. */
    CHECK_EQ(open_at(3, 0, "hello", 0, R(FD_READ), 0, &fd), 0);
    CHECK_EQ(read_into(fd, 0x1000, 2, &n), 0);
    CHECK_EQ(mewz_wasi_fd_seek(fd, 0, MEWZ_WASI_WHENCE_CUR, OUT), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_seek(fd, 1, MEWZ_WASI_WHENCE_SET, OUT), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_tell(fd, OUT), MEWZ_WASI_ENOTCAPABLE);
    put_iovec(0x100, 0x1000, 2);
    CHECK_EQ(mewz_wasi_fd_pread(fd, 0x100, 1, 0, 0x200), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_filestat_get(fd, OUT), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_advise(fd, 0, 0, 0), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_sync(fd), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(fd, 0), MEWZ_WASI_ENOTCAPABLE);
    /* FD_TELL alone answers a zero seek from CUR, and tell. */
    CHECK_EQ(open_at(3, 0, "hello", 0, R(FD_TELL), 0, &fd), 0);
    CHECK_EQ(mewz_wasi_fd_seek(fd, 0, MEWZ_WASI_WHENCE_CUR, OUT), 0);
    CHECK_EQ(mewz_wasi_fd_tell(fd, OUT), 0);
    CHECK_EQ(read_into(fd, 0x1000, 2, &n), MEWZ_WASI_ENOTCAPABLE);
    /* Rights can shrink, never grow. */
    CHECK_EQ(mewz_wasi_fd_fdstat_set_rights(fd, R(FD_TELL), 0), 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_rights(fd, R(FD_TELL) | R(FD_READ), 0),
             MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_rights(fd, 0, R(FD_READ)), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_rights(fd, 0, 0), 0);
    CHECK_EQ(mewz_wasi_fd_tell(fd, OUT), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_rights(99, 0, 0), MEWZ_WASI_EBADF);
    /* stdout without FD_WRITE cannot be written. */
    CHECK_EQ(mewz_wasi_fd_fdstat_set_rights(2, 0, 0), 0);
    put_iovec(0x100, 0x1000, 2);
    CHECK_EQ(mewz_wasi_fd_write(2, 0x100, 1, 0x200), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(write_call_count, 0);

    /* Asking for more than the directory passes on gets that much only;
     * a directory never gets seek or size rights. */
    CHECK_EQ(open_at(3, 0, "hello", 0, MEWZ_WASI_RIGHTS_ALL & ~R(FD_WRITE), 0, &fd), 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(fd, OUT), 0);
    CHECK_EQ(mewz_guest_load_u64(OUT + 8), MEWZ_RIGHTS_DIRECTORY_INHERITING & ~R(FD_WRITE));
    CHECK_EQ(open_at(3, 0, "etc", 0, MEWZ_WASI_RIGHTS_ALL & ~R(FD_WRITE), 0, &fd), 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(fd, OUT), 0);
    uint64_t base = mewz_guest_load_u64(OUT + 8);
    CHECK_EQ(base, MEWZ_RIGHTS_DIRECTORY_INHERITING & ~R(FD_WRITE) & ~R(FD_SEEK) &
                       ~R(FD_FILESTAT_SET_SIZE));
    CHECK_EQ(mewz_guest_load_u64(OUT + 16), MEWZ_RIGHTS_DIRECTORY_INHERITING & ~R(FD_WRITE));
    /* Through that directory, at most its inheriting rights. */
    uint32_t inner;
    CHECK_EQ(open_at(fd, 0, "passwd", 0, MEWZ_WASI_RIGHTS_ALL & ~R(FD_WRITE), 0, &inner), 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(inner, OUT), 0);
    CHECK_EQ(mewz_guest_load_u64(OUT + 8), MEWZ_RIGHTS_DIRECTORY_INHERITING & ~R(FD_WRITE));
    /* A directory without PATH_OPEN opens nothing; without CREATE_FILE,
     * CREAT is refused before the path is looked at. */
    CHECK_EQ(mewz_wasi_fd_fdstat_set_rights(fd, base & ~R(PATH_OPEN), 0), 0);
    CHECK_EQ(open_at(fd, 0, "passwd", 0, 0, 0, &inner), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_rights(3, MEWZ_RIGHTS_DIRECTORY_BASE & ~R(PATH_CREATE_FILE),
                                            MEWZ_RIGHTS_DIRECTORY_INHERITING),
             0);
    CHECK_EQ(open_at(3, 0, "nope", MEWZ_WASI_OFLAG_CREAT, 0, 0, &inner), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(open_at(3, 0, "hello", MEWZ_WASI_OFLAG_TRUNC, 0, 0, &inner), MEWZ_WASI_EROFS);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_rights(3, 0, 0), 0);
    uint32_t len = put_path("hello");
    CHECK_EQ(mewz_wasi_path_filestat_get(3, 0, PATH, len, OUT), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_path_readlink(3, PATH, len, OUT, 8, 0x200), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_path_create_directory(3, PATH, len), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_readdir(3, OUT, 64, 0, 0x200), MEWZ_WASI_ENOTCAPABLE);
}

static void test_open_errors(void)
{
    reset_fakes();
    boot_with("/");
    uint32_t file = open_read(3, "hello");
    const uint32_t C = MEWZ_WASI_OFLAG_CREAT, D = MEWZ_WASI_OFLAG_DIRECTORY,
                   X = MEWZ_WASI_OFLAG_EXCL, T = MEWZ_WASI_OFLAG_TRUNC;
    const struct {
        uint32_t dir, lookup;
        const char *path;
        uint32_t oflags;
        uint64_t rights;
        uint32_t fdflags, err;
    } cases[] = {
        {99, FOLLOW, "hello", 0, 0, 0, MEWZ_WASI_EBADF},
        {1, FOLLOW, "hello", 0, 0, 0, MEWZ_WASI_EBADF},
        {4, FOLLOW, "hello", 0, 0, 0, MEWZ_WASI_ENOTDIR}, /* a file */
        {3, 2, "hello", 0, 0, 0, MEWZ_WASI_EINVAL},
        {3, FOLLOW, "hello", 16, 0, 0, MEWZ_WASI_EINVAL},
        {3, FOLLOW, "hello", 0, 0, 32, MEWZ_WASI_EINVAL},
        {3, FOLLOW, "hello", 0, R(FD_READ), 0, 0},
        {3, FOLLOW, "hello", 0, R(FD_READ), MEWZ_WASI_FDFLAG_APPEND | MEWZ_WASI_FDFLAG_SYNC, 0},
        {3, FOLLOW, "missing", 0, 0, 0, MEWZ_WASI_ENOENT},
        {3, FOLLOW, "", 0, 0, 0, MEWZ_WASI_ENOENT},
        {3, FOLLOW, "hello/", 0, 0, 0, MEWZ_WASI_ENOTDIR},
        {3, FOLLOW, "hello", D, 0, 0, MEWZ_WASI_ENOTDIR},
        {3, FOLLOW, "/hello", 0, 0, 0, MEWZ_WASI_ENOTCAPABLE},
        {3, FOLLOW, "../hello", 0, 0, 0, MEWZ_WASI_ENOTCAPABLE},
        {3, 0, "link", 0, 0, 0, MEWZ_WASI_ELOOP},
        {3, 0, "link", D, 0, 0, MEWZ_WASI_ENOTDIR},
        {3, FOLLOW, "link", 0, 0, 0, 0},
        {3, 0, "link/", 0, 0, 0, MEWZ_WASI_ENOTDIR},
        {3, FOLLOW, "loop", 0, 0, 0, MEWZ_WASI_ELOOP},
        {3, FOLLOW, "etc", D, 0, 0, 0},
        {3, FOLLOW, "etc/", 0, 0, 0, 0},
        {3, FOLLOW, ".", D, 0, MEWZ_WASI_FDFLAG_NONBLOCK, 0},
        /* creating, truncating, writing */
        {3, FOLLOW, "new", C, 0, 0, MEWZ_WASI_EROFS},
        {3, FOLLOW, "new", C | X, 0, 0, MEWZ_WASI_EROFS},
        {3, FOLLOW, "missing/new", C, 0, 0, MEWZ_WASI_ENOENT},
        {3, FOLLOW, "hello/new", C, 0, 0, MEWZ_WASI_ENOTDIR},
        {3, FOLLOW, "hello", C, R(FD_READ), 0, 0},
        {3, FOLLOW, "hello", C | X, 0, 0, MEWZ_WASI_EEXIST},
        {3, 0, "link", C | X, 0, 0, MEWZ_WASI_EEXIST},
        {3, FOLLOW, "link", C, 0, 0, 0},
        {3, FOLLOW, "etc", C, 0, 0, MEWZ_WASI_EISDIR},
        {3, FOLLOW, "new/", C, 0, 0, MEWZ_WASI_EISDIR},
        {3, FOLLOW, ".", C, 0, 0, MEWZ_WASI_EISDIR},
        {3, FOLLOW, "hello", T, 0, 0, MEWZ_WASI_EROFS},
        {3, FOLLOW, "etc", T, 0, 0, MEWZ_WASI_EISDIR},
        {3, FOLLOW, "hello", 0, R(FD_WRITE), 0, MEWZ_WASI_EROFS},
        {3, FOLLOW, "hello", 0, R(FD_READ) | R(FD_WRITE), MEWZ_WASI_FDFLAG_APPEND, MEWZ_WASI_EROFS},
        {3, FOLLOW, "etc", 0, R(FD_WRITE), 0, MEWZ_WASI_EISDIR},
        {3, FOLLOW, ".", D, R(FD_READ) | R(FD_WRITE), 0, MEWZ_WASI_EISDIR},
        {3, FOLLOW, "missing", 0, R(FD_WRITE), 0, MEWZ_WASI_ENOENT},
    };
    CHECK_EQ(file, 4);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t fd;
        uint32_t err = open_at(cases[i].dir, cases[i].lookup, cases[i].path,
                               cases[i].oflags, cases[i].rights,
                               cases[i].fdflags, &fd);
        if (err != cases[i].err)
            fprintf(stderr, "path_open case %zu (%s): %u\n", i, cases[i].path, err);
        CHECK_EQ(err, cases[i].err);
        if (err == 0)
            CHECK_EQ(mewz_wasi_fd_close(fd), 0);
    }
    /* The flags asked for are the descriptor's. */
    uint32_t fd;
    CHECK_EQ(open_at(3, 0, "hello", 0, R(FD_READ), MEWZ_WASI_FDFLAG_APPEND | MEWZ_WASI_FDFLAG_DSYNC, &fd), 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(fd, OUT), 0);
    CHECK_EQ(mem(OUT)[2], MEWZ_WASI_FDFLAG_APPEND | MEWZ_WASI_FDFLAG_DSYNC);

    /* Bad path arguments. */
    uint32_t len = put_path("hello");
    CHECK_EQ(mewz_wasi_path_open(3, 0, MEMORY_END - 2, 5, 0, 0, 0, 0, OUT), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_path_open(3, 0, 0xFFFFFFFF, 5, 0, 0, 0, 0, OUT), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_path_open(3, 0, PATH, len, 0, 0, 0, 0, MEMORY_END - 3), MEWZ_WASI_EFAULT);
    const struct {
        const char *bytes;
        uint32_t err;
    } texts[] = {
        {"hello\0", MEWZ_WASI_EINVAL}, /* the NUL counts */
        {"h\xc3\xa9llo", MEWZ_WASI_ENOENT},
        {"\xc0\xaf", MEWZ_WASI_EILSEQ},     /* overlong "/" */
        {"\xed\xa0\x80", MEWZ_WASI_EILSEQ}, /* a surrogate */
        {"\xe2\x82", MEWZ_WASI_EILSEQ},     /* cut short */
        {"\xf4\x90\x80\x80", MEWZ_WASI_EILSEQ}, /* past U+10FFFF */
        {"\xff", MEWZ_WASI_EILSEQ},
        {"\xf0\x9f\x98\x80", MEWZ_WASI_ENOENT}, /* an emoji is fine */
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        len = (uint32_t)strlen(texts[i].bytes) + (i == 0);
        memcpy(mem(PATH), texts[i].bytes, len);
        CHECK_EQ(mewz_wasi_path_open(3, 0, PATH, len, 0, 0, 0, 0, OUT), texts[i].err);
    }
    memset(mem(PATH), 'a', 5000);
    CHECK_EQ(mewz_wasi_path_open(3, 0, PATH, 4096, 0, 0, 0, 0, OUT), MEWZ_WASI_ENAMETOOLONG);
    CHECK_EQ(mewz_wasi_path_open(3, 0, PATH, 4095, 0, 0, 0, 0, OUT), MEWZ_WASI_ENAMETOOLONG);
    CHECK_EQ(mewz_wasi_path_open(3, 0, PATH, 255, 0, 0, 0, 0, OUT), MEWZ_WASI_ENOENT);
    for (uint32_t i = 1; i < 4095; i += 2)
        mem(PATH)[i] = '/';
    CHECK_EQ(mewz_wasi_path_open(3, 0, PATH, 4095, 0, 0, 0, 0, OUT), MEWZ_WASI_ENOENT);
}

static void test_directory_descriptor(void)
{
    reset_fakes();
    boot_with("/");
    uint32_t dir = open_read(3, "dir"), n;
    CHECK_EQ(read_into(dir, 0x1000, 8, &n), MEWZ_WASI_EISDIR);
    put_iovec(0x100, 0x1000, 8);
    CHECK_EQ(mewz_wasi_fd_pread(dir, 0x100, 1, 0, 0x200), MEWZ_WASI_EISDIR);
    CHECK_EQ(mewz_wasi_fd_write(dir, 0x100, 1, 0x200), MEWZ_WASI_EISDIR);
    CHECK_EQ(mewz_wasi_fd_pwrite(dir, 0x100, 1, 0, 0x200), MEWZ_WASI_EISDIR);
    CHECK_EQ(mewz_wasi_fd_seek(dir, 0, MEWZ_WASI_WHENCE_CUR, OUT), MEWZ_WASI_EISDIR);
    CHECK_EQ(mewz_wasi_fd_seek(dir, 0, MEWZ_WASI_WHENCE_SET, OUT), MEWZ_WASI_EISDIR);
    CHECK_EQ(mewz_wasi_fd_tell(dir, OUT), MEWZ_WASI_EISDIR);
    CHECK_EQ(mewz_wasi_fd_allocate(dir, 0, 1), MEWZ_WASI_EISDIR);
    CHECK_EQ(mewz_wasi_fd_filestat_set_size(dir, 0), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_advise(dir, 0, 0, 0), MEWZ_WASI_EISDIR);
    CHECK_EQ(mewz_wasi_fd_sync(dir), 0);
    CHECK_EQ(mewz_wasi_fd_datasync(dir), 0);
    CHECK_EQ(mewz_wasi_fd_filestat_get(dir, OUT), 0);
    CHECK_EQ(mem(OUT)[16], MEWZ_WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(mewz_guest_load_u64(OUT + 32), 2); /* two entries */

    /* readdir: ".", "..", then the sorted run; d_next is the cookie. */
    CHECK_EQ(mewz_wasi_fd_readdir(dir, 0x1000, 4096, 0, 0x200), 0);
    CHECK_EQ(mewz_guest_load_u32(0x200), 4 * 24 + 1 + 2 + 6 + 6);
    const struct {
        const char *name;
        uint32_t ino;
        uint8_t type;
    } want[] = {
        {".", rb_index("dir"), MEWZ_WASI_FILETYPE_DIRECTORY},
        {"..", 0, MEWZ_WASI_FILETYPE_DIRECTORY},
        {"file-0", rb_index("dir/file-0"), MEWZ_WASI_FILETYPE_REGULAR_FILE},
        {"file-1", rb_index("dir/file-1"), MEWZ_WASI_FILETYPE_REGULAR_FILE},
    };
    uint32_t at = 0x1000;
    for (uint64_t i = 0; i < 4; i++) {
        uint32_t namlen = mewz_guest_load_u32(at + 16);
        CHECK_EQ(mewz_guest_load_u64(at), i + 1);
        CHECK_EQ(mewz_guest_load_u64(at + 8), want[i].ino + 1);
        CHECK_EQ(namlen, strlen(want[i].name));
        CHECK_EQ(mem(at)[20], want[i].type);
        CHECK(memcmp(mem(at + 24), want[i].name, namlen) == 0);
        at += 24 + namlen;
    }
    /* d_ino is what stat says (fdopendir-with-access checks this). */
    uint32_t len = put_path("file-1");
    CHECK_EQ(mewz_wasi_path_filestat_get(dir, 0, PATH, len, OUT), 0);
    CHECK_EQ(mewz_guest_load_u64(OUT + 8), want[3].ino + 1);
    /* From a cookie; past the end; a buffer that cuts an entry. */
    CHECK_EQ(mewz_wasi_fd_readdir(dir, 0x1000, 4096, 3, 0x200), 0);
    CHECK_EQ(mewz_guest_load_u32(0x200), 30);
    CHECK(memcmp(mem(0x1000 + 24), "file-1", 6) == 0);
    CHECK_EQ(mewz_wasi_fd_readdir(dir, 0x1000, 4096, 4, 0x200), 0);
    CHECK_EQ(mewz_guest_load_u32(0x200), 0);
    CHECK_EQ(mewz_wasi_fd_readdir(dir, 0x1000, 4096, UINT64_MAX, 0x200), 0);
    CHECK_EQ(mewz_guest_load_u32(0x200), 0);
    memset(mem(0x1000), 0xee, 64);
    CHECK_EQ(mewz_wasi_fd_readdir(dir, 0x1000, 30, 0, 0x200), 0);
    CHECK_EQ(mewz_guest_load_u32(0x200), 30);
    CHECK_EQ(mem(0x1000)[24], '.');
    CHECK_EQ(mem(0x1000)[30], 0xee); /* nothing past the buffer */
    CHECK_EQ(mewz_wasi_fd_readdir(dir, 0x1000, 10, 0, 0x200), 0);
    CHECK_EQ(mewz_guest_load_u32(0x200), 10);
    CHECK_EQ(mewz_wasi_fd_readdir(dir, 0x1000, 0, 0, 0x200), 0);
    CHECK_EQ(mewz_guest_load_u32(0x200), 0);
    CHECK_EQ(mewz_wasi_fd_readdir(dir, MEMORY_END - 10, 11, 0, 0x200), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_fd_readdir(dir, 0x1000, 10, 0, MEMORY_END), MEWZ_WASI_EFAULT);
    uint32_t file = open_read(3, "hello");
    CHECK_EQ(mewz_wasi_fd_readdir(file, 0x1000, 10, 0, 0x200), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(mewz_wasi_fd_readdir(1, 0x1000, 10, 0, 0x200), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(mewz_wasi_fd_readdir(99, 0x1000, 10, 0, 0x200), MEWZ_WASI_EBADF);
    /* The root's ".." is the root. */
    CHECK_EQ(mewz_wasi_fd_readdir(3, 0x1000, 4096, 1, 0x200), 0);
    CHECK_EQ(mewz_guest_load_u64(0x1000 + 8), 1);
}

/* Every call that would change the tree, on a read-only mount. */
static void test_read_only_errnos(void)
{
    reset_fakes();
    boot_with("/");
    uint32_t file = open_read(3, "hello");
    char long_name[300];
    memset(long_name, 'x', 256);
    long_name[256] = 0;
    enum { MKDIR, RMDIR, UNLINK, RENAME_FROM, RENAME_TO, LINK_FROM, LINK_TO,
           SYMLINK, SET_TIMES };
    const struct {
        int call;
        const char *path;
        uint32_t err;
    } cases[] = {
        {MKDIR, "new", MEWZ_WASI_EROFS},
        {MKDIR, "new/", MEWZ_WASI_EROFS},
        {MKDIR, "etc", MEWZ_WASI_EEXIST},
        {MKDIR, "hello", MEWZ_WASI_EEXIST},
        {MKDIR, "link", MEWZ_WASI_EEXIST},
        {MKDIR, ".", MEWZ_WASI_EEXIST},
        {MKDIR, "etc/..", MEWZ_WASI_EEXIST},
        {MKDIR, "missing/new", MEWZ_WASI_ENOENT},
        {MKDIR, "hello/new", MEWZ_WASI_ENOTDIR},
        {MKDIR, "../new", MEWZ_WASI_ENOTCAPABLE},
        {MKDIR, "/new", MEWZ_WASI_ENOTCAPABLE},
        {MKDIR, "loop/new", MEWZ_WASI_ELOOP},
        {MKDIR, long_name, MEWZ_WASI_ENAMETOOLONG},
        {MKDIR, "", MEWZ_WASI_ENOENT},
        {RMDIR, "etc", MEWZ_WASI_EROFS},
        {RMDIR, "missing", MEWZ_WASI_EROFS},
        {RMDIR, "hello", MEWZ_WASI_EROFS},
        {RMDIR, ".", MEWZ_WASI_EINVAL},
        {RMDIR, "etc/.", MEWZ_WASI_EINVAL},
        {RMDIR, "..", MEWZ_WASI_ENOTEMPTY},
        {RMDIR, "missing/x", MEWZ_WASI_ENOENT},
        {UNLINK, "hello", MEWZ_WASI_EROFS},
        {UNLINK, "missing", MEWZ_WASI_EROFS},
        {UNLINK, "etc", MEWZ_WASI_EROFS},
        {UNLINK, "hello/", MEWZ_WASI_EROFS},
        {UNLINK, ".", MEWZ_WASI_EISDIR},
        {UNLINK, "..", MEWZ_WASI_EISDIR},
        {UNLINK, "hello/x", MEWZ_WASI_ENOTDIR},
        {RENAME_FROM, "hello", MEWZ_WASI_EROFS},
        {RENAME_FROM, "missing", MEWZ_WASI_EROFS},
        {RENAME_FROM, ".", MEWZ_WASI_EBUSY},
        {RENAME_FROM, "missing/x", MEWZ_WASI_ENOENT},
        {RENAME_TO, "..", MEWZ_WASI_EBUSY},
        {RENAME_TO, "hello/x", MEWZ_WASI_ENOTDIR},
        {LINK_FROM, "hello", MEWZ_WASI_EROFS},
        {LINK_FROM, "missing", MEWZ_WASI_ENOENT},
        {LINK_FROM, "etc", MEWZ_WASI_EROFS},
        {LINK_FROM, "link", MEWZ_WASI_EROFS},
        {LINK_TO, "etc", MEWZ_WASI_EEXIST},
        {LINK_TO, "new", MEWZ_WASI_EROFS},
        {LINK_TO, "missing/new", MEWZ_WASI_ENOENT},
        {SYMLINK, "new", MEWZ_WASI_EROFS},
        {SYMLINK, "hello", MEWZ_WASI_EEXIST},
        {SYMLINK, "loop", MEWZ_WASI_EEXIST},
        {SYMLINK, "missing/new", MEWZ_WASI_ENOENT},
        {SET_TIMES, "hello", MEWZ_WASI_EROFS},
        {SET_TIMES, "etc", MEWZ_WASI_EROFS},
        {SET_TIMES, "missing", MEWZ_WASI_ENOENT},
        {SET_TIMES, "loop", MEWZ_WASI_ELOOP},
    };
    const uint32_t OTHER = 0x8800;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t len = put_path(cases[i].path);
        memcpy(mem(OTHER), "new", 3);
        uint32_t err = 0xdead;
        switch (cases[i].call) {
        case MKDIR: err = mewz_wasi_path_create_directory(3, PATH, len); break;
        case RMDIR: err = mewz_wasi_path_remove_directory(3, PATH, len); break;
        case UNLINK: err = mewz_wasi_path_unlink_file(3, PATH, len); break;
        case RENAME_FROM: err = mewz_wasi_path_rename(3, PATH, len, 3, OTHER, 3); break;
        case RENAME_TO:
            memcpy(mem(OTHER), "hello", 5);
            err = mewz_wasi_path_rename(3, OTHER, 5, 3, PATH, len);
            break;
        case LINK_FROM: err = mewz_wasi_path_link(3, FOLLOW, PATH, len, 3, OTHER, 3); break;
        case LINK_TO:
            memcpy(mem(OTHER), "hello", 5);
            err = mewz_wasi_path_link(3, 0, OTHER, 5, 3, PATH, len);
            break;
        case SYMLINK: err = mewz_wasi_path_symlink(OTHER, 3, 3, PATH, len); break;
        case SET_TIMES:
            err = mewz_wasi_path_filestat_set_times(3, FOLLOW, PATH, len, 0, 0,
                                                    MEWZ_WASI_FST_MTIM_NOW);
            break;
        }
        if (err != cases[i].err)
            fprintf(stderr, "read-only case %zu (%d %s): %u\n", i, cases[i].call,
                    cases[i].path, err);
        CHECK_EQ(err, cases[i].err);
    }
    /* Descriptor checks come first, for each side. */
    uint32_t len = put_path("hello");
    CHECK_EQ(mewz_wasi_path_create_directory(1, PATH, len), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_path_unlink_file(file, PATH, len), MEWZ_WASI_ENOTDIR);
    CHECK_EQ(mewz_wasi_path_rename(3, PATH, len, 99, PATH, len), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_path_link(99, 0, PATH, len, 3, PATH, len), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_path_link(3, 2, PATH, len, 3, PATH, len), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_path_symlink(PATH, 0, 3, PATH, len), MEWZ_WASI_ENOENT);
    CHECK_EQ(mewz_wasi_path_symlink(MEMORY_END, 4, 3, PATH, len), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_path_remove_directory(3, MEMORY_END, 4), MEWZ_WASI_EFAULT);
    /* set_times: the flags, then nothing-to-do succeeds. */
    CHECK_EQ(mewz_wasi_path_filestat_set_times(3, 0, PATH, len, 0, 0, 0), 0);
    CHECK_EQ(mewz_wasi_path_filestat_set_times(3, 0, PATH, len, 0, 0, 16), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_path_filestat_set_times(3, 0, PATH, len, 0, 0,
                                               MEWZ_WASI_FST_ATIM | MEWZ_WASI_FST_ATIM_NOW),
             MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_path_filestat_set_times(3, 4, PATH, len, 0, 0, 0), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_filestat_set_times(file, 0, 0, MEWZ_WASI_FST_ATIM), MEWZ_WASI_EROFS);
    CHECK_EQ(mewz_wasi_fd_filestat_set_times(3, 0, 0, MEWZ_WASI_FST_MTIM), MEWZ_WASI_EROFS);
    CHECK_EQ(mewz_wasi_fd_filestat_set_times(file, 0, 0, 0), 0);
    CHECK_EQ(mewz_wasi_fd_filestat_set_times(file, 0, 0,
                                             MEWZ_WASI_FST_MTIM | MEWZ_WASI_FST_MTIM_NOW),
             MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_filestat_set_times(1, 0, 0, MEWZ_WASI_FST_ATIM), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_filestat_set_times(99, 0, 0, 0), MEWZ_WASI_EBADF);

    /* The data calls on a file open for reading only. */
    put_iovec(0x100, 0x1000, 4);
    CHECK_EQ(mewz_wasi_fd_write(file, 0x100, 1, 0x200), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_pwrite(file, 0x100, 1, 0, 0x200), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_filestat_set_size(file, 0), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_allocate(file, 0, 10), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_allocate(file, 0, 0), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_allocate(file, 1ULL << 63, 1), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_sync(file), 0);
    CHECK_EQ(mewz_wasi_fd_datasync(file), 0);
    CHECK_EQ(mewz_wasi_fd_advise(file, 0, 100, 5), 0);
    CHECK_EQ(mewz_wasi_fd_advise(file, 0, 100, 6), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_advise(file, 0, 100, 256), MEWZ_WASI_EOVERFLOW);
    uint32_t plain;
    CHECK_EQ(open_at(3, 0, "hello", 0, R(FD_READ), 0, &plain), 0);
    CHECK_EQ(mewz_wasi_fd_filestat_set_size(plain, 0), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_allocate(plain, 0, 1), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_datasync(plain), MEWZ_WASI_ENOTCAPABLE);
    /* stdio, as Linux answers for a pipe. */
    CHECK_EQ(mewz_wasi_fd_pwrite(1, 0x100, 1, 0, 0x200), MEWZ_WASI_ESPIPE);
    CHECK_EQ(mewz_wasi_fd_pwrite(0, 0x100, 1, 0, 0x200), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_pread(0, 0x100, 1, 0, 0x200), MEWZ_WASI_ESPIPE);
    CHECK_EQ(mewz_wasi_fd_pread(1, 0x100, 1, 0, 0x200), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_tell(1, OUT), MEWZ_WASI_ESPIPE);
    CHECK_EQ(mewz_wasi_fd_advise(1, 0, 0, 0), MEWZ_WASI_ESPIPE);
    CHECK_EQ(mewz_wasi_fd_allocate(1, 0, 1), MEWZ_WASI_ESPIPE);
    CHECK_EQ(mewz_wasi_fd_sync(1), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_datasync(2), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_filestat_set_size(1, 0), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_sync(99), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_advise(99, 0, 0, 0), MEWZ_WASI_EBADF);
    CHECK_EQ(write_call_count, 0);

    /* readlink */
    len = put_path("link");
    CHECK_EQ(mewz_wasi_path_readlink(3, PATH, len, OUT, 64, 0x200), 0);
    CHECK(mewz_guest_load_u32(0x200) == 5 && memcmp(mem(OUT), "hello", 5) == 0);
    memset(mem(OUT), 0, 8);
    CHECK_EQ(mewz_wasi_path_readlink(3, PATH, len, OUT, 3, 0x200), 0);
    CHECK(mewz_guest_load_u32(0x200) == 3 && memcmp(mem(OUT), "hel\0", 4) == 0);
    CHECK_EQ(mewz_wasi_path_readlink(3, PATH, len, MEMORY_END - 2, 3, 0x200), MEWZ_WASI_EFAULT);
    const struct {
        const char *path;
        uint32_t err;
    } links[] = {{"hello", MEWZ_WASI_EINVAL}, {"etc", MEWZ_WASI_EINVAL},
                 {"missing", MEWZ_WASI_ENOENT}, {"link/", MEWZ_WASI_ENOTDIR},
                 {"app/abs", 0}, {"loop", 0}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        len = put_path(links[i].path);
        CHECK_EQ(mewz_wasi_path_readlink(3, PATH, len, OUT, 64, 0x200), links[i].err);
    }
}

static void test_flags(void)
{
    reset_fakes();
    boot_with("/");
    uint32_t file = open_read(3, "hello");
    const uint32_t A = MEWZ_WASI_FDFLAG_APPEND, N = MEWZ_WASI_FDFLAG_NONBLOCK;
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(file, A | N), 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(file, OUT), 0);
    CHECK_EQ(mem(OUT)[2], A | N);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(file, 0), 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(file, OUT), 0);
    CHECK_EQ(mem(OUT)[2], 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(file, MEWZ_WASI_FDFLAG_SYNC), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(file, 64), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(file, 0x10000), MEWZ_WASI_EOVERFLOW);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(1, A), 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(1, OUT), 0);
    CHECK_EQ(mem(OUT)[2], A);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(0, N), MEWZ_WASI_ENOTSUP);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(3, N), MEWZ_WASI_ENOTCAPABLE);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(open_read(3, "etc"), N), 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_set_flags(99, 0), MEWZ_WASI_EBADF);
}

static void test_table(void)
{
    reset_fakes();
    boot_with("/");
    /* The lowest free number; EMFILE when none is left. */
    uint32_t fds[MEWZ_FD_MAX];
    uint32_t opened = 0;
    for (;;) {
        uint32_t fd;
        uint32_t err = open_at(3, 0, "hello", 0, R(FD_READ), 0, &fd);
        if (err != 0) {
            CHECK_EQ(err, MEWZ_WASI_EMFILE);
            break;
        }
        CHECK_EQ(fd, 4 + opened);
        fds[opened++] = fd;
    }
    CHECK_EQ(opened, MEWZ_FD_MAX - 4);
    CHECK_EQ(mewz_wasi_fd_close(100), 0);
    uint32_t fd;
    CHECK_EQ(open_at(3, 0, "etc", 0, R(FD_READDIR), 0, &fd), 0);
    CHECK_EQ(fd, 100);
    for (uint32_t i = 0; i < opened; i++)
        mewz_wasi_fd_close(fds[i]);

    /* renumber: `to` must be open; it takes `from`'s place. */
    uint32_t a = open_read(3, "hello"), b = open_read(3, "etc/passwd"), n;
    CHECK_EQ(mewz_wasi_fd_seek(a, 6, MEWZ_WASI_WHENCE_SET, OUT), 0);
    CHECK_EQ(mewz_wasi_fd_renumber(a, b), 0);
    CHECK_EQ(read_into(b, 0x1000, 5, &n), 0);
    CHECK(n == 5 && memcmp(mem(0x1000), "world", 5) == 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(a, OUT), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_renumber(b, a), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_renumber(a, b), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_renumber(b, b), 0);
    CHECK_EQ(read_into(b, 0x1000, 1, &n), 0);
    CHECK_EQ(mewz_wasi_fd_renumber(b, 99999), MEWZ_WASI_EBADF);
    /* stdout renumbered keeps writing to the container's stdout. */
    CHECK_EQ(mewz_wasi_fd_renumber(1, b), 0);
    memcpy(mem(0x1000), "out", 3);
    put_iovec(0x100, 0x1000, 3);
    CHECK_EQ(mewz_wasi_fd_write(b, 0x100, 1, 0x200), 0);
    CHECK_EQ(write_calls[0].fd, 1);
    CHECK_EQ(mewz_wasi_fd_write(1, 0x100, 1, 0x200), MEWZ_WASI_EBADF);
    /* A preopen closes like any descriptor. */
    CHECK_EQ(mewz_wasi_fd_close(3), 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(3, OUT), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_fd_prestat_get(3, OUT), MEWZ_WASI_EBADF);
}

/* A host file's close rides on the next file call (abi.h, struct
 * mewz_hc_fs closing): fd_close answers at once, and at most one close
 * waits. */
static uint32_t host_file(uint32_t handle)
{
    struct mewz_fd entry = {.kind = MEWZ_FD_HOST_FILE, .handle = handle};
    uint32_t fd = 0;
    CHECK_EQ(mewz_fd_alloc(&entry, &fd), 0);
    return fd;
}

static void test_deferred_close(void)
{
    reset_fakes();
    boot_with("/");
    uint32_t a = host_file(5), b = host_file(6), c = host_file(7);
    CHECK_EQ(mewz_wasi_fd_close(a), 0);
    CHECK_EQ(fs_call_count, 0);
    CHECK_EQ(mewz_wasi_fd_fdstat_get(a, OUT), MEWZ_WASI_EBADF);
    /* A second close sends its own, carrying the first. */
    CHECK_EQ(mewz_wasi_fd_close(b), MEWZ_WASI_EBADF); /* the fake's answer */
    CHECK_EQ(fs_call_count, 1);
    CHECK(fs_calls[0].op == MEWZ_FS_CLOSE && fs_calls[0].handle == 6 && fs_calls[0].closing == 6);
    /* The next call of any kind carries a waiting close, once. */
    CHECK_EQ(mewz_wasi_fd_close(c), 0);
    struct mewz_hc_fs call = {.op = MEWZ_FS_FILESTAT, .handle = 9};
    mewz_volume_call(&call);
    call = (struct mewz_hc_fs){.op = MEWZ_FS_FILESTAT, .handle = 9};
    mewz_volume_call(&call);
    CHECK_EQ(fs_call_count, 3);
    CHECK(fs_calls[1].op == MEWZ_FS_FILESTAT && fs_calls[1].closing == 8);
    CHECK_EQ(fs_calls[2].closing, 0);
    /* A guest about to wait sends it on its own; with none waiting, nothing. */
    CHECK_EQ(mewz_wasi_fd_close(host_file(0)), 0);
    mewz_volume_close_deferred();
    mewz_volume_close_deferred();
    CHECK_EQ(fs_call_count, 4);
    CHECK(fs_calls[3].op == MEWZ_FS_CLOSE && fs_calls[3].handle == 0 && fs_calls[3].closing == 0);
    /* A tmpfs handle's close is the guest's own, never deferred nor carried. */
    CHECK_EQ(mewz_wasi_fd_close(host_file(MEWZ_TMPFS_HANDLE | 3)), MEWZ_WASI_EBADF);
    CHECK_EQ(fs_call_count, 4);
}

static void test_sockets_and_raise(void)
{
    reset_fakes();
    boot_with("/");
    CHECK_EQ(mewz_wasi_sock_shutdown(3, 3), MEWZ_WASI_ENOTSOCK);
    CHECK_EQ(mewz_wasi_sock_shutdown(1, 1), MEWZ_WASI_ENOTSOCK);
    CHECK_EQ(mewz_wasi_sock_shutdown(4, 1), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_sock_accept(0, 0, OUT), MEWZ_WASI_ENOTSOCK);
    CHECK_EQ(mewz_wasi_sock_accept(77, 0, OUT), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_sock_recv(2, 0x100, 1, 0, OUT, OUT + 4), MEWZ_WASI_ENOTSOCK);
    CHECK_EQ(mewz_wasi_sock_recv(9, 0x100, 1, 0, OUT, OUT + 4), MEWZ_WASI_EBADF);
    CHECK_EQ(mewz_wasi_sock_send(3, 0x100, 1, 0, OUT), MEWZ_WASI_ENOTSOCK);
    CHECK_EQ(mewz_wasi_sock_send(5, 0x100, 1, 0, OUT), MEWZ_WASI_EBADF);

    const struct {
        uint32_t signal, err, status; /* status 0: returns */
    } signals[] = {
        {0, 0, 0}, {16, 0, 0},  {17, 0, 0},  {22, 0, 0},  {27, 0, 0},
        {18, MEWZ_WASI_ENOTSUP, 0}, {21, MEWZ_WASI_ENOTSUP, 0},
        {31, MEWZ_WASI_EINVAL, 0},  {256, MEWZ_WASI_EOVERFLOW, 0},
        {15, 0, 128 + 15}, {6, 0, 128 + 6}, {9, 0, 128 + 9}, {30, 0, 128 + 31},
        {23, 0, 128 + 24},
    };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        last_exit.status = 0xdead;
        uint32_t err = 0xbeef;
        if (setjmp(exit_jump) == 0)
            err = mewz_wasi_proc_raise(signals[i].signal);
        if (signals[i].status == 0) {
            CHECK_EQ(err, signals[i].err);
            CHECK_EQ(last_exit.status, 0xdead);
        } else {
            CHECK_EQ(last_exit.status, signals[i].status);
            CHECK_EQ(last_exit.trap, MEWZ_TRAP_NONE);
        }
    }
}

/* Subscriptions at IN, events at EV. */
#define IN 0xa000U
#define EV 0xc000U

static void sub_clock(uint32_t i, uint64_t userdata, uint32_t id,
                      uint64_t timeout, uint16_t flags)
{
    uint32_t at = IN + i * 48;
    memset(mem(at), 0, 48);
    mewz_guest_store_u64(at, userdata);
    mem(at)[8] = MEWZ_WASI_EVENTTYPE_CLOCK;
    mewz_guest_store_u32(at + 16, id);
    mewz_guest_store_u64(at + 24, timeout);
    mewz_guest_store_u16(at + 40, flags);
}

static void sub_fd(uint32_t i, uint64_t userdata, uint8_t type, uint32_t fd)
{
    uint32_t at = IN + i * 48;
    memset(mem(at), 0, 48);
    mewz_guest_store_u64(at, userdata);
    mem(at)[8] = type;
    mewz_guest_store_u32(at + 16, fd);
}

static uint32_t poll(uint32_t n, uint32_t *events)
{
    memset(mem(EV), 0xee, 32 * 8);
    uint32_t err = mewz_wasi_poll_oneoff(IN, EV, n, 0x200);
    *events = err == 0 ? mewz_guest_load_u32(0x200) : UINT32_MAX;
    return err;
}

static void check_event(uint32_t i, uint64_t userdata, uint16_t error,
                        uint8_t type, uint64_t nbytes)
{
    uint32_t at = EV + i * 32;
    CHECK_EQ(mewz_guest_load_u64(at), userdata);
    CHECK_EQ(mewz_guest_load_u32(at + 8) & 0xffff, error);
    CHECK_EQ(mem(at)[10], type);
    CHECK_EQ(mewz_guest_load_u64(at + 16), nbytes);
}

static void test_poll(void)
{
    reset_fakes();
    fake_boot.tsc_khz = 1000000; /* a tick is a nanosecond */
    fake_boot.boot_monotonic_ns = 1000;
    fake_boot.boot_realtime_ns = 1700000000000000000ULL;
    fake_tsc = 0;
    mewz_clock_init(0);
    boot_with("/");
    const uint8_t RD = MEWZ_WASI_EVENTTYPE_FD_READ, WR = MEWZ_WASI_EVENTTYPE_FD_WRITE,
                  CLK = MEWZ_WASI_EVENTTYPE_CLOCK;
    uint32_t file = open_read(3, "hello"), n;
    CHECK_EQ(read_into(file, 0x1000, 5, &n), 0);

    /* Files, directories and closed numbers answer at once, no exit. */
    sub_fd(0, 11, RD, file);
    sub_fd(1, 12, WR, file);
    sub_fd(2, 13, RD, open_read(3, "etc"));
    sub_fd(3, 14, RD, 99);
    sub_clock(4, 15, MEWZ_WASI_CLOCK_MONOTONIC, 1000000, 0);
    sub_fd(5, 16, RD, 3); /* the preopen lacks POLL_FD_READWRITE */
    CHECK_EQ(poll(6, &n), 0);
    CHECK_EQ(n, 5);
    check_event(0, 11, 0, RD, 7);
    check_event(1, 12, 0, WR, 0);
    check_event(2, 13, 0, RD, 0);
    check_event(3, 14, MEWZ_WASI_EBADF, RD, 0);
    check_event(4, 16, MEWZ_WASI_ENOTCAPABLE, RD, 0);
    CHECK_EQ(poll_call_count, 0);

    /* A relative clock alone: one sleep of its timeout. */
    reset_fakes();
    sub_clock(0, 21, MEWZ_WASI_CLOCK_MONOTONIC, 5000, 0);
    CHECK_EQ(poll(1, &n), 0);
    CHECK_EQ(n, 1);
    check_event(0, 21, 0, CLK, 0);
    CHECK_EQ(poll_call_count, 1);
    CHECK_EQ(poll_calls[0].nfds, 0);
    CHECK_EQ(poll_calls[0].timeout_ns, 5000);

    /* Absolute deadlines: one in the past is due at once; realtime ones
     * convert to the monotonic clock. */
    reset_fakes();
    sub_clock(0, 31, MEWZ_WASI_CLOCK_MONOTONIC, 1, MEWZ_WASI_SUBCLOCK_ABSTIME);
    CHECK_EQ(poll(1, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(poll_call_count, 0);
    uint64_t real_now = fake_boot.boot_realtime_ns + fake_tsc;
    sub_clock(0, 32, MEWZ_WASI_CLOCK_REALTIME, real_now + 7000, MEWZ_WASI_SUBCLOCK_ABSTIME);
    CHECK_EQ(poll(1, &n), 0);
    CHECK_EQ(poll_calls[0].timeout_ns, 7000);

    /* stdin for reading with a clock: the host says stdin is ready. */
    reset_fakes();
    poll_ready[0] = MEWZ_POLL_IN;
    sub_clock(0, 41, MEWZ_WASI_CLOCK_MONOTONIC, 200000000, 0);
    sub_fd(1, 42, RD, 0);
    CHECK_EQ(poll(2, &n), 0);
    CHECK_EQ(n, 1);
    check_event(0, 42, 0, RD, 1);
    CHECK_EQ(poll_calls[0].nfds, 1);
    CHECK_EQ(poll_calls[0].fds[0].handle, 0);
    CHECK_EQ(poll_calls[0].fds[0].events, MEWZ_POLL_IN);
    CHECK_EQ(poll_calls[0].timeout_ns, 200000000);
    /* Nothing on stdin: the clock fires. */
    reset_fakes();
    sub_clock(0, 41, MEWZ_WASI_CLOCK_MONOTONIC, 200000000, 0);
    sub_fd(1, 42, RD, 0);
    CHECK_EQ(poll(2, &n), 0);
    CHECK_EQ(n, 1);
    check_event(0, 41, 0, CLK, 0);

    /* stdout and stderr for writing, stdout twice: one host entry each. */
    reset_fakes();
    poll_ready[1] = poll_ready[2] = MEWZ_POLL_OUT;
    sub_fd(0, 51, WR, 1);
    sub_fd(1, 52, WR, 2);
    sub_fd(2, 53, WR, 1);
    CHECK_EQ(poll(3, &n), 0);
    CHECK_EQ(n, 3);
    CHECK_EQ(poll_calls[0].nfds, 2);
    CHECK_EQ(poll_calls[0].timeout_ns, MEWZ_HC_TIMEOUT_NONE);
    check_event(2, 53, 0, WR, 1);
    /* stdin for writing, stdout for reading: EBADF events, and the host
     * is only asked (not waited on) for the others. */
    reset_fakes();
    sub_fd(0, 61, WR, 0);
    sub_fd(1, 62, RD, 1);
    sub_fd(2, 63, RD, 0);
    CHECK_EQ(poll(3, &n), 0);
    CHECK_EQ(n, 2);
    check_event(0, 61, MEWZ_WASI_EBADF, WR, 0);
    check_event(1, 62, MEWZ_WASI_EBADF, RD, 0);
    CHECK_EQ(poll_calls[0].timeout_ns, 0);
    /* A hung-up stdin is ready, flagged. */
    reset_fakes();
    poll_ready[0] = MEWZ_POLL_HUP;
    sub_fd(0, 71, RD, 0);
    CHECK_EQ(poll(1, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(mewz_guest_load_u32(EV + 24) & 0xffff, 1);
    /* A renumbered stdin is still handle 0. */
    reset_fakes();
    poll_ready[0] = MEWZ_POLL_IN;
    CHECK_EQ(mewz_wasi_fd_renumber(0, file), 0);
    sub_fd(0, 81, RD, file);
    CHECK_EQ(poll(1, &n), 0);
    CHECK_EQ(poll_calls[0].fds[0].handle, 0);
    check_event(0, 81, 0, RD, 1);

    /* The call itself fails for these. */
    reset_fakes();
    CHECK_EQ(mewz_wasi_poll_oneoff(IN, EV, 0, 0x200), MEWZ_WASI_EINVAL);
    sub_fd(0, 1, 3, 1);
    CHECK_EQ(poll(1, &n), MEWZ_WASI_EINVAL);
    sub_clock(0, 1, MEWZ_WASI_CLOCK_PROCESS_CPUTIME, 1, 0);
    CHECK_EQ(poll(1, &n), MEWZ_WASI_EINVAL);
    sub_clock(0, 1, MEWZ_WASI_CLOCK_MONOTONIC, 1, 2);
    CHECK_EQ(poll(1, &n), MEWZ_WASI_EINVAL);
    CHECK_EQ(mewz_wasi_poll_oneoff(MEMORY_END - 47, EV, 1, 0x200), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_poll_oneoff(IN, MEMORY_END - 31, 1, 0x200), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_poll_oneoff(IN, EV, 1, MEMORY_END - 3), MEWZ_WASI_EFAULT);
    CHECK_EQ(mewz_wasi_poll_oneoff(IN, EV, 0x10000000, 0x200), MEWZ_WASI_EFAULT);
    sub_fd(0, 1, RD, 1);
    sub_fd(0, 1, WR, 1);
    poll_error = MEWZ_WASI_EINTR;
    CHECK_EQ(poll(1, &n), MEWZ_WASI_EINTR);
    CHECK_EQ(poll_call_count, 0 + 1);
}

/* A damaged image: the preopen exists, everything through it is EIO. */
static void test_broken_image(void)
{
    reset_fakes();
    struct rb_image good = image;
    image = rb_build(tree, sizeof tree / sizeof tree[0]);
    memcpy(image.bytes, "BAD!", 4);
    boot_with("/");
    uint32_t fd;
    CHECK_EQ(mewz_wasi_fd_prestat_get(3, OUT), 0);
    CHECK_EQ(open_at(3, 0, "hello", 0, R(FD_READ), 0, &fd), MEWZ_WASI_EIO);
    CHECK_EQ(mewz_wasi_fd_readdir(3, 0x1000, 100, 0, 0x200), MEWZ_WASI_EIO);
    CHECK_EQ(mewz_wasi_fd_filestat_get(3, OUT), MEWZ_WASI_EIO);
    free(image.bytes);
    image = good;
}

int main(void)
{
    if (map_linear_memory("host_fs") != 0)
        return 1;
    image = rb_build(tree, sizeof tree / sizeof tree[0]);
    test_preopens_and_cwd();
    test_read_seek_stat();
    test_rights();
    test_open_errors();
    test_directory_descriptor();
    test_read_only_errnos();
    test_flags();
    test_table();
    test_deferred_close();
    test_sockets_and_raise();
    test_poll();
    test_broken_image();
    free(image.bytes);
    return check_report("host_fs");
}
