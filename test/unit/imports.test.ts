/**
 * Imports run one way, along the data flow (docs/design.md, "Data flow"): a module
 * imports only from its own stage or earlier ones, and no modules import each other
 * in a cycle. Read from the sources, so a new import against the flow fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const harness = fileURLToPath(new URL('../../harness', import.meta.url));

/** The stages in data-flow order; the same list is in docs/design.md. */
export const STAGE_ORDER = ['errors', 'paths', 'cleanup', 'types', 'kernel', 'system', 'trace', 'build', 'sketch', 'testbed', 'traffic',
  'measure', 'micro', 'results', 'analyse', 'report', 'compare', 'ab', 'run', 'suites', 'doctor', 'cli', 'bench'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.ts') ? [p] : [];
  });
}

const stageOf = (path: string) => relative(harness, path).split('/')[0].replace(/\.ts$/, '');

function importsOf(path: string): string[] {
  const src = readFileSync(path, 'utf8');
  return [...src.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) => normalize(join(dirname(path), m[1])));
}

const graph = new Map(files(harness).map((f) => [f, importsOf(f).filter((t) => t.endsWith('.ts'))]));

test('every harness folder has a place in the stage order', () => {
  const stages = new Set([...graph.keys()].map(stageOf));
  assert.deepEqual([...stages].filter((s) => !STAGE_ORDER.includes(s)), []);
  const doc = readFileSync(fileURLToPath(new URL('../../docs/design.md', import.meta.url)), 'utf8');
  assert.ok(doc.includes(STAGE_ORDER.join(' < ')), 'docs/design.md lists the same order');
});

test('no import runs against the data flow', () => {
  const against: string[] = [];
  for (const [from, tos] of graph) {
    for (const to of tos) {
      if (STAGE_ORDER.indexOf(stageOf(to)) > STAGE_ORDER.indexOf(stageOf(from))) against.push(`${relative(harness, from)} -> ${relative(harness, to)}`);
    }
  }
  assert.deepEqual(against, []);
});

test('no import cycle between modules', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(harness, p)).join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  assert.deepEqual(cycles, []);
});
