/* SPDX-License-Identifier: MIT */
/*
 * sketchbench.h: what a program from outside this repository includes to be
 * measured for accuracy as the built-in sketches are (docs/your-program.md).
 * Cost and throughput need none of it.
 *
 *   - `cfg` (declared here): the run's settings (rows, cols_mask = columns - 1,
 *     p, seeds), written by the harness between open and load. It must be
 *     the program's only `const volatile` object (the whole .rodata).
 *   - sb_flow_key(): the flow key the harness's estimators hash, parsed the
 *     way every built-in variant parses it (Ethernet, up to two VLAN tags,
 *     IPv4/IPv6 with extension headers; ports 0 for non-first fragments).
 *   - sb_action(): the run's --action (XDP_DROP by default), to return.
 *   - sb_cell_fasthash32() / sb_cell_xxhash32(): a row's 32-bit cell hash;
 *     the column is its low bits (sb_column), the Count Sketch sign its
 *     bit 31 (sb_sign: +1 when set, -1 when clear).
 *
 * The spec beside the program (`<stem>.sketch.json`) tells the harness which
 * map holds the counters and which of these hashes fills it.
 */
#ifndef SKETCHBENCH_H
#define SKETCHBENCH_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "sketch_kern_user.h"
#include "parsing_helpers.h"
#include "fasthash.h"
#include "xxhash32.h"

/* The run's settings; the only `const volatile` object, so the whole .rodata the harness writes. */
const volatile struct sketch_cfg cfg = {};

#include "sketch_action.h"

/* PARSE_OK (0) when the packet is IPv4/IPv6 and *key is filled. */
static __always_inline int sb_flow_key(struct xdp_md *ctx, struct flow_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	return parse_flow_key((void *)(long)ctx->data, (void *)(long)ctx->data_end, key);
}

/* fasthash32 of the key with a row's seed (the estimators' "fasthash32"). */
static __always_inline __u32 sb_cell_fasthash32(const struct flow_key *key, __u64 seed)
{
	return cell_hash_per_row(key, seed);
}

/* xxHash32 of the key with the low 32 bits of a row's seed (the estimators' "xxhash32"). */
static __always_inline __u32 sb_cell_xxhash32(const struct flow_key *key, __u64 seed)
{
	return xxhash32_key(key, (__u32)seed);
}

/* The column of a 32-bit cell hash: its low bits (columns are a power of two). */
static __always_inline __u32 sb_column(__u32 h32)
{
	return h32 & cfg.cols_mask;
}

/*
 * What to do with the packet: the run's --action (drop unless told otherwise;
 * redirect goes to the testbed's sink). Return it, and the harness checks the
 * program did what the run measures.
 */
static __always_inline int sb_action(void)
{
	return sketch_action();
}

/* The Count Sketch sign of a 32-bit cell hash. */
static __always_inline int sb_sign(__u32 h32)
{
	return sign_per_row(h32);
}

#endif
