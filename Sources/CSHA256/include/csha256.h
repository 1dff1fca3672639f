/* SHA-256 compression through the x86 SHA extensions, for ImageFormat's hasher (SHA256State),
 * which keeps its own Swift rounds for CPUs without them. */
#ifndef CSHA256_H
#define CSHA256_H

#include <stddef.h>
#include <stdint.h>

/* FIPS 180-4's 64 round constants K0..K63, for every implementation of the rounds. */
const uint32_t *csha256_round_constants(void);

/* 1 if the CPU has SHA, SSE4.1 and SSSE3 (always 0 off x86-64); checked once, then cached. */
int csha256_available(void);

/* Processes `count` consecutive 64-byte blocks at `blocks` (any alignment) into `state`, h0..h7
 * as FIPS 180-4 names them. Only call it when csha256_available() returns 1. */
void csha256_compress(uint32_t state[8], const uint8_t *blocks, size_t count);

#endif
