// index.html in headless Chromium: it must load with no console errors, offline, and look
// like a report (a screenshot is saved for people to look at).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeReport } from '../../harness/report/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
// Where CI must run this, a missing browser is a failure, not a skip.
const skip = !CHROMIUM && !process.env.CI ? "Debian's chromium is not installed: apt-get install -y chromium" : false;

function chromium(profile: string, args: string[]) {
  return spawnSync(CHROMIUM!, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', ...args,
  ], { encoding: 'utf8', timeout: 60_000 });
}

test('index.html renders in headless Chromium without console errors', { skip }, async () => {
  assert.ok(CHROMIUM, "chromium is required here: apt-get install -y chromium");
  const work = mkdtempSync(join(tmpdir(), 'sb-chrome-'));
  const out = join(work, 'report');
  const r = await writeReport(join(root, 'test/fixtures/results/run-a'), out);
  const url = `file://${r.indexHtml}`;
  const shot = join(out, 'screenshot.png');
  try {
    const dom = chromium(join(work, 'profile-dom'), ['--dump-dom', url]);
    assert.equal(dom.status, 0, dom.stderr);
    assert.match(dom.stdout, /sketchbench report: run-a/);
    assert.equal((dom.stdout.match(/<svg/g) ?? []).length, r.figures.length);
    // Chromium logs page console messages as "CONSOLE(...)" / "Uncaught" lines on stderr.
    const consoleErrors = dom.stderr.split('\n').filter((l) => /CONSOLE|Uncaught|Failed to load resource/i.test(l));
    assert.deepEqual(consoleErrors, []);
    const ss = chromium(join(work, 'profile-shot'), [`--screenshot=${shot}`, '--window-size=1000,2400', '--hide-scrollbars', url]);
    assert.equal(ss.status, 0, ss.stderr);
    const png = readFileSync(shot);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.ok(png.length > 20_000, 'a blank page would compress to almost nothing');
    console.log(`screenshot: ${shot}`);
  } finally {
    rmSync(join(work, 'profile-dom'), { recursive: true, force: true });
    rmSync(join(work, 'profile-shot'), { recursive: true, force: true });
  }
});
