/**
 * `moongen`: MoonGen replaying the trace's pcap from a Lua script the harness
 * writes. MoonGen drives NICs through its own DPDK's drivers only (no virtual
 * devices) and is not packaged: it runs where a user has it on a NIC testbed
 * (docs/generators.md). Here it refuses, saying why; the script and command
 * line it would run are what the tests check.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { badInput } from '../../errors.ts';
import type { Availability, GeneratorTarget } from './types.ts';

/** Follows MoonGen's examples/pcap/replay-pcap.lua: read a burst, send it, rewind at the end of the file. */
export function moongenScript(): string {
  return `-- Written by sketchbench: replay a pcap on one port until stopped, optionally at a rate.
local mg     = require "moongen"
local device = require "device"
local memory = require "memory"
local pcap   = require "pcap"
local limiter = require "software-ratecontrol"

function configure(parser)
  parser:argument("dev", "Device to transmit from."):convert(tonumber)
  parser:argument("file", "pcap file to replay.")
  parser:option("-r --rate-pps", "Packets per second (0: line rate)."):default(0):convert(tonumber)
end

function master(args)
  local dev = device.config{port = args.dev, txQueues = 1}
  device.waitForLinks()
  mg.startTask("replay", dev:getTxQueue(0), args.file, args.rate_pps)
  mg.waitForTasks()
end

function replay(queue, file, ratePps)
  local mempool = memory:createMemPool(4096)
  local bufs = mempool:bufArray()
  local reader = pcap:newReader(file)
  local rl = ratePps > 0 and limiter:new(queue, "cbr", 1e9 / ratePps) or nil
  while mg.running() do
    local n = reader:read(bufs)
    if n > 0 then
      if rl then rl:send(bufs) else queue:sendN(bufs, n) end
    else
      reader:reset()
    end
  end
  if rl then rl:stop() end
end
`;
}

/** MoonGen's command line: the script, the DPDK port of the generator's NIC, the pcap, the rate. */
export function moongenArgs(scriptPath: string, port: number, t: GeneratorTarget): string[] {
  if (!t.pcapPath) throw badInput('moongen replays a pcap: the trace must be exported first');
  return [scriptPath, String(port), t.pcapPath, ...(t.ratePps > 0 ? ['--rate-pps', String(Math.round(t.ratePps))] : [])];
}

export function moongenBinary(env = process.env): string | undefined {
  const candidates = env.SKETCHBENCH_MOONGEN ? [env.SKETCHBENCH_MOONGEN] : (env.PATH ?? '').split(delimiter).flatMap((d) => [join(d, 'MoonGen'), join(d, 'moongen')]);
  return candidates.find((c) => { try { accessSync(c, constants.X_OK); return true; } catch { return false; } });
}

export async function moongenAvailable(testbedKind: 'veth' | 'link'): Promise<Availability> {
  const bin = moongenBinary();
  if (!bin) return { ok: false, detail: 'MoonGen is not packaged and drives NICs only: install it on a NIC testbed (docs/generators.md) and put MoonGen on PATH or set SKETCHBENCH_MOONGEN' };
  if (testbedKind === 'veth') return { ok: false, detail: `${bin} found, but MoonGen drives NICs through DPDK's drivers and the veth testbed has none: use a link testbed` };
  return { ok: true, detail: bin };
}
