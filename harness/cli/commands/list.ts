import type { CommandSpec } from '../command.ts';
import { bool } from '../command.ts';
import { loadManifest, resolveVariant, variantNames } from '../../build/manifest.ts';
import { BUILTIN_SUITES, loadSuite } from '../../suites/suites.ts';
import { METRICS } from '../../types/results.ts';
import { badInput } from '../../errors.ts';

const WHAT = ['variants', 'switches', 'suites', 'metrics'] as const;
type What = (typeof WHAT)[number];

function listing(what: What): Record<string, unknown>[] {
  const m = loadManifest();
  switch (what) {
    case 'variants':
      return variantNames().map((name) => {
        const v = resolveVariant(name);
        return { name, family: v.family, switches: v.switches };
      });
    case 'switches':
      return Object.entries(m.families).flatMap(([family, f]) =>
        Object.entries(f.switches).map(([sw, spec]) => ({ family, switch: sw, values: Object.keys(spec.values), default: spec.default })));
    case 'suites':
      return BUILTIN_SUITES.map((name) => ({ name, description: loadSuite(name).description ?? '' }));
    case 'metrics':
      return Object.entries(METRICS).map(([name, i]) => ({ name, unit: i.unit, better: i.better, kind: i.kind, label: i.label }));
  }
}

function line(what: What, o: Record<string, unknown>): string {
  switch (what) {
    case 'variants': {
      const sw = Object.entries(o.switches as object).map(([k, v]) => `${k}=${v}`).join(',');
      return `${String(o.name).padEnd(20)} ${o.family}${sw ? `[${sw}]` : ''}`;
    }
    case 'switches': return `${String(o.family).padEnd(12)} ${String(o.switch).padEnd(10)} ${(o.values as string[]).join(' | ')} (default ${o.default})`;
    case 'suites': return `${String(o.name).padEnd(10)} ${o.description}`;
    case 'metrics': return `${String(o.name).padEnd(22)} ${String(o.unit).padEnd(12)} ${String(o.better).padEnd(7)} ${o.kind}`;
  }
}

/** What a run can name: variants, switches, suites and metrics, from the same tables the run uses. */
export const listCommand: CommandSpec = {
  positionals: ['[variants|switches|suites|metrics]'],
  flags: [{ name: 'json', type: 'boolean', description: 'print JSON: {variants: [...], ...} or the one list asked for' }],
  async run(flags, positionals) {
    const asked = positionals.length ? positionals : [...WHAT];
    for (const a of asked) if (!(WHAT as readonly string[]).includes(a)) throw badInput(`list: '${a}' is not one of ${WHAT.join(', ')}`);
    const whats = asked as What[];
    if (bool(flags, 'json')) {
      console.log(JSON.stringify(whats.length === 1 ? listing(whats[0]) : Object.fromEntries(whats.map((w) => [w, listing(w)])), null, 2));
      return 0;
    }
    for (const w of whats) {
      if (whats.length > 1) console.log(`${w}:`);
      for (const o of listing(w)) console.log(`${whats.length > 1 ? '  ' : ''}${line(w, o)}`);
    }
    return 0;
  },
};
