/*
 * The spec suite's guest side (hack/spec-test --guest): linked with the
 * generated modules, their drivers, a generated main and libmewz_guest.a
 * into a unikernel ELF that the monitor boots, so the guest's own traps
 * (#PF on the guard mapping, the stack guard, mewz_trap) are what the
 * commands meet. A trap ends the VM, so one boot runs one command that is
 * expected to trap, the target (argv[1]; -1: none): every other such
 * command is skipped, all the rest run (and rebuild the state the target
 * needs). Lines on stdout as Harness/spectest.c prints them: "<id> ok
 * <values>"; the target's trap is the VM's termination.
 *
 * Freestanding: no libc; output through the write hypercall, arguments
 * from the boot info (both guest-internal, declared here).
 */
#include <stdint.h>

#include "mewz/abi.h"
#include "mewz/wasm_rt.h"

extern const struct mewz_boot_info *mewz_boot;
uint32_t mewz_hc_write(uint32_t fd, const struct mewz_hc_iovec *iov, uint32_t iovcnt, uint64_t *written);

/* ---- spectest (as Harness/spectest.c) ---- */

typedef struct { uint32_t sig; void (*fn)(void); } spec_funcref;
typedef struct { spec_funcref *elems; uint32_t size; uint32_t capacity; } spec_table;

static spec_funcref spectest_table_elems[20];
spec_table spec_import_spectest_0table = {spectest_table_elems, 10, 20};
uint32_t spec_import_spectest_0global__i32 = 666;
uint64_t spec_import_spectest_0global__i64 = 666;
float spec_import_spectest_0global__f32 = 666.6f;
double spec_import_spectest_0global__f64 = 666.6;

void spec_import_spectest_0print(void) {}
void spec_import_spectest_0print__i32(uint32_t a) { (void)a; }
void spec_import_spectest_0print__i64(uint64_t a) { (void)a; }
void spec_import_spectest_0print__f32(float a) { (void)a; }
void spec_import_spectest_0print__f64(double a) { (void)a; }
void spec_import_spectest_0print__i32__f32(uint32_t a, float b) { (void)a, (void)b; }
void spec_import_spectest_0print__f64__f64(double a, double b) { (void)a, (void)b; }

/* ---- Reporting ---- */

static char line[4096];
static uint32_t line_length;

static void append_text(const char *text) {
    while (*text && line_length < sizeof line - 1) line[line_length++] = *text++;
}

static void append_decimal(uint64_t value) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (n > 0 && line_length < sizeof line - 1) line[line_length++] = digits[--n];
}

static void append_signed(int64_t value) {
    if (value < 0) {
        append_text("-");
        append_decimal(0 - (uint64_t)value);
    } else {
        append_decimal((uint64_t)value);
    }
}

static void flush_line(void) {
    line[line_length++] = '\n';
    static struct mewz_hc_iovec iov;
    iov.addr = (uint64_t)(uintptr_t)line;
    iov.len = line_length;
    uint64_t written = 0;
    mewz_hc_write(1, &iov, 1, &written);
    line_length = 0;
}

void spec_begin(int id) {
    line_length = 0;
    append_signed(id);
    append_text(" ok");
}
void spec_i32(uint32_t v) { append_text(" i32:"), append_decimal(v); }
void spec_i64(uint64_t v) { append_text(" i64:"), append_decimal(v); }
void spec_f32(uint32_t bits) { append_text(" f32:"), append_decimal(bits); }
void spec_f64(uint64_t bits) { append_text(" f64:"), append_decimal(bits); }
void spec_ref(const void *fn) {
    if (fn) {
        append_text(" ref:");
        append_decimal((uint64_t)(uintptr_t)fn);
    } else {
        append_text(" ref:null");
    }
}
void spec_end(void) { flush_line(); }

/* ---- Commands ---- */

static int target = -2; /* parsed on first use */

static int target_command(void) {
    if (target != -2) return target;
    target = -1;
    if (mewz_boot->argc < 2) return target;
    const char *text = (const char *)(uintptr_t)mewz_boot->argv_addr;
    while (*text) text++; /* skip argv[0] */
    text++;
    int value = 0, any = 0;
    for (; *text >= '0' && *text <= '9'; text++, any = 1) value = value * 10 + (*text - '0');
    if (any) target = value;
    return target;
}

/* Whether command `id` runs in this boot. */
static int runs(int id, int expects_trap) {
    return !expects_trap || id == target_command();
}

/* After the target ran without trapping (its line says so), nothing more
 * is needed from this boot. */
static void after(int id) {
    if (id == target_command()) mewz_wasi_proc_exit(0);
}

void guest_run(int id, void (*body)(void), int expects_trap) {
    if (!runs(id, expects_trap)) return;
    body();
    after(id);
}

static int memory_ready;

/* Instantiates a module (command `id`): whether it is there afterwards. */
int guest_instantiate(int id, int imports_spectest_memory, void (*init)(void), int expects_trap) {
    if (!runs(id, expects_trap)) return 0;
    if (imports_spectest_memory && !memory_ready) mewz_memory_init(1, 2); /* spectest.memory */
    memory_ready = memory_ready || imports_spectest_memory;
    init();
    spec_begin(id);
    spec_end();
    after(id);
    return 1;
}

int guest_unlinkable(int id) {
    line_length = 0;
    append_signed(id);
    append_text(" unlinkable");
    flush_line();
    return 0;
}
