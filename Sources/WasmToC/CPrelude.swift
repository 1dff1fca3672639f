/// The fixed C every generated module starts with (after wasm_rt.h): value
/// representations and the helpers whose semantics C does not give
/// directly (traps, NaN rules, exact rounding). All `static inline`, so
/// clang drops what a module does not use. Kept as C text, not built up
/// in Swift, so it reads (and can be tested) as the C it is.
enum CPrelude {
    static let text = #"""
/* Exact IEEE results: never fuse a*b+c into an FMA. */
#pragma STDC FP_CONTRACT OFF
/* Endless recursion is the program's own (it traps when the stack runs out). */
#pragma clang diagnostic ignored "-Winfinite-recursion"

typedef void (*wc_fn)(void);
/* funcref: canonical signature id (0 for null) and the function. */
typedef struct { uint32_t sig; wc_fn fn; } wc_funcref;
typedef struct { wc_funcref *elems; uint32_t size; uint32_t capacity; } wc_table;
typedef struct { const uint8_t *bytes; uint32_t size; } wc_data_segment;
typedef struct { const wc_funcref *items; uint32_t size; } wc_elem_segment;

#define WC_UNUSED __attribute__((unused))
/* On call cycles: keeps recursion recursion, so runaway recursion exhausts
 * the stack and traps instead of becoming an endless loop. */
#define WC_RECURSIVE __attribute__((disable_tail_calls))

/* ---- Linear memory: unaligned-safe, no bounds check (guard pages) ---- */

#define WC_LOAD(name, T, S)                                                \
    static inline T name(uint32_t a, uint32_t o) {                         \
        S v;                                                               \
        __builtin_memcpy(&v, MEWZ_MEM + (uint64_t)a + o, sizeof v);        \
        return (T)v;                                                       \
    }
WC_LOAD(wc_i32_load, uint32_t, uint32_t)
WC_LOAD(wc_i64_load, uint64_t, uint64_t)
WC_LOAD(wc_f32_load, float, float)
WC_LOAD(wc_f64_load, double, double)
WC_LOAD(wc_i32_load8_s, uint32_t, int8_t)
WC_LOAD(wc_i32_load8_u, uint32_t, uint8_t)
WC_LOAD(wc_i32_load16_s, uint32_t, int16_t)
WC_LOAD(wc_i32_load16_u, uint32_t, uint16_t)
WC_LOAD(wc_i64_load8_s, uint64_t, int8_t)
WC_LOAD(wc_i64_load8_u, uint64_t, uint8_t)
WC_LOAD(wc_i64_load16_s, uint64_t, int16_t)
WC_LOAD(wc_i64_load16_u, uint64_t, uint16_t)
WC_LOAD(wc_i64_load32_s, uint64_t, int32_t)
WC_LOAD(wc_i64_load32_u, uint64_t, uint32_t)

#define WC_STORE(name, T, S)                                               \
    static inline void name(uint32_t a, uint32_t o, T v) {                 \
        S w = (S)v;                                                        \
        __builtin_memcpy(MEWZ_MEM + (uint64_t)a + o, &w, sizeof w);        \
    }
WC_STORE(wc_i32_store, uint32_t, uint32_t)
WC_STORE(wc_i64_store, uint64_t, uint64_t)
WC_STORE(wc_f32_store, float, float)
WC_STORE(wc_f64_store, double, double)
WC_STORE(wc_i32_store8, uint32_t, uint8_t)
WC_STORE(wc_i32_store16, uint32_t, uint16_t)
WC_STORE(wc_i64_store8, uint64_t, uint8_t)
WC_STORE(wc_i64_store16, uint64_t, uint16_t)
WC_STORE(wc_i64_store32, uint64_t, uint32_t)

/* A loaded value nobody uses must still be read: the load may trap. */
static inline void wc_keep_i32(uint32_t v) { __asm__ volatile("" : : "r"(v)); }
static inline void wc_keep_i64(uint64_t v) { __asm__ volatile("" : : "r"(v)); }
static inline void wc_keep_f32(float v) { __asm__ volatile("" : : "x"(v)); }
static inline void wc_keep_f64(double v) { __asm__ volatile("" : : "x"(v)); }

static inline uint64_t wc_memory_bytes(void) {
    return (uint64_t)mewz_memory_pages * MEWZ_WASM_PAGE_SIZE;
}
static inline void wc_memory_fill(uint32_t d, uint32_t v, uint32_t n) {
    if ((uint64_t)d + n > wc_memory_bytes()) mewz_trap(MEWZ_TRAP_MEMORY_OOB);
    __builtin_memset(MEWZ_MEM + d, (int)(v & 0xFF), n);
}
static inline void wc_memory_copy(uint32_t d, uint32_t s, uint32_t n) {
    uint64_t size = wc_memory_bytes();
    if ((uint64_t)d + n > size || (uint64_t)s + n > size) mewz_trap(MEWZ_TRAP_MEMORY_OOB);
    __builtin_memmove(MEWZ_MEM + d, MEWZ_MEM + s, n);
}
static inline void wc_memory_init(const wc_data_segment *seg, uint32_t d, uint32_t s, uint32_t n) {
    if ((uint64_t)s + n > seg->size || (uint64_t)d + n > wc_memory_bytes())
        mewz_trap(MEWZ_TRAP_MEMORY_OOB);
    if (n) __builtin_memcpy(MEWZ_MEM + d, seg->bytes + s, n);
}

/* ---- Integers ---- */

static inline uint32_t wc_i32_div_s(uint32_t a, uint32_t b) {
    if (b == 0) mewz_trap(MEWZ_TRAP_INT_DIV_ZERO);
    if (a == 0x80000000u && b == 0xFFFFFFFFu) mewz_trap(MEWZ_TRAP_INT_OVERFLOW);
    return (uint32_t)((int32_t)a / (int32_t)b);
}
static inline uint32_t wc_i32_div_u(uint32_t a, uint32_t b) {
    if (b == 0) mewz_trap(MEWZ_TRAP_INT_DIV_ZERO);
    return a / b;
}
static inline uint32_t wc_i32_rem_s(uint32_t a, uint32_t b) {
    if (b == 0) mewz_trap(MEWZ_TRAP_INT_DIV_ZERO);
    if (b == 0xFFFFFFFFu) return 0; /* INT_MIN % -1 is UB in C, 0 in Wasm */
    return (uint32_t)((int32_t)a % (int32_t)b);
}
static inline uint32_t wc_i32_rem_u(uint32_t a, uint32_t b) {
    if (b == 0) mewz_trap(MEWZ_TRAP_INT_DIV_ZERO);
    return a % b;
}
static inline uint64_t wc_i64_div_s(uint64_t a, uint64_t b) {
    if (b == 0) mewz_trap(MEWZ_TRAP_INT_DIV_ZERO);
    if (a == 0x8000000000000000ull && b == 0xFFFFFFFFFFFFFFFFull) mewz_trap(MEWZ_TRAP_INT_OVERFLOW);
    return (uint64_t)((int64_t)a / (int64_t)b);
}
static inline uint64_t wc_i64_div_u(uint64_t a, uint64_t b) {
    if (b == 0) mewz_trap(MEWZ_TRAP_INT_DIV_ZERO);
    return a / b;
}
static inline uint64_t wc_i64_rem_s(uint64_t a, uint64_t b) {
    if (b == 0) mewz_trap(MEWZ_TRAP_INT_DIV_ZERO);
    if (b == 0xFFFFFFFFFFFFFFFFull) return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}
static inline uint64_t wc_i64_rem_u(uint64_t a, uint64_t b) {
    if (b == 0) mewz_trap(MEWZ_TRAP_INT_DIV_ZERO);
    return a % b;
}
static inline uint32_t wc_i32_clz(uint32_t a) { return a ? (uint32_t)__builtin_clz(a) : 32u; }
static inline uint32_t wc_i32_ctz(uint32_t a) { return a ? (uint32_t)__builtin_ctz(a) : 32u; }
static inline uint32_t wc_i32_popcnt(uint32_t a) { return (uint32_t)__builtin_popcount(a); }
static inline uint64_t wc_i64_clz(uint64_t a) { return a ? (uint64_t)__builtin_clzll(a) : 64u; }
static inline uint64_t wc_i64_ctz(uint64_t a) { return a ? (uint64_t)__builtin_ctzll(a) : 64u; }
static inline uint64_t wc_i64_popcnt(uint64_t a) { return (uint64_t)__builtin_popcountll(a); }

/* ---- Floats ---- */

static inline uint32_t wc_f32_bits(float f) { uint32_t b; __builtin_memcpy(&b, &f, 4); return b; }
static inline float wc_f32_from_bits(uint32_t b) { float f; __builtin_memcpy(&f, &b, 4); return f; }
static inline uint64_t wc_f64_bits(double f) { uint64_t b; __builtin_memcpy(&b, &f, 8); return b; }
static inline double wc_f64_from_bits(uint64_t b) { double f; __builtin_memcpy(&f, &b, 8); return f; }

/* A constant clang cannot see through (see NumericOperator.constantSensitive). */
static inline float wc_f32_opaque(float c) { __asm__("" : "+x"(c)); return c; }
static inline double wc_f64_opaque(double c) { __asm__("" : "+x"(c)); return c; }

/* min/max: NaN if either is NaN; -0 < +0 (the sign bits decide ties). */
static inline float wc_f32_min(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return wc_f32_from_bits(wc_f32_bits(a) | wc_f32_bits(b));
    return a < b ? a : b;
}
static inline float wc_f32_max(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return wc_f32_from_bits(wc_f32_bits(a) & wc_f32_bits(b));
    return a > b ? a : b;
}
static inline double wc_f64_min(double a, double b) {
    if (a != a || b != b) return a + b;
    if (a == b) return wc_f64_from_bits(wc_f64_bits(a) | wc_f64_bits(b));
    return a < b ? a : b;
}
static inline double wc_f64_max(double a, double b) {
    if (a != a || b != b) return a + b;
    if (a == b) return wc_f64_from_bits(wc_f64_bits(a) & wc_f64_bits(b));
    return a > b ? a : b;
}
static inline float wc_f32_sqrt(float a) { return __builtin_elementwise_sqrt(a); }
static inline double wc_f64_sqrt(double a) { return __builtin_elementwise_sqrt(a); }

#if defined(__SSE4_1__)
/* roundss/roundsd. */
static inline float wc_f32_ceil(float a) { return __builtin_elementwise_ceil(a); }
static inline float wc_f32_floor(float a) { return __builtin_elementwise_floor(a); }
static inline float wc_f32_trunc(float a) { return __builtin_elementwise_trunc(a); }
static inline float wc_f32_nearest(float a) { return __builtin_elementwise_roundeven(a); }
static inline double wc_f64_ceil(double a) { return __builtin_elementwise_ceil(a); }
static inline double wc_f64_floor(double a) { return __builtin_elementwise_floor(a); }
static inline double wc_f64_trunc(double a) { return __builtin_elementwise_trunc(a); }
static inline double wc_f64_nearest(double a) { return __builtin_elementwise_roundeven(a); }
#else
/* Baseline x86-64 has no rounding instruction and the guest no libm:
 * exact integer rounding in C. Beyond 2^23 (2^52) every float is an
 * integer; NaN comes back quieted. */
static inline float wc_f32_trunc(float a) {
    if (a != a) return a + a;
    if (!(__builtin_fabsf(a) < 0x1p23f)) return a;
    return __builtin_copysignf((float)(int32_t)a, a);
}
static inline float wc_f32_floor(float a) { float t = wc_f32_trunc(a); return t > a ? t - 1.0f : t; }
static inline float wc_f32_ceil(float a) { float t = wc_f32_trunc(a); return t < a ? t + 1.0f : t; }
static inline float wc_f32_nearest(float a) {
    if (a != a) return a + a;
    if (!(__builtin_fabsf(a) < 0x1p23f)) return a;
    /* Adding 2^23 rounds to an integer, ties to even. */
    float r = a >= 0.0f ? (a + 0x1p23f) - 0x1p23f : (a - 0x1p23f) + 0x1p23f;
    return __builtin_copysignf(r, a);
}
static inline double wc_f64_trunc(double a) {
    if (a != a) return a + a;
    if (!(__builtin_fabs(a) < 0x1p52)) return a;
    return __builtin_copysign((double)(int64_t)a, a);
}
static inline double wc_f64_floor(double a) { double t = wc_f64_trunc(a); return t > a ? t - 1.0 : t; }
static inline double wc_f64_ceil(double a) { double t = wc_f64_trunc(a); return t < a ? t + 1.0 : t; }
static inline double wc_f64_nearest(double a) {
    if (a != a) return a + a;
    if (!(__builtin_fabs(a) < 0x1p52)) return a;
    double r = a >= 0.0 ? (a + 0x1p52) - 0x1p52 : (a - 0x1p52) + 0x1p52;
    return __builtin_copysign(r, a);
}
#endif

/* ---- Float to integer: trapping (NaN, out of range) and saturating ---- */

#define WC_TRUNC(name, F, T, CAST, LOW_OK, HIGH)                            \
    static inline T name(F a) {                                            \
        if (a != a) mewz_trap(MEWZ_TRAP_INVALID_CONVERSION);               \
        if (!(LOW_OK && a < HIGH)) mewz_trap(MEWZ_TRAP_INT_OVERFLOW);      \
        return (T)(CAST)a;                                                 \
    }
WC_TRUNC(wc_i32_trunc_f32_s, float, uint32_t, int32_t, a >= -0x1p31f, 0x1p31f)
WC_TRUNC(wc_i32_trunc_f32_u, float, uint32_t, uint32_t, a > -1.0f, 0x1p32f)
WC_TRUNC(wc_i32_trunc_f64_s, double, uint32_t, int32_t, a > -2147483649.0, 2147483648.0)
WC_TRUNC(wc_i32_trunc_f64_u, double, uint32_t, uint32_t, a > -1.0, 4294967296.0)
WC_TRUNC(wc_i64_trunc_f32_s, float, uint64_t, int64_t, a >= -0x1p63f, 0x1p63f)
WC_TRUNC(wc_i64_trunc_f32_u, float, uint64_t, uint64_t, a > -1.0f, 0x1p64f)
WC_TRUNC(wc_i64_trunc_f64_s, double, uint64_t, int64_t, a >= -0x1p63, 0x1p63)
WC_TRUNC(wc_i64_trunc_f64_u, double, uint64_t, uint64_t, a > -1.0, 0x1p64)

#define WC_TRUNC_SAT(name, F, T, CAST, LOW_OK, HIGH, MIN, MAX)              \
    static inline T name(F a) {                                            \
        if (a != a) return 0;                                              \
        if (!(LOW_OK)) return MIN;                                         \
        if (!(a < HIGH)) return MAX;                                       \
        return (T)(CAST)a;                                                 \
    }
WC_TRUNC_SAT(wc_i32_trunc_sat_f32_s, float, uint32_t, int32_t, a >= -0x1p31f, 0x1p31f,
             0x80000000u, 0x7FFFFFFFu)
WC_TRUNC_SAT(wc_i32_trunc_sat_f32_u, float, uint32_t, uint32_t, a > -1.0f, 0x1p32f,
             0u, 0xFFFFFFFFu)
WC_TRUNC_SAT(wc_i32_trunc_sat_f64_s, double, uint32_t, int32_t, a > -2147483649.0, 2147483648.0,
             0x80000000u, 0x7FFFFFFFu)
WC_TRUNC_SAT(wc_i32_trunc_sat_f64_u, double, uint32_t, uint32_t, a > -1.0, 4294967296.0,
             0u, 0xFFFFFFFFu)
WC_TRUNC_SAT(wc_i64_trunc_sat_f32_s, float, uint64_t, int64_t, a >= -0x1p63f, 0x1p63f,
             0x8000000000000000ull, 0x7FFFFFFFFFFFFFFFull)
WC_TRUNC_SAT(wc_i64_trunc_sat_f32_u, float, uint64_t, uint64_t, a > -1.0f, 0x1p64f,
             0ull, 0xFFFFFFFFFFFFFFFFull)
WC_TRUNC_SAT(wc_i64_trunc_sat_f64_s, double, uint64_t, int64_t, a >= -0x1p63, 0x1p63,
             0x8000000000000000ull, 0x7FFFFFFFFFFFFFFFull)
WC_TRUNC_SAT(wc_i64_trunc_sat_f64_u, double, uint64_t, uint64_t, a > -1.0, 0x1p64,
             0ull, 0xFFFFFFFFFFFFFFFFull)

/* ---- Tables ---- */

static inline wc_fn wc_call_target(const wc_table *t, uint32_t i, uint32_t sig) {
    if (i >= t->size) mewz_trap(MEWZ_TRAP_UNDEFINED_ELEMENT);
    wc_funcref r = t->elems[i];
    if (!r.fn) mewz_trap(MEWZ_TRAP_UNINITIALIZED_ELEMENT);
    if (r.sig != sig) mewz_trap(MEWZ_TRAP_INDIRECT_TYPE_MISMATCH);
    return r.fn;
}
static inline wc_funcref wc_table_get(const wc_table *t, uint32_t i) {
    if (i >= t->size) mewz_trap(MEWZ_TRAP_TABLE_OOB);
    return t->elems[i];
}
static inline void wc_table_set(wc_table *t, uint32_t i, wc_funcref v) {
    if (i >= t->size) mewz_trap(MEWZ_TRAP_TABLE_OOB);
    t->elems[i] = v;
}
/* Grows within the static capacity; -1 beyond it (the spec allows failure). */
static inline uint32_t wc_table_grow(wc_table *t, wc_funcref v, uint32_t n) {
    uint32_t old = t->size;
    if ((uint64_t)old + n > t->capacity) return 0xFFFFFFFFu;
    for (uint32_t k = 0; k < n; k++) t->elems[old + k] = v;
    t->size = old + n;
    return old;
}
static inline void wc_table_fill(wc_table *t, uint32_t i, wc_funcref v, uint32_t n) {
    if ((uint64_t)i + n > t->size) mewz_trap(MEWZ_TRAP_TABLE_OOB);
    for (uint32_t k = 0; k < n; k++) t->elems[i + k] = v;
}
static inline void wc_table_copy(wc_table *dt, const wc_table *st, uint32_t d, uint32_t s, uint32_t n) {
    if ((uint64_t)d + n > dt->size || (uint64_t)s + n > st->size) mewz_trap(MEWZ_TRAP_TABLE_OOB);
    if (n) __builtin_memmove(dt->elems + d, st->elems + s, (uint64_t)n * sizeof(wc_funcref));
}
static inline void wc_table_init(wc_table *t, const wc_elem_segment *seg, uint32_t d, uint32_t s, uint32_t n) {
    if ((uint64_t)s + n > seg->size || (uint64_t)d + n > t->size) mewz_trap(MEWZ_TRAP_TABLE_OOB);
    if (n) __builtin_memcpy(t->elems + d, seg->items + s, (uint64_t)n * sizeof(wc_funcref));
}
"""#
}
