/* SPDX-License-Identifier: GPL-2.0 */
/*
 * baseline-parse: what reading the 5-tuple of every packet costs, with no
 * sketch. The key is folded into `key_sink`, otherwise the compiler would
 * drop the loads whose results nothing uses and we would measure less than
 * the sketches pay.
 */
#include "sketch_common.h"
#include "parsing_helpers.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} key_sink SEC(".maps");

SEC("xdp")
int sketch_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flow_key key FLOW_KEY_ALIGNED = {};
	struct sketch_stats *st = stats_count_packet(ctx);
	const fasthash_word_t *w = (const fasthash_word_t *)&key;
	__u32 zero = 0;
	__u64 *sink;

	if (!st)
		return XDP_ABORTED;
	if (parse_and_count(data, data_end, &key, st) == PARSE_OK) {
		sink = bpf_map_lookup_elem(&key_sink, &zero);
		if (sink)
			*sink += w[0] ^ w[1] ^ w[2] ^ w[3] ^ w[4];
	}
	extra_hash_rounds(&key);
	return sketch_action();
}

char LICENSE[] SEC("license") = "GPL";
