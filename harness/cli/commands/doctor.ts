import type { CommandSpec } from '../command.ts';
import { bool } from '../command.ts';
import { runDoctor } from '../../doctor/doctor.ts';

export const doctorCommand: CommandSpec = {
  flags: [{ name: 'json', type: 'boolean', description: 'print {ok, checks: [{name, ok, detail}]} for machines' }],
  async run(flags) {
    const checks = await runDoctor();
    const ok = checks.every((c) => c.ok || !c.required);
    if (bool(flags, 'json')) {
      console.log(JSON.stringify({ ok, checks: checks.map(({ name, ok, detail, required }) => ({ name, ok, detail, required })) }, null, 2));
    } else {
      const w = Math.max(...checks.map((c) => c.name.length)) + 2;
      for (const c of checks) {
        const mark = c.ok ? 'ok  ' : c.required ? 'FAIL' : 'warn';
        console.log(`${mark}  ${c.name.padEnd(w)}${c.detail}`);
      }
      console.log(ok ? '\nall required checks passed' : '\nsome required checks failed: fix them before running benchmarks');
    }
    return ok ? 0 : 1;
  },
};
