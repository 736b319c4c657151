/**
 * Per-run state file: /run/sketchbench/<runid>.json. It is written *before* any
 * kernel object is created, so that a run killed at any point (SIGKILL, OOM,
 * power cut of the VM aside: /run is tmpfs) can be recognised by a later run as
 * the owner of what it left, and the sysctls it changed can be put back.
 *
 * A run is alive when its pid exists and has the same start time as recorded:
 * pids are reused, and a stranger reusing one must not keep our leftovers alive.
 * A run with `kept: true` (made by `sketchbench testbed up`) has no live owner by
 * design and belongs to the user until `sketchbench testbed down`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STATE_DIR = process.env.SKETCHBENCH_STATE_DIR ?? '/run/sketchbench';
/** Every kernel object name starts with this (netns), or `sbg`/`sbd`/`sbr`/`sbs` (veth), or pins under /sys/fs/bpf/sketchbench*. */
export const PIN_ROOT = '/sys/fs/bpf';
export const PIN_PREFIX = 'sketchbench';

export interface TestbedRecord {
  id: string;
  genNs: string;
  dutNs: string;
  genDev: string;
  dutDev: string;
  /** The sink of redirected traffic (--action redirect): its namespace, its end, and the DUT's end toward it. */
  sinkNs?: string;
  sinkDev?: string;
  dutSinkDev?: string;
  /** Filled in once the testbed is complete; `sketchbench testbed` reads it back. */
  info?: unknown;
}

export interface RunState {
  runId: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot): tells a reused pid apart. */
  pidStart: string;
  startedAt: string;
  /** Kept testbeds outlive their process on purpose (`testbed up`). */
  kept?: boolean;
  testbeds: TestbedRecord[];
  /** Pins outside /sys/fs/bpf/sketchbench-<runid>/ that this run owns. */
  pins: string[];
  /** sysctl name -> value before this run first changed it. */
  sysctls: Record<string, string>;
}

let current: RunState | undefined;

/** Short id: fits in interface names (sbg + 8 = 11 <= 15 chars) and is unique enough per host. */
export function newId(): string {
  return randomBytes(4).toString('hex');
}

export function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses; fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19]; // field 22 overall; `rest` starts at field 3
  } catch {
    return undefined;
  }
}

export function isAlive(s: Pick<RunState, 'pid' | 'pidStart'>): boolean {
  return procStartTime(s.pid) === s.pidStart;
}

/** This process's run id; the state file appears only once something is recorded. */
export function runId(): string {
  return runState().runId;
}

/** Where this run should pin BPF objects: owned by the run without further bookkeeping. */
export function runPinDir(): string {
  return join(PIN_ROOT, `${PIN_PREFIX}-${runId()}`);
}

function runState(): RunState {
  current ??= {
    runId: newId(),
    pid: process.pid,
    pidStart: procStartTime(process.pid) ?? '',
    startedAt: new Date().toISOString(),
    testbeds: [],
    pins: [],
    sysctls: {},
  };
  return current;
}

export function statePath(id: string): string {
  return join(STATE_DIR, `${id}.json`);
}

function isEmpty(s: RunState): boolean {
  return s.testbeds.length === 0 && s.pins.length === 0 && Object.keys(s.sysctls).length === 0;
}

/**
 * Change this run's state and persist it at once. Synchronous on purpose: the
 * file must be on disk before the caller creates the object it describes, and
 * sync writes cannot interleave.
 */
export function updateRunState(change: (s: RunState) => void): void {
  const s = runState();
  change(s);
  writeState(s);
}

export function writeState(s: RunState): void {
  const path = statePath(s.runId);
  if (isEmpty(s)) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(STATE_DIR, { recursive: true, mode: 0o755 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  renameSync(tmp, path);
}

export function keptRunId(testbedId: string): string {
  return `kept-${testbedId}`;
}

/**
 * Move a testbed out of this run into a run of its own marked `kept`, so it
 * survives this process without looking like a leftover.
 */
export function keepTestbed(id: string): string {
  const s = runState();
  const rec = s.testbeds.find((t) => t.id === id);
  if (!rec) throw new Error(`testbed ${id} is not owned by this run`);
  const kept: RunState = {
    runId: keptRunId(id), pid: 0, pidStart: '', startedAt: new Date().toISOString(), kept: true,
    testbeds: [rec], pins: [], sysctls: {},
  };
  writeState(kept);
  updateRunState((st) => { st.testbeds = st.testbeds.filter((t) => t.id !== id); });
  return kept.runId;
}

/** Every state file on the host, including unreadable ones (reported with `error`). */
export function readAllStates(): { path: string; state?: RunState; error?: string }[] {
  let names: string[];
  try {
    names = readdirSync(STATE_DIR);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.json')).map((n) => {
    const path = join(STATE_DIR, n);
    try {
      return { path, state: JSON.parse(readFileSync(path, 'utf8')) as RunState };
    } catch (err) {
      return { path, error: (err as Error).message };
    }
  });
}
