/*
 * host_string.c: lib/string.c against naive references, every overlap of
 * memmove in both directions. The functions are renamed (lib_*) so the
 * host's own libc stays in charge of the test itself.
 */
#define memset lib_memset
#define memcpy lib_memcpy
#define memmove lib_memmove
#define memcmp lib_memcmp
#define strlen lib_strlen
#include "../lib/string.c"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen

#include <string.h>

#include "host_check.h"

#define BUF 192

static void fill(uint8_t *b)
{
    for (int i = 0; i < BUF; i++)
        b[i] = (uint8_t)(i * 7 + 3);
}

static void reference_move(uint8_t *b, size_t dst, size_t src, size_t n)
{
    uint8_t tmp[BUF];
    for (size_t i = 0; i < n; i++)
        tmp[i] = b[src + i];
    for (size_t i = 0; i < n; i++)
        b[dst + i] = tmp[i];
}

static void test_memmove(void)
{
    unsigned mismatches = 0;
    for (size_t n = 0; n <= 40; n++)
        for (size_t src = 0; src + n <= 80; src++)
            for (size_t dst = 0; dst + n <= 80; dst++) {
                uint8_t got[BUF], want[BUF];
                fill(got);
                fill(want);
                void *r = lib_memmove(got + dst, got + src, n);
                reference_move(want, dst, src, n);
                mismatches += memcmp(got, want, BUF) != 0 || r != got + dst;
            }
    CHECK_EQ(mismatches, 0);
}

static void test_memcpy_memset(void)
{
    unsigned mismatches = 0;
    for (size_t n = 0; n <= 70; n++)
        for (size_t off = 0; off < 9; off++) {
            uint8_t src[BUF], got[BUF], want[BUF];
            fill(src);
            memset(got, 0xee, BUF);
            memset(want, 0xee, BUF);
            for (size_t i = 0; i < n; i++)
                want[off + i] = src[i + 3];
            mismatches += lib_memcpy(got + off, src + 3, n) != got + off;
            mismatches += memcmp(got, want, BUF) != 0;

            for (size_t i = 0; i < n; i++)
                want[off + i] = 0x41;
            mismatches += lib_memset(got + off, 0x141, n) != got + off;
            mismatches += memcmp(got, want, BUF) != 0;
        }
    CHECK_EQ(mismatches, 0);
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static void test_memcmp_strlen(void)
{
    const struct {
        const char *a, *b;
        size_t n;
        int expected;
    } cases[] = {
        {"abc", "abc", 3, 0},   {"abd", "abc", 3, 1},   {"abc", "abd", 3, -1},
        {"abc", "abd", 2, 0},   {"", "", 0, 0},         {"\x80", "\x01", 1, 1},
        {"a\0b", "a\0c", 3, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ(sign(lib_memcmp(cases[i].a, cases[i].b, cases[i].n)),
                 cases[i].expected);
    CHECK_EQ(lib_strlen(""), 0);
    CHECK_EQ(lib_strlen("mewz"), 4);
    CHECK_EQ(lib_strlen("a\0b"), 1);
}

int main(void)
{
    test_memmove();
    test_memcpy_memset();
    test_memcmp_strlen();
    return check_report("host_string");
}
