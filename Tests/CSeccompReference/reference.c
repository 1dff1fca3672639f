#define _GNU_SOURCE /* memfd_create */
#include "cseccomp_reference.h"

#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int cseccomp_reference_program(const struct cseccomp_rules *rules, struct sock_filter *program,
                               unsigned capacity)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (ctx == NULL)
        return -ENOMEM;
    int status = 0;
    for (unsigned r = 0; r < rules->count && status == 0; r++) {
        const struct cseccomp_rule *rule = &rules->rules[r];
        struct scmp_arg_cmp compares[CSECCOMP_MAX_CHECKS];
        for (unsigned i = 0; i < rule->count; i++) {
            const struct cseccomp_check *c = &rule->checks[i];
            switch (c->compare) {
            case CSECCOMP_EQ:
                compares[i] = (struct scmp_arg_cmp){c->arg, SCMP_CMP_EQ, c->value, 0};
                break;
            case CSECCOMP_MASKED_EQ:
                compares[i] = (struct scmp_arg_cmp){c->arg, SCMP_CMP_MASKED_EQ, c->mask, c->value};
                break;
            case CSECCOMP_LE:
                compares[i] = (struct scmp_arg_cmp){c->arg, SCMP_CMP_LE, c->value, 0};
                break;
            default:
                status = -EINVAL;
            }
        }
        if (status == 0)
            status = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, rule->nr, rule->count, compares);
    }
    int fd = status == 0 ? memfd_create("cseccomp-reference", 0) : -1;
    if (status == 0 && fd < 0)
        status = -errno;
    if (status == 0)
        status = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    if (status == 0) {
        off_t size = lseek(fd, 0, SEEK_END);
        if (size < 0 || size % sizeof(struct sock_filter) != 0 ||
            (size_t)size > capacity * sizeof(struct sock_filter))
            status = -E2BIG;
        else if (pread(fd, program, (size_t)size, 0) != size)
            status = -EIO;
        else
            status = (int)(size / sizeof(struct sock_filter));
    }
    if (fd >= 0)
        close(fd);
    return status;
}

long long cseccomp_run(const struct sock_filter *program, unsigned length,
                       const struct seccomp_data *data)
{
    uint32_t a = 0, x = 0, memory[BPF_MEMWORDS] = {0};
    for (unsigned pc = 0; pc < length; pc++) {
        const struct sock_filter *i = &program[pc];
        const uint32_t operand = BPF_SRC(i->code) == BPF_X ? x : i->k;
        switch (BPF_CLASS(i->code)) {
        case BPF_LD:
            if (i->code == (BPF_LD | BPF_W | BPF_ABS)) {
                if (i->k % 4 != 0 || i->k > sizeof *data - 4)
                    return -1;
                memcpy(&a, (const char *)data + i->k, 4);
            } else if (i->code == (BPF_LD | BPF_IMM)) {
                a = i->k;
            } else if (i->code == (BPF_LD | BPF_MEM) && i->k < BPF_MEMWORDS) {
                a = memory[i->k];
            } else {
                return -1;
            }
            break;
        case BPF_LDX:
            if (i->code == (BPF_LDX | BPF_IMM))
                x = i->k;
            else if (i->code == (BPF_LDX | BPF_MEM) && i->k < BPF_MEMWORDS)
                x = memory[i->k];
            else
                return -1;
            break;
        case BPF_ST:
        case BPF_STX:
            if (i->k >= BPF_MEMWORDS)
                return -1;
            memory[i->k] = BPF_CLASS(i->code) == BPF_ST ? a : x;
            break;
        case BPF_ALU:
            switch (BPF_OP(i->code)) {
            case BPF_ADD: a += operand; break;
            case BPF_SUB: a -= operand; break;
            case BPF_MUL: a *= operand; break;
            case BPF_AND: a &= operand; break;
            case BPF_OR: a |= operand; break;
            case BPF_XOR: a ^= operand; break;
            case BPF_LSH: a = operand < 32 ? a << operand : 0; break;
            case BPF_RSH: a = operand < 32 ? a >> operand : 0; break;
            case BPF_NEG: a = -a; break;
            default: return -1;
            }
            break;
        case BPF_JMP: {
            unsigned offset;
            switch (BPF_OP(i->code)) {
            case BPF_JA: offset = i->k; break;
            case BPF_JEQ: offset = a == operand ? i->jt : i->jf; break;
            case BPF_JGT: offset = a > operand ? i->jt : i->jf; break;
            case BPF_JGE: offset = a >= operand ? i->jt : i->jf; break;
            case BPF_JSET: offset = (a & operand) ? i->jt : i->jf; break;
            default: return -1;
            }
            if (offset >= length - pc - 1)
                return -1;
            pc += offset;
            break;
        }
        case BPF_RET:
            return BPF_RVAL(i->code) == BPF_A ? a : i->k;
        case BPF_MISC:
            if (BPF_MISCOP(i->code) == BPF_TAX)
                x = a;
            else
                a = x;
            break;
        default:
            return -1;
        }
    }
    return -1;
}
