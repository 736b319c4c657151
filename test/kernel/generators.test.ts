/**
 * Throughput through external generators, for real: tcpreplay and DPDK's
 * testpmd replay the trace's pcap from the generator namespace while the DUT
 * swaps programs; what they offered is read from the generator interface and
 * what the DUT processed from the variants. Drivers that cannot run here refuse
 * with one line and exit 2, before any traffic, leaving nothing behind.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelTest } from './helpers.ts';
import { generateTrace, GEN_DEFAULTS } from '../../harness/trace/gen.ts';
import { findLeftovers } from '../../harness/testbed/leftovers.ts';
import { createTestbed } from '../../harness/testbed/testbed.ts';

const root = new URL('../..', import.meta.url).pathname;

function sketchbench(args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/sketchbench.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

/** Namespaces, links and pins no live run owns: what a finished run left behind (other runs may be going on). */
async function leftovers(): Promise<string[]> {
  return (await findLeftovers()).filter((o) => o.kind !== 'state').map((o) => o.name);
}

const dpdkRuntime = () => (existsSync('/var/run/dpdk') ? readdirSync('/var/run/dpdk').filter((n) => n.startsWith('sketchbench')) : []);

kernelTest('tcpreplay and dpdk drive the testbed: offered and processed rates read back, nothing left running', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-gen-'));
  try {
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 2_000, packets: 50_000 });
    for (const generator of ['tcpreplay', 'dpdk']) {
      const out = join(dir, generator);
      const r = sketchbench(['run', '--variants', 'nitro-final,baseline-drop', '--trace', trace, '--metrics', 'throughput', '--generator', generator,
        '--reps', '1', '--duration', '0.4', '--quiet', '--out', out]);
      assert.equal(r.code, 0, `${generator}: ${r.out}`);
      const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      const med = (v: string, m: string) => res.summary.find((s: { variant: string; metric: string }) => s.variant === v && s.metric === m).median;
      t.diagnostic(`${generator}: nitro-final offered ${(med('nitro-final', 'offered_pps') / 1e3).toFixed(0)} kpps, processed ${(med('nitro-final', 'throughput_pps') / 1e3).toFixed(0)} kpps, capacity ${(med('nitro-final', 'capacity_pps') / 1e6).toFixed(2)} Mpps`);
      for (const v of ['nitro-final', 'baseline-drop']) {
        assert.ok(med(v, 'offered_pps') > 1000, `${generator}: ${v} offered ${med(v, 'offered_pps')} pps`);
        assert.ok(med(v, 'throughput_pps') > 0, `${generator}: ${v} processed nothing`);
        assert.ok(med(v, 'throughput_pps') <= med(v, 'offered_pps') * 1.05, `${generator}: ${v} processed more than was offered`);
      }
      assert.equal(res.env.testbed.generator, generator);
      assert.match(res.env.testbed.generatorVersion, generator === 'dpdk' ? /dpdk-testpmd/ : /tcpreplay version/);
    }
    const running = spawnSync('pgrep', ['-a', '-f', `(tcpreplay|dpdk-testpmd) .*${dir}`], { encoding: 'utf8' }).stdout.trim();
    assert.equal(running, '', 'no generator process outlives the run');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(), []);
  assert.deepEqual(dpdkRuntime(), [], "dpdk's runtime folder is removed");
}, { timeout: 180_000 });

kernelTest('drivers that cannot run here refuse with one line and exit 2, before any traffic', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-gen-'));
  try {
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 500, packets: 5_000 });
    // A DPDK runtime folder of a generator whose harness died (its pid has exited): the next run removes it.
    const deadPid = spawnSync('true').pid!;
    const stale = `/var/run/dpdk/sketchbench-${deadPid}-stale`;
    mkdirSync(stale, { recursive: true });
    const cases: [string, RegExp][] = [
      ['pktgen-dpdk', /generator pktgen-dpdk cannot run here: Pktgen-DPDK is not packaged/],
      ['moongen', /generator moongen cannot run here: MoonGen is not packaged and drives NICs only/],
      ['pktgen', /generator pktgen cannot run here: \/proc\/net\/pktgen is missing/],
      ['trex', /unknown generator 'trex'/],
    ];
    for (const [generator, msg] of cases) {
      const r = sketchbench(['run', '--variants', 'baseline-drop', '--trace', trace, '--metrics', 'throughput', '--generator', generator, '--reps', '1', '--quiet', '--out', join(dir, generator)]);
      assert.equal(r.code, 2, `${generator}: ${r.out}`);
      assert.match(r.out, msg);
    }
    assert.equal(existsSync(stale), false, 'a dead run\'s DPDK runtime folder is removed as a leftover');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(), []);
}, { timeout: 120_000 });

kernelTest('--dut-cpus 0,1: two queues with traffic on both, rows marked with the core count; a generator that cannot reach every queue is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-gen-'));
  try {
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 2_000, packets: 50_000 });
    const out = join(dir, 'two');
    const r = sketchbench(['run', '--variants', 'nitro-final,nitro-shared', '--trace', trace, '--metrics', 'throughput', '--dut-cpus', '0,1',
      '--reps', '1', '--duration', '0.3', '--quiet', '--out', out]);
    assert.equal(r.code, 0, r.out);
    const log = readFileSync(join(out, 'run.log'), 'utf8');
    assert.match(log, /2 queues, DUT NAPI on CPU 0,1, generator xdp-live .* on CPU 0,1/);
    assert.match(log, /the generator shares core 0,1 with the DUT/);
    const m = /packets per DUT queue 0: (\d+), 1: (\d+)/.exec(log);
    assert.ok(m && Number(m[1]) > 0 && Number(m[2]) > 0, `both queues carry traffic: ${m?.[0]}`);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.equal(res.env.testbed.dutQueues, 2);
    assert.ok(res.rows.filter((x: { metric: string }) => x.metric === 'capacity_pps').every((x: { params: { dutCores?: number } }) => x.params.dutCores === 2));
    // A generator that cannot reach every queue is refused before anything starts.
    const bad = sketchbench(['run', '--variants', 'nitro-final', '--trace', trace, '--metrics', 'throughput', '--dut-cpus', '0,1', '--gen-cpu', '1', '--quiet', '--out', join(dir, 'bad')]);
    assert.equal(bad.code, 2, bad.out);
    assert.match(bad.out, /reach only 1 of them/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(), []);
}, { timeout: 120_000 });

kernelTest('a link testbed: the user\'s interfaces, measured; threaded NAPI put back as it was, nothing left attached', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-gen-'));
  // Two interfaces the user already has, joined by a wire: here a veth pair in namespaces of ours.
  // Without threaded NAPI, as an interface usually is: the run turns it on and must turn it off again.
  const tb = await createTestbed({ threadedNapi: false });
  try {
    const threaded = `/sys/class/net/${tb.dut.dev}/threaded`;
    assert.equal((await tb.run('dut', 'cat', [threaded])).stdout.trim(), '0');
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 2_000, packets: 50_000 });
    const link = ['--dut-netns', tb.dut.ns, '--dut-iface', tb.dut.dev, '--gen-netns', tb.gen.ns, '--gen-iface', tb.gen.dev];
    const out = join(dir, 'link');
    const r = sketchbench(['run', '--variants', 'nitro-final,baseline-drop', '--trace', trace, '--metrics', 'throughput', ...link, '--reps', '1', '--duration', '0.3', '--quiet', '--out', out]);
    assert.equal(r.code, 0, r.out);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.equal(res.env.testbed.kind, 'link');
    assert.deepEqual(res.env.testbed.dutIface, { ns: tb.dut.ns, dev: tb.dut.dev });
    assert.ok(res.summary.find((x: { variant: string; metric: string }) => x.variant === 'nitro-final' && x.metric === 'throughput_pps').median > 0);
    assert.equal((await tb.run('dut', 'cat', [threaded])).stdout.trim(), '0', 'threaded NAPI restored');
    assert.doesNotMatch((await tb.run('dut', 'ip', ['link', 'show', 'dev', tb.dut.dev])).stdout, /xdp/, 'no XDP program left on the DUT interface');

    const missing = sketchbench(['run', '--variants', 'nitro-final', '--trace', trace, '--metrics', 'throughput', '--dut-netns', tb.dut.ns, '--dut-iface', 'nosuch0', '--gen-netns', tb.gen.ns, '--gen-iface', tb.gen.dev, '--quiet', '--out', join(dir, 'm')]);
    assert.equal(missing.code, 2, missing.out);
    assert.match(missing.out, /--dut-iface nosuch0: no such interface in namespace/);
    const half = sketchbench(['run', '--variants', 'nitro-final', '--trace', trace, '--metrics', 'throughput', '--dut-iface', tb.dut.dev, '--quiet', '--out', join(dir, 'h')]);
    assert.equal(half.code, 2, half.out);
    assert.match(half.out, /needs both --dut-iface and --gen-iface/);
  } finally {
    await tb.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(), []);
}, { timeout: 120_000 });

kernelTest('a remote generator host over ssh: the trace copied there, tcpreplay run there, its counters streamed back, everything removed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-gen-'));
  // The "remote host" is the testbed's generator namespace running Debian's sshd; the DUT host reaches it on a
  // management link of its own (the measured link drops whatever the DUT's program sees, ssh included).
  const tb = await createTestbed({ threadedNapi: false });
  let sshd: ReturnType<typeof spawn> | undefined;
  try {
    const [mDut, mGen] = [`sbm${tb.id}a`.slice(0, 15), `sbm${tb.id}b`.slice(0, 15)];
    execFileSync('ip', ['link', 'add', mDut, 'netns', tb.dut.ns, 'type', 'veth', 'peer', 'name', mGen, 'netns', tb.gen.ns]);
    await tb.run('dut', 'ip', ['addr', 'add', '198.18.0.5/30', 'dev', mDut]);
    await tb.run('gen', 'ip', ['addr', 'add', '198.18.0.6/30', 'dev', mGen]);
    await tb.run('dut', 'ip', ['link', 'set', mDut, 'up']);
    await tb.run('gen', 'ip', ['link', 'set', mGen, 'up']);
    await tb.run('gen', 'ip', ['link', 'set', 'lo', 'up']);
    for (const k of ['id', 'host']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, k)]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')));
    writeFileSync(join(dir, 'sshd_config'), [
      'ListenAddress 198.18.0.6', `HostKey ${join(dir, 'host')}`, `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'StrictModes no', 'UsePAM no', `PidFile ${join(dir, 'sshd.pid')}`, '',
    ].join('\n'));
    writeFileSync(join(dir, 'ssh_config'), [
      'Host gen', '  HostName 198.18.0.6', '  User root', `  IdentityFile ${join(dir, 'id')}`, `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      '  StrictHostKeyChecking accept-new', '  LogLevel ERROR', '',
    ].join('\n'));
    mkdirSync('/run/sshd', { recursive: true });
    sshd = spawn('ip', ['netns', 'exec', tb.gen.ns, '/usr/sbin/sshd', '-D', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(join(dir, 'sshd.pid')); i++) await new Promise((r) => setTimeout(r, 50));

    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 2_000, packets: 50_000 });
    const remote = ['--dut-netns', tb.dut.ns, '--dut-iface', tb.dut.dev, '--gen-host', 'gen', '--ssh-config', join(dir, 'ssh_config'), '--gen-iface', tb.gen.dev];
    const out = join(dir, 'remote');
    const r = sketchbench(['run', '--variants', 'nitro-final,baseline-drop', '--trace', trace, '--metrics', 'throughput', '--generator', 'tcpreplay', ...remote,
      '--reps', '1', '--duration', '0.4', '--quiet', '--out', out]);
    assert.equal(r.code, 0, `${r.out}\n${readFileSync(join(dir, 'sshd.log'), 'utf8')}`);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const med = (v: string, m: string) => res.summary.find((s: { variant: string; metric: string }) => s.variant === v && s.metric === m).median;
    t.diagnostic(`remote tcpreplay: nitro-final offered ${(med('nitro-final', 'offered_pps') / 1e3).toFixed(0)} kpps, processed ${(med('nitro-final', 'throughput_pps') / 1e3).toFixed(0)} kpps, capacity ${(med('nitro-final', 'capacity_pps') / 1e6).toFixed(2)} Mpps`);
    assert.ok(med('nitro-final', 'offered_pps') > 1000, `offered ${med('nitro-final', 'offered_pps')} pps, read from the remote host`);
    assert.ok(med('nitro-final', 'throughput_pps') > 0);
    assert.equal(res.env.testbed.genHost, 'gen');
    const leftOnRemote = (await tb.run('gen', 'sh', ['-c', 'ls /tmp | grep -c "^sketchbench-.*trace.pcap$" || true'])).stdout.trim();
    assert.equal(leftOnRemote, '0', 'the copied trace is removed from the remote host');
    assert.equal(spawnSync('pgrep', ['-f', `tcpreplay .*-i ${tb.gen.dev}`]).status, 1, 'no tcpreplay left running there');

    const down = sketchbench(['run', '--variants', 'baseline-drop', '--trace', trace, '--metrics', 'throughput', '--generator', 'tcpreplay',
      '--dut-netns', tb.dut.ns, '--dut-iface', tb.dut.dev, '--gen-host', 'root@198.18.0.9', '--ssh-config', join(dir, 'ssh_config'), '--gen-iface', tb.gen.dev, '--quiet', '--out', join(dir, 'down')]);
    assert.equal(down.code, 2, down.out);
    assert.match(down.out, /root@198\.18\.0\.9: finding --gen-iface .* failed .*check that 'ssh root@198\.18\.0\.9' logs in/);
  } finally {
    sshd?.kill('SIGTERM');
    await tb.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(), []);
}, { timeout: 180_000 });

kernelTest('SIGINT in the middle of a link run puts threaded NAPI back and leaves no generator or XDP program behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-gen-'));
  const tb = await createTestbed({ threadedNapi: false });
  try {
    const threaded = `/sys/class/net/${tb.dut.dev}/threaded`;
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 2_000, packets: 50_000 });
    const child = spawn(process.execPath, [join(root, 'bin/sketchbench.js'), 'run', '--variants', 'nitro-final', '--trace', trace, '--metrics', 'throughput',
      '--generator', 'tcpreplay', '--dut-netns', tb.dut.ns, '--dut-iface', tb.dut.dev, '--gen-netns', tb.gen.ns, '--gen-iface', tb.gen.dev,
      '--reps', '20', '--duration', '2', '--out', join(dir, 'run')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => { err += d; });
    const deadline = Date.now() + 60_000;
    while (!/throughput rep 1\/20/.test(err)) {
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`run did not reach a repetition: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await tb.run('dut', 'cat', [threaded])).stdout.trim(), '1', 'threaded NAPI is on while measuring');
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    assert.equal((await tb.run('dut', 'cat', [threaded])).stdout.trim(), '0', 'threaded NAPI put back');
    assert.doesNotMatch((await tb.run('dut', 'ip', ['link', 'show', 'dev', tb.dut.dev])).stdout, /xdp/);
    assert.equal(spawnSync('pgrep', ['-f', `tcpreplay .*-i ${tb.gen.dev}`]).status, 1, 'tcpreplay stopped');
  } finally {
    await tb.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(), []);
}, { timeout: 120_000 });
