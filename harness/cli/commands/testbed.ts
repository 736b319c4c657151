/**
 * `sketchbench testbed up|down|list`: a testbed that outlives the command, for
 * poking at by hand (ip netns exec, bpftool) or for several runs in a row, and
 * the way to find and remove what crashed runs left behind.
 */
import { bool, int } from '../command.ts';
import type { CommandSpec } from '../command.ts';
import { createTestbed } from '../../testbed/testbed.ts';
import { cleanLeftovers, listObjects, type CleanReport, type SketchbenchObject } from '../../testbed/leftovers.ts';
import { readAllStates } from '../../system/run-state.ts';
import { badInput } from '../../errors.ts';

export const testbedUpCommand: CommandSpec = {
  flags: [
    { name: 'json', type: 'boolean', description: 'print the testbed as JSON' },
    { name: 'queues', type: 'string', arg: 'N', description: 'tx/rx queues per veth end (one per generator thread)', default: '1' },
    { name: 'no-threaded-napi', type: 'boolean', description: 'leave NAPI unthreaded on the DUT end' },
    { name: 'gro', type: 'boolean', description: 'leave GRO on on the DUT end (NAPI without XDP)' },
  ],
  async run(flags) {
    const tb = await createTestbed({
      queues: int(flags, 'queues', { min: 1, max: 64 }),
      threadedNapi: !bool(flags, 'no-threaded-napi'),
      gro: bool(flags, 'gro'),
    });
    const keptRun = tb.keep();
    const info = { id: tb.id, gen: tb.gen, dut: tb.dut, options: tb.options, keptRun };
    if (bool(flags, 'json')) {
      console.log(JSON.stringify(info, null, 2));
      return 0;
    }
    const side = (name: string, s: typeof tb.gen) =>
      `  ${name}  netns ${s.ns}  dev ${s.dev} (ifindex ${s.ifindex})  ${s.mac}  ${s.ipv4}/30  ${s.ipv6}/64`;
    console.log([`testbed ${tb.id} is up:`, side('gen', tb.gen), side('dut', tb.dut),
      `  run inside:  ip netns exec ${tb.gen.ns} ping -c 1 ${tb.dut.ipv4}`,
      `  remove with: sketchbench testbed down ${tb.id}`].join('\n'));
    return 0;
  },
};

function printReport(r: CleanReport): number {
  for (const o of r.removed) console.log(`removed ${describe(o, true)}`);
  for (const o of r.skipped) console.log(`kept    ${describe(o)} (a running run changed it too and restores it)`);
  for (const f of r.failed) console.error(`failed  ${describe(f.object)}: ${f.error}`);
  if (r.removed.length === 0 && r.failed.length === 0) console.log('nothing to remove');
  return r.failed.length > 0 ? 1 : 0;
}

function describe(o: SketchbenchObject, restored = false): string {
  const what = o.kind === 'sysctl' ? `sysctl ${o.name} (${restored ? 'restored to' : 'originally'} ${o.original})` : `${o.kind} ${o.name}`;
  return `${what}${o.runId ? ` [run ${o.runId}${o.pid ? `, pid ${o.pid}` : ''}, ${o.owner}]` : ` [${o.owner === 'none' ? 'no owner' : o.owner}]`}`;
}

export const testbedDownCommand: CommandSpec = {
  positionals: ['[ID]'],
  flags: [
    { name: 'all', type: 'boolean', description: 'also remove every leftover of runs that are gone (namespaces, links, pins, sysctls)' },
    { name: 'force', type: 'boolean', description: 'with --all: also remove objects of runs that are still running' },
  ],
  async run(flags, positionals) {
    if (positionals.length > 1) throw badInput('give at most one testbed id');
    if (bool(flags, 'force') && !bool(flags, 'all')) throw badInput('--force only makes sense with --all');
    const id = positionals[0];
    if (id !== undefined) {
      if (bool(flags, 'all')) throw badInput('give either a testbed id or --all');
      const known = readAllStates().some((f) => f.state?.testbeds.some((t) => t.id === id));
      if (!known && !(await listObjects()).some((o) => o.testbedId === id)) throw badInput(`no testbed '${id}' (see 'sketchbench testbed list')`);
      return printReport(await cleanLeftovers({ kept: true, testbedIds: [id] }));
    }
    if (!bool(flags, 'all')) {
      const keptIds = readAllStates().filter((f) => f.state?.kept).flatMap((f) => f.state!.testbeds.map((t) => t.id));
      if (keptIds.length === 0) {
        console.log("no kept testbeds; 'sketchbench testbed down --all' removes leftovers of crashed runs");
        return 0;
      }
      return printReport(await cleanLeftovers({ kept: true, testbedIds: keptIds }));
    }
    return printReport(await cleanLeftovers({ kept: true, live: bool(flags, 'force') }));
  },
};

export const testbedListCommand: CommandSpec = {
  flags: [{ name: 'json', type: 'boolean', description: 'print as JSON' }],
  async run(flags) {
    const objects = await listObjects();
    if (bool(flags, 'json')) {
      console.log(JSON.stringify(objects, null, 2));
      return 0;
    }
    if (objects.length === 0) {
      console.log('no sketchbench objects on this host');
      return 0;
    }
    for (const o of objects) console.log(describe(o));
    const left = objects.filter((o) => o.owner === 'dead' || o.owner === 'none').length;
    if (left > 0) console.log(`\n${left} leftover(s); remove with 'sketchbench testbed down --all'`);
    return 0;
  },
};
