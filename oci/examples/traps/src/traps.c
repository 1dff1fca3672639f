/*
 * One program per trap kind, chosen by argv[1]: each line below makes
 * clang emit the Wasm instruction that must trap. Built to
 * rootfs/traps.wasm by hack/build-examples.
 */
#include <stdio.h>
#include <string.h>

static int add_one(int x) { return x + 1; }

typedef int (*binary_fn)(int, int);

int main(int argc, char **argv)
{
    const char *kind = argc > 1 ? argv[1] : "";
    volatile int zero = 0;

    printf("triggering %s\n", kind);
    fflush(stdout);

    if (strcmp(kind, "unreachable") == 0) {
        __builtin_trap(); /* unreachable */
    } else if (strcmp(kind, "oob") == 0) {
        /* Far past the memory's current size: the guard mapping traps. */
        volatile int *far = (volatile int *)(0xfffff000u);
        return *far;
    } else if (strcmp(kind, "divzero") == 0) {
        return 10 / zero; /* i32.div_s by zero */
    } else if (strcmp(kind, "indirect") == 0) {
        /* A call_indirect whose expected type (i32 i32 -> i32) differs
         * from the callee's (i32 -> i32). */
        void *volatile erased = (void *)add_one;
        binary_fn wrong = (binary_fn)erased;
        return wrong(1, 2);
    }
    printf("unknown trap kind '%s'\n", kind);
    return 2;
}
