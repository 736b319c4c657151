import type { ResultPromise } from 'execa';

/**
 * A traffic generator behind one interface, so throughput measures the DUT the
 * same way whatever sends: start it, read how many frames it offered so far
 * (per slice), stop it. Drivers that launch a tool also say whether the tool
 * can run here, and why not, before anything starts (`doctor` lists them).
 */
export interface TrafficGenerator {
  /** Frames offered to the DUT so far (sent, or attempted and dropped on the way out). */
  offered(): number;
  stop(): Promise<void>;
}

export interface Availability {
  ok: boolean;
  /** What the driver runs (tool and version), or why it cannot run here and what to install. */
  detail: string;
}

/** Where and how to send: the generator's namespace and interface, its cores, the trace as pcap. */
export interface GeneratorTarget {
  ns: string;
  dev: string;
  ifindex: number;
  cpus: number[];
  /** The trace exported as a classic pcap (external tools replay it). */
  pcapPath?: string;
  /** DUT MAC, for tools that build frames themselves. */
  dstMac: string;
  srcMac: string;
  /** Offered rate in packets/s; 0 = as fast as the tool goes. */
  ratePps: number;
  /** The generator runs on another host (--gen-host), reached with ssh; `ns` and `dev` are that host's. */
  remote?: RemoteShell;
}

/** Commands on the generator's host (remote.ts's SshSession). */
export interface RemoteShell {
  readonly host: { dest: string };
  /** Run a command there and wait; a failure is an error naming `what`. */
  run(command: string, what: string): Promise<string>;
  /** Start a command there that keeps running, its output streaming back. */
  spawn(command: string): ResultPromise;
  copy(local: string, remote: string): Promise<void>;
}
