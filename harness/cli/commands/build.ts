import type { CommandSpec } from '../command.ts';
import { bool, int, list, num } from '../command.ts';
import { resolveVariantRef } from '../../build/external.ts';
import { allCombinations, defaultParams, loadManifest, resolveVariant, validateParams, variantNames, type ResolvedVariant } from '../../build/manifest.ts';
import { LoadedVariant } from '../../build/load-variant.ts';
import { SketchbenchError } from '../../errors.ts';

/** Named variants first, then every other switch combination of each family. */
export function variantsToBuild(names: string[], allCombos: boolean): ResolvedVariant[] {
  const chosen = (names.length ? names : variantNames()).map((n) => resolveVariantRef(n));
  if (!allCombos) return chosen;
  // One per build: the stem names the switches and any macros of a named variant's own.
  const seen = new Set(chosen.map((v) => v.stem));
  for (const fam of Object.keys(loadManifest().families)) {
    for (const v of allCombinations(fam)) {
      if (!seen.has(v.stem)) { seen.add(v.stem); chosen.push(v); }
    }
  }
  return chosen;
}

export const buildCommand: CommandSpec = {
  flags: [
    { name: 'variant', type: 'string', multiple: true, arg: 'NAME', description: 'a named variant or family[switch=value,...]; default: every named variant' },
    { name: 'all-combinations', type: 'boolean', description: 'also every switch combination of every family' },
    { name: 'rows', type: 'string', arg: 'N', description: 'sketch rows (default: 4)' },
    { name: 'columns', type: 'string', arg: 'N', description: 'sketch columns, a power of two (default: 512)' },
    { name: 'p', type: 'string', arg: 'P', description: 'NitroSketch update probability, 0 < p <= 1 (default: 0.0625)' },
    { name: 'json', type: 'boolean', description: 'print [{variant, switches, verifiedInsns, xlatedBytes, jitedBytes, mapBytes, loadMs}]' },
  ],
  async run(flags) {
    const variants = variantsToBuild(list(flags, 'variant'), bool(flags, 'all-combinations'));
    const d = defaultParams();
    const params = { ...d, rows: int(flags, 'rows', { min: 1, max: 64 }) ?? d.rows, columns: int(flags, 'columns', { min: 1, max: 1 << 24 }) ?? d.columns, p: num(flags, 'p') ?? d.p };
    // Checked for every variant before the first one is compiled or loaded.
    for (const v of variants) validateParams(params, v);
    const out: Record<string, unknown>[] = [];
    const failures: string[] = [];
    for (const v of variants) {
      let lv: LoadedVariant | undefined;
      try {
        lv = await LoadedVariant.load(v, params);
        out.push({ variant: v.name, switches: v.switches, ...lv.programMetrics() });
      } catch (err) {
        if (!(err instanceof SketchbenchError) || err.exitCode === 2) throw err;
        failures.push(`${v.name}: ${err.message}`);
        if (!bool(flags, 'json')) console.error(`FAIL ${v.name}: ${err.message}${err.detail ? '\n' + err.detail : ''}`);
      } finally {
        lv?.close();
      }
    }
    if (bool(flags, 'json')) {
      console.log(JSON.stringify(out, null, 2));
    } else {
      const head = ['variant', 'verified insns', 'xlated B', 'JIT B', 'map B', 'load ms'];
      const rows = out.map((r) => [String(r.variant), String(r.verifiedInsns), String(r.xlatedBytes), String(r.jitedBytes), String(r.mapBytes), (r.loadMs as number).toFixed(1)]);
      const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      console.log(head.map((h, i) => (i ? h.padStart(w[i]) : h.padEnd(w[i]))).join('  '));
      for (const r of rows) console.log(r.map((c, i) => (i ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  '));
      console.log(`\n${out.length} loaded, ${failures.length} failed (sketch ${params.rows}x${params.columns}, p=${params.p})`);
    }
    if (failures.length) {
      if (bool(flags, 'json')) console.error(failures.join('\n'));
      return 1;
    }
    return 0;
  },
};
