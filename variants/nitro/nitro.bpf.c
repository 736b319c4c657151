/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NitroSketch in XDP: Count Sketch rows updated with probability p (±1; the
 * harness scales estimates by 1/p). Every combination of the switches builds
 * (sketch_rows.h lists them), so each of the paper's optimisations can be
 * measured alone: geometric skips instead of a coin per row, per-CPU counters,
 * the hash function, sampling before parsing, and one-lookup layouts.
 */
#ifndef SAMPLING_GEOMETRIC
#define SAMPLING_COIN
#endif
#define SKETCH_SIGNED

#include "sketch_rows.h"

SEC("xdp")
int sketch_xdp(struct xdp_md *ctx)
{
	return sketch_xdp_main(ctx);
}

char LICENSE[] SEC("license") = "GPL";
