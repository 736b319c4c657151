/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace replay: every invocation claims the next packet of the trace, writes
 * its headers and length into the frame, and then either tail-calls the
 * variant under test (cost, accuracy: BPF_PROG_TEST_RUN, every packet exactly
 * once, no NIC or ring in between) or returns XDP_TX (throughput: live frames
 * through the veth). The packets therefore come from many flows in trace
 * order, never one repeated packet.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "replay_kern_user.h"

#define MAX_FLOWS (1 << 24)
#define MAX_PKTS  (1 << 27)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);          /* sized by the harness */
	__type(key, __u32);
	__type(value, struct replay_flow);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);          /* sized by the harness */
	__type(key, __u32);
	__type(value, struct replay_pkt);
} seq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct replay_state);
} state SEC(".maps");

/* One slot per variant, set at the start of a repetition. The slot is read
 * from `state` at run time: with a constant key the JIT would patch a direct
 * jump into this program (a text poke) on every update of the array, while a
 * variable slot makes switching variants between slices one map write. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);          /* sized by the harness */
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

static __always_inline void copy8(__u64 *dst, const __u64 *src, int words)
{
#pragma unroll
	for (int i = 0; i < words; i++)
		dst[i] = src[i];
}

SEC("xdp")
int replay_xdp(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct replay_state *st = bpf_map_lookup_elem(&state, &zero);
	if (!st)
		return XDP_ABORTED;

	/* Pacing lives in BPF: a live-frames syscall costs ~20 ms of page-pool
	 * setup and teardown, so user space cannot pace with small calls. Frames
	 * ahead of schedule are dropped before they claim a packet. */
	if (st->interval_ps && st->mode == REPLAY_MODE_TX) {
		__u64 now = bpf_ktime_get_ns();
		if (!st->t_base)
			st->t_base = now;
		if (now < st->t_base + st->next * st->interval_ps / 1000) {
			__sync_fetch_and_add(&st->paced_skips, 1);
			return XDP_DROP;
		}
	}

	__u64 i = __sync_fetch_and_add(&st->next, 1);
	if (i >= st->limit) {
		__sync_fetch_and_add(&st->overrun, 1);
		return XDP_DROP;
	}
	/* Timestamps only at the ends, as bench_bpf_timing does: the clock is
	 * read twice per run (or per slice of the trace), not per packet. */
	if (i == st->timed_from)
		st->t_first = bpf_ktime_get_ns();
	if (i == st->limit - 1)
		st->t_last = bpf_ktime_get_ns();

	__u64 total = st->total;
	if (total == 0)
		return XDP_ABORTED;
	/* 32-bit modulo only when wrapping: a 64-bit division per packet would
	 * dominate the replay's cost and break the 2N = 2 x N linearity. */
	__u32 idx = i < total ? (__u32)i : (__u32)i % (__u32)total;
	struct replay_pkt *pkt = bpf_map_lookup_elem(&seq, &idx);
	if (!pkt)
		goto bad;
	__u32 fid = pkt->flow;
	struct replay_flow *fl = bpf_map_lookup_elem(&flows, &fid);
	if (!fl)
		goto bad;

	/* The frame keeps whatever length the previous packet left (test runs
	 * reuse one buffer), so resize by the difference. */
	int cur = (int)(ctx->data_end - ctx->data);
	int want = (int)pkt->len;
	if (want != cur && bpf_xdp_adjust_tail(ctx, want - cur))
		goto bad;

	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + REPLAY_MIN_FRAME > data_end)
		goto bad;
	copy8(data, (const __u64 *)fl->hdr, REPLAY_MIN_FRAME / 8);
	/* Only Ethernet + IPv6 + TCP (74 bytes) is longer than 64. */
	if (fl->hdr_len > REPLAY_MIN_FRAME) {
		if (data + REPLAY_MIN_FRAME + 10 > data_end)
			goto bad;
		*(__u64 *)(data + REPLAY_MIN_FRAME) = *(const __u64 *)(fl->hdr + REPLAY_MIN_FRAME);
		*(__u16 *)(data + REPLAY_MIN_FRAME + 8) = *(const __u16 *)(fl->hdr + REPLAY_MIN_FRAME + 8);
	}

	/* Length fields follow the frame length (checksums are left as built:
	 * XDP programs here do not verify them; pcap export computes them). */
	__u16 l3 = fl->l3_off & 0x3f;
	__u16 l4 = fl->l4_off & 0x7f;
	__u32 l3len = want - l3;
	if (fl->family == 4) {
		__u8 *tl = data + l3 + 2;
		if ((void *)(tl + 2) > data_end)
			goto bad;
		tl[0] = l3len >> 8;
		tl[1] = l3len & 0xff;
	} else {
		__u8 *pl = data + l3 + 4;
		if ((void *)(pl + 2) > data_end)
			goto bad;
		pl[0] = (l3len - 40) >> 8;
		pl[1] = (l3len - 40) & 0xff;
	}
	if (fl->proto == 17) {
		__u32 ulen = want - l4;
		__u8 *ul = data + l4 + 4;
		if ((void *)(ul + 2) > data_end)
			goto bad;
		ul[0] = ulen >> 8;
		ul[1] = ulen & 0xff;
	}

	if (st->mode == REPLAY_MODE_TX)
		return XDP_TX;
	bpf_tail_call(ctx, &jmp, (__u32)st->slot);
bad:
	__sync_fetch_and_add(&st->bad, 1);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
