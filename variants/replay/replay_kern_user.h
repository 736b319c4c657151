/* SPDX-License-Identifier: MIT */
/* Structs shared by the trace replay program and the harness (harness/traffic/replay-maps.ts). */
#ifndef REPLAY_KERN_USER_H
#define REPLAY_KERN_USER_H

#include <linux/types.h>

#define REPLAY_HDR_MAX 80       /* Ethernet + IPv6 + TCP = 74 bytes fits */
#define REPLAY_MIN_FRAME 64     /* every frame is at least this long (the first copy is 64 bytes) */

/* What the replay program does with a frame once it is written. */
#define REPLAY_MODE_TAILCALL 0  /* tail-call the variant in `jmp`[0]: cost and accuracy (in-kernel, lossless) */
#define REPLAY_MODE_TX       1  /* XDP_TX: live frames out of the generator veth (throughput) */

/* Map `flows`: one prebuilt header per flow; the harness fills the bytes. */
struct replay_flow {
	__u8  hdr[REPLAY_HDR_MAX]; /* Ethernet + IP + L4 header as sent, length fields patched per packet */
	__u16 hdr_len;
	__u16 l3_off;              /* 14: no VLAN tags are generated */
	__u16 l4_off;
	__u8  family;              /* 4 or 6 */
	__u8  proto;               /* 6 TCP, 17 UDP, other: no L4 header */
};

/* Map `seq`: the packet sequence of the trace. */
struct replay_pkt {
	__u32 flow;
	__u32 len;                 /* L2 frame length without FCS, >= REPLAY_MIN_FRAME */
};

/* Map `state` (array, key 0, shared by all generator threads). */
struct replay_state {
	__u64 next;                /* next sequence index to send (atomically claimed) */
	__u64 limit;               /* stop after this many packets (may exceed trace length: wraps) */
	__u64 total;               /* packets in `seq` */
	__u64 mode;                /* REPLAY_MODE_* */
	__u64 t_first;             /* bpf_ktime_get_ns() when packet 0 started */
	__u64 t_last;              /* ... when packet limit-1 started */
	__u64 overrun;             /* invocations past `limit` (not sent) */
	__u64 bad;                 /* frames that could not be written (size) or failed tail calls */
	__u64 interval_ps;         /* TX pacing: picoseconds between packets; 0 = as fast as possible */
	__u64 t_base;              /* pacing epoch (set by the first paced invocation) */
	__u64 paced_skips;         /* invocations dropped because they were ahead of schedule */
	__u64 start;               /* first index of this run: a slice [start, limit) of the trace */
	__u64 timed_from;          /* index whose start is t_first: packets before it warm caches untimed */
	__u64 slot;                /* `jmp` slot of the tail-call target: one slot per variant, chosen per run */
};

#endif
