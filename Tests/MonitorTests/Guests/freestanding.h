/*
 * The little of libc the C test guests need, freestanding: memset and
 * memcpy (the compiler may call them for struct copies and clears), and
 * two string helpers. Shared by Tests/MonitorTests/Guests/probe.c and
 * Fuzzing/Guests/hypercall_fuzz.c; each includes it once.
 */
#ifndef MEWZ_TEST_GUEST_FREESTANDING_H
#define MEWZ_TEST_GUEST_FREESTANDING_H

void *memset(void *dest, int value, unsigned long count)
{
    unsigned char *bytes = dest;
    while (count--)
        *bytes++ = (unsigned char)value;
    return dest;
}

void *memcpy(void *dest, const void *src, unsigned long count)
{
    unsigned char *to = dest;
    const unsigned char *from = src;
    while (count--)
        *to++ = *from++;
    return dest;
}

static inline unsigned long length(const char *string)
{
    unsigned long count = 0;
    while (string[count])
        count++;
    return count;
}

static inline int equal(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

#endif
