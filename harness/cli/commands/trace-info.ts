import type { CommandSpec } from '../command.ts';
import { bool, int } from '../command.ts';
import { badInput } from '../../errors.ts';
import { traceInfo } from '../../trace/info.ts';

export const traceInfoCommand: CommandSpec = {
  positionals: ['FILE'],
  flags: [
    { name: 'top', type: 'string', arg: 'K', description: 'how many of the largest flows to list', default: '10' },
    { name: 'json', type: 'boolean', description: 'print {packets, bytes, flows, skew, top: [...]}' },
  ],
  async run(flags, positionals) {
    if (positionals.length !== 1) throw badInput(`expected exactly one trace file, got ${positionals.length}`);
    const info = traceInfo(positionals[0], int(flags, 'top', { min: 0 })!);
    if (bool(flags, 'json')) {
      console.log(JSON.stringify(info, null, 2));
      return 0;
    }
    console.log(`packets  ${info.packets}\nbytes    ${info.bytes}\nflows    ${info.flows}\nskew     ${info.skew === null ? 'n/a (too few flows)' : info.skew.toFixed(3)}`);
    if (info.truncatedRecords || info.zeroLengthRecords) {
      console.log(`import   ${info.truncatedRecords} records cut to the snapshot length, ${info.zeroLengthRecords} empty records passed over`);
    }
    if (info.top.length) {
      console.log(`\ntop ${info.top.length} flows by packets:`);
      const ep = (a: string, p: number): string => (a.includes(":") ? `[${a}]:${p}` : `${a}:${p}`);
      const rows = info.top.map((f) => [ep(f.src, f.sport), ep(f.dst, f.dport), String(f.proto), String(f.packets), String(f.bytes)]);
      const head = ['src', 'dst', 'proto', 'packets', 'bytes'];
      const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      for (const r of [head, ...rows]) console.log('  ' + r.map((c, i) => (i >= 2 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  '));
    }
    return 0;
  },
};
