/* SPDX-License-Identifier: MIT */
/*
 * The native twin of micro.bpf.c: the same primitives (micro_prims.h),
 * compiled with clang -O2 for this CPU's user space and timed the same way:
 * per slice, `warm` untimed iterations and `iters` timed ones, slices of every
 * primitive of a group in a fresh random order per block.
 *
 *   micro_native INPUTS list
 *   micro_native INPUTS check GROUP ITERS WARM X0        -> "A name acc" per primitive
 *   micro_native INPUTS run GROUP REPS BLOCKS SLICE_NS SEED CPU
 *        -> "K iters warm", then "S rep block position name ns" per slice
 *
 * Where eBPF has maps, this build has what user-space code uses instead:
 * plain arrays, a thread-local copy for per-CPU, pointer tables for a map
 * per row and a map of maps.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "micro_kern_user.h"

struct micro_inputs micro_in;
struct micro_cells micro_global;
struct micro_cells native_array;
_Thread_local struct micro_cells native_percpu;
__u32 native_cells[MICRO_ROWS * MICRO_COLS];
struct micro_row native_row_storage[MICRO_ROWS];
/* Filled at start-up, not constant: each access is a load, as a map lookup is. */
struct micro_row *native_rows[MICRO_ROWS];
struct native_map { struct micro_row *value; } native_inner[MICRO_ROWS];
struct native_map *native_outer[MICRO_ROWS];

static inline struct micro_cells *micro_cells_array(void) { return &native_array; }
static inline struct micro_cells *micro_cells_percpu(void) { return &native_percpu; }
static inline struct micro_row *micro_row_of(__u32 r) { return native_rows[r]; }
static inline struct micro_row *micro_row_inner(__u32 r) { return native_outer[r]->value; }
static inline __u32 *micro_cell(__u32 idx) { return &native_cells[idx]; }
#define MICRO_GEO_ENTRY(n, idx) (&micro_in.geo[(n) - MICRO_GEO_MIN + (idx)])

#define MICRO_PRIMS_ENV(X)                       \
	X(random, libc_rand,   (__u64)rand())    \
	X(random, libc_random, (__u64)random())

#include "micro_prims.h"

typedef void (*run_fn)(struct micro_loop *, __u64);

/*
 * No vectorising: the kernel has no SIMD, and a loop of independent hashes
 * vectorised would measure something no eBPF program can do. The index goes
 * through an empty asm, as it reaches a bpf_loop callback as an argument:
 * without it clang sums `acc += i` in closed form and the random group's loop
 * costs nothing. The state is copied to a local so it lives in registers, as
 * a compiler keeps it natively.
 */
#define NATIVE_RUN(g, n, expr)                                                  \
static __attribute__((noinline)) void run_##g##__##n(struct micro_loop *cp, __u64 count) \
{                                                                               \
	struct micro_loop l = *cp, *c = &l;                                     \
	(void)c;                                                                \
	_Pragma("clang loop vectorize(disable) interleave(disable)")            \
	for (__u64 k = 0; k < count; k++) {                                     \
		__u64 i = k;                                                    \
		__asm__("" : "+r"(i));                                          \
		l.acc += (expr);                                                \
	}                                                                       \
	*cp = l;                                                                \
}
MICRO_PRIMS(NATIVE_RUN)

struct prim { const char *group, *name; run_fn run; };
#define NATIVE_ENTRY(g, n, expr) { #g, #n, run_##g##__##n },
static const struct prim prims[] = { MICRO_PRIMS(NATIVE_ENTRY) };
#define NPRIMS (sizeof(prims) / sizeof(prims[0]))

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *msg)
{
	fprintf(stderr, "micro_native: %s\n", msg);
	exit(2);
}

static int group_prims(const char *group, int *idx)
{
	int n = 0;

	for (unsigned i = 0; i < NPRIMS; i++)
		if (!strcmp(prims[i].group, group))
			idx[n++] = i;
	if (!n)
		die("unknown group");
	return n;
}

/* Block order: xorshift32 Fisher-Yates, seeded per run, as harness/measure/blocks.ts does with its own generator. */
static __u32 order_state;
static __u32 order_next(void)
{
	order_state ^= order_state << 13;
	order_state ^= order_state >> 17;
	order_state ^= order_state << 5;
	return order_state;
}

static __u64 time_one(const struct prim *p, __u64 warm, __u64 iters, __u32 x0)
{
	struct micro_loop c = { .x = x0 };
	__u64 t0, t1;

	p->run(&c, warm);
	t0 = now_ns();
	p->run(&c, iters);
	t1 = now_ns();
	/* The accumulator is the program's only output; keep it alive. */
	__asm__ volatile("" : : "r"(c.acc) : "memory");
	return t1 - t0;
}

int main(int argc, char **argv)
{
	FILE *f;
	int idx[64], n;

	if (argc < 3)
		die("usage: micro_native INPUTS list|check|run ...");
	f = fopen(argv[1], "rb");
	if (!f || fread(&micro_in, sizeof(micro_in), 1, f) != 1)
		die("cannot read the inputs file (wrong size?)");
	fclose(f);
	for (int r = 0; r < MICRO_ROWS; r++) {
		native_rows[r] = &native_row_storage[r];
		native_inner[r].value = &native_row_storage[r];
		native_outer[r] = &native_inner[r];
	}
	srand((unsigned)micro_in.seed);
	srandom((unsigned)micro_in.seed);

	if (!strcmp(argv[2], "list")) {
		for (unsigned i = 0; i < NPRIMS; i++)
			printf("%s %s\n", prims[i].group, prims[i].name);
		return 0;
	}
	if (!strcmp(argv[2], "check") && argc == 7) {
		__u64 iters = strtoull(argv[4], 0, 0), warm = strtoull(argv[5], 0, 0);
		__u32 x0 = strtoul(argv[6], 0, 0);

		n = group_prims(argv[3], idx);
		for (int j = 0; j < n; j++) {
			struct micro_loop c = { .x = x0 };

			prims[idx[j]].run(&c, warm);
			prims[idx[j]].run(&c, iters);
			printf("A %s %llu\n", prims[idx[j]].name, (unsigned long long)c.acc);
		}
		return 0;
	}
	if (!strcmp(argv[2], "run") && argc == 9) {
		int reps = atoi(argv[4]), blocks = atoi(argv[5]), cpu = atoi(argv[8]);
		double slice_ns = atof(argv[6]), per_op = 0;
		__u64 iters, warm, calib = 4096;
		cpu_set_t set;

		order_state = (__u32)strtoul(argv[7], 0, 0) | 1;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("cannot pin to the CPU");
		n = group_prims(argv[3], idx);
		/* Size slices from a short pass of every primitive, as the kernel side does. */
		for (int j = 0; j < n; j++) {
			time_one(&prims[idx[j]], calib, calib, 1);
			per_op += (double)time_one(&prims[idx[j]], calib / 8, calib, 1) / calib / n;
		}
		iters = (__u64)(slice_ns / (per_op > 0.05 ? per_op : 0.05));
		if (iters < 1024)
			iters = 1024;
		warm = iters / 8;
		printf("K %llu %llu\n", (unsigned long long)iters, (unsigned long long)warm);
		for (int rep = 0; rep < reps; rep++) {
			for (int b = 0; b < blocks; b++) {
				int order[64];

				for (int j = 0; j < n; j++)
					order[j] = j;
				for (int j = n - 1; j > 0; j--) {
					int k = order_next() % (j + 1), t = order[j];

					order[j] = order[k];
					order[k] = t;
				}
				for (int pos = 0; pos < n; pos++) {
					const struct prim *p = &prims[idx[order[pos]]];

					printf("S %d %d %d %s %llu\n", rep, b, pos, p->name,
					       (unsigned long long)time_one(p, warm, iters, order_next() | 1));
				}
			}
		}
		return 0;
	}
	die("usage: micro_native INPUTS list|check|run ...");
	return 2;
}
