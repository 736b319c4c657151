import type { CommandSpec } from '../command.ts';
import { int, num, str } from '../command.ts';
import { badInput } from '../../errors.ts';
import { GEN_DEFAULTS, generateTrace, type GenOptions, type SizeSpec } from '../../trace/gen.ts';

const D = GEN_DEFAULTS;

export const traceGenCommand: CommandSpec = {
  flags: [
    { name: 'dist', type: 'string', arg: 'zipf|uniform', description: 'flow popularity distribution', default: D.dist },
    { name: 'skew', type: 'string', arg: 'S', description: 'Zipf exponent', default: String(D.skew) },
    { name: 'flows', type: 'string', arg: 'N', description: 'flows in the distribution (unused ones are dropped)', default: String(D.flows) },
    { name: 'packets', type: 'string', arg: 'M', description: 'packets', default: String(D.packets) },
    { name: 'size', type: 'string', arg: '64|imix|N', description: 'L2 frame length in bytes without FCS (imix = 64/576/1500 at 7:4:1)', default: String(D.size) },
    { name: 'seed', type: 'string', arg: 'K', description: 'PRNG seed', default: String(D.seed) },
    { name: 'proto', type: 'string', arg: 'udp|tcp|mix', description: 'L4 protocol of the flows', default: D.proto },
    { name: 'ipv6', type: 'string', arg: 'FRACTION', description: 'share of IPv6 flows, 0..1', default: String(D.ipv6Fraction) },
    { name: 'prefix4', type: 'string', arg: 'CIDR', description: 'IPv4 addresses come from this prefix', default: D.prefix4 },
    { name: 'prefix6', type: 'string', arg: 'CIDR', description: 'IPv6 addresses come from this prefix', default: D.prefix6 },
    { name: 'output', type: 'string', short: 'o', arg: 'FILE', description: 'output .trace file (required)' },
    { name: 'json', type: 'boolean', description: 'print the written header as JSON' },
  ],
  async run(flags) {
    const out = str(flags, 'output');
    if (!out) throw badInput(`-o FILE is required`);
    const dist = str(flags, 'dist');
    if (dist !== 'zipf' && dist !== 'uniform') throw badInput(`--dist must be zipf or uniform, got '${dist}'`);
    const proto = str(flags, 'proto');
    if (proto !== 'udp' && proto !== 'tcp' && proto !== 'mix') throw badInput(`--proto must be udp, tcp or mix, got '${proto}'`);
    const sizeText = str(flags, 'size')!;
    let size: SizeSpec;
    if (sizeText === '64' || sizeText === 'imix') size = sizeText;
    else {
      size = Number(sizeText);
      if (!Number.isInteger(size)) throw badInput(`--size must be 64, imix or an integer, got '${sizeText}'`);
    }
    const opts: GenOptions = {
      dist, proto, size,
      skew: num(flags, 'skew')!,
      flows: int(flags, 'flows', { min: 1 })!,
      packets: int(flags, 'packets', { min: 1 })!,
      seed: int(flags, 'seed', { min: 0 })!,
      ipv6Fraction: num(flags, 'ipv6')!,
      prefix4: str(flags, 'prefix4')!,
      prefix6: str(flags, 'prefix6')!,
    };
    const t0 = performance.now();
    const h = generateTrace(out, opts);
    const ms = performance.now() - t0;
    if (flags.json) console.log(JSON.stringify({ file: out, packets: h.packetCount, bytes: h.byteCount, flows: h.flowCount }));
    else console.log(`${out}: ${h.packetCount} packets, ${h.byteCount} bytes, ${h.flowCount} flows (${(ms / 1000).toFixed(2)} s)`);
    return 0;
  },
};
