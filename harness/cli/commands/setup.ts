import type { CommandSpec } from '../command.ts';
import { bool } from '../command.ts';
import { ensureSystemPackages, missingPackages } from '../../system/packages.ts';

/**
 * The one command that installs system packages (apt-get, as root): the README's
 * `npm run bench` and `npm test` call it first, so a fresh machine works; no
 * other command installs anything behind the user's back.
 */
export const setupCommand: CommandSpec = {
  flags: [
    { name: 'test', type: 'boolean', description: 'also what the test suite needs (tshark, tcpdump, chromium, ping)' },
    { name: 'check', type: 'boolean', description: 'only list what is missing; exit 1 when something is' },
  ],
  async run(flags) {
    const includeTestOnly = bool(flags, 'test');
    const missing = missingPackages({ includeTestOnly });
    if (bool(flags, 'check')) {
      for (const p of missing) console.log(`missing: ${p.pkg} (${p.why})`);
      return missing.length ? 1 : 0;
    }
    await ensureSystemPackages({ includeTestOnly });
    if (missing.length) process.stderr.write(`sketchbench setup: installed ${[...new Set(missing.map((p) => p.pkg))].join(' ')}\n`);
    return 0;
  },
};
