/* SPDX-License-Identifier: MIT */
/*
 * The final XDP action of a program, as the run's cfg.action says (--action).
 * Shared by the project's programs (sketch_common.h) and by programs from
 * outside the repository (sketchbench.h): include it after `cfg` is declared.
 */
#ifndef SKETCH_ACTION_H
#define SKETCH_ACTION_H

static __always_inline int sketch_action(void)
{
	switch (cfg.action) {
	case SKETCH_ACTION_PASS:
		return XDP_PASS;
	case SKETCH_ACTION_REDIRECT:
		return bpf_redirect(cfg.redirect_ifindex, 0);
	case SKETCH_ACTION_TX:
		return XDP_TX;
	default:
		return XDP_DROP;
	}
}

#endif
