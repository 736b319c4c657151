/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sketch counters and the per-packet row loop, shared by nitro, countmin
 * and countsketch. Selected at compile time (the manifest maps each switch
 * value to one of these):
 *
 *   sampling   SAMPLING_GEOMETRIC | SAMPLING_COIN | neither (every row, every packet)
 *   maps       MAPS_PERCPU (per-CPU array, plain adds) | shared (array, atomic adds)
 *   hashing    HASH_UNROLLED (one hash split into 16-bit slices) | per-row hashes
 *   counters   SKETCH_SIGNED (±1, __s32 cells) | unsigned +1 (__u32 cells)
 *
 * Include after sketch_common.h.
 */
#ifndef SKETCH_ROWS_H
#define SKETCH_ROWS_H

#include "sketch_common.h"
#include "parsing_helpers.h"

#if defined(SAMPLING_GEOMETRIC) && defined(SAMPLING_COIN)
#error "SAMPLING_GEOMETRIC and SAMPLING_COIN are exclusive"
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
/* Kept a real loop so the per-row ablation measures what a naive port does. */
#define ROW_LOOP _Pragma("nounroll")
#define ROW_LOOP_EXIT break
#endif

/*
 * Flat counters: index = row * columns + col. max_entries is a placeholder
 * (the largest legal sketch); the loader sets rows*columns before load.
 */
struct {
#ifdef MAPS_PERCPU
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
#else
	__uint(type, BPF_MAP_TYPE_ARRAY);
#endif
	__uint(max_entries, SKETCH_LOOP_ROWS << SKETCH_COLS_LOG2);
	__type(key, __u32);
	__type(value, sketch_counter_t);
} sketch SEC(".maps");

#ifdef SAMPLING_GEOMETRIC
/* Draws of Geometric(p) on {0,1,2,...}, written by the harness before attach. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GEO_TABLE_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} geo_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct geo_state);
} geo_state SEC(".maps");
#endif

static __always_inline __u32 active_rows(void)
{
	__u32 rows = cfg.rows;

	return rows > SKETCH_LOOP_ROWS ? SKETCH_LOOP_ROWS : rows;
}

static __always_inline void cell_add(__u32 row, __u32 col, sketch_counter_t delta,
				     struct sketch_stats *st)
{
	__u32 columns = cfg.cols_mask + 1;
	__u32 idx = row * columns + col;
	sketch_counter_t *cell;

	/* The map may be larger than rows*columns (placeholder size): never touch the rest. */
	if (idx >= active_rows() * columns)
		return;
	cell = bpf_map_lookup_elem(&sketch, &idx);
	if (!cell)
		return;
#ifdef MAPS_PERCPU
	*cell += delta;
#else
	/* Atomic: the paper artifact's plain += loses updates across CPUs. */
	__sync_fetch_and_add(cell, delta);
#endif
	st->row_updates++;
}

/* h is fasthash64(key, seeds[0]) for unrolled hashing; unused per row. */
static __always_inline void row_update(const struct flow_key *key, __u64 h, __u32 row,
				       struct sketch_stats *st)
{
	__u32 col;
	int sign;

#ifdef HASH_UNROLLED
	__u32 slice = slice_unrolled(h, row);

	col = col_unrolled(slice, cfg.cols_mask);
	sign = sign_unrolled(slice);
#else
	/* row < SKETCH_MAX_ROWS is what makes this rodata read provably in bounds. */
	__u32 h32 = cell_hash_per_row(key, cfg.seeds[row & (SKETCH_MAX_ROWS - 1)]);

	col = col_per_row(h32, cfg.cols_mask);
	sign = sign_per_row(h32);
	(void)h;
#endif
#ifdef SKETCH_SIGNED
	cell_add(row, col, sign, st);
#else
	(void)sign;
	cell_add(row, col, 1, st);
#endif
}

#ifdef HASH_UNROLLED
#define UNROLLED_HASH(key) fasthash64_key((key), cfg.seeds[0])
#else
#define UNROLLED_HASH(key) 0
#endif

#if defined(SAMPLING_GEOMETRIC)
/*
 * The (packet,row) slots form one stream; skip is how many slots to pass over
 * before the next sampled one. Most packets take the fast path and do no
 * per-row work at all, which is NitroSketch's point.
 */
static __always_inline void sketch_update(const struct flow_key *key, struct sketch_stats *st)
{
	__u32 zero = 0, rows = active_rows(), r, skip, idx;
	struct geo_state *gs = bpf_map_lookup_elem(&geo_state, &zero);
	__u64 h;

	if (!gs)
		return;
	skip = gs->skip;
	if (skip >= rows) {
		gs->skip = skip - rows;
		return;
	}
	/* At least one row of this packet is sampled, so the one hash is not wasted. */
	h = UNROLLED_HASH(key);
	idx = gs->idx;
	ROW_LOOP
	for (r = 0; r < SKETCH_LOOP_ROWS; r++) {
		if (r >= rows)
			ROW_LOOP_EXIT;
		if (skip == 0) {
			__u32 gi = idx++ & (GEO_TABLE_SIZE - 1);
			__u32 *next = bpf_map_lookup_elem(&geo_table, &gi);

			row_update(key, h, r, st);
			skip = next ? *next : 0;
		} else {
			skip--;
		}
	}
	gs->skip = skip;
	gs->idx = idx;
}
#elif defined(SAMPLING_COIN)
/* One independent coin per row; per-row hashing only hashes rows that won. */
static __always_inline void sketch_update(const struct flow_key *key, struct sketch_stats *st)
{
	__u32 rows = active_rows(), r;
	__u64 h = 0;
	int hashed = 0;

	ROW_LOOP
	for (r = 0; r < SKETCH_LOOP_ROWS; r++) {
		if (r >= rows)
			ROW_LOOP_EXIT;
		if (cfg.p_one || bpf_get_prandom_u32() < cfg.p_threshold) {
			/* Lazily: at p = 1/16 and 4 rows, ~77% of packets win no coin at all. */
			if (!hashed) {
				h = UNROLLED_HASH(key);
				hashed = 1;
			}
			row_update(key, h, r, st);
		}
	}
}
#else
/* Classic sketches: every row of every packet. */
static __always_inline void sketch_update(const struct flow_key *key, struct sketch_stats *st)
{
	__u32 rows = active_rows(), r;
	__u64 h = UNROLLED_HASH(key);

	ROW_LOOP
	for (r = 0; r < SKETCH_LOOP_ROWS; r++) {
		if (r >= rows)
			ROW_LOOP_EXIT;
		row_update(key, h, r, st);
	}
}
#endif

/* The whole XDP program of a sketch family, once its switches are defined. */
static __always_inline int sketch_xdp_main(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flow_key key FLOW_KEY_ALIGNED = {};
	struct sketch_stats *st = stats_count_packet(ctx);

	if (!st)
		return XDP_ABORTED;
	if (parse_and_count(data, data_end, &key, st) == PARSE_OK)
		sketch_update(&key, st);
	extra_hash_rounds(&key);
	return sketch_action();
}

#endif
