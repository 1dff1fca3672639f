/// The SIMD part of the C prelude: the v128 representation and one
/// helper per SIMD operator (`wc_` + the operator's name with `.` as `_`),
/// each with the exact Wasm semantics. module.h includes it only for
/// modules that use v128, so other modules never parse <smmintrin.h>.
extension CPrelude {
    static let simdText = #"""
/* ---- SIMD (v128) ----
 * A v128 is a clang vector of two u64; every operation reinterprets it
 * (a free bitcast) as the lanes it works on. Lane i sits at byte offset
 * i * lane size, as in Wasm: x86 is little-endian, so lane order needs no
 * swizzling. SSE4.1 is the baseline (x86-64-v2); compiled with -mavx2 the
 * same intrinsics take their VEX forms. Integer lanes are unsigned wherever
 * C could overflow (wrapping, no UB); shift counts are masked to the lane
 * width as Wasm defines them. */
#if !defined(__SSE4_1__)
#error "the SIMD lowering needs SSE4.1 (compile with -march=x86-64-v2)"
#endif
#include <smmintrin.h>

typedef uint64_t wc_v128 __attribute__((vector_size(16)));
typedef int8_t wc_i8x16 __attribute__((vector_size(16)));
typedef uint8_t wc_u8x16 __attribute__((vector_size(16)));
typedef int16_t wc_i16x8 __attribute__((vector_size(16)));
typedef uint16_t wc_u16x8 __attribute__((vector_size(16)));
typedef int32_t wc_i32x4 __attribute__((vector_size(16)));
typedef uint32_t wc_u32x4 __attribute__((vector_size(16)));
typedef int64_t wc_i64x2 __attribute__((vector_size(16)));
typedef float wc_f32x4 __attribute__((vector_size(16)));
typedef double wc_f64x2 __attribute__((vector_size(16)));
/* Half vectors: the 64 bits load8x8 & co. extend. */
typedef int8_t wc_i8x8 __attribute__((vector_size(8)));
typedef uint8_t wc_u8x8 __attribute__((vector_size(8)));
typedef int16_t wc_i16x4 __attribute__((vector_size(8)));
typedef uint16_t wc_u16x4 __attribute__((vector_size(8)));
typedef int32_t wc_i32x2 __attribute__((vector_size(8)));
typedef uint32_t wc_u32x2 __attribute__((vector_size(8)));

#define WC_M(v) ((__m128i)(v))
#define WC_PS(v) ((__m128)(v))
#define WC_PD(v) ((__m128d)(v))

static inline void wc_keep_v128(wc_v128 v) { __asm__ volatile("" : : "x"(v)); }
/* A constant clang cannot see through (f32x4/f64x2 arithmetic, as for scalars). */
static inline wc_v128 wc_v128_opaque(wc_v128 c) { __asm__("" : "+x"(c)); return c; }

/* ---- Splats and lanes ---- */

static inline wc_v128 wc_i8x16_splat(uint32_t x) {
    uint8_t b = (uint8_t)x;
    return (wc_v128)(wc_u8x16){b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b};
}
static inline wc_v128 wc_i16x8_splat(uint32_t x) {
    uint16_t h = (uint16_t)x;
    return (wc_v128)(wc_u16x8){h, h, h, h, h, h, h, h};
}
static inline wc_v128 wc_i32x4_splat(uint32_t x) { return (wc_v128)(wc_u32x4){x, x, x, x}; }
static inline wc_v128 wc_i64x2_splat(uint64_t x) { return (wc_v128){x, x}; }
static inline wc_v128 wc_f32x4_splat(float x) { return (wc_v128)(wc_f32x4){x, x, x, x}; }
static inline wc_v128 wc_f64x2_splat(double x) { return (wc_v128)(wc_f64x2){x, x}; }

/* The lane index is always a literal: after inlining, one pextr/pinsr. */
static inline uint32_t wc_i8x16_extract_lane_s(wc_v128 v, unsigned i) { return (uint32_t)(int32_t)((wc_i8x16)v)[i]; }
static inline uint32_t wc_i8x16_extract_lane_u(wc_v128 v, unsigned i) { return ((wc_u8x16)v)[i]; }
static inline uint32_t wc_i16x8_extract_lane_s(wc_v128 v, unsigned i) { return (uint32_t)(int32_t)((wc_i16x8)v)[i]; }
static inline uint32_t wc_i16x8_extract_lane_u(wc_v128 v, unsigned i) { return ((wc_u16x8)v)[i]; }
static inline uint32_t wc_i32x4_extract_lane(wc_v128 v, unsigned i) { return ((wc_u32x4)v)[i]; }
static inline uint64_t wc_i64x2_extract_lane(wc_v128 v, unsigned i) { return v[i]; }
static inline float wc_f32x4_extract_lane(wc_v128 v, unsigned i) { return ((wc_f32x4)v)[i]; }
static inline double wc_f64x2_extract_lane(wc_v128 v, unsigned i) { return ((wc_f64x2)v)[i]; }
#define WC_REPLACE_LANE(name, V, S, T)                                      \
    static inline wc_v128 name(wc_v128 v, unsigned i, S x) {               \
        V t = (V)v;                                                        \
        t[i] = (T)x;                                                       \
        return (wc_v128)t;                                                 \
    }
WC_REPLACE_LANE(wc_i8x16_replace_lane, wc_u8x16, uint32_t, uint8_t)
WC_REPLACE_LANE(wc_i16x8_replace_lane, wc_u16x8, uint32_t, uint16_t)
WC_REPLACE_LANE(wc_i32x4_replace_lane, wc_u32x4, uint32_t, uint32_t)
WC_REPLACE_LANE(wc_i64x2_replace_lane, wc_v128, uint64_t, uint64_t)
WC_REPLACE_LANE(wc_f32x4_replace_lane, wc_f32x4, float, float)
WC_REPLACE_LANE(wc_f64x2_replace_lane, wc_f64x2, double, double)

/* Indices 16 and up select 0: pshufb zeroes a lane whose index has its top
 * bit set, so saturate those indices there first. */
static inline wc_v128 wc_i8x16_swizzle(wc_v128 a, wc_v128 s) {
    __m128i index = _mm_adds_epu8(WC_M(s), _mm_set1_epi8(0x70));
    return (wc_v128)_mm_shuffle_epi8(WC_M(a), index);
}

/* ---- Memory: unaligned, no bounds check (guard pages), like scalars ---- */

static inline wc_v128 wc_v128_load(uint32_t a, uint32_t o) {
    wc_v128 v;
    __builtin_memcpy(&v, MEWZ_MEM + (uint64_t)a + o, sizeof v);
    return v;
}
static inline void wc_v128_store(uint32_t a, uint32_t o, wc_v128 v) {
    __builtin_memcpy(MEWZ_MEM + (uint64_t)a + o, &v, sizeof v);
}
/* 64 bits, each lane extended to twice its width (pmovsx/pmovzx). */
#define WC_LOAD_EXTEND(name, H, W)                                          \
    static inline wc_v128 name(uint32_t a, uint32_t o) {                   \
        H h;                                                               \
        __builtin_memcpy(&h, MEWZ_MEM + (uint64_t)a + o, sizeof h);        \
        return (wc_v128)__builtin_convertvector(h, W);                     \
    }
WC_LOAD_EXTEND(wc_v128_load8x8_s, wc_i8x8, wc_i16x8)
WC_LOAD_EXTEND(wc_v128_load8x8_u, wc_u8x8, wc_u16x8)
WC_LOAD_EXTEND(wc_v128_load16x4_s, wc_i16x4, wc_i32x4)
WC_LOAD_EXTEND(wc_v128_load16x4_u, wc_u16x4, wc_u32x4)
WC_LOAD_EXTEND(wc_v128_load32x2_s, wc_i32x2, wc_i64x2)
WC_LOAD_EXTEND(wc_v128_load32x2_u, wc_u32x2, wc_v128)
static inline wc_v128 wc_v128_load8_splat(uint32_t a, uint32_t o) { return wc_i8x16_splat(wc_i32_load8_u(a, o)); }
static inline wc_v128 wc_v128_load16_splat(uint32_t a, uint32_t o) { return wc_i16x8_splat(wc_i32_load16_u(a, o)); }
static inline wc_v128 wc_v128_load32_splat(uint32_t a, uint32_t o) { return wc_i32x4_splat(wc_i32_load(a, o)); }
static inline wc_v128 wc_v128_load64_splat(uint32_t a, uint32_t o) { return wc_i64x2_splat(wc_i64_load(a, o)); }
static inline wc_v128 wc_v128_load32_zero(uint32_t a, uint32_t o) { return (wc_v128)(wc_u32x4){wc_i32_load(a, o), 0, 0, 0}; }
static inline wc_v128 wc_v128_load64_zero(uint32_t a, uint32_t o) { return (wc_v128){wc_i64_load(a, o), 0}; }
static inline wc_v128 wc_v128_load8_lane(uint32_t a, uint32_t o, wc_v128 v, unsigned i) {
    return wc_i8x16_replace_lane(v, i, wc_i32_load8_u(a, o));
}
static inline wc_v128 wc_v128_load16_lane(uint32_t a, uint32_t o, wc_v128 v, unsigned i) {
    return wc_i16x8_replace_lane(v, i, wc_i32_load16_u(a, o));
}
static inline wc_v128 wc_v128_load32_lane(uint32_t a, uint32_t o, wc_v128 v, unsigned i) {
    return wc_i32x4_replace_lane(v, i, wc_i32_load(a, o));
}
static inline wc_v128 wc_v128_load64_lane(uint32_t a, uint32_t o, wc_v128 v, unsigned i) {
    return wc_i64x2_replace_lane(v, i, wc_i64_load(a, o));
}
static inline void wc_v128_store8_lane(uint32_t a, uint32_t o, wc_v128 v, unsigned i) {
    wc_i32_store8(a, o, wc_i8x16_extract_lane_u(v, i));
}
static inline void wc_v128_store16_lane(uint32_t a, uint32_t o, wc_v128 v, unsigned i) {
    wc_i32_store16(a, o, wc_i16x8_extract_lane_u(v, i));
}
static inline void wc_v128_store32_lane(uint32_t a, uint32_t o, wc_v128 v, unsigned i) {
    wc_i32_store(a, o, wc_i32x4_extract_lane(v, i));
}
static inline void wc_v128_store64_lane(uint32_t a, uint32_t o, wc_v128 v, unsigned i) {
    wc_i64_store(a, o, v[i]);
}

/* ---- Bitwise and tests ---- */

static inline wc_v128 wc_v128_not(wc_v128 a) { return ~a; }
static inline wc_v128 wc_v128_and(wc_v128 a, wc_v128 b) { return a & b; }
static inline wc_v128 wc_v128_andnot(wc_v128 a, wc_v128 b) { return a & ~b; }
static inline wc_v128 wc_v128_or(wc_v128 a, wc_v128 b) { return a | b; }
static inline wc_v128 wc_v128_xor(wc_v128 a, wc_v128 b) { return a ^ b; }
static inline wc_v128 wc_v128_bitselect(wc_v128 a, wc_v128 b, wc_v128 c) { return (a & c) | (b & ~c); }
static inline uint32_t wc_v128_any_true(wc_v128 a) { return !_mm_testz_si128(WC_M(a), WC_M(a)); }
/* All lanes non-zero: no lane compares equal to zero. */
static inline uint32_t wc_i8x16_all_true(wc_v128 a) {
    __m128i zero = _mm_cmpeq_epi8(WC_M(a), _mm_setzero_si128());
    return _mm_testz_si128(zero, zero);
}
static inline uint32_t wc_i16x8_all_true(wc_v128 a) {
    __m128i zero = _mm_cmpeq_epi16(WC_M(a), _mm_setzero_si128());
    return _mm_testz_si128(zero, zero);
}
static inline uint32_t wc_i32x4_all_true(wc_v128 a) {
    __m128i zero = _mm_cmpeq_epi32(WC_M(a), _mm_setzero_si128());
    return _mm_testz_si128(zero, zero);
}
static inline uint32_t wc_i64x2_all_true(wc_v128 a) {
    __m128i zero = _mm_cmpeq_epi64(WC_M(a), _mm_setzero_si128());
    return _mm_testz_si128(zero, zero);
}
/* The lanes' sign bits, lane 0 in bit 0. */
static inline uint32_t wc_i8x16_bitmask(wc_v128 a) { return (uint32_t)_mm_movemask_epi8(WC_M(a)); }
static inline uint32_t wc_i16x8_bitmask(wc_v128 a) {
    /* Signed saturation to bytes keeps each sign. */
    return (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(WC_M(a), WC_M(a))) & 0xFFu;
}
static inline uint32_t wc_i32x4_bitmask(wc_v128 a) { return (uint32_t)_mm_movemask_ps(WC_PS(a)); }
static inline uint32_t wc_i64x2_bitmask(wc_v128 a) { return (uint32_t)_mm_movemask_pd(WC_PD(a)); }

/* ---- Comparisons: all ones where true ---- */

#define WC_COMPARE(name, V, op)                                             \
    static inline wc_v128 name(wc_v128 a, wc_v128 b) { return (wc_v128)((V)a op (V)b); }
WC_COMPARE(wc_i8x16_eq, wc_u8x16, ==)
WC_COMPARE(wc_i8x16_ne, wc_u8x16, !=)
WC_COMPARE(wc_i8x16_lt_s, wc_i8x16, <)
WC_COMPARE(wc_i8x16_lt_u, wc_u8x16, <)
WC_COMPARE(wc_i8x16_gt_s, wc_i8x16, >)
WC_COMPARE(wc_i8x16_gt_u, wc_u8x16, >)
WC_COMPARE(wc_i8x16_le_s, wc_i8x16, <=)
WC_COMPARE(wc_i8x16_le_u, wc_u8x16, <=)
WC_COMPARE(wc_i8x16_ge_s, wc_i8x16, >=)
WC_COMPARE(wc_i8x16_ge_u, wc_u8x16, >=)
WC_COMPARE(wc_i16x8_eq, wc_u16x8, ==)
WC_COMPARE(wc_i16x8_ne, wc_u16x8, !=)
WC_COMPARE(wc_i16x8_lt_s, wc_i16x8, <)
WC_COMPARE(wc_i16x8_lt_u, wc_u16x8, <)
WC_COMPARE(wc_i16x8_gt_s, wc_i16x8, >)
WC_COMPARE(wc_i16x8_gt_u, wc_u16x8, >)
WC_COMPARE(wc_i16x8_le_s, wc_i16x8, <=)
WC_COMPARE(wc_i16x8_le_u, wc_u16x8, <=)
WC_COMPARE(wc_i16x8_ge_s, wc_i16x8, >=)
WC_COMPARE(wc_i16x8_ge_u, wc_u16x8, >=)
WC_COMPARE(wc_i32x4_eq, wc_u32x4, ==)
WC_COMPARE(wc_i32x4_ne, wc_u32x4, !=)
WC_COMPARE(wc_i32x4_lt_s, wc_i32x4, <)
WC_COMPARE(wc_i32x4_lt_u, wc_u32x4, <)
WC_COMPARE(wc_i32x4_gt_s, wc_i32x4, >)
WC_COMPARE(wc_i32x4_gt_u, wc_u32x4, >)
WC_COMPARE(wc_i32x4_le_s, wc_i32x4, <=)
WC_COMPARE(wc_i32x4_le_u, wc_u32x4, <=)
WC_COMPARE(wc_i32x4_ge_s, wc_i32x4, >=)
WC_COMPARE(wc_i32x4_ge_u, wc_u32x4, >=)
WC_COMPARE(wc_i64x2_eq, wc_v128, ==)
WC_COMPARE(wc_i64x2_ne, wc_v128, !=)
WC_COMPARE(wc_i64x2_lt_s, wc_i64x2, <)
WC_COMPARE(wc_i64x2_gt_s, wc_i64x2, >)
WC_COMPARE(wc_i64x2_le_s, wc_i64x2, <=)
WC_COMPARE(wc_i64x2_ge_s, wc_i64x2, >=)
/* C's float comparisons are IEEE's: ordered, except != (true for NaN). */
WC_COMPARE(wc_f32x4_eq, wc_f32x4, ==)
WC_COMPARE(wc_f32x4_ne, wc_f32x4, !=)
WC_COMPARE(wc_f32x4_lt, wc_f32x4, <)
WC_COMPARE(wc_f32x4_gt, wc_f32x4, >)
WC_COMPARE(wc_f32x4_le, wc_f32x4, <=)
WC_COMPARE(wc_f32x4_ge, wc_f32x4, >=)
WC_COMPARE(wc_f64x2_eq, wc_f64x2, ==)
WC_COMPARE(wc_f64x2_ne, wc_f64x2, !=)
WC_COMPARE(wc_f64x2_lt, wc_f64x2, <)
WC_COMPARE(wc_f64x2_gt, wc_f64x2, >)
WC_COMPARE(wc_f64x2_le, wc_f64x2, <=)
WC_COMPARE(wc_f64x2_ge, wc_f64x2, >=)

/* ---- Integer lane arithmetic ---- */

#define WC_BINARY(name, V, op)                                              \
    static inline wc_v128 name(wc_v128 a, wc_v128 b) { return (wc_v128)((V)a op (V)b); }
WC_BINARY(wc_i8x16_add, wc_u8x16, +)
WC_BINARY(wc_i8x16_sub, wc_u8x16, -)
WC_BINARY(wc_i16x8_add, wc_u16x8, +)
WC_BINARY(wc_i16x8_sub, wc_u16x8, -)
WC_BINARY(wc_i16x8_mul, wc_u16x8, *)
WC_BINARY(wc_i32x4_add, wc_u32x4, +)
WC_BINARY(wc_i32x4_sub, wc_u32x4, -)
WC_BINARY(wc_i32x4_mul, wc_u32x4, *)
WC_BINARY(wc_i64x2_add, wc_v128, +)
WC_BINARY(wc_i64x2_sub, wc_v128, -)
WC_BINARY(wc_i64x2_mul, wc_v128, *)

#define WC_INTRINSIC2(name, f)                                              \
    static inline wc_v128 name(wc_v128 a, wc_v128 b) { return (wc_v128)f(WC_M(a), WC_M(b)); }
WC_INTRINSIC2(wc_i8x16_add_sat_s, _mm_adds_epi8)
WC_INTRINSIC2(wc_i8x16_add_sat_u, _mm_adds_epu8)
WC_INTRINSIC2(wc_i8x16_sub_sat_s, _mm_subs_epi8)
WC_INTRINSIC2(wc_i8x16_sub_sat_u, _mm_subs_epu8)
WC_INTRINSIC2(wc_i16x8_add_sat_s, _mm_adds_epi16)
WC_INTRINSIC2(wc_i16x8_add_sat_u, _mm_adds_epu16)
WC_INTRINSIC2(wc_i16x8_sub_sat_s, _mm_subs_epi16)
WC_INTRINSIC2(wc_i16x8_sub_sat_u, _mm_subs_epu16)
WC_INTRINSIC2(wc_i8x16_min_s, _mm_min_epi8)
WC_INTRINSIC2(wc_i8x16_min_u, _mm_min_epu8)
WC_INTRINSIC2(wc_i8x16_max_s, _mm_max_epi8)
WC_INTRINSIC2(wc_i8x16_max_u, _mm_max_epu8)
WC_INTRINSIC2(wc_i16x8_min_s, _mm_min_epi16)
WC_INTRINSIC2(wc_i16x8_min_u, _mm_min_epu16)
WC_INTRINSIC2(wc_i16x8_max_s, _mm_max_epi16)
WC_INTRINSIC2(wc_i16x8_max_u, _mm_max_epu16)
WC_INTRINSIC2(wc_i32x4_min_s, _mm_min_epi32)
WC_INTRINSIC2(wc_i32x4_min_u, _mm_min_epu32)
WC_INTRINSIC2(wc_i32x4_max_s, _mm_max_epi32)
WC_INTRINSIC2(wc_i32x4_max_u, _mm_max_epu32)
/* (a + b + 1) >> 1 without overflow: pavgb/pavgw. */
WC_INTRINSIC2(wc_i8x16_avgr_u, _mm_avg_epu8)
WC_INTRINSIC2(wc_i16x8_avgr_u, _mm_avg_epu16)
/* Each pair of i16 products summed (pmaddwd; -32768 * -32768 * 2 wraps). */
WC_INTRINSIC2(wc_i32x4_dot_i16x8_s, _mm_madd_epi16)
/* Lanes 0-7 from a, 8-15 from b, saturated (the inputs are signed). */
WC_INTRINSIC2(wc_i8x16_narrow_i16x8_s, _mm_packs_epi16)
WC_INTRINSIC2(wc_i8x16_narrow_i16x8_u, _mm_packus_epi16)
WC_INTRINSIC2(wc_i16x8_narrow_i32x4_s, _mm_packs_epi32)
WC_INTRINSIC2(wc_i16x8_narrow_i32x4_u, _mm_packus_epi32)

/* Rounding Q15 product; pmulhrsw gives 0x8000 for -1 * -1, which saturates. */
static inline wc_v128 wc_i16x8_q15mulr_sat_s(wc_v128 a, wc_v128 b) {
    __m128i r = _mm_mulhrs_epi16(WC_M(a), WC_M(b));
    return (wc_v128)_mm_xor_si128(r, _mm_cmpeq_epi16(r, _mm_set1_epi16((short)0x8000)));
}

/* abs of the minimum is the minimum (Wasm wraps); neg wraps too. */
static inline wc_v128 wc_i8x16_abs(wc_v128 a) { return (wc_v128)_mm_abs_epi8(WC_M(a)); }
static inline wc_v128 wc_i16x8_abs(wc_v128 a) { return (wc_v128)_mm_abs_epi16(WC_M(a)); }
static inline wc_v128 wc_i32x4_abs(wc_v128 a) { return (wc_v128)_mm_abs_epi32(WC_M(a)); }
static inline wc_v128 wc_i64x2_abs(wc_v128 a) {
    wc_v128 sign = (wc_v128)((wc_i64x2)a >> 63);
    return (a ^ sign) - sign;
}
static inline wc_v128 wc_i8x16_neg(wc_v128 a) { return (wc_v128)-(wc_u8x16)a; }
static inline wc_v128 wc_i16x8_neg(wc_v128 a) { return (wc_v128)-(wc_u16x8)a; }
static inline wc_v128 wc_i32x4_neg(wc_v128 a) { return (wc_v128)-(wc_u32x4)a; }
static inline wc_v128 wc_i64x2_neg(wc_v128 a) { return -a; }

/* Bits set per byte: two nibble lookups (pshufb). */
static inline wc_v128 wc_i8x16_popcnt(wc_v128 a) {
    const __m128i table = _mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m128i nibble = _mm_set1_epi8(0x0F);
    __m128i low = _mm_shuffle_epi8(table, _mm_and_si128(WC_M(a), nibble));
    __m128i high = _mm_shuffle_epi8(table, _mm_and_si128(_mm_srli_epi16(WC_M(a), 4), nibble));
    return (wc_v128)_mm_add_epi8(low, high);
}

/* Shifts: the count modulo the lane width. */
#define WC_SHIFT(name, V, S, op, bits)                                      \
    static inline wc_v128 name(wc_v128 a, uint32_t n) {                    \
        return (wc_v128)((V)a op (S)(n & (bits - 1)));                     \
    }
WC_SHIFT(wc_i8x16_shl, wc_u8x16, uint8_t, <<, 8)
WC_SHIFT(wc_i8x16_shr_s, wc_i8x16, int8_t, >>, 8)
WC_SHIFT(wc_i8x16_shr_u, wc_u8x16, uint8_t, >>, 8)
WC_SHIFT(wc_i16x8_shl, wc_u16x8, uint16_t, <<, 16)
WC_SHIFT(wc_i16x8_shr_s, wc_i16x8, int16_t, >>, 16)
WC_SHIFT(wc_i16x8_shr_u, wc_u16x8, uint16_t, >>, 16)
WC_SHIFT(wc_i32x4_shl, wc_u32x4, uint32_t, <<, 32)
WC_SHIFT(wc_i32x4_shr_s, wc_i32x4, int32_t, >>, 32)
WC_SHIFT(wc_i32x4_shr_u, wc_u32x4, uint32_t, >>, 32)
WC_SHIFT(wc_i64x2_shl, wc_v128, uint64_t, <<, 64)
WC_SHIFT(wc_i64x2_shr_s, wc_i64x2, int64_t, >>, 64)
WC_SHIFT(wc_i64x2_shr_u, wc_v128, uint64_t, >>, 64)

/* ---- Widening: extend, extmul, extadd_pairwise ---- */

#define WC_LOW8(v) __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
#define WC_HIGH8(v) __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15)
#define WC_LOW4(v) __builtin_shufflevector(v, v, 0, 1, 2, 3)
#define WC_HIGH4(v) __builtin_shufflevector(v, v, 4, 5, 6, 7)
#define WC_LOW2(v) __builtin_shufflevector(v, v, 0, 1)
#define WC_HIGH2(v) __builtin_shufflevector(v, v, 2, 3)
#define WC_EXTEND(name, V, HALF, W)                                         \
    static inline wc_v128 name(wc_v128 a) { return (wc_v128)__builtin_convertvector(HALF((V)a), W); }
WC_EXTEND(wc_i16x8_extend_low_i8x16_s, wc_i8x16, WC_LOW8, wc_i16x8)
WC_EXTEND(wc_i16x8_extend_high_i8x16_s, wc_i8x16, WC_HIGH8, wc_i16x8)
WC_EXTEND(wc_i16x8_extend_low_i8x16_u, wc_u8x16, WC_LOW8, wc_u16x8)
WC_EXTEND(wc_i16x8_extend_high_i8x16_u, wc_u8x16, WC_HIGH8, wc_u16x8)
WC_EXTEND(wc_i32x4_extend_low_i16x8_s, wc_i16x8, WC_LOW4, wc_i32x4)
WC_EXTEND(wc_i32x4_extend_high_i16x8_s, wc_i16x8, WC_HIGH4, wc_i32x4)
WC_EXTEND(wc_i32x4_extend_low_i16x8_u, wc_u16x8, WC_LOW4, wc_u32x4)
WC_EXTEND(wc_i32x4_extend_high_i16x8_u, wc_u16x8, WC_HIGH4, wc_u32x4)
WC_EXTEND(wc_i64x2_extend_low_i32x4_s, wc_i32x4, WC_LOW2, wc_i64x2)
WC_EXTEND(wc_i64x2_extend_high_i32x4_s, wc_i32x4, WC_HIGH2, wc_i64x2)
WC_EXTEND(wc_i64x2_extend_low_i32x4_u, wc_u32x4, WC_LOW2, wc_v128)
WC_EXTEND(wc_i64x2_extend_high_i32x4_u, wc_u32x4, WC_HIGH2, wc_v128)

/* i8 x i8 fits in i16: extend both, multiply the halves (pmullw). */
#define WC_EXTMUL16(name, extend)                                           \
    static inline wc_v128 name(wc_v128 a, wc_v128 b) { return wc_i16x8_mul(extend(a), extend(b)); }
WC_EXTMUL16(wc_i16x8_extmul_low_i8x16_s, wc_i16x8_extend_low_i8x16_s)
WC_EXTMUL16(wc_i16x8_extmul_high_i8x16_s, wc_i16x8_extend_high_i8x16_s)
WC_EXTMUL16(wc_i16x8_extmul_low_i8x16_u, wc_i16x8_extend_low_i8x16_u)
WC_EXTMUL16(wc_i16x8_extmul_high_i8x16_u, wc_i16x8_extend_high_i8x16_u)
/* i16 x i16 and i32 x i32: both halves extended, then multiplied at twice
 * the width (the product fits). Written as plain vector code so clang sees
 * through the extension: pmaddwd, pmuldq/pmuludq, or for operands it knows
 * are narrower (i8 extended twice), one pmulld or pmullw. */
#define WC_EXTMUL(name, V, HALF, W)                                         \
    static inline wc_v128 name(wc_v128 a, wc_v128 b) {                     \
        return (wc_v128)(__builtin_convertvector(HALF((V)a), W) * __builtin_convertvector(HALF((V)b), W)); \
    }
WC_EXTMUL(wc_i32x4_extmul_low_i16x8_s, wc_i16x8, WC_LOW4, wc_i32x4)
WC_EXTMUL(wc_i32x4_extmul_high_i16x8_s, wc_i16x8, WC_HIGH4, wc_i32x4)
WC_EXTMUL(wc_i32x4_extmul_low_i16x8_u, wc_u16x8, WC_LOW4, wc_u32x4)
WC_EXTMUL(wc_i32x4_extmul_high_i16x8_u, wc_u16x8, WC_HIGH4, wc_u32x4)
WC_EXTMUL(wc_i64x2_extmul_low_i32x4_s, wc_i32x4, WC_LOW2, wc_i64x2)
WC_EXTMUL(wc_i64x2_extmul_high_i32x4_s, wc_i32x4, WC_HIGH2, wc_i64x2)
WC_EXTMUL(wc_i64x2_extmul_low_i32x4_u, wc_u32x4, WC_LOW2, wc_v128)
WC_EXTMUL(wc_i64x2_extmul_high_i32x4_u, wc_u32x4, WC_HIGH2, wc_v128)

/* Adjacent pairs summed at twice the width: multiply-add by ones. pmaddubsw
 * takes its first operand unsigned, its second signed; no sum saturates. */
static inline wc_v128 wc_i16x8_extadd_pairwise_i8x16_s(wc_v128 a) {
    return (wc_v128)_mm_maddubs_epi16(_mm_set1_epi8(1), WC_M(a));
}
static inline wc_v128 wc_i16x8_extadd_pairwise_i8x16_u(wc_v128 a) {
    return (wc_v128)_mm_maddubs_epi16(WC_M(a), _mm_set1_epi8(1));
}
static inline wc_v128 wc_i32x4_extadd_pairwise_i16x8_s(wc_v128 a) {
    return (wc_v128)_mm_madd_epi16(WC_M(a), _mm_set1_epi16(1));
}
/* Unsigned: bias each lane by -32768 (flip the sign bit), sum signed, add 65536 back. */
static inline wc_v128 wc_i32x4_extadd_pairwise_i16x8_u(wc_v128 a) {
    __m128i biased = _mm_xor_si128(WC_M(a), _mm_set1_epi16((short)0x8000));
    return (wc_v128)_mm_add_epi32(_mm_madd_epi16(biased, _mm_set1_epi16(1)), _mm_set1_epi32(0x10000));
}

/* ---- Float lane arithmetic ---- */

static inline wc_v128 wc_f32x4_abs(wc_v128 a) { return a & (wc_v128)wc_i32x4_splat(0x7FFFFFFFu); }
static inline wc_v128 wc_f32x4_neg(wc_v128 a) { return a ^ (wc_v128)wc_i32x4_splat(0x80000000u); }
static inline wc_v128 wc_f64x2_abs(wc_v128 a) { return a & 0x7FFFFFFFFFFFFFFFull; }
static inline wc_v128 wc_f64x2_neg(wc_v128 a) { return a ^ 0x8000000000000000ull; }
WC_BINARY(wc_f32x4_add, wc_f32x4, +)
WC_BINARY(wc_f32x4_sub, wc_f32x4, -)
WC_BINARY(wc_f32x4_mul, wc_f32x4, *)
WC_BINARY(wc_f32x4_div, wc_f32x4, /)
WC_BINARY(wc_f64x2_add, wc_f64x2, +)
WC_BINARY(wc_f64x2_sub, wc_f64x2, -)
WC_BINARY(wc_f64x2_mul, wc_f64x2, *)
WC_BINARY(wc_f64x2_div, wc_f64x2, /)
static inline wc_v128 wc_f32x4_sqrt(wc_v128 a) { return (wc_v128)_mm_sqrt_ps(WC_PS(a)); }
static inline wc_v128 wc_f64x2_sqrt(wc_v128 a) { return (wc_v128)_mm_sqrt_pd(WC_PD(a)); }

/* min/max: minps/maxps return their second operand for NaN and for
 * -0 vs +0. Both orders merged give the signed-zero rule (min: or of the
 * sign bits, max: and); a NaN in either operand gives the canonical NaN. */
static inline wc_v128 wc_f32x4_min(wc_v128 a, wc_v128 b) {
    __m128 x = WC_PS(a), y = WC_PS(b);
    __m128 m = _mm_or_ps(_mm_min_ps(x, y), _mm_min_ps(y, x));
    return (wc_v128)_mm_blendv_ps(m, _mm_set1_ps(__builtin_nanf("")), _mm_cmpunord_ps(x, y));
}
static inline wc_v128 wc_f32x4_max(wc_v128 a, wc_v128 b) {
    __m128 x = WC_PS(a), y = WC_PS(b);
    __m128 m = _mm_and_ps(_mm_max_ps(x, y), _mm_max_ps(y, x));
    return (wc_v128)_mm_blendv_ps(m, _mm_set1_ps(__builtin_nanf("")), _mm_cmpunord_ps(x, y));
}
static inline wc_v128 wc_f64x2_min(wc_v128 a, wc_v128 b) {
    __m128d x = WC_PD(a), y = WC_PD(b);
    __m128d m = _mm_or_pd(_mm_min_pd(x, y), _mm_min_pd(y, x));
    return (wc_v128)_mm_blendv_pd(m, _mm_set1_pd(__builtin_nan("")), _mm_cmpunord_pd(x, y));
}
static inline wc_v128 wc_f64x2_max(wc_v128 a, wc_v128 b) {
    __m128d x = WC_PD(a), y = WC_PD(b);
    __m128d m = _mm_and_pd(_mm_max_pd(x, y), _mm_max_pd(y, x));
    return (wc_v128)_mm_blendv_pd(m, _mm_set1_pd(__builtin_nan("")), _mm_cmpunord_pd(x, y));
}
/* pmin(a, b) = b < a ? b : a and pmax(a, b) = a < b ? b : a: exactly
 * minps/maxps with the operands swapped (NaN a stays a). */
static inline wc_v128 wc_f32x4_pmin(wc_v128 a, wc_v128 b) { return (wc_v128)_mm_min_ps(WC_PS(b), WC_PS(a)); }
static inline wc_v128 wc_f32x4_pmax(wc_v128 a, wc_v128 b) { return (wc_v128)_mm_max_ps(WC_PS(b), WC_PS(a)); }
static inline wc_v128 wc_f64x2_pmin(wc_v128 a, wc_v128 b) { return (wc_v128)_mm_min_pd(WC_PD(b), WC_PD(a)); }
static inline wc_v128 wc_f64x2_pmax(wc_v128 a, wc_v128 b) { return (wc_v128)_mm_max_pd(WC_PD(b), WC_PD(a)); }

/* roundps/roundpd; NaN comes back quieted. */
#define WC_ROUND(name, f, cast, mode)                                       \
    static inline wc_v128 name(wc_v128 a) { return (wc_v128)f(cast(a), mode | _MM_FROUND_NO_EXC); }
WC_ROUND(wc_f32x4_ceil, _mm_round_ps, WC_PS, _MM_FROUND_TO_POS_INF)
WC_ROUND(wc_f32x4_floor, _mm_round_ps, WC_PS, _MM_FROUND_TO_NEG_INF)
WC_ROUND(wc_f32x4_trunc, _mm_round_ps, WC_PS, _MM_FROUND_TO_ZERO)
WC_ROUND(wc_f32x4_nearest, _mm_round_ps, WC_PS, _MM_FROUND_TO_NEAREST_INT)
WC_ROUND(wc_f64x2_ceil, _mm_round_pd, WC_PD, _MM_FROUND_TO_POS_INF)
WC_ROUND(wc_f64x2_floor, _mm_round_pd, WC_PD, _MM_FROUND_TO_NEG_INF)
WC_ROUND(wc_f64x2_trunc, _mm_round_pd, WC_PD, _MM_FROUND_TO_ZERO)
WC_ROUND(wc_f64x2_nearest, _mm_round_pd, WC_PD, _MM_FROUND_TO_NEAREST_INT)

/* ---- Conversions ---- */

static inline wc_v128 wc_f32x4_convert_i32x4_s(wc_v128 a) { return (wc_v128)_mm_cvtepi32_ps(WC_M(a)); }
/* clang's unsigned conversion rounds once (two exact halves, one add). */
static inline wc_v128 wc_f32x4_convert_i32x4_u(wc_v128 a) {
    return (wc_v128)__builtin_convertvector((wc_u32x4)a, wc_f32x4);
}
static inline wc_v128 wc_f64x2_convert_low_i32x4_s(wc_v128 a) { return (wc_v128)_mm_cvtepi32_pd(WC_M(a)); }
static inline wc_v128 wc_f64x2_convert_low_i32x4_u(wc_v128 a) {
    return (wc_v128)__builtin_convertvector(WC_LOW2((wc_u32x4)a), wc_f64x2);
}
static inline wc_v128 wc_f32x4_demote_f64x2_zero(wc_v128 a) { return (wc_v128)_mm_cvtpd_ps(WC_PD(a)); }
static inline wc_v128 wc_f64x2_promote_low_f32x4(wc_v128 a) { return (wc_v128)_mm_cvtps_pd(WC_PS(a)); }

/* cvttps2dq gives 0x80000000 for NaN and out of range: NaN lanes are
 * zeroed first, and lanes >= 2^31 flipped to 0x7FFFFFFF after. */
static inline wc_v128 wc_i32x4_trunc_sat_f32x4_s(wc_v128 a) {
    __m128 x = WC_PS(a);
    __m128i r = _mm_cvttps_epi32(_mm_and_ps(x, _mm_cmpord_ps(x, x)));
    return (wc_v128)_mm_xor_si128(r, (__m128i)_mm_cmpge_ps(x, _mm_set1_ps(0x1p31f)));
}
/* NaN and negatives clamp to 0 (maxps with 0); lanes >= 2^31 convert
 * x - 2^31 (exact there) and add it to the 0x80000000 of the direct
 * conversion; lanes >= 2^32 saturate. */
static inline wc_v128 wc_i32x4_trunc_sat_f32x4_u(wc_v128 a) {
    __m128 x = _mm_max_ps(WC_PS(a), _mm_setzero_ps());
    __m128 two31 = _mm_set1_ps(0x1p31f);
    __m128 excess = _mm_sub_ps(x, two31);
    __m128i high = _mm_xor_si128(_mm_cvttps_epi32(excess), (__m128i)_mm_cmple_ps(two31, excess));
    high = _mm_max_epi32(high, _mm_setzero_si128());
    return (wc_v128)_mm_add_epi32(_mm_cvttps_epi32(x), high);
}
/* NaN lanes clamp to 0 and the rest to at most INT32_MAX (minpd returns
 * its second operand for NaN); the upper lanes are zero (cvttpd2dq). */
static inline wc_v128 wc_i32x4_trunc_sat_f64x2_s_zero(wc_v128 a) {
    __m128d x = WC_PD(a);
    __m128d limit = _mm_and_pd(_mm_cmpord_pd(x, x), _mm_set1_pd(2147483647.0));
    return (wc_v128)_mm_cvttpd_epi32(_mm_min_pd(x, limit));
}
/* Clamped to [0, 2^32 - 1] and truncated, x + 2^52 holds the integer in
 * the low 32 bits of each double; shufps packs them over zeros. */
static inline wc_v128 wc_i32x4_trunc_sat_f64x2_u_zero(wc_v128 a) {
    __m128d x = _mm_max_pd(WC_PD(a), _mm_setzero_pd());
    x = _mm_min_pd(x, _mm_set1_pd(4294967295.0));
    x = _mm_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    x = _mm_add_pd(x, _mm_set1_pd(0x1p52));
    return (wc_v128)_mm_shuffle_ps((__m128)x, _mm_setzero_ps(), 0x88);
}
"""#
}
