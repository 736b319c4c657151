/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a program keeps its per-CPU sampling state, shared by every family
 * that samples (sketch_rows.h, univmon_layers.h): with layout=struct one value
 * `meta` (stats, countdown and draws, one lookup), otherwise, for geometric
 * sampling, the draws in `geo_table` and each CPU's countdown in `geo_state`.
 */
#ifndef SAMPLING_MAPS_H
#define SAMPLING_MAPS_H

#ifdef LAYOUT_STRUCT
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sketch_meta);
} meta SEC(".maps");
#elif defined(SAMPLING_GEOMETRIC)
/* Geometric skips at 4096 quantiles, written by the harness before attach. */
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

#endif
