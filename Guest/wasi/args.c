/* args.c: args_get, args_sizes_get, environ_get, environ_sizes_get. */
#include "kernel.h"

static const char *boot_string(uint64_t addr)
{
    return (const char *)(uintptr_t)addr;
}

uint32_t mewz_wasi_args_sizes_get(uint32_t argc_out, uint32_t argv_buf_size_out)
{
    return mewz_strings_sizes_get(mewz_boot->argc, mewz_boot->argv_size,
                                  argc_out, argv_buf_size_out);
}

uint32_t mewz_wasi_args_get(uint32_t argv, uint32_t argv_buf)
{
    return mewz_strings_get(boot_string(mewz_boot->argv_addr),
                            mewz_boot->argv_size, mewz_boot->argc, argv,
                            argv_buf);
}

uint32_t mewz_wasi_environ_sizes_get(uint32_t count_out, uint32_t buf_size_out)
{
    return mewz_strings_sizes_get(mewz_boot->envc, mewz_boot->env_size,
                                  count_out, buf_size_out);
}

uint32_t mewz_wasi_environ_get(uint32_t environ, uint32_t environ_buf)
{
    return mewz_strings_get(boot_string(mewz_boot->env_addr),
                            mewz_boot->env_size, mewz_boot->envc, environ,
                            environ_buf);
}
