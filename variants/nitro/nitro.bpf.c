/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NitroSketch in XDP: Count Sketch rows updated with probability p (±1; the
 * harness scales estimates by 1/p). Every combination of the three switches
 * builds, so each of the paper's optimisations can be measured alone:
 *   -DSAMPLING_GEOMETRIC  geometric skips instead of a coin per row
 *   -DMAPS_PERCPU         per-CPU counters instead of one shared array
 *   -DHASH_UNROLLED       one 64-bit hash sliced into rows, unrolled loop
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
