/* Compiles an allowlist (cseccomp.h) to a classic BPF program for seccomp.
 *
 * Layout:
 *   the architecture and x32 checks (anything but an x86-64 call is killed);
 *   a dispatch on the call's number: the calls in `first` one by one, then a
 *   binary search over the others' numbers; each call found is a long `ja`
 *   to its block, and a number not found is `ret <deny>`;
 *   one block per call: its rules in order, each a run of argument checks
 *   whose failures jump to the next rule, then `ret ALLOW`; `ret <deny>`
 *   after the last (a call with a rule of no checks: `ret ALLOW` alone).
 * Conditional jumps reach at most 255 instructions, so they only ever skip
 * within one rule; everything longer is a `ja`. */
#include "cseccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>

#define ARCH_OFFSET offsetof(struct seccomp_data, arch)
#define NR_OFFSET offsetof(struct seccomp_data, nr)
/* x86-64 is little-endian: an argument's low word, then its high word. */
#define LOW_OFFSET(arg) (offsetof(struct seccomp_data, args) + 8 * (arg))
#define HIGH_OFFSET(arg) (LOW_OFFSET(arg) + 4)
#define X32_SYSCALL_BIT 0x40000000u

struct emitter {
    struct sock_filter *program;
    unsigned capacity;
    unsigned length; /* may pass capacity: nothing is written there */
};

static unsigned emit(struct emitter *e, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
    if (e->length < e->capacity)
        e->program[e->length] = (struct sock_filter){code, jt, jf, k};
    return e->length++;
}

static void emit_load(struct emitter *e, uint32_t offset)
{
    emit(e, BPF_LD | BPF_W | BPF_ABS, 0, 0, offset);
}

static void emit_return(struct emitter *e, uint32_t action)
{
    emit(e, BPF_RET | BPF_K, 0, 0, action);
}

/* The jumps of one rule that go to the next rule when a check fails. */
struct failures {
    unsigned at[4 * CSECCOMP_MAX_CHECKS];
    int taken[4 * CSECCOMP_MAX_CHECKS]; /* 1: the jt field jumps, 0: jf */
    unsigned count;
};

static void fail_on(struct failures *f, unsigned at, int taken)
{
    f->at[f->count] = at;
    f->taken[f->count] = taken;
    f->count++;
}

/* (word & mask) == value for one 32-bit half; nothing when the mask is 0. */
static void emit_masked_word(struct emitter *e, struct failures *f, uint32_t offset,
                             uint32_t mask, uint32_t value)
{
    if (mask == 0)
        return;
    emit_load(e, offset);
    if (mask != 0xffffffffu)
        emit(e, BPF_ALU | BPF_AND | BPF_K, 0, 0, mask);
    fail_on(f, emit(e, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, value), 0);
}

/* A check the compiler can express, and that can hold. */
static int valid_check(const struct cseccomp_check *c)
{
    if (c->arg > 5)
        return 0;
    switch (c->compare) {
    case CSECCOMP_EQ:
    case CSECCOMP_LE:
        return 1;
    case CSECCOMP_MASKED_EQ:
        return (c->value & ~c->mask) == 0; /* else it could never hold: a mistake in the rules */
    default:
        return 0;
    }
}

static void emit_check(struct emitter *e, struct failures *f, const struct cseccomp_check *c)
{
    if (c->compare == CSECCOMP_LE) {
        /* Unsigned 64-bit: the high words decide unless they are equal. */
        const uint32_t high = (uint32_t)(c->value >> 32), low = (uint32_t)c->value;
        emit_load(e, HIGH_OFFSET(c->arg));
        fail_on(f, emit(e, BPF_JMP | BPF_JGT | BPF_K, 0, 0, high), 1);
        emit(e, BPF_JMP | BPF_JEQ | BPF_K, 0, 2, high); /* below: holds, skip the low word */
        emit_load(e, LOW_OFFSET(c->arg));
        fail_on(f, emit(e, BPF_JMP | BPF_JGT | BPF_K, 0, 0, low), 1);
        return;
    }
    const uint64_t mask = c->compare == CSECCOMP_MASKED_EQ ? c->mask : UINT64_MAX;
    emit_masked_word(e, f, LOW_OFFSET(c->arg), (uint32_t)mask, (uint32_t)c->value);
    emit_masked_word(e, f, HIGH_OFFSET(c->arg), (uint32_t)(mask >> 32), (uint32_t)(c->value >> 32));
}

/* One rule: its checks, then `ret ALLOW`; a failed check lands after it. */
static int emit_rule(struct emitter *e, const struct cseccomp_rule *rule)
{
    struct failures f = {.count = 0};
    for (unsigned i = 0; i < rule->count; i++)
        emit_check(e, &f, &rule->checks[i]);
    emit_return(e, SECCOMP_RET_ALLOW);
    const unsigned next = e->length;
    for (unsigned i = 0; i < f.count; i++) {
        const unsigned distance = next - (f.at[i] + 1);
        if (distance > 255)
            return -E2BIG; /* cannot happen with at most three checks a rule */
        if (f.at[i] < e->capacity) {
            if (f.taken[i])
                e->program[f.at[i]].jt = (uint8_t)distance;
            else
                e->program[f.at[i]].jf = (uint8_t)distance;
        }
    }
    return 0;
}

static void patch_jump(struct emitter *e, unsigned at, unsigned target)
{
    if (at < e->capacity)
        e->program[at].k = target - (at + 1);
}

/* A binary search for the call's number (in A) among `count` ascending
 * numbers; jumps[i] is where the search jumps for nrs[i]. A search rather
 * than a list: besides each call's cost, the kernel runs the program for
 * every call number when it loads it (to find the ones always allowed),
 * and a list of 60 numbers made that about 0.1 ms of every start. */
static void emit_search(struct emitter *e, const int *nrs, unsigned count, unsigned *jumps,
                        uint32_t deny)
{
    if (count <= 4) {
        for (unsigned i = 0; i < count; i++) {
            emit(e, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)nrs[i]);
            jumps[i] = emit(e, BPF_JMP | BPF_JA, 0, 0, 0);
        }
        emit_return(e, deny);
        return;
    }
    const unsigned half = count / 2;
    emit(e, BPF_JMP | BPF_JGE | BPF_K, 0, 1, (uint32_t)nrs[half]);
    const unsigned upper = emit(e, BPF_JMP | BPF_JA, 0, 0, 0);
    emit_search(e, nrs, half, jumps, deny);
    patch_jump(e, upper, e->length);
    emit_search(e, nrs + half, count - half, jumps + half, deny);
}

static int has_rules(const struct cseccomp_rules *rules, int nr)
{
    for (unsigned r = 0; r < rules->count; r++)
        if (rules->rules[r].nr == nr)
            return 1;
    return 0;
}

static int listed(const int *order, unsigned count, int nr)
{
    for (unsigned i = 0; i < count; i++)
        if (order[i] == nr)
            return 1;
    return 0;
}

/* The calls to dispatch on, each once: those of `first` that have rules
 * (their count in *first_found), then the rest in ascending order. */
static unsigned dispatch_order(const struct cseccomp_rules *rules, const int *first,
                               unsigned first_count, int *order, unsigned *first_found)
{
    unsigned count = 0;
    for (unsigned i = 0; i < first_count; i++)
        if (has_rules(rules, first[i]) && !listed(order, count, first[i]))
            order[count++] = first[i];
    *first_found = count;
    for (unsigned r = 0; r < rules->count; r++) {
        const int nr = rules->rules[r].nr;
        if (listed(order, count, nr))
            continue;
        unsigned at = count++; /* insertion sort among the rest: at most 128 */
        for (; at > *first_found && order[at - 1] > nr; at--)
            order[at] = order[at - 1];
        order[at] = nr;
    }
    return count;
}

int cseccomp_compile(const struct cseccomp_rules *rules, const int *first, unsigned first_count,
                     uint32_t deny, struct sock_filter *program, unsigned capacity)
{
    if (rules->count > CSECCOMP_MAX_RULES)
        return -EINVAL;
    for (unsigned r = 0; r < rules->count; r++) {
        /* A call number as the search compares it: unsigned, below x32's. */
        if (rules->rules[r].nr < 0 || (uint32_t)rules->rules[r].nr >= X32_SYSCALL_BIT ||
            rules->rules[r].count > CSECCOMP_MAX_CHECKS)
            return -EINVAL;
        for (unsigned i = 0; i < rules->rules[r].count; i++)
            if (!valid_check(&rules->rules[r].checks[i]))
                return -EINVAL;
    }
    struct emitter e = {.program = program, .capacity = capacity, .length = 0};

    emit_load(&e, ARCH_OFFSET);
    emit(&e, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
    emit_return(&e, SECCOMP_RET_KILL_PROCESS);
    emit_load(&e, NR_OFFSET);
    emit(&e, BPF_JMP | BPF_JGE | BPF_K, 0, 1, X32_SYSCALL_BIT);
    emit_return(&e, SECCOMP_RET_KILL_PROCESS);

    int order[CSECCOMP_MAX_RULES];
    unsigned first_found;
    const unsigned calls = dispatch_order(rules, first, first_count, order, &first_found);
    unsigned jumps[CSECCOMP_MAX_RULES];
    for (unsigned i = 0; i < first_found; i++) {
        emit(&e, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)order[i]);
        jumps[i] = emit(&e, BPF_JMP | BPF_JA, 0, 0, 0);
    }
    emit_search(&e, order + first_found, calls - first_found, jumps + first_found, deny);

    for (unsigned i = 0; i < calls; i++) {
        patch_jump(&e, jumps[i], e.length);
        /* A call with a rule of no checks is allowed outright, whatever its
         * other rules say: its block is one `ret ALLOW`, which also lets the
         * kernel see that the call is always allowed and skip the filter for
         * it from then on. */
        int unconditional = 0;
        for (unsigned r = 0; r < rules->count; r++)
            unconditional |= rules->rules[r].nr == order[i] && rules->rules[r].count == 0;
        if (unconditional) {
            emit_return(&e, SECCOMP_RET_ALLOW);
            continue;
        }
        for (unsigned r = 0; r < rules->count; r++) {
            if (rules->rules[r].nr == order[i]) {
                int status = emit_rule(&e, &rules->rules[r]);
                if (status != 0)
                    return status;
            }
        }
        emit_return(&e, deny);
    }
    if (e.length > capacity)
        return -E2BIG;
    return (int)e.length;
}
