import type { CommandSpec } from '../command.ts';
import { bool, str } from '../command.ts';
import { badInput } from '../../errors.ts';
import { importCaptures } from '../../trace/import.ts';
import { expandInputs } from '../../trace/inputs.ts';

export const traceImportCommand: CommandSpec = {
  positionals: ['CAPTURE|FOLDER|GLOB...'],
  flags: [
    { name: 'output', type: 'string', short: 'o', arg: 'OUT.trace', description: 'output trace file (required)' },
    { name: 'skip-bad', type: 'boolean', description: 'go on past malformed records and report how many were skipped' },
    { name: 'json', type: 'boolean', description: 'print the import statistics as JSON' },
  ],
  async run(flags, positionals) {
    const out = str(flags, 'output');
    if (positionals.length === 0) throw badInput(`expected at least one input capture (a file, a folder or a glob)`);
    if (!out) throw badInput(`-o OUT.trace is required`);
    const inputs = expandInputs(positionals);
    const t0 = performance.now();
    const { stats } = await importCaptures(inputs, out, { skipBad: bool(flags, 'skip-bad') });
    const s = (performance.now() - t0) / 1000;
    const records = stats.packets + stats.nonIp + stats.badIp;
    if (bool(flags, 'json')) {
      console.log(JSON.stringify({ file: out, ...stats, seconds: s, packetsPerSecond: records / s }));
    } else {
      const from = `${stats.inputs > 1 ? `${stats.inputs} ` : ''}${stats.format}${stats.compression.length ? ` (${stats.compression.join(', ')})` : ''}`;
      console.log(`${out}: ${stats.packets} packets, ${stats.bytes} bytes, ${stats.flows} flows from ${from} ` +
        `(${(records / s / 1e6).toFixed(2)} M records/s, ${(stats.fileBytes / s / 1e6).toFixed(0)} MB/s read)`);
      if (stats.nonIp || stats.badIp) console.log(`left out: ${stats.nonIp} non-IP frames, ${stats.badIp} frames with a cut or invalid IP header`);
      if (stats.truncatedRecords || stats.zeroLengthRecords) {
        console.log(`as libpcap does: ${stats.truncatedRecords} records longer than the snapshot length cut to it, ${stats.zeroLengthRecords} empty records passed over`);
      }
      if (stats.skippedRecords) console.log(`skipped ${stats.skippedRecords} bad records (first in ${stats.firstSkip})`);
    }
    return 0;
  },
};
