/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Count Sketch: every row ±1 for every IP packet (NitroSketch with p = 1 and
 * no sampling code at all). The maps, hash and layout switches apply.
 */
#define SKETCH_SIGNED

#include "sketch_rows.h"

SEC("xdp")
int sketch_xdp(struct xdp_md *ctx)
{
	return sketch_xdp_main(ctx);
}

char LICENSE[] SEC("license") = "GPL";
