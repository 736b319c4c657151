/* SPDX-License-Identifier: GPL-2.0 */
/*
 * baseline-drop: count and act without reading a byte of the packet. The
 * testbed's ceiling, and the measurement method's own overhead.
 */
#include "sketch_common.h"

SEC("xdp")
int sketch_xdp(struct xdp_md *ctx)
{
	/* A zero key: the slowdown knob still works here without touching packet data. */
	struct flow_key key FLOW_KEY_ALIGNED = {};

	if (!stats_count_packet(ctx))
		return XDP_ABORTED;
	extra_hash_rounds(&key);
	return sketch_action();
}

char LICENSE[] SEC("license") = "GPL";
