/**
 * Debian packages the harness needs, found by the command or file each provides.
 * Installed with apt-get when missing and running as root; otherwise the exact
 * command is printed, so a fresh machine goes from `npm ci` to a run by itself.
 */
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { SketchbenchError } from '../errors.ts';

export interface SystemPackage {
  pkg: string;
  /** Present when this file exists. */
  provides: string;
  why: string;
  /** Needed by the test suite only. */
  testOnly?: boolean;
}

export const SYSTEM_PACKAGES: SystemPackage[] = [
  { pkg: 'clang', provides: '/usr/bin/clang', why: 'compiles the eBPF variants (-target bpf)' },
  { pkg: 'llvm', provides: '/usr/bin/llvm-objdump', why: 'inspects compiled objects' },
  { pkg: 'libbpf-dev', provides: '/usr/include/bpf/bpf_helpers.h', why: 'BPF helper headers for the variants' },
  { pkg: 'libbpf1', provides: '/usr/lib/x86_64-linux-gnu/libbpf.so.1', why: 'loads programs from TypeScript (koffi)' },
  { pkg: 'bpftool', provides: '/usr/sbin/bpftool', why: 'program inspection' },
  { pkg: 'iproute2', provides: '/usr/sbin/ip', why: 'network namespaces and veth pairs' },
  { pkg: 'ethtool', provides: '/usr/sbin/ethtool', why: 'toggles GRO so veth threaded NAPI can be enabled' },
  { pkg: 'util-linux', provides: '/usr/bin/taskset', why: 'pins threads to cores' },
  { pkg: 'iputils-ping', provides: '/usr/bin/ping', why: 'testbed connectivity check', testOnly: true },
  { pkg: 'tshark', provides: '/usr/bin/tshark', why: 'reference pcap reader in tests', testOnly: true },
  { pkg: 'tcpdump', provides: '/usr/bin/tcpdump', why: 'reads exported pcaps in tests', testOnly: true },
  { pkg: 'zstd', provides: '/usr/bin/zstd', why: 'reads zstd-compressed captures (trace import)' },
  { pkg: 'xz-utils', provides: '/usr/bin/xz', why: 'reads xz-compressed captures (trace import)' },
  { pkg: 'fonts-dejavu-core', provides: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', why: 'fonts for figures' },
  { pkg: 'chromium', provides: '/usr/bin/chromium', why: 'headless check of the HTML report', testOnly: true },
  // Generator drivers: optional for users (`sketchbench doctor` says which run), proven by the tests.
  { pkg: 'tcpreplay', provides: '/usr/bin/tcpreplay', why: 'the tcpreplay generator driver (tests)', testOnly: true },
  { pkg: 'dpdk-dev', provides: '/usr/bin/dpdk-testpmd', why: 'the dpdk generator driver: dpdk-testpmd and its pcap device (tests)', testOnly: true },
  // The remote-generator test runs Debian's sshd in the generator namespace; the harness itself needs only ssh.
  { pkg: 'openssh-server', provides: '/usr/sbin/sshd', why: 'a remote generator host in tests (sshd in a namespace)', testOnly: true },
  { pkg: 'openssh-client', provides: '/usr/bin/ssh', why: 'reaches a remote generator host (--gen-host)', testOnly: true },
];

export function missingPackages(opts: { includeTestOnly: boolean }): SystemPackage[] {
  return SYSTEM_PACKAGES.filter((p) => (opts.includeTestOnly || !p.testOnly) && !existsSync(p.provides));
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Fail with the command that installs what is missing: only `sketchbench setup` installs. */
export function requireSystemPackages(opts: { includeTestOnly?: boolean } = {}): void {
  const missing = missingPackages({ includeTestOnly: opts.includeTestOnly ?? false });
  if (missing.length === 0) return;
  const names = [...new Set(missing.map((p) => p.pkg))];
  throw new SketchbenchError('system', `missing system packages: ${names.join(', ')}; run 'npx sketchbench setup' (as root) or apt-get install -y --no-install-recommends ${names.join(' ')}`);
}

/** Install what is missing (root), or fail with the command to run. */
export async function ensureSystemPackages(opts: { includeTestOnly?: boolean; log?: (s: string) => void } = {}): Promise<void> {
  const missing = missingPackages({ includeTestOnly: opts.includeTestOnly ?? false });
  if (missing.length === 0) return;
  const names = [...new Set(missing.map((p) => p.pkg))];
  const cmd = `apt-get install -y --no-install-recommends ${names.join(' ')}`;
  if (!isRoot()) {
    throw new SketchbenchError('system', `missing system packages: ${names.join(', ')}; run as root: ${cmd}`);
  }
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  log(`sketchbench: installing missing system packages: ${names.join(' ')}`);
  try {
    await execa('apt-get', ['update', '-qq'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
    await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  } catch (err) {
    throw new SketchbenchError('system', `apt-get could not install ${names.join(' ')}; run it by hand: ${cmd}`, { cause: err, detail: String((err as { stderr?: string }).stderr ?? '') });
  }
  const still = missingPackages({ includeTestOnly: opts.includeTestOnly ?? false });
  if (still.length) throw new SketchbenchError('system', `still missing after install: ${still.map((p) => p.provides).join(', ')}`);
}
