import type { Command } from '../command.ts';
import { bool, str } from '../command.ts';
import { badInput } from '../../errors.ts';
import { importCapture } from '../../trace/import.ts';

export const traceImportCommand: Command = {
  path: ['trace', 'import'],
  summary: 'convert a pcap or pcapng capture into a .trace (flows + packet sequence + ground truth)',
  positionals: ['FILE'],
  flags: [
    { name: 'output', type: 'string', short: 'o', arg: 'OUT.trace', description: 'output trace file (required)' },
    { name: 'skip-bad', type: 'boolean', description: 'go on past malformed records and report how many were skipped' },
    { name: 'json', type: 'boolean', description: 'print the import statistics as JSON' },
  ],
  async run(flags, positionals) {
    const out = str(flags, 'output');
    if (positionals.length !== 1) throw badInput(`expected exactly one input capture, got ${positionals.length}`);
    if (!out) throw badInput(`-o OUT.trace is required`);
    const t0 = performance.now();
    const { stats } = importCapture(positionals[0], out, { skipBad: bool(flags, 'skip-bad') });
    const s = (performance.now() - t0) / 1000;
    const records = stats.packets + stats.nonIp + stats.badIp;
    if (bool(flags, 'json')) {
      console.log(JSON.stringify({ file: out, ...stats, seconds: s, packetsPerSecond: records / s }));
    } else {
      console.log(`${out}: ${stats.packets} packets, ${stats.bytes} bytes, ${stats.flows} flows from ${stats.format} ` +
        `(${(records / s / 1e6).toFixed(2)} M records/s, ${(stats.fileBytes / s / 1e6).toFixed(0)} MB/s)`);
      if (stats.nonIp || stats.badIp) console.log(`left out: ${stats.nonIp} non-IP frames, ${stats.badIp} frames with a cut or invalid IP header`);
      if (stats.skippedRecords) console.log(`skipped ${stats.skippedRecords} bad records (first at ${stats.firstSkip})`);
    }
    return 0;
  },
};
