/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every program shares: the load-time cfg (the only .rodata), the
 * `stats` map, the test-only extra hash rounds, and the final XDP action.
 * Included once per program (it defines globals).
 */
#ifndef SKETCH_COMMON_H
#define SKETCH_COMMON_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "sketch_kern_user.h"
#include "fasthash.h"

/* Upper bound on cfg.extra_hash_rounds: keeps the loop provably finite and cheap to verify. */
#define EXTRA_HASH_ROUNDS_MAX 64

/*
 * Set by the loader between open and load. Nothing else may be const in a
 * program (no strings, no bpf_printk, no const tables): the harness writes
 * .rodata as exactly one struct sketch_cfg.
 */
const volatile struct sketch_cfg cfg = {};

/* Sink for extra_hash_rounds, in .bss: a store the compiler must keep. */
volatile __u64 hash_sink = 0;

static __always_inline void count_packet(struct sketch_stats *st, struct xdp_md *ctx)
{
	st->packets++;
#ifndef STATS_PACKETS_ONLY
	st->bytes += ctx->data_end - ctx->data;
#else
	/* The harness needs the packet count (every packet reached the program); bytes are
	 * the one other per-packet counter, and a sketch does not need them. */
	(void)ctx;
#endif
}

#ifndef LAYOUT_STRUCT
/* layout=struct keeps these counters inside `meta` (sketch_rows.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sketch_stats);
} stats SEC(".maps");

/* Counts the packet; NULL only if the map is missing, which the verifier rules out in practice. */
static __always_inline struct sketch_stats *stats_count_packet(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct sketch_stats *st = bpf_map_lookup_elem(&stats, &zero);

	if (st)
		count_packet(st, ctx);
	return st;
}
#endif

/*
 * Slows every packet down by a known amount without touching the sketch, so
 * regression-gate tests can plant a regression in real code. Seeds differ per
 * round so the compiler cannot fold the rounds into one.
 */
static __always_inline void extra_hash_rounds(const struct flow_key *key)
{
	__u32 rounds = cfg.extra_hash_rounds;
	__u64 acc = 0;
	__u32 i;

	if (!rounds)
		return;
	/* Kept a loop: unrolled, 64 hash bodies would bloat every variant's code
	 * (and its I-cache footprint) even when the knob is 0. */
	#pragma nounroll
	for (i = 0; i < EXTRA_HASH_ROUNDS_MAX; i++) {
		if (i >= rounds)
			break;
		acc ^= fasthash64_key(key, acc + i);
	}
	hash_sink = acc;
}

/* The slowdown knob on a key of its own (the packet's first bytes): the sketch path's key
 * may not exist for this packet, and a zero key would let the compiler fold the rounds. */
static __always_inline void extra_hash_rounds_of(struct xdp_md *ctx)
{
	if (cfg.extra_hash_rounds) {
		struct flow_key key FLOW_KEY_ALIGNED = {};

		key.proto = (__u8)(ctx->data_end - ctx->data);
		extra_hash_rounds(&key);
	}
}

#include "sketch_action.h"

#endif
