/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test instrument, not a sketch: counts packets per exact flow key in a hash
 * map, so tests can check that a replay delivered exactly the trace.
 */
#include "sketch_common.h"
#include "parsing_helpers.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, struct flow_key);
	__type(value, __u64);
} flow_counts SEC(".maps");

SEC("xdp")
int sketch_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flow_key key = {};
	struct sketch_stats *st = stats_count_packet(ctx);
	__u64 one = 1, *n;

	if (!st || parse_and_count(data, data_end, &key, st) != PARSE_OK)
		return XDP_DROP;
	n = bpf_map_lookup_elem(&flow_counts, &key);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&flow_counts, &key, &one, BPF_NOEXIST);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
