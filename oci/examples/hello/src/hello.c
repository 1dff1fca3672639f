/*
 * The hello-world bundle's program: greets argv[1] with the GREETING
 * environment variable and exits with the status given as argv[2] (0 when
 * absent). Built to rootfs/hello.wasm by hack/build-examples.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    const char *who = argc > 1 ? argv[1] : "nobody";
    const char *greeting = getenv("GREETING");
    if (greeting == NULL)
        greeting = "Hello";

    printf("%s, %s!\n", greeting, who);
    if (argc > 2) {
        int status = atoi(argv[2]);
        fprintf(stderr, "exiting with status %d\n", status);
        return status;
    }
    return 0;
}
