/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UnivMon in XDP: `layers` Count Sketches, a flow counted in layer 0 and in
 * every layer j >= 1 whose level bits it has (sketch_kern_user.h), and each
 * layer's heaviest keys kept in the kernel so the sketch names its candidates.
 * Shared by univmon (every row of every packet) and nitro-univmon (rows sampled
 * as in NitroSketch: a sampled row is updated in every layer of the flow).
 *
 *   sampling   SAMPLING_GEOMETRIC | SAMPLING_COIN | neither (univmon)
 *   maps       MAPS_PERCPU (per-CPU counters) | shared (atomic adds)
 *   hash       HASH_XXHASH32 | fasthash32 per row | HASH_UNROLLED (one
 *              fasthash64 per layer, sliced), with HASH_COMPACT for IPv4 keys
 *   order      ORDER_SAMPLE_FIRST | parse first
 *   layout     LAYOUT_STRUCT (stats, geometric state and draws in one per-CPU
 *              value `meta`: one lookup per packet) | separate maps. The counters
 *              stay an array either way: 16 layers of 4 x 512 are 128 KiB, a
 *              per-CPU value at most 32 KiB.
 *
 * Counters: one array, index (layer * rows + row) * columns + col, sized by the
 * loader. The key lists are per CPU whatever `maps` says: a 56-byte entry cannot
 * be replaced atomically, and the harness only needs each CPU's candidates (it
 * estimates them from the merged counters).
 *
 * harness/sketch/univmon-model.ts reproduces all of it.
 */
#ifndef UNIVMON_LAYERS_H
#define UNIVMON_LAYERS_H

#include "sketch_common.h"
#include "parsing_helpers.h"
#include "xxhash32.h"

#if defined(SAMPLING_GEOMETRIC) && defined(SAMPLING_COIN)
#error "SAMPLING_GEOMETRIC and SAMPLING_COIN are exclusive"
#endif

#ifdef MAPS_PERCPU
#define UM_MAP_TYPE BPF_MAP_TYPE_PERCPU_ARRAY
#else
#define UM_MAP_TYPE BPF_MAP_TYPE_ARRAY
#endif

struct {
	__uint(type, UM_MAP_TYPE);
	__uint(max_entries, UNIVMON_MAX_CELLS); /* placeholder: the loader sets layers x rows x columns */
	__type(key, __u32);
	__type(value, __s32);
} sketch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, UNIVMON_MAX_LAYERS); /* placeholder: the loader sets layers */
	__type(key, __u32);
	__type(value, struct univmon_heavy);
} heavy SEC(".maps");

#include "sampling_maps.h"

static __always_inline __u32 um_rows(void)
{
	__u32 rows = cfg.rows;

	return rows > UNIVMON_MAX_ROWS ? UNIVMON_MAX_ROWS : rows;
}

/* What one packet carries through the layer loop (bpf_loop's context, on the caller's stack). */
struct um_packet {
	struct flow_key key;
	__u32 mask;     /* sampled rows */
	__u32 level;    /* level hash: layer j >= 1 takes the flow when its low j bits are set */
	__u32 v4;       /* HASH_COMPACT: the key is IPv4, decided once per packet, not in every layer */
	__u32 pad;
	/* Counted in place, not in this context: a count that grows from one layer to the next
	 * would make every callback entry a new state for the verifier to walk. */
	struct sketch_stats *st;
} FLOW_KEY_ALIGNED;

static __always_inline int key_eq(const struct flow_key *a, const struct flow_key *b)
{
	const fasthash_word_t *x = (const fasthash_word_t *)a, *y = (const fasthash_word_t *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3] && x[4] == y[4];
}

/*
 * The key's entry in its layer's list: updated in place when present, else
 * appended while the list has room, else it replaces the first smallest entry
 * if it is larger. The scan is a bpf_loop callback, verified once, not a 32-step
 * loop the verifier would walk entry by entry, with a branch on the running
 * minimum in each, inside the layer loop.
 */
struct um_scan {
	struct univmon_heavy *hl;
	const struct flow_key *key;
	__s64 est2;
	__s64 min_est;
	__u32 min_i;
	__u32 found;
};

static long um_scan_entry(__u32 i, void *data)
{
	struct um_scan *s = data;
	struct univmon_entry *e;

	if (i >= s->hl->n || i >= UNIVMON_MAX_TOPK)
		return 1;
	e = &s->hl->e[i];
	if (key_eq(&e->key, s->key)) {
		e->est2 = s->est2;
		e->hits++;
		s->found = 1;
		return 1;
	}
	if (e->est2 < s->min_est) {
		s->min_est = e->est2;
		s->min_i = i;
	}
	return 0;
}

static __always_inline void heavy_update(__u32 layer, const struct flow_key *key, __s64 est2)
{
	struct um_scan s = { .key = key, .est2 = est2, .min_est = 0x7fffffffffffffffLL };
	struct univmon_entry *e;
	__u32 n;

	s.hl = bpf_map_lookup_elem(&heavy, &layer);
	if (!s.hl)
		return;
	bpf_loop(UNIVMON_MAX_TOPK, um_scan_entry, &s, 0);
	if (s.found)
		return;
	n = s.hl->n;
	if (n < cfg.topk && n < UNIVMON_MAX_TOPK) {
		e = &s.hl->e[n];
		s.hl->n = n + 1;
	} else if (est2 > s.min_est) {
		e = &s.hl->e[s.min_i & (UNIVMON_MAX_TOPK - 1)];
	} else {
		return;
	}
	__builtin_memcpy(&e->key, key, sizeof(*key));
	e->est2 = est2;
	e->hits = 1;
}

/* Twice the median of v[0..rows): the sum of the two middle values (of the one, doubled). */
static __always_inline __s64 median2(const __s64 *v, __u32 rows)
{
	__s64 lo = v[0], hi = v[0], sum = v[0];
	__u32 r;

	#pragma unroll
	for (r = 1; r < UNIVMON_MAX_ROWS; r++) {
		if (r >= rows)
			continue; /* not break: clang only fully unrolls a fixed trip count */
		lo = v[r] < lo ? v[r] : lo;
		hi = v[r] > hi ? v[r] : hi;
		sum += v[r];
	}
	switch (rows) {
	case 1: return 2 * v[0];
	case 2: return sum;
	case 3: return 2 * (sum - lo - hi);
	default: return sum - lo - hi;
	}
}

/*
 * Layer j of one packet: stop at the first layer the flow is not in; update
 * the sampled rows; read back every row's cell for the key's estimate and
 * offer it to the layer's list.
 */
static long um_layer(__u32 j, void *data)
{
	struct um_packet *pk = data;
	__u32 rows = um_rows(), columns = cfg.cols_mask + 1, r;
	__s64 v[UNIVMON_MAX_ROWS] = {};
#ifdef HASH_UNROLLED
	__u64 h;
#endif

	if (j >= cfg.layers || j >= UNIVMON_MAX_LAYERS)
		return 1;
	if (j > 0) {
		__u32 m = (j >= 32) ? 0xffffffffu : (1u << j) - 1;

		if ((pk->level & m) != m)
			return 1;
	}
#if defined(HASH_UNROLLED) && defined(HASH_COMPACT)
	h = pk->v4 ? fasthash64_v4(&pk->key, cfg.seeds[0] + j * UNIVMON_LAYER_SEED_STEP)
		   : fasthash64_key(&pk->key, cfg.seeds[0] + j * UNIVMON_LAYER_SEED_STEP);
#elif defined(HASH_UNROLLED)
	h = fasthash64_key(&pk->key, cfg.seeds[0] + j * UNIVMON_LAYER_SEED_STEP);
#endif
	#pragma unroll
	for (r = 0; r < UNIVMON_MAX_ROWS; r++) {
		__u32 col, idx;
		__s32 *cell;
		int sign;

		if (r >= rows)
			continue; /* not break: clang only fully unrolls a fixed trip count */
#ifdef HASH_UNROLLED
		{
			__u32 slice = slice_unrolled(h, r);

			col = col_unrolled(slice, cfg.cols_mask);
			sign = sign_unrolled(slice);
		}
#else
		{
			__u64 seed = cfg.seeds[r] + j * UNIVMON_LAYER_SEED_STEP;
#ifdef HASH_XXHASH32
			__u32 h32 = xxhash32_key(&pk->key, (__u32)seed);
#else
			__u32 h32 = cell_hash_per_row(&pk->key, seed);
#endif
			col = col_per_row(h32, cfg.cols_mask);
			sign = sign_per_row(h32);
		}
#endif
		idx = (j * rows + r) * columns + col;
		cell = bpf_map_lookup_elem(&sketch, &idx);
		if (!cell)
			return 1;
		if (pk->mask & (1u << r)) {
#ifdef MAPS_PERCPU
			*cell += sign;
#else
			__sync_fetch_and_add(cell, sign);
#endif
			pk->st->row_updates++;
		}
		v[r] = sign * (__s64)*cell;
	}
	heavy_update(j, &pk->key, median2(v, rows));
	return 0;
}

/* Where a packet's per-CPU bookkeeping lives: one value with layout=struct, else a map each. */
struct um_state {
	struct sketch_stats *st;
#ifdef LAYOUT_STRUCT
	struct sketch_meta *meta;
#endif
};

static __always_inline int um_state_get(struct xdp_md *ctx, struct um_state *s)
{
#ifdef LAYOUT_STRUCT
	__u32 zero = 0;

	s->meta = bpf_map_lookup_elem(&meta, &zero);
	if (!s->meta)
		return -1;
	count_packet(&s->meta->stats, ctx);
	s->st = &s->meta->stats;
#else
	s->st = stats_count_packet(ctx);
	if (!s->st)
		return -1;
#endif
	return 0;
}

#ifdef SAMPLING_GEOMETRIC
static __always_inline __u32 geo_draw(struct um_state *s, struct geo_state *gs)
{
	__u32 x = gs->rng, i;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	gs->rng = x;
	i = x >> (32 - GEO_TABLE_LOG2);
#ifdef LAYOUT_STRUCT
	return s->meta->draws[i & (GEO_TABLE_SIZE - 1)];
#else
	{
		__u32 *d = bpf_map_lookup_elem(&geo_table, &i);

		(void)s;
		return d ? *d : 0;
	}
#endif
}

/* The rows of this packet's slots that the CPU's geometric stream samples (nitro's stream, as a mask). */
static __always_inline __u32 sampled_rows(struct um_state *s)
{
	__u32 rows = um_rows(), mask = 0, skip, r;
#ifdef LAYOUT_STRUCT
	struct geo_state *gs = &s->meta->geo;
#else
	__u32 zero = 0;
	struct geo_state *gs = bpf_map_lookup_elem(&geo_state, &zero);

	if (!gs)
		return 0;
#endif
	skip = gs->skip;
	if (skip >= rows) {
		gs->skip = skip - rows;
		return 0;
	}
	#pragma unroll
	for (r = 0; r < UNIVMON_MAX_ROWS; r++) {
		if (r >= rows)
			continue; /* not break: clang only fully unrolls a fixed trip count */
		if (skip == 0) {
			mask |= 1u << r;
			skip = geo_draw(s, gs);
		} else {
			skip--;
		}
	}
	gs->skip = skip;
	return mask;
}
#elif defined(SAMPLING_COIN)
/* One coin per row, arithmetic rather than a branch (as sketch_rows.h's sampled_rows). */
static __always_inline __u32 sampled_rows(struct um_state *s)
{
	__u32 rows = um_rows(), mask = 0, r;

	#pragma unroll
	for (r = 0; r < UNIVMON_MAX_ROWS; r++) {
		if (r >= rows)
			continue; /* not break: clang only fully unrolls a fixed trip count */
		if (cfg.p_one) {
			mask |= 1u << r;
		} else {
			__u64 borrow = (__u64)bpf_get_prandom_u32() - cfg.p_threshold;

			barrier_var(borrow);
			mask |= (__u32)(borrow >> 63) << r;
		}
	}
	return mask;
}
#else
static __always_inline __u32 sampled_rows(struct um_state *s)
{
	(void)s;
	return (1u << um_rows()) - 1;
}
#endif

static __always_inline void um_update(struct um_packet *pk, struct sketch_stats *st)
{
	pk->level = fasthash32_fold(fasthash64_key(&pk->key, cfg.seeds[0] ^ UNIVMON_LEVEL_SALT));
	pk->st = st;
#ifdef HASH_COMPACT
	pk->v4 = fasthash_key_is_v4(&pk->key);
#endif
	bpf_loop(UNIVMON_MAX_LAYERS, um_layer, pk, 0);
}

static __always_inline int um_parse(struct xdp_md *ctx, struct um_packet *pk, struct sketch_stats *st)
{
	return parse_and_count((void *)(long)ctx->data, (void *)(long)ctx->data_end, &pk->key, st) == PARSE_OK ? 0 : -1;
}

static __always_inline int univmon_xdp_main(struct xdp_md *ctx)
{
	struct um_state s;
	struct sketch_stats *st;
	struct um_packet pk = {};

	if (um_state_get(ctx, &s))
		return XDP_ABORTED;
	st = s.st;
#ifdef ORDER_SAMPLE_FIRST
	/* A packet with no sampled row is never parsed; one that then fails to parse spent its slots. */
	pk.mask = sampled_rows(&s);
	if (pk.mask && !um_parse(ctx, &pk, st))
		um_update(&pk, st);
#else
	if (!um_parse(ctx, &pk, st)) {
		pk.mask = sampled_rows(&s);
		if (pk.mask)
			um_update(&pk, st);
	}
#endif
	extra_hash_rounds_of(ctx);
	return sketch_action();
}

#endif
