/**
 * Run a synchronous function with the calling thread inside a named network
 * namespace. ifindexes, XDP attachment (bpf_link_create) and live-frame test
 * runs all resolve interfaces in the caller's namespace, so the loader borrows
 * the namespace for the call and always switches back.
 */
import { closeSync, openSync } from 'node:fs';
import { SketchbenchError } from '../errors.ts';
import { libbpf, CLONE_NEWNET } from './libbpf.ts';

/** `ns` '' is this host's own namespace (a link testbed's interface outside any namespace of ours). */
export function withNetns<T>(ns: string, fn: () => T): T {
  if (ns === '') return fn();
  const lb = libbpf();
  let target: number;
  try {
    target = openSync(`/var/run/netns/${ns}`, 'r');
  } catch (err) {
    throw new SketchbenchError('testbed', `network namespace '${ns}' does not exist; create it with 'sketchbench testbed up'`, { cause: err });
  }
  const home = openSync('/proc/thread-self/ns/net', 'r');
  try {
    if (lb.setns(target, CLONE_NEWNET) !== 0) {
      throw new SketchbenchError('testbed', `cannot enter network namespace '${ns}': errno ${lb.errno()} (needs CAP_SYS_ADMIN)`);
    }
    try {
      return fn();
    } finally {
      if (lb.setns(home, CLONE_NEWNET) !== 0) {
        // Staying in a foreign namespace would make every later step lie.
        console.error(`sketchbench: fatal: cannot return from network namespace '${ns}'`);
        process.exit(1);
      }
    }
  } finally {
    closeSync(target);
    closeSync(home);
  }
}
