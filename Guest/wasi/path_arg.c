/*
 * path_arg.c: path arguments. A witx string is a pointer and a length in
 * linear memory holding UTF-8; a path is also a C path on the other side
 * of every libc, so a NUL inside it is refused (EINVAL, as cap-std does)
 * rather than silently cutting it short, and so is one of MEWZ_PATH_MAX
 * bytes or more (ENAMETOOLONG, as Linux refuses PATH_MAX with the NUL).
 */
#include "kernel.h"

/* Length of the UTF-8 sequence at s[0..left), or 0 when it is invalid
 * (overlong forms, surrogates and values past U+10FFFF included). */
static uint32_t utf8_sequence(const uint8_t *s, uint32_t left)
{
    uint8_t b = s[0];
    if (b < 0x80)
        return 1;
    uint32_t n;
    uint32_t min;
    uint32_t cp;
    if ((b & 0xe0) == 0xc0) {
        n = 2, min = 0x80, cp = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
        n = 3, min = 0x800, cp = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
        n = 4, min = 0x10000, cp = b & 0x07;
    } else {
        return 0;
    }
    if (n > left)
        return 0;
    for (uint32_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

uint32_t mewz_path_arg(uint32_t path, uint32_t len, const char **out)
{
    if (!mewz_guest_range_ok(path, len))
        return MEWZ_WASI_EFAULT;
    if (len >= MEWZ_PATH_MAX)
        return MEWZ_WASI_ENAMETOOLONG;
    const uint8_t *s = mewz_guest_ptr(path);
    for (uint32_t i = 0; i < len;) {
        if (s[i] == 0)
            return MEWZ_WASI_EINVAL;
        uint32_t n = utf8_sequence(s + i, len - i);
        if (n == 0)
            return MEWZ_WASI_EILSEQ;
        i += n;
    }
    *out = (const char *)s;
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_path_walk(const struct mewz_fd *dir, uint32_t path, uint32_t len,
                        unsigned flags, struct mewz_walk *out)
{
    const char *text;
    uint32_t err = mewz_path_arg(path, len, &text);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    return mewz_rofs_walk(dir->ino, dir->floor, text, len, flags, out);
}

uint32_t mewz_lookup_flags(uint32_t lookupflags, unsigned *walk_flags)
{
    if (lookupflags & ~MEWZ_WASI_LOOKUP_SYMLINK_FOLLOW)
        return MEWZ_WASI_EINVAL;
    *walk_flags =
        (lookupflags & MEWZ_WASI_LOOKUP_SYMLINK_FOLLOW) ? MEWZ_WALK_FOLLOW : 0;
    return MEWZ_WASI_ESUCCESS;
}
