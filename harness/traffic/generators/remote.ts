/**
 * A generator on another host, reached with OpenSSH (no agent of ours): the
 * trace's pcap is copied there, the tool runs there in the shell's own process
 * (its pid is read first, so it can be stopped and killed by pid: closing an
 * ssh session does not stop what it started), and what it offered is the
 * remote interface's transmit counters, streamed back from the remote
 * /proc/net/dev every few milliseconds over one more session. Every session
 * shares one master connection; the remote files and processes are removed on
 * success, error and signals. ssh runs from the DUT's namespace: the DUT host
 * is the one that reaches the generator host.
 */
import { execa, execaSync, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { SketchbenchError, badInput } from '../../errors.ts';
import { registerCleanup } from '../../cleanup.ts';
import { txCountersOf } from './netdev-counters.ts';
import type { GeneratorTarget, RemoteShell, TrafficGenerator } from './types.ts';

export interface RemoteHost {
  /** USER@HOST as ssh takes it. */
  dest: string;
  /** An ssh_config file (-F); default: the user's own. */
  sshConfig?: string;
  /** Namespace on this host to run ssh from ('' = this host's). */
  fromNs: string;
}

/** Seconds a remote step may take before the host counts as unreachable. */
const CONNECT_TIMEOUT_S = 10;
const STREAM_MS = 5;

export class SshSession implements RemoteShell {
  private readonly dir: string;
  private readonly unregister: () => void;

  constructor(readonly host: RemoteHost) {
    if (!/^[\w.-]+@[\w.:-]+$|^[\w.:-]+$/.test(host.dest)) throw badInput(`--gen-host ${host.dest}: give USER@HOST (or a Host of your ssh config)`);
    this.dir = mkdtempSync(join(tmpdir(), 'sketchbench-ssh-'));
    this.unregister = registerCleanup(`ssh master to ${host.dest}`, () => this.closeNow());
  }

  /** ssh's own options: batch mode, one master connection for every session. */
  private opts(): string[] {
    return [
      ...(this.host.sshConfig ? ['-F', this.host.sshConfig] : []),
      '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${CONNECT_TIMEOUT_S}`,
      '-o', 'ControlMaster=auto', '-o', `ControlPath=${join(this.dir, 'cm')}`, '-o', 'ControlPersist=120',
    ];
  }

  private argv(cmd: string[], tool: 'ssh'): string[] {
    const inner = [tool, ...this.opts(), ...cmd];
    return this.host.fromNs === '' ? inner : ['ip', 'netns', 'exec', this.host.fromNs, ...inner];
  }

  /** Run a command there and wait for it. */
  async run(command: string, what: string): Promise<string> {
    const a = this.argv([this.host.dest, command], 'ssh');
    const r = await execa(a[0], a.slice(1), { reject: false, all: true, stdin: 'ignore' });
    if (r.exitCode !== 0) {
      const last = String(r.all ?? '').trim().split('\n').at(-1) ?? '';
      throw new SketchbenchError('traffic', `${this.host.dest}: ${what} failed (${last || `exit ${r.exitCode}`}); check that 'ssh ${this.host.dest}' logs in without a password`, { exitCode: 2 });
    }
    return String(r.all ?? '');
  }

  /** Start a command there that keeps running; its output streams back. */
  spawn(command: string): ResultPromise {
    const a = this.argv([this.host.dest, command], 'ssh');
    return execa(a[0], a.slice(1), { reject: false, stdin: 'ignore', buffer: false });
  }

  /** Copy a file there through ssh itself: no scp or sftp subsystem needed on the other side. */
  async copy(local: string, remote: string): Promise<void> {
    const a = this.argv([this.host.dest, `cat > '${remote}'`], 'ssh');
    const r = await execa(a[0], a.slice(1), { reject: false, all: true, inputFile: local });
    if (r.exitCode !== 0) throw new SketchbenchError('traffic', `${this.host.dest}: copying the trace there failed: ${String(r.all).trim().split('\n').at(-1)}`, { exitCode: 2 });
  }

  private closeNow(): void {
    // Synchronous: the master must hear `exit` before its socket's folder goes, or it lingers for ControlPersist.
    const a = this.argv(['-O', 'exit', this.host.dest], 'ssh');
    execaSync(a[0], a.slice(1), { reject: false, stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }

  close(): void {
    this.unregister();
    this.closeNow();
  }
}

/**
 * Run a generator tool on the remote host: `command` is its argv there (the pcap
 * already copied to the path it names). Stopped with SIGINT by pid, killed if it
 * lingers, its remote files removed.
 */
export async function startRemoteTool(ssh: RemoteShell, t: GeneratorTarget, label: string, argv: string[], remoteFiles: string[]): Promise<TrafficGenerator> {
  const ns = t.ns ? `ip netns exec ${t.ns} ` : '';
  const quoted = argv.map((x) => `'${x.replace(/'/g, `'\\''`)}'`).join(' ');
  // The shell prints its pid, then becomes the tool: that pid is the tool's.
  const proc = ssh.spawn(`echo pid $$; exec ${ns}taskset -c ${t.cpus.join(',')} ${quoted}`);
  let out = '';
  proc.stdout?.on('data', (d) => { out += d; });
  proc.stderr?.on('data', (d) => { out += d; });
  let exited = false;
  void proc.then(() => { exited = true; });
  const removeFiles = (): Promise<unknown> => ssh.run(`rm -rf ${remoteFiles.map((f) => `'${f}'`).join(' ')}; true`, 'cleanup').catch(() => undefined);
  const pid = await new Promise<number>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new SketchbenchError('traffic', `${label} on ${ssh.host.dest} did not start: ${out.trim().split('\n').at(-1) ?? ''}`)), CONNECT_TIMEOUT_S * 1000);
    const poll = setInterval(() => {
      const m = /^pid (\d+)$/m.exec(out);
      if (m) { clearTimeout(deadline); clearInterval(poll); resolve(Number(m[1])); }
      if (exited) { clearTimeout(deadline); clearInterval(poll); reject(new SketchbenchError('traffic', `${label} on ${ssh.host.dest} exited at once: ${out.trim().split('\n').at(-1) ?? ''}`)); }
    }, 10);
  }).catch(async (err) => {
    proc.kill('SIGKILL');
    const seen = /^pid (\d+)$/m.exec(out);
    if (seen) await ssh.run(`kill -KILL ${seen[1]} 2>/dev/null; true`, 'cleanup').catch(() => undefined);
    await removeFiles();
    throw err;
  });
  const cleanupRemote = async (): Promise<void> => {
    await ssh.run(`kill -KILL ${pid} 2>/dev/null; rm -rf ${remoteFiles.map((f) => `'${f}'`).join(' ')}; true`, 'cleanup').catch(() => undefined);
  };
  const unregister = registerCleanup(`${label} on ${ssh.host.dest} (pid ${pid})`, cleanupRemote);

  // The interface's counters, streamed: the latest snapshot is what offered() reads.
  const stream = ssh.spawn(`while :; do ${ns}cat /proc/net/dev; echo @@; sleep ${STREAM_MS / 1000}; done`);
  let buf = '';
  let latest: number | undefined;
  stream.stdout?.on('data', (d) => {
    buf += d;
    const end = buf.lastIndexOf('@@');
    if (end < 0) return;
    const start = buf.lastIndexOf('@@', end - 1);
    const snap = buf.slice(start < 0 ? 0 : start + 2, end);
    const c = txCountersOf(snap, t.dev);
    if (c) latest = c.packets + c.dropped;
    buf = buf.slice(end + 2);
  });
  const stopStream = (): void => { stream.kill('SIGKILL'); };
  try {
    const until = Date.now() + CONNECT_TIMEOUT_S * 1000;
    while (latest === undefined) {
      if (Date.now() > until) throw new SketchbenchError('traffic', `${ssh.host.dest}: no counters for ${t.dev} there; is --gen-iface right?`, { exitCode: 2 });
      if (exited) throw new SketchbenchError('traffic', `${label} on ${ssh.host.dest} exited: ${out.trim().split('\n').slice(-2).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } catch (err) {
    stopStream();
    await cleanupRemote();
    unregister();
    throw err;
  }
  const from = latest!;
  let stopping = false;
  return {
    offered() {
      if (exited && !stopping) throw new SketchbenchError('traffic', `${label} on ${ssh.host.dest} exited during the measurement: ${out.trim().split('\n').slice(-2).join(' | ')}`);
      return latest! - from;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      stopStream();
      await ssh.run(`kill -INT ${pid} 2>/dev/null; for i in 1 2 3 4 5 6; do kill -0 ${pid} 2>/dev/null || break; sleep 0.5; done; kill -KILL ${pid} 2>/dev/null; true`, `stopping ${label}`);
      await proc;
      await cleanupRemote();
      unregister();
    },
  };
}

/** Where the trace goes on the remote host. */
export function remotePcapPath(local: string): string {
  return `/tmp/sketchbench-${process.pid}-${basename(local)}`;
}
