/**
 * A generator that is an external tool (tcpreplay, dpdk-testpmd, pktgen): run
 * inside the generator's namespace, pinned to the generator's cores, stopped
 * with SIGINT (each tool prints its totals and exits) and killed if it does not
 * stop; killed on the run's error and signal paths too. What it offered is the
 * generator interface's transmit counters, sent and dropped, read through the
 * tool's own /proc entry, so every tool is counted the same way.
 */
import { execa, type ResultPromise } from 'execa';
import { SketchbenchError } from '../../errors.ts';
import { registerCleanup } from '../../cleanup.ts';
import { readTxCounters } from './netdev-counters.ts';
import type { GeneratorTarget, TrafficGenerator } from './types.ts';

/** A tool slower than this to send its first frame is reported as not sending. */
const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;
/**
 * Frames beyond the counters' start that mean the tool is sending. Not 1: the kernel's
 * own frames on a fresh link (multicast listener reports for its addresses and the like:
 * a handful in the first seconds) move the same counters, and a tool that
 * loads slowly (dpdk-testpmd with cold caches took seconds) was then measured before it
 * sent anything ("offered 0 pps"). A generator sends this many within a millisecond.
 */
const STARTED_FRAMES = 256;

export interface ToolCommand {
  /** The tool's name in messages. */
  label: string;
  cmd: string;
  args: string[];
  /** Run when the tool has exited, on every path (e.g. removing its runtime folder). */
  afterExit?: () => void;
}

export async function startTool(target: GeneratorTarget, tool: ToolCommand): Promise<TrafficGenerator> {
  const pinned = ['taskset', '-c', target.cpus.join(','), tool.cmd, ...tool.args];
  // '' is this host's own namespace (a link testbed's local interface).
  const argv = target.ns === '' ? pinned : ['ip', 'netns', 'exec', target.ns, ...pinned];
  const proc: ResultPromise = execa(argv[0], argv.slice(1), {
    // stdin stays open and empty: testpmd forwards until its "Press enter to exit" reads a line or EOF.
    reject: false, all: true, buffer: true, stdin: 'pipe', cleanup: true,
  });
  const pid = proc.pid;
  let exited = false;
  const done = proc.then((r) => { exited = true; return r; });
  const kill = (): void => { if (!exited) proc.kill('SIGKILL'); };
  const unregister = registerCleanup(`${tool.label} (pid ${pid})`, () => { kill(); tool.afterExit?.(); });
  const failure = async (what: string): Promise<SketchbenchError> => {
    kill();
    const r = await done;
    unregister();
    tool.afterExit?.();
    const tail = String(r.all ?? '').trim().split('\n').slice(-3).join(' | ');
    return new SketchbenchError('traffic', `${tool.label} ${what}${tail ? `: ${tail}` : ''}`, { detail: String(r.all ?? '') });
  };
  if (pid === undefined) throw await failure('did not start');

  // The counters of the interface are the namespace's, not the tool's: start from where they are.
  let base: number | undefined;
  // A paced tool (--pps) needs a tenth of a second at most to get there.
  const started = target.ratePps > 0 ? Math.min(STARTED_FRAMES, Math.max(1, Math.ceil(target.ratePps / 10))) : STARTED_FRAMES;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) throw await failure('exited before sending');
    try {
      const c = readTxCounters(pid, target.dev);
      base ??= c.packets + c.dropped;
      if (c.packets + c.dropped - base >= started) break;
    } catch {
      // ip netns exec has not entered the namespace yet, or exec'd the tool a moment ago.
    }
    if (Date.now() > deadline) throw await failure(`sent nothing in ${START_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const from = base!;
  let stopping = false;
  return {
    offered() {
      // A tool that died mid-run would look like a DUT that processed nothing.
      if (exited) throw new SketchbenchError('traffic', `${tool.label} exited during the measurement; see 'sketchbench doctor' and the tool's own output`);
      const c = readTxCounters(pid, target.dev);
      return c.packets + c.dropped - from;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      if (!exited) proc.kill('SIGINT');
      const timer = setTimeout(kill, STOP_GRACE_MS);
      const r = await done;
      clearTimeout(timer);
      unregister();
      tool.afterExit?.();
      if (r.signal === 'SIGKILL') throw new SketchbenchError('traffic', `${tool.label} did not stop on SIGINT within ${STOP_GRACE_MS / 1000} s and was killed`);
    },
  };
}
