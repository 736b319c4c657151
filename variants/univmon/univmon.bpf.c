/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UnivMon: layers of Count Sketches over ever smaller halves of the flows,
 * each layer's heaviest keys kept in the kernel; every row of every packet is
 * updated in every layer of its flow (univmon_layers.h).
 */
#define SKETCH_SIGNED

#include "univmon_layers.h"

SEC("xdp")
int sketch_xdp(struct xdp_md *ctx)
{
	return univmon_xdp_main(ctx);
}

char LICENSE[] SEC("license") = "GPL";
