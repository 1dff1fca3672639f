/*
 * The OCI tests' container program: prints its arguments (argv[0] too) on
 * one stdout line, separated by spaces, then acts on the last argument:
 *   N     (0-255, decimal) exit with status N
 *   spin  loop until killed from outside (the guest has no sleep yet)
 *   env   print the environment, one NAME=VALUE per line, then exit 0
 *   else  exit 0
 * Nothing goes to stderr unless the status is out of range, so tests can
 * assert an empty stderr. Built to rootfs/probe.wasm by hack/build-examples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* 0-255 for a plain decimal status, -1 for anything else. */
static int parse_status(const char *text)
{
    if (*text == '\0' || strlen(text) > 3)
        return -1;
    int value = 0;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        value = value * 10 + (*c - '0');
    }
    return value <= 255 ? value : -1;
}

int main(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        printf("%s%s", i > 0 ? " " : "", argv[i]);
    printf("\n");
    /* Out before any loop: a test waits for this line to know the guest runs. */
    fflush(stdout);

    const char *last = argc > 1 ? argv[argc - 1] : "";
    if (strcmp(last, "spin") == 0) {
        /* volatile: clang may not drop the loop; one add per iteration. */
        volatile unsigned long counter = 0;
        for (;;)
            counter++;
    }
    if (strcmp(last, "env") == 0) {
        for (char **entry = environ; *entry != NULL; entry++)
            printf("%s\n", *entry);
        return 0;
    }
    int status = parse_status(last);
    if (status >= 0)
        return status;
    if (last[0] >= '0' && last[0] <= '9') {
        fprintf(stderr, "probe: status %s is not 0-255\n", last);
        return 2;
    }
    return 0;
}
