/*
 * The host harness's extra linear-memory windows (harness.c): window 0 is
 * the guest's own (MEWZ_LM_BASE, mewz_memory_*); a spec process whose
 * instances have memories of their own gives each another window, and the
 * spec runner compiles those instances' C with these macros after
 * wasm_rt.h (HARNESS_USE_WINDOW), so their code is the guest's code with
 * another constant base.
 */
#ifndef HARNESS_WINDOWS_H
#define HARNESS_WINDOWS_H

#include <stdint.h>

#include "mewz/abi.h"

#define HARNESS_WINDOWS 8u
/* 12 GiB apart: a window and its guard (MEWZ_LM_WINDOW) fit with room. */
#define HARNESS_WINDOW_BASE(k) (MEWZ_LM_BASE + (uint64_t)(k) * 0x300000000ULL)

extern uint32_t harness_window_pages[HARNESS_WINDOWS];
uint32_t harness_window_grow(uint32_t k, uint32_t delta_pages);
void harness_window_init(uint32_t k, uint32_t min_pages, uint32_t max_pages);

#endif
