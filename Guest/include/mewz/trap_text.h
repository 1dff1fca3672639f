/*
 * The spec suite's wording for each enum mewz_trap ("wasm trap: <text>").
 * The one table that the monitor (Swift, through CMewzABI), the host test
 * harness and the guest's KVM test runner print from. Not part of the
 * hypercall ABI: the guest itself sends only the number.
 */
#ifndef MEWZ_TRAP_TEXT_H
#define MEWZ_TRAP_TEXT_H

#include <stdint.h>

#include "abi.h"

/* The text for a trap number, or NULL for a number abi.h does not define. */
static inline const char *mewz_trap_text(uint32_t trap)
{
    switch (trap) {
    case MEWZ_TRAP_NONE: return "none";
    case MEWZ_TRAP_UNREACHABLE: return "unreachable";
    case MEWZ_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case MEWZ_TRAP_INT_DIV_ZERO: return "integer divide by zero";
    case MEWZ_TRAP_INT_OVERFLOW: return "integer overflow";
    case MEWZ_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case MEWZ_TRAP_INDIRECT_TYPE_MISMATCH: return "indirect call type mismatch";
    case MEWZ_TRAP_UNDEFINED_ELEMENT: return "undefined element";
    case MEWZ_TRAP_UNINITIALIZED_ELEMENT: return "uninitialized element";
    case MEWZ_TRAP_TABLE_OOB: return "out of bounds table access";
    case MEWZ_TRAP_CALL_STACK_EXHAUSTED: return "call stack exhausted";
    case MEWZ_TRAP_GUEST_FAULT: return "guest fault";
    default: return 0;
    }
}

#endif /* MEWZ_TRAP_TEXT_H */
