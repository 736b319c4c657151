/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sketch counters and the per-packet row loop, shared by nitro, countmin
 * and countsketch. Selected at compile time (the manifest maps each switch
 * value to one of these):
 *
 *   sampling   SAMPLING_GEOMETRIC | SAMPLING_COIN | neither (every row, every packet)
 *   maps       MAPS_PERCPU (per-CPU counters, plain adds) | shared (atomic adds)
 *   hash       HASH_XXHASH32 (xxHash32 per row) | fasthash32 per row (neither) |
 *              HASH_UNROLLED (one fasthash64 sliced into 16-bit rows, unrolled loop),
 *              with HASH_COMPACT hashing IPv4 keys as 16 bytes
 *   order      ORDER_SAMPLE_FIRST (decide the sampled rows before reading the
 *              packet) | parse first
 *   layout     LAYOUT_STRUCT (stats, sampling state and draws in one per-CPU
 *              value; the whole sketch one value) | separate maps, a lookup per cell
 *   counters   SKETCH_SIGNED (±1, __s32 cells) | unsigned +1 (__u32 cells)
 *
 * Include after sketch_common.h.
 */
#ifndef SKETCH_ROWS_H
#define SKETCH_ROWS_H

#include "sketch_common.h"
#include "parsing_helpers.h"
#include "xxhash32.h"

#if defined(SAMPLING_GEOMETRIC) && defined(SAMPLING_COIN)
#error "SAMPLING_GEOMETRIC and SAMPLING_COIN are exclusive"
#endif
#if defined(HASH_UNROLLED) && defined(HASH_XXHASH32)
#error "HASH_UNROLLED and HASH_XXHASH32 are exclusive"
#endif
#if defined(GEO_PACKET) && defined(GEO_JUMP)
#error "GEO_PACKET and GEO_JUMP are exclusive: a stream of packets has no row slots to jump over"
#endif

#ifdef SKETCH_SIGNED
typedef __s32 sketch_counter_t;
#else
typedef __u32 sketch_counter_t;
#endif

#ifdef HASH_UNROLLED
#define SKETCH_LOOP_ROWS SKETCH_MAX_ROWS_UNROLLED
#define SKETCH_COLS_LOG2 SKETCH_MAX_COLS_LOG2_UNROLLED
/* The optimisation under test: straight-line code, no loop state per row. */
#define ROW_LOOP _Pragma("unroll")
/* Not `break`: clang 14 only fully unrolls the loop with a fixed trip count. */
#define ROW_LOOP_EXIT continue
#else
#define SKETCH_LOOP_ROWS SKETCH_MAX_ROWS
#define SKETCH_COLS_LOG2 SKETCH_MAX_COLS_LOG2
/* Kept a real loop so the per-row steps measure what a naive port does. */
#define ROW_LOOP _Pragma("nounroll")
#define ROW_LOOP_EXIT break
#endif

#ifdef MAPS_PERCPU
#define SKETCH_MAP_TYPE BPF_MAP_TYPE_PERCPU_ARRAY
#else
#define SKETCH_MAP_TYPE BPF_MAP_TYPE_ARRAY
#endif

#ifdef LAYOUT_STRUCT
/* The whole sketch in one value: one lookup per sampled packet, then plain indexing. */
struct sketch_cells {
	sketch_counter_t cell[SKETCH_STRUCT_CELLS];
};

struct {
	__uint(type, SKETCH_MAP_TYPE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sketch_cells);
} sketch SEC(".maps");

typedef struct sketch_cells *cells_ref_t;
#else
/*
 * Flat counters: index = row * columns + col. max_entries is a placeholder
 * (the largest legal sketch); the loader sets rows*columns before load.
 */
struct {
	__uint(type, SKETCH_MAP_TYPE);
	__uint(max_entries, SKETCH_LOOP_ROWS << SKETCH_COLS_LOG2);
	__type(key, __u32);
	__type(value, sketch_counter_t);
} sketch SEC(".maps");

/* Unused with separate maps: every cell is its own lookup. */
typedef void *cells_ref_t;
#endif

#include "sampling_maps.h"

static __always_inline __u32 active_rows(void)
{
	__u32 rows = cfg.rows;

	return rows > SKETCH_LOOP_ROWS ? SKETCH_LOOP_ROWS : rows;
}

static __always_inline void cell_add(__u32 row, __u32 col, sketch_counter_t delta,
				     struct sketch_stats *st, cells_ref_t cells)
{
	__u32 columns = cfg.cols_mask + 1;
	__u32 idx = row * columns + col;
	sketch_counter_t *cell;

	/* The map may be larger than rows*columns (placeholder size): never touch the rest. */
	if (idx >= active_rows() * columns)
		return;
#ifdef LAYOUT_STRUCT
	/* The loader refuses rows*columns above SKETCH_STRUCT_CELLS; the mask is for the verifier. */
	cell = &cells->cell[idx & (SKETCH_STRUCT_CELLS - 1)];
#else
	(void)cells;
	cell = bpf_map_lookup_elem(&sketch, &idx);
	if (!cell)
		return;
#endif
#ifdef MAPS_PERCPU
	*cell += delta;
#else
	/* Atomic: the paper artifact's plain += loses updates across CPUs. */
	__sync_fetch_and_add(cell, delta);
#endif
	st->row_updates++;
}

/* h is fasthash64(key, seeds[0]) for sliced hashing; unused per row. */
static __always_inline void row_update(const struct flow_key *key, __u64 h, __u32 row,
				       struct sketch_stats *st, cells_ref_t cells)
{
	__u32 col;
	int sign;

#ifdef HASH_UNROLLED
	__u32 slice = slice_unrolled(h, row);

	col = col_unrolled(slice, cfg.cols_mask);
	sign = sign_unrolled(slice);
#else
	/* row < SKETCH_MAX_ROWS is what makes this rodata read provably in bounds. */
	__u64 seed = cfg.seeds[row & (SKETCH_MAX_ROWS - 1)];
#ifdef HASH_XXHASH32
	__u32 h32 = xxhash32_key(key, (__u32)seed);
#else
	__u32 h32 = cell_hash_per_row(key, seed);
#endif

	col = col_per_row(h32, cfg.cols_mask);
	sign = sign_per_row(h32);
	(void)h;
#endif
#ifdef SKETCH_SIGNED
	cell_add(row, col, sign, st, cells);
#else
	(void)sign;
	cell_add(row, col, 1, st, cells);
#endif
}

#if defined(HASH_UNROLLED) && defined(HASH_COMPACT)
#define UNROLLED_HASH(key) fasthash64_compact((key), cfg.seeds[0])
#elif defined(HASH_UNROLLED)
#define UNROLLED_HASH(key) fasthash64_key((key), cfg.seeds[0])
#else
#define UNROLLED_HASH(key) 0
#endif

/*
 * Where a packet's per-CPU bookkeeping lives: the stats counters, and for
 * geometric sampling the countdown state and the draws.
 */
struct packet_state {
	struct sketch_stats *st;
#ifdef SAMPLING_GEOMETRIC
	struct geo_state *gs;
#endif
#ifdef LAYOUT_STRUCT
	struct sketch_meta *meta;
#endif
};

/* Count the packet and find its state: one lookup with layout=struct, up to two without. */
static __always_inline int packet_state_get(struct xdp_md *ctx, struct packet_state *ps)
{
#ifdef LAYOUT_STRUCT
	__u32 zero = 0;
	struct sketch_meta *m = bpf_map_lookup_elem(&meta, &zero);

	if (!m)
		return -1;
	count_packet(&m->stats, ctx);
	ps->meta = m;
	ps->st = &m->stats;
#ifdef SAMPLING_GEOMETRIC
	ps->gs = &m->geo;
#endif
#else
	ps->st = stats_count_packet(ctx);
	if (!ps->st)
		return -1;
#ifdef SAMPLING_GEOMETRIC
	{
		__u32 zero = 0;

		ps->gs = bpf_map_lookup_elem(&geo_state, &zero);
		if (!ps->gs)
			return -1;
	}
#endif
#endif
	return 0;
}

/* The struct layout's sketch value (one lookup per sampled packet); unused with separate maps. */
static __always_inline int cells_get(cells_ref_t *cells)
{
#ifdef LAYOUT_STRUCT
	__u32 zero = 0;

	*cells = bpf_map_lookup_elem(&sketch, &zero);
	return *cells ? 0 : -1;
#else
	*cells = 0;
	return 0;
#endif
}

#if defined(SAMPLING_GEOMETRIC)
/* The next skip: step this CPU's xorshift32, its top bits pick one of the 4096 quantiles. */
static __always_inline __u32 geo_draw(struct packet_state *ps)
{
	__u32 x = ps->gs->rng;
	__u32 i;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	ps->gs->rng = x;
	i = x >> (32 - GEO_TABLE_LOG2);
#ifdef LAYOUT_STRUCT
	return ps->meta->draws[i & (GEO_TABLE_SIZE - 1)];
#else
	{
		__u32 *d = bpf_map_lookup_elem(&geo_table, &i);

		return d ? *d : 0;
	}
#endif
}

/*
 * The (packet,row) slots form one stream; skip is how many slots to pass over
 * before the next sampled one. Most packets take this exit and do no per-row
 * work at all, which is NitroSketch's point.
 */
static __always_inline int geo_packet_skipped(struct packet_state *ps)
{
#ifdef GEO_PACKET
	/* The stream is one of packets, not of (packet,row) slots: a packet is one slot. */
	__u32 rows = 1, skip = ps->gs->skip;
#else
	__u32 rows = active_rows(), skip = ps->gs->skip;
#endif

	if (skip < rows)
		return 0;
	ps->gs->skip = skip - rows;
	return 1;
}

/*
 * The slots of a packet with a sampled row: update the sampled ones, draw the
 * next skips. key NULL (sampled before parsing, then the packet did not parse)
 * spends the slots without updating. Sampling and updating stay in one loop:
 * a mask of sampled rows built first would be a constant the verifier follows
 * into 2^rows paths of the update loop.
 */
#ifdef GEO_PACKET
/*
 * Packet sampling (nitro-packet): a sampled packet updates every row, each row
 * still with probability p, so the estimator is unchanged; what changes is
 * that the rows' samples are the same packets (see docs/measurement.md for
 * what that costs in accuracy). Only p of the packets are ever read, against
 * 1 - (1 - p)^rows with a stream of slots: the first read of a packet's data
 * is the cache miss that separates a sampled packet from a skipped one.
 */
static __always_inline void geo_rows_hashed(int parsed, const struct flow_key *key, __u64 h, struct packet_state *ps)
{
	__u32 rows = active_rows(), r;
	cells_ref_t cells;

	if (parsed && !cells_get(&cells)) {
		ROW_LOOP
		for (r = 0; r < SKETCH_LOOP_ROWS; r++) {
			if (r >= rows)
				ROW_LOOP_EXIT;
			row_update(key, h, r, ps->st, cells);
		}
	}
	ps->gs->skip = geo_draw(ps);
}
#elif defined(GEO_JUMP)
/*
 * The same stream, walked by sampled slot rather than by row: skip (< rows
 * here) is the first sampled row, and each draw says how many slots to pass
 * over before the next. At p = 1/16 a packet that reaches here usually has
 * one sampled row, so this runs once instead of once per row with a random
 * branch in each; the draws, updates and the skip left over are the same.
 */
static __always_inline void geo_rows_hashed(int parsed, const struct flow_key *key, __u64 h, struct packet_state *ps)
{
	__u32 rows = active_rows(), r = ps->gs->skip, i;
	cells_ref_t cells;

	if (parsed && cells_get(&cells))
		return;
	ROW_LOOP
	for (i = 0; i < SKETCH_LOOP_ROWS; i++) {
		if (r >= rows)
			ROW_LOOP_EXIT;
		if (parsed)
			row_update(key, h, r, ps->st, cells);
		r += 1 + geo_draw(ps);
	}
	ps->gs->skip = r - rows;
}
#else
static __always_inline void geo_rows_hashed(int parsed, const struct flow_key *key, __u64 h, struct packet_state *ps)
{
	__u32 rows = active_rows(), skip = ps->gs->skip, r;
	cells_ref_t cells;

	if (parsed && cells_get(&cells))
		return;
	ROW_LOOP
	for (r = 0; r < SKETCH_LOOP_ROWS; r++) {
		if (r >= rows)
			ROW_LOOP_EXIT;
		if (skip == 0) {
			if (parsed)
				row_update(key, h, r, ps->st, cells);
			skip = geo_draw(ps);
		} else {
			skip--;
		}
	}
	ps->gs->skip = skip;
}
#endif

static __always_inline void geo_rows(const struct flow_key *key, struct packet_state *ps)
{
	/* At least one row of this packet is sampled, so the one hash is not wasted. */
	geo_rows_hashed(key != 0, key, key ? UNROLLED_HASH(key) : 0, ps);
}

#if defined(PARSE_FAST_IPV4) && defined(HASH_UNROLLED) && defined(HASH_COMPACT)
/*
 * The common packet straight to its hash: Ethernet (no VLAN tag), IPv4
 * without options, not a later fragment, TCP or UDP with its ports present.
 * For such a packet the full parser would build the 40-byte IPv4-mapped key
 * and fasthash64_compact would hash two words of it: the two addresses, then
 * ports and protocol. Those two words are read here from the headers
 * themselves (little-endian, as the key's words are), so the hash and every
 * cell are the same, without zeroing a key, walking VLAN tags or comparing
 * the key's IPv4-mapped prefix. Anything else returns 0: the full parser.
 */
static __always_inline int fast_ipv4_hash(struct xdp_md *ctx, __u64 *h, struct sketch_stats *st)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u32 *ports = (void *)(iph + 1);
	__u64 a, b, x;

	if ((void *)(ports + 1) > data_end)
		return 0;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5 || (iph->frag_off & bpf_htons(FK_IP_OFFMASK)))
		return 0;
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return 0;
	a = (__u64)iph->saddr | ((__u64)iph->daddr << 32);
	b = (__u64)*ports | ((__u64)iph->protocol << 32);
	x = cfg.seeds[0] ^ (16 * FASTHASH_M);
	x ^= fasthash_mix(a); x *= FASTHASH_M;
	x ^= fasthash_mix(b); x *= FASTHASH_M;
	*h = fasthash_mix(x);
	st->ip_packets++;
	return 1;
}
#endif
#else
#ifdef SAMPLING_COIN
/*
 * One independent coin per row: the rows this packet updates, as a bit mask.
 * The coin is arithmetic, not a branch (the borrow of draw - threshold): with a
 * branch per row the verifier would follow every one of the 2^rows masks into
 * the update loop, and at 8 rows of xxHash32 that exceeds its million steps.
 */
static __always_inline __u32 sampled_rows(void)
{
	__u32 rows = active_rows(), mask = 0, r;

	ROW_LOOP
	for (r = 0; r < SKETCH_LOOP_ROWS; r++) {
		if (r >= rows)
			ROW_LOOP_EXIT;
		if (cfg.p_one) {
			mask |= 1u << r;
		} else {
			__u64 borrow = (__u64)bpf_get_prandom_u32() - cfg.p_threshold;

			/* Hidden from clang, which would turn it back into a compare and branch. */
			barrier_var(borrow);
			mask |= (__u32)(borrow >> 63) << r;
		}
	}
	return mask;
}
#else
/* Classic sketches: every row of every packet. */
static __always_inline __u32 sampled_rows(void)
{
	return (1u << active_rows()) - 1;
}
#endif

/* Update the rows in mask for one parsed packet. */
static __always_inline void masked_rows(const struct flow_key *key, __u32 mask, struct packet_state *ps)
{
	__u32 rows = active_rows(), r;
	cells_ref_t cells;
	__u64 h;

	if (cells_get(&cells))
		return;
	h = UNROLLED_HASH(key);
	ROW_LOOP
	for (r = 0; r < SKETCH_LOOP_ROWS; r++) {
		if (r >= rows)
			ROW_LOOP_EXIT;
		if (mask & (1u << r))
			row_update(key, h, r, ps->st, cells);
	}
}
#endif

/* Parse into a fresh key: 0 when the packet is IP (key filled). */
static __always_inline int parse_packet(struct xdp_md *ctx, struct flow_key *key, struct packet_state *ps)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	return parse_and_count(data, data_end, key, ps->st) == PARSE_OK ? 0 : -1;
}

/*
 * The packet's way through the sketch. The key is declared inside each branch,
 * not once for the program: zeroing 40 bytes of stack is a dozen stores clang
 * would otherwise make for every packet, sampled or not. Sampling first, a
 * packet with no sampled row never reads packet data; its slots are spent even
 * when it then fails to parse, so the stream does not depend on what packets hold.
 */
static __always_inline void sketch_packet(struct xdp_md *ctx, struct packet_state *ps)
{
#if defined(SAMPLING_GEOMETRIC) && defined(ORDER_SAMPLE_FIRST)
	if (!geo_packet_skipped(ps)) {
#if defined(PARSE_FAST_IPV4) && defined(HASH_UNROLLED) && defined(HASH_COMPACT)
		__u64 h;

		if (fast_ipv4_hash(ctx, &h, ps->st)) {
			geo_rows_hashed(1, 0, h, ps);
			return;
		}
#endif
		struct flow_key key FLOW_KEY_ALIGNED = {};

		geo_rows(parse_packet(ctx, &key, ps) ? 0 : &key, ps);
	}
#elif defined(SAMPLING_GEOMETRIC)
	struct flow_key key FLOW_KEY_ALIGNED = {};

	if (!parse_packet(ctx, &key, ps) && !geo_packet_skipped(ps))
		geo_rows(&key, ps);
#elif defined(ORDER_SAMPLE_FIRST)
	__u32 mask = sampled_rows();

	if (mask) {
		struct flow_key key FLOW_KEY_ALIGNED = {};

		if (!parse_packet(ctx, &key, ps))
			masked_rows(&key, mask, ps);
	}
#else
	struct flow_key key FLOW_KEY_ALIGNED = {};
	__u32 mask;

	if (parse_packet(ctx, &key, ps))
		return;
	mask = sampled_rows();
	if (mask)
		masked_rows(&key, mask, ps);
#endif
}

/* The whole XDP program of a sketch family, once its switches are defined. */
static __always_inline int sketch_xdp_main(struct xdp_md *ctx)
{
	struct packet_state ps;

	if (packet_state_get(ctx, &ps))
		return XDP_ABORTED;
	sketch_packet(ctx, &ps);
	extra_hash_rounds_of(ctx);
	return sketch_action();
}

#endif
