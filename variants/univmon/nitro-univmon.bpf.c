/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NitroSketch-UnivMon: UnivMon whose layers are NitroSketches. A packet's rows
 * are sampled with probability p (a coin per row, or the geometric skip
 * stream), and a sampled row is updated in every layer of the flow, so each
 * layer is a NitroSketch of its own flows (univmon_layers.h).
 */
#ifndef SAMPLING_GEOMETRIC
#define SAMPLING_COIN
#endif
#define SKETCH_SIGNED

#include "univmon_layers.h"

SEC("xdp")
int sketch_xdp(struct xdp_md *ctx)
{
	return univmon_xdp_main(ctx);
}

char LICENSE[] SEC("license") = "GPL";
