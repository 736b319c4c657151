import type { CommandSpec } from '../command.ts';
import { str } from '../command.ts';
import { badInput } from '../../errors.ts';
import { exportTrace } from '../../trace/export.ts';

export const traceExportCommand: CommandSpec = {
  positionals: ['IN.trace'],
  flags: [
    { name: 'output', type: 'string', short: 'o', arg: 'OUT.pcap', description: 'output pcap file (required)' },
  ],
  async run(flags, positionals) {
    const out = str(flags, 'output');
    if (positionals.length !== 1) throw badInput(`expected exactly one input trace, got ${positionals.length}`);
    if (!out) throw badInput(`-o OUT.pcap is required`);
    const s = await exportTrace(positionals[0], out);
    console.log(`${out}: ${s.packets} packets, ${s.bytes} bytes`);
    if (s.padded) console.log(`${s.padded} packets were shorter than their headers and were written longer`);
    return 0;
  },
};
