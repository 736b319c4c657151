/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Count Sketch to start from: `sketchbench init` wrote it. Measure it next
 * to the paper's naive and final NitroSketch with
 *
 *     npx sketchbench run --suite ./suite.json
 *
 * and gate a change to it with `npx sketchbench ab --base HEAD --suite ./suite.json`.
 *
 * Cost and throughput work for any XDP program that drops what it sees.
 * Accuracy needs the spec beside it (mysketch.sketch.json): which map holds
 * the counters, which hash fills them and which estimator reads them. The
 * flow key, the hashes and the run's settings (`cfg`: rows, columns, seeds)
 * come from sketchbench.h, so the harness's estimators see what this
 * program counted.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <sketchbench.h>

/* Rows x columns signed counters; the harness sizes the map to the run's settings. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4 * 512);
	__type(key, __u32);
	__type(value, __s32);
} counters SEC(".maps");

SEC("xdp")
int mysketch(struct xdp_md *ctx)
{
	struct flow_key key;

	if (sb_flow_key(ctx, &key) != PARSE_OK)
		return sb_action();
	for (__u32 row = 0; row < SKETCH_MAX_ROWS; row++) {
		if (row >= cfg.rows)
			break;
		__u32 h = sb_cell_xxhash32(&key, cfg.seeds[row]);
		__u32 idx = row * (cfg.cols_mask + 1) + sb_column(h);
		__s32 *cell = bpf_map_lookup_elem(&counters, &idx);

		/* Shared by every CPU: atomic, or concurrent updates are lost. */
		if (cell)
			__sync_fetch_and_add(cell, sb_sign(h));
	}
	return sb_action();
}

char LICENSE[] SEC("license") = "GPL";
