/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Count-Min: every row +1 for every IP packet, unsigned counters. The
 * maps, hash and layout switches apply as for nitro.
 */
#include "sketch_rows.h"

SEC("xdp")
int sketch_xdp(struct xdp_md *ctx)
{
	return sketch_xdp_main(ctx);
}

char LICENSE[] SEC("license") = "GPL";
