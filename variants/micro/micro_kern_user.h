/* SPDX-License-Identifier: MIT */
/*
 * What the micro-benchmark programs and their native twin share with the
 * harness: the input block (written by harness/micro/inputs.ts, the same bytes
 * for the kernel and for the native build) and the loop state.
 */
#ifndef MICRO_KERN_USER_H
#define MICRO_KERN_USER_H

#include <linux/types.h>

#define MICRO_KEYS        256   /* keys cycled through; power of two, all in L1 */
#define MICRO_KEY13_STRIDE 16   /* IPv4 5-tuple: 4 + 4 + 2 + 2 + 1 bytes */
#define MICRO_KEY37_STRIDE 40   /* IPv6 5-tuple: 16 + 16 + 2 + 2 + 1 bytes */
#define MICRO_RAND_LOG2   12
#define MICRO_RAND_ENTRIES (1 << MICRO_RAND_LOG2)
#define MICRO_ROWS         4
#define MICRO_COLS_LOG2    9
#define MICRO_COLS         (1 << MICRO_COLS_LOG2)
/* Geometric tables of 32, 64, ..., 4096 entries, laid end to end: table N starts at N - 32. */
#define MICRO_GEO_MIN      32
#define MICRO_GEO_TOTAL    (2 * 4096 - MICRO_GEO_MIN)

struct micro_inputs {
	__u8 key13[MICRO_KEYS][MICRO_KEY13_STRIDE];
	__u8 key37[MICRO_KEYS][MICRO_KEY37_STRIDE];
	__u32 rnd[MICRO_RAND_ENTRIES];
	__u32 geo[MICRO_GEO_TOTAL];
	/* Hash seed (low 32 bits for 32-bit hashes) and siphash's second key word. */
	__u64 seed;
	__u64 seed2;
};

/* Counters a map-layout primitive updates: one sketch of MICRO_ROWS x MICRO_COLS. */
struct micro_cells {
	__u32 c[MICRO_ROWS][MICRO_COLS];
};

struct micro_row {
	__u32 c[MICRO_COLS];
};

/* Loop state: lives on the program's stack (kernel) or the timing loop's (native). */
struct micro_loop {
	__u64 acc;
	__u32 x;   /* xorshift32 state, never 0 */
	__u32 pad;
};

/* Control block the harness writes before each run: iterations untimed, then timed. */
struct micro_ctl {
	__u32 warm;
	__u32 iters;
	__u32 x0;
	__u32 pad;
};

/* What a run leaves behind: its accumulator (checked against the native build and the reference). */
struct micro_out {
	__u64 acc;
	__u64 ns;
};

#endif
