/*
 * The spec suite's host side, linked with harness.c and one generated
 * module plus its generated driver (SpecRunner): the `spectest` module's
 * exports as the C symbols WasmToC binds imports to (hostImportPrefix
 * "spec_import_"), and the driver's reporting. Each command prints one
 * line on stdout: "<id> ok <values>" or "<id> trap <text>", where id is the
 * command's index in its script. Lines are written whole with write(2), so a trap inside a
 * command never leaves half a line.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mewz/trap_text.h"
#include "mewz/wasm_rt.h"
#include "harness_windows.h"

extern sigjmp_buf *harness_trap_catcher;
extern uint32_t harness_last_trap;

/* ---- spectest (interpreter/host/spectest.ml) ---- */

/* Same layout as the generated code's wc_funcref / wc_table. */
typedef struct { uint32_t sig; void (*fn)(void); } spec_funcref;
typedef struct { spec_funcref *elems; uint32_t size; uint32_t capacity; } spec_table;

static spec_funcref spectest_table_elems[20];
spec_table spec_import_spectest_0table = {spectest_table_elems, 10, 20};
uint32_t spec_import_spectest_0global__i32 = 666;
uint64_t spec_import_spectest_0global__i64 = 666;
float spec_import_spectest_0global__f32 = 666.6f;
double spec_import_spectest_0global__f64 = 666.6;

void spec_import_spectest_0print(void) { fprintf(stderr, "print\n"); }
void spec_import_spectest_0print__i32(uint32_t a) { fprintf(stderr, "print_i32 %" PRIu32 "\n", a); }
void spec_import_spectest_0print__i64(uint64_t a) { fprintf(stderr, "print_i64 %" PRIu64 "\n", a); }
void spec_import_spectest_0print__f32(float a) { fprintf(stderr, "print_f32 %g\n", (double)a); }
void spec_import_spectest_0print__f64(double a) { fprintf(stderr, "print_f64 %g\n", a); }
void spec_import_spectest_0print__i32__f32(uint32_t a, float b) {
    fprintf(stderr, "print_i32_f32 %" PRIu32 " %g\n", a, (double)b);
}
void spec_import_spectest_0print__f64__f64(double a, double b) { fprintf(stderr, "print_f64_f64 %g %g\n", a, b); }

/* ---- Reporting ---- */

static char line[4096];
static size_t line_length;

static void append(const char *format, uint64_t value) {
    if (line_length >= sizeof line) return;
    int n = snprintf(line + line_length, sizeof line - line_length, format, value);
    if (n > 0) line_length += (size_t)n;
}

static void flush_line(void) {
    if (line_length >= sizeof line) line_length = sizeof line - 1;
    line[line_length++] = '\n';
    for (size_t done = 0; done < line_length;) {
        ssize_t n = write(1, line + done, line_length - done);
        if (n <= 0) break;
        done += (size_t)n;
    }
    line_length = 0;
}

void spec_begin(int id) {
    line_length = 0;
    append("%" PRId64 " ok", (uint64_t)(int64_t)id);
}
void spec_i32(uint32_t v) { append(" i32:%" PRIu64, v); }
void spec_i64(uint64_t v) { append(" i64:%" PRIu64, v); }
void spec_f32(uint32_t bits) { append(" f32:%" PRIu64, bits); }
void spec_f64(uint64_t bits) { append(" f64:%" PRIu64, bits); }
/* A v128 as its two little-endian halves: " v128:<low>:<high>". */
void spec_v128(uint64_t low, uint64_t high) {
    append(" v128:%" PRIu64, low);
    append(":%" PRIu64, high);
}
void spec_ref(const void *fn) { append(fn ? " ref:%" PRIu64 : " ref:null", (uint64_t)(uintptr_t)fn); }
void spec_end(void) { flush_line(); }

/* Runs one command; a trap inside it reports "<id> trap <text>". */
void spec_run(int id, void (*body)(void)) {
    sigjmp_buf catcher;
    if (sigsetjmp(catcher, 1) == 0) {
        harness_trap_catcher = &catcher;
        body();
    } else {
        line_length = 0;
        append("%" PRId64 " trap ", (uint64_t)(int64_t)id);
        const char *known = mewz_trap_text(harness_last_trap);
        const char *text = known ? known : "unknown trap";
        size_t length = strlen(text);
        if (length < sizeof line - line_length - 1) {
            memcpy(line + line_length, text, length);
            line_length += length;
        }
        flush_line();
    }
    harness_trap_catcher = NULL;
}

static int spectest_window = -1, memory_ready, instance_id;
static void (*instance_init)(void);
static void instantiate(void) {
    if (spectest_window >= 0 && !memory_ready) { /* spectest.memory */
        if (spectest_window == 0)
            mewz_memory_init(1, 2);
        else
            harness_window_init((uint32_t)spectest_window, 1, 2);
    }
    memory_ready = memory_ready || spectest_window >= 0;
    instance_init();
    spec_begin(instance_id);
    spec_end();
}

/* Instantiates a module (reported as command `id`): whether it succeeded.
 * spectest's memory (in the given window; -1: not imported) is mapped by
 * its first importer. */
int spec_instantiate(int id, int spectest_memory_window, void (*init)(void)) {
    spectest_window = spectest_memory_window;
    instance_id = id;
    instance_init = init;
    harness_last_trap = 0;
    spec_run(id, instantiate);
    return harness_last_trap == 0;
}

/* An import's table or memory is smaller than it requires (reported as
 * command `id`): the module is not instantiated. */
int spec_unlinkable(int id) {
    line_length = 0;
    append("%" PRId64 " unlinkable", (uint64_t)(int64_t)id);
    flush_line();
    return 0;
}

/* Each module's entry points are renamed (spec_init_N); harness.c's own
 * path, which calls these, is never taken when harness_main exists. */
void mewz_module_init(void) {}
void mewz_module_main(void) {}
