/*
 * string.c: the few libc functions the guest and the generated code need.
 * clang emits memset/memcpy/memmove calls on its own (struct copies,
 * memory.fill/memory.copy), so these must be global and fast: `rep stosb`
 * and `rep movsb` are near the best on CPUs with ERMSB. Plain loops carry
 * an empty asm so clang cannot turn them back into calls to themselves.
 */
#include "kernel.h"

/* The definitions themselves, not kernel.h's macros (hosted, the host
 * test renames them instead). */
#if !__STDC_HOSTED__
#undef memcpy
#undef memset
#undef memmove
#undef memcmp
#endif

#define KEEP_LOOP() __asm__ volatile("" : : : "memory")

void *memset(void *dest, int c, size_t n)
{
    void *d = dest;
    __asm__ volatile("rep stosb"
                     : "+D"(d), "+c"(n)
                     : "a"((uint8_t)c)
                     : "memory");
    return dest;
}

void *memcpy(void *restrict dest, const void *restrict src, size_t n)
{
    void *d = dest;
    __asm__ volatile("rep movsb"
                     : "+D"(d), "+S"(src), "+c"(n)
                     :
                     : "memory");
    return dest;
}

/* From the end down, a word at a time: each word is read before any byte
 * of it can be overwritten, and later reads are all below earlier writes. */
static void copy_backward(uint8_t *d, const uint8_t *s, size_t n)
{
    while (n >= sizeof(uint64_t)) {
        n -= sizeof(uint64_t);
        uint64_t word;
        __builtin_memcpy(&word, s + n, sizeof word);
        __builtin_memcpy(d + n, &word, sizeof word);
        KEEP_LOOP();
    }
    while (n > 0) {
        n--;
        d[n] = s[n];
        KEEP_LOOP();
    }
}

void *memmove(void *dest, const void *src, size_t n)
{
    uintptr_t d = (uintptr_t)dest, s = (uintptr_t)src;
    if (d == s)
        return dest;
    /* Forward is safe unless dest starts inside [src, src + n). */
    if (d - s >= n)
        return memcpy(dest, src, n);
    copy_backward(dest, src, n);
    return dest;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
        KEEP_LOOP();
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
        KEEP_LOOP();
    }
    return n;
}
