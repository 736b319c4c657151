/**
 * `sketchbench doctor`: prove, on this machine, each thing a default run needs.
 * Checks do the real thing where they can (compile, load, attach, send live
 * frames) rather than read version numbers, because that is what fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { GENERATORS } from '../traffic/generators/index.ts';
import { BpfObject, type XdpLink } from '../kernel/bpf-object.ts';
import { libbpfVersion } from '../kernel/libbpf.ts';
import { withNetns } from '../kernel/netns.ts';
import { createTestbed, type Testbed } from '../testbed/testbed.ts';
import { probeObject } from '../build/support-objects.ts';
import { missingPackages, isRoot } from '../system/packages.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** A failed required check makes `doctor` exit 1: the default run cannot work. */
  required: boolean;
}

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

function effectiveCaps(): bigint {
  const m = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? BigInt('0x' + m[1]) : 0n;
}

function hasCap(caps: bigint, bit: bigint): boolean {
  return ((caps >> bit) & 1n) === 1n;
}

function readSys(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The throughput path on a real testbed: native XDP on the DUT veth, its NAPI
 * in a kthread (veth has NAPI only while an XDP program is attached), and
 * live frames.
 */
async function probeTestbed(obj: BpfObject, add: (name: string, ok: boolean, detail: string) => void): Promise<void> {
  let tb: Testbed | undefined;
  try {
    tb = await createTestbed();
  } catch (err) {
    add('testbed (netns, veth, threaded NAPI)', false, (err as Error).message);
    return;
  }
  const dut = tb.dut;
  let link: XdpLink | undefined;
  try {
    try {
      link = withNetns(dut.ns, () => obj.attachXdp('probe_xdp', dut.ifindex, 'native'));
      add('native XDP on veth', true, 'attached as a bpf_link (closing the fd detaches it)');
    } catch (err) {
      add('native XDP on veth', false, (err as Error).message);
      return;
    }
    const threads = tb.napiThreads();
    add('threaded NAPI', threads.length > 0, threads.length
      ? `veth rx NAPI runs in kthread ${threads[0].name} (pid ${threads[0].pid}), pinnable per run`
      : `no NAPI kthread for ${dut.dev} with XDP attached`);
    withNetns(dut.ns, () => {
      try {
        const before = obj.map('seen').readU64StructSummed()[0];
        const live = obj.testRun('probe_xdp', { data: Buffer.alloc(64), repeat: 1000, liveFrames: true });
        const n = Number(obj.map('seen').readU64StructSummed()[0] - before);
        add('live frames (BPF_F_TEST_XDP_LIVE_FRAMES)', n === 1000, `${n} of 1000 frames seen, retval ${live.retval}`);
      } catch (err) {
        add('live frames (BPF_F_TEST_XDP_LIVE_FRAMES)', false, (err as Error).message);
      }
    });
  } finally {
    link?.detach();
    await tb.destroy();
  }
}

export async function runDoctor(): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string, required = true) => checks.push({ name, ok, detail, required });

  const caps = effectiveCaps();
  const privileged = isRoot() || (hasCap(caps, CAP_BPF) && hasCap(caps, CAP_NET_ADMIN) && hasCap(caps, CAP_SYS_ADMIN));
  add('privileges', privileged,
    isRoot() ? 'root' : privileged ? 'CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN' : 'run as root, or grant CAP_BPF+CAP_NET_ADMIN+CAP_SYS_ADMIN (CAP_PERFMON for bpf_stats)');
  if (!isRoot()) add('CAP_PERFMON', hasCap(caps, CAP_PERFMON), 'needed for bpf_stats run_time_ns', false);

  const missing = missingPackages({ includeTestOnly: false });
  add('system packages', missing.length === 0,
    missing.length ? `missing: ${missing.map((p) => p.pkg).join(' ')} (run: apt-get install -y ${missing.map((p) => p.pkg).join(' ')})` : 'clang, libbpf, bpftool, iproute2, fonts present');
  const missingTest = missingPackages({ includeTestOnly: true }).filter((p) => p.testOnly);
  add('test packages', missingTest.length === 0,
    missingTest.length ? `missing (npm test installs them): ${missingTest.map((p) => p.pkg).join(' ')}` : 'tshark, tcpdump, chromium, ping present', false);

  let probeObj: string | undefined;
  try {
    const { stdout } = await execa('clang', ['--version']);
    const { stdout: targets } = await execa('llc', ['--version'], { reject: false });
    probeObj = await probeObject();
    add('clang BPF target', true, `${stdout.split('\n')[0]}${/bpf/.test(targets) ? ', llc lists bpf' : ''}; probe compiled with -mcpu=v3`);
  } catch (err) {
    add('clang BPF target', false, `cannot compile for -target bpf: ${(err as Error).message.split('\n')[0]}; apt-get install clang`);
  }

  try {
    const v = libbpfVersion();
    const [maj] = v.replace(/^v/, '').split('.').map(Number);
    add('libbpf', maj >= 1, `${v} (koffi binding to libbpf.so.1)${maj >= 1 ? '' : '; needs 1.0 or newer'}`);
  } catch (err) {
    add('libbpf', false, `${(err as Error).message}`);
  }

  try {
    const { stdout } = await execa('bpftool', ['version']);
    add('bpftool', true, stdout.split('\n')[0]);
  } catch {
    add('bpftool', false, 'not found; apt-get install bpftool', false);
  }

  add('BTF', existsSync('/sys/kernel/btf/vmlinux'), existsSync('/sys/kernel/btf/vmlinux') ? '/sys/kernel/btf/vmlinux' : 'kernel built without CONFIG_DEBUG_INFO_BTF');
  const jit = readSys('/proc/sys/net/core/bpf_jit_enable');
  add('BPF JIT', jit === '1' || jit === '2', `net.core.bpf_jit_enable=${jit ?? 'unreadable'}${jit === '0' ? ' (interpreter numbers are meaningless; sysctl -w net.core.bpf_jit_enable=1)' : ''}`);
  const stats = readSys('/proc/sys/kernel/bpf_stats_enabled');
  add('bpf_stats', stats !== undefined, stats !== undefined ? `kernel.bpf_stats_enabled=${stats} (the harness keeps it off while measuring)` : 'sysctl kernel.bpf_stats_enabled missing', false);

  if (probeObj && privileged) {
    let obj: BpfObject | undefined;
    try {
      // Load, then test-run: proves the verifier, the JIT and BPF_PROG_TEST_RUN.
      obj = BpfObject.open(probeObj, { label: 'probe' });
      obj.load();
      const r = obj.testRun('probe_xdp', { data: Buffer.alloc(64), repeat: 10 });
      add('load + BPF_PROG_TEST_RUN', r.retval === 1, `XDP_DROP returned in ${r.durationNs} ns/run`);
    } catch (err) {
      add('load + BPF_PROG_TEST_RUN', false, (err as Error).message);
      obj?.close();
      obj = undefined;
    }
    if (obj) {
      try {
        await probeTestbed(obj, add);
      } finally {
        obj.close();
      }
    }
  } else {
    add('load + BPF_PROG_TEST_RUN', false, probeObj ? 'needs privileges' : 'needs clang');
  }

  const cpus = (await import('node:os')).cpus().length;
  add('cores', cpus >= 2, `${cpus} online; throughput needs one core for the DUT and one for the generator`, false);
  // Optional: each --generator driver, usable here or not, and what it needs.
  for (const g of GENERATORS) {
    const a = await g.available();
    add(`generator ${g.name}`, a.ok, a.ok ? `usable: ${a.detail}` : `not here: ${a.detail}`, false);
  }
  return checks;
}
