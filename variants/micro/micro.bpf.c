/* SPDX-License-Identifier: MIT */
/*
 * Micro-benchmarks of primitives (hashes, random numbers, map layouts,
 * geometric tables), one program per primitive, run by the harness under
 * BPF_PROG_TEST_RUN (harness/micro/ebpf.ts). Each program runs its primitive
 * `warm` times untimed, then `iters` times between two bpf_ktime_get_ns()
 * reads, in bpf_loop (the verifier inlines it into a counted loop calling the
 * callback), and leaves the time and its accumulator in `out`.
 *
 * tc programs, not XDP: a BPF_PROG_TEST_RUN of an XDP program rewrites the XDP
 * dispatcher on every call (16 ms here, docs/measurement.md); a tc program
 * costs only the call.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "micro_kern_user.h"

struct micro_inputs micro_in SEC(".data.inputs");
struct micro_cells micro_global;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct micro_ctl);
} ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct micro_out);
} out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct micro_cells);
} cells_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct micro_cells);
} cells_percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MICRO_ROWS * MICRO_COLS);
	__type(key, __u32);
	__type(value, __u32);
} cells_each SEC(".maps");

/* One per-CPU map per row; the same four maps are the inner maps of rows_outer. */
struct row_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct micro_row);
};
struct row_map row0 SEC(".maps"), row1 SEC(".maps"), row2 SEC(".maps"), row3 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, MICRO_ROWS);
	__type(key, __u32);
	__array(values, struct row_map);
} rows_outer SEC(".maps") = {
	.values = { &row0, &row1, &row2, &row3 },
};

#define GEO_MAP(n)                                      \
	struct {                                        \
		__uint(type, BPF_MAP_TYPE_ARRAY);       \
		__uint(max_entries, n);                 \
		__type(key, __u32);                     \
		__type(value, __u32);                   \
	} geo_##n SEC(".maps");
GEO_MAP(32) GEO_MAP(64) GEO_MAP(128) GEO_MAP(256) GEO_MAP(512) GEO_MAP(1024) GEO_MAP(2048) GEO_MAP(4096)

static const __u32 zero = 0;

static __always_inline struct micro_cells *micro_cells_array(void)
{
	return bpf_map_lookup_elem(&cells_array, &zero);
}

static __always_inline struct micro_cells *micro_cells_percpu(void)
{
	return bpf_map_lookup_elem(&cells_percpu, &zero);
}

/* r is a constant wherever this is inlined: the switch folds to one lookup. */
static __always_inline struct micro_row *micro_row_of(__u32 r)
{
	switch (r) {
	case 0: return bpf_map_lookup_elem(&row0, &zero);
	case 1: return bpf_map_lookup_elem(&row1, &zero);
	case 2: return bpf_map_lookup_elem(&row2, &zero);
	default: return bpf_map_lookup_elem(&row3, &zero);
	}
}

static __always_inline struct micro_row *micro_row_inner(__u32 r)
{
	void *inner = bpf_map_lookup_elem(&rows_outer, &r);

	return inner ? bpf_map_lookup_elem(inner, &zero) : 0;
}

static __always_inline __u32 *micro_cell(__u32 idx)
{
	return bpf_map_lookup_elem(&cells_each, &idx);
}

#define MICRO_GEO_ENTRY(n, idx) ((__u32 *)bpf_map_lookup_elem(&geo_##n, &(idx)))

#define MICRO_PRIMS_ENV(X) X(random, prandom, bpf_get_prandom_u32())

#include "micro_prims.h"

#define MICRO_PROGRAM(g, n, expr)                                               \
static long cb_##g##__##n(__u64 i, void *ctx)                                   \
{                                                                               \
	struct micro_loop *c = ctx;                                             \
	c->acc += (expr);                                                       \
	return 0;                                                               \
}                                                                               \
SEC("tc") int g##__##n(struct __sk_buff *skb)                                   \
{                                                                               \
	struct micro_ctl *k = bpf_map_lookup_elem(&ctl, &zero);                 \
	struct micro_out *o = bpf_map_lookup_elem(&out, &zero);                 \
	struct micro_loop c = {};                                               \
	__u64 t0, t1;                                                           \
	if (!k || !o)                                                           \
		return 1;                                                       \
	c.x = k->x0;                                                            \
	bpf_loop(k->warm, cb_##g##__##n, &c, 0);                                \
	t0 = bpf_ktime_get_ns();                                                \
	bpf_loop(k->iters, cb_##g##__##n, &c, 0);                               \
	t1 = bpf_ktime_get_ns();                                                \
	o->ns = t1 - t0;                                                        \
	o->acc = c.acc;                                                         \
	return 0;                                                               \
}

MICRO_PRIMS(MICRO_PROGRAM)

char LICENSE[] SEC("license") = "Dual MIT/GPL";
