/**
 * Finding and removing kernel state that a sketchbench run left behind (SIGKILL,
 * a crash, a cleanup that timed out). Only objects with the project's names are
 * ever looked at: namespaces `sketchbench-*`, root-namespace links `sbg<id>` /
 * `sbd<id>` / `sbr<id>` / `sbs<id>`, pins /sys/fs/bpf/sketchbench*, and sysctls recorded in state files.
 *
 * Ownership comes from the run state files (state.ts): an object belongs to the
 * run whose file names it; the run is live (its process runs), kept (`testbed up`,
 * until `testbed down`), or dead. Objects of dead runs and objects no file names
 * are leftovers.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { getSysctl, writeSysctl } from '../system/sysctl.ts';
import { sh } from './exec.ts';
import { PIN_PREFIX, PIN_ROOT, isAlive, readAllStates, writeState, type RunState, type TestbedRecord } from '../system/run-state.ts';
import { NETNS_PREFIX, removeTestbedObjects, testbedNames } from './testbed.ts';

export type Owner = 'live' | 'kept' | 'dead' | 'none';

export interface SketchbenchObject {
  kind: 'netns' | 'link' | 'pin' | 'sysctl' | 'state' | 'runtime';
  /** Namespace or link name, pin path, sysctl name or state file path. */
  name: string;
  owner: Owner;
  runId?: string;
  pid?: number;
  testbedId?: string;
  /** sysctl: the value to restore. */
  original?: string;
}

const NETNS_RE = /^sketchbench-([0-9a-f]{8})-(gen|dut|snk)$/;
const LINK_RE = /^sb[gdrs]([0-9a-f]{8})$/;

interface Run {
  state: RunState;
  owner: Owner;
  path: string;
}

function ownerOf(s: RunState): Owner {
  if (s.kept) return 'kept';
  return isAlive(s) ? 'live' : 'dead';
}

async function listNetns(): Promise<string[]> {
  const r = await sh('ip', ['netns', 'list'], { allowFail: true });
  return r.stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(NETNS_PREFIX));
}

async function listRootLinks(): Promise<string[]> {
  const r = await sh('ip', ['-j', 'link', 'show'], { allowFail: true });
  if (r.exitCode !== 0) return [];
  return (JSON.parse(r.stdout) as { ifname: string }[]).map((l) => l.ifname).filter((n) => LINK_RE.test(n));
}

function listPins(): string[] {
  try {
    return readdirSync(PIN_ROOT).filter((n) => n.startsWith(PIN_PREFIX)).map((n) => join(PIN_ROOT, n));
  } catch {
    return [];
  }
}

const DPDK_RUNTIME = '/var/run/dpdk';

function listDpdkRuntime(): string[] {
  try {
    return readdirSync(DPDK_RUNTIME).filter((n) => n.startsWith('sketchbench-'));
  } catch {
    return [];
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every sketchbench object on the host, each with its owner. */
export async function listObjects(): Promise<SketchbenchObject[]> {
  const runs: Run[] = [];
  const out: SketchbenchObject[] = [];
  for (const f of readAllStates()) {
    if (f.state) runs.push({ state: f.state, owner: ownerOf(f.state), path: f.path });
    else out.push({ kind: 'state', name: f.path, owner: 'none' }); // unreadable: nobody can own it
  }
  const byTestbed = new Map<string, Run>();
  for (const r of runs) for (const t of r.state.testbeds) byTestbed.set(t.id, r);
  const tag = (r: Run | undefined) => (r ? { owner: r.owner, runId: r.state.runId, pid: r.state.pid || undefined } : { owner: 'none' as Owner });

  for (const ns of await listNetns()) {
    const m = NETNS_RE.exec(ns);
    if (m) {
      out.push({ kind: 'netns', name: ns, testbedId: m[1], ...tag(byTestbed.get(m[1])) });
      continue;
    }
    // Our prefix without a testbed id: nothing records an owner, so it is a leftover.
    out.push({ kind: 'netns', name: ns, owner: 'none' });
  }
  for (const link of await listRootLinks()) {
    const id = LINK_RE.exec(link)![1];
    out.push({ kind: 'link', name: link, testbedId: id, ...tag(byTestbed.get(id)) });
  }
  for (const pin of listPins()) {
    const r = runs.find((x) => pin === join(PIN_ROOT, `${PIN_PREFIX}-${x.state.runId}`) || x.state.pins.some((p) => p === pin || p.startsWith(pin + '/')));
    out.push({ kind: 'pin', name: pin, ...tag(r) });
  }
  // DPDK's runtime folders of our generator runs, named sketchbench-<pid>-...: live while that pid runs.
  for (const name of listDpdkRuntime()) {
    const pid = Number(/^sketchbench-(?:pktgen-)?(\d+)/.exec(name)?.[1]);
    out.push({ kind: 'runtime', name: join(DPDK_RUNTIME, name), pid, owner: pid && processRuns(pid) ? 'live' : 'dead' });
  }
  for (const r of runs) {
    for (const [name, original] of Object.entries(r.state.sysctls)) {
      out.push({ kind: 'sysctl', name, original, ...tag(r) });
    }
    out.push({ kind: 'state', name: r.path, ...tag(r) });
  }
  return out;
}

/** Objects whose owning run is gone, or that no run owns. */
export async function findLeftovers(): Promise<SketchbenchObject[]> {
  return (await listObjects()).filter((o) => o.owner === 'dead' || o.owner === 'none');
}

export interface CleanOptions {
  /** Also remove testbeds kept by `testbed up`. */
  kept?: boolean;
  /** Also remove objects of running processes (never this process's own). */
  live?: boolean;
  /** Only these testbeds (ids), e.g. `testbed down ID`. */
  testbedIds?: string[];
  /** Only objects of these runs (ids from the state files). */
  runIds?: string[];
}

export interface CleanReport {
  removed: SketchbenchObject[];
  failed: { object: SketchbenchObject; error: string }[];
  /** sysctls not restored because a live run changed them too (it restores its own original). */
  skipped: SketchbenchObject[];
}

/**
 * Remove leftovers (and, when asked, kept or live objects), restoring recorded
 * sysctls. A state file goes only once everything it named is gone, so a failed
 * clean can be retried.
 */
export async function cleanLeftovers(opts: CleanOptions = {}): Promise<CleanReport> {
  const objects = await listObjects();
  const wanted = (o: SketchbenchObject): boolean => {
    if (o.pid === process.pid && o.owner === 'live') return false;
    if (opts.runIds && (o.runId === undefined || !opts.runIds.includes(o.runId))) return false;
    if (opts.testbedIds && (o.testbedId === undefined || !opts.testbedIds.includes(o.testbedId))) return false;
    return o.owner === 'dead' || o.owner === 'none' || (o.owner === 'kept' && !!opts.kept) || (o.owner === 'live' && !!opts.live);
  };
  const report: CleanReport = { removed: [], failed: [], skipped: [] };
  const attempt = async (o: SketchbenchObject, fn: () => Promise<void> | void) => {
    try {
      await fn();
      report.removed.push(o);
    } catch (err) {
      report.failed.push({ object: o, error: (err as Error).message });
    }
  };
  const records = new Map<string, TestbedRecord>();
  for (const f of readAllStates()) for (const t of f.state?.testbeds ?? []) records.set(t.id, t);

  // Testbeds first (namespaces and stray links), one removal per testbed.
  const doneTestbeds = new Set<string>();
  for (const o of objects.filter((x) => (x.kind === 'netns' || x.kind === 'link') && wanted(x))) {
    if (o.testbedId) {
      if (!doneTestbeds.has(o.testbedId)) {
        doneTestbeds.add(o.testbedId);
        const rec = records.get(o.testbedId) ?? testbedNames(o.testbedId);
        try {
          await removeTestbedObjects(rec);
        } catch (err) {
          report.failed.push({ object: o, error: (err as Error).message });
          continue;
        }
      }
      report.removed.push(o);
    } else {
      await attempt(o, async () => { await sh('ip', ['netns', 'del', o.name]); });
    }
  }
  for (const o of objects.filter((x) => x.kind === 'runtime' && wanted(x))) {
    if (!o.name.startsWith(join(DPDK_RUNTIME, 'sketchbench-'))) continue;
    await attempt(o, () => rmSync(o.name, { recursive: true, force: true }));
  }
  for (const o of objects.filter((x) => x.kind === 'pin' && wanted(x))) {
    // Never anything but /sys/fs/bpf/sketchbench*: the listing guarantees it, this re-checks.
    if (!o.name.startsWith(join(PIN_ROOT, PIN_PREFIX))) continue;
    await attempt(o, () => rmSync(o.name, { recursive: true, force: true }));
  }
  const liveSysctls = new Set(objects.filter((x) => x.kind === 'sysctl' && x.owner === 'live' && !wanted(x)).map((x) => x.name));
  for (const o of objects.filter((x) => x.kind === 'sysctl' && wanted(x))) {
    if (liveSysctls.has(o.name)) {
      report.skipped.push(o);
      continue;
    }
    await attempt(o, () => { if (getSysctl(o.name) !== o.original) writeSysctl(o.name, o.original!); });
  }
  // State files: drop what was removed; delete the file when nothing is left in it.
  for (const f of readAllStates()) {
    const stateObj = objects.find((x) => x.kind === 'state' && x.name === f.path);
    if (!stateObj) continue;
    const ids = opts.testbedIds;
    // With a testbed filter, a state file is touched only for the testbeds named.
    const relevant = ids ? !!f.state?.testbeds.some((t) => ids.includes(t.id)) && wanted({ ...stateObj, testbedId: ids[0] }) : wanted(stateObj);
    if (!relevant) continue;
    if (!f.state) {
      await attempt(stateObj, () => rmSync(f.path, { force: true }));
      continue;
    }
    const s = f.state;
    const failedNames = new Set(report.failed.map((x) => x.object.name));
    const failedTestbeds = new Set(report.failed.map((x) => x.object.testbedId).filter(Boolean));
    s.testbeds = s.testbeds.filter((t) => failedTestbeds.has(t.id) || (ids !== undefined && !ids.includes(t.id)));
    if (!ids) {
      s.pins = s.pins.filter((p) => failedNames.has(p));
      for (const k of Object.keys(s.sysctls)) if (!failedNames.has(k) && !report.skipped.some((x) => x.name === k)) delete s.sysctls[k];
    }
    writeState(s); // removes the file when empty
    if (!existsSync(f.path)) report.removed.push(stateObj);
  }
  return report;
}
