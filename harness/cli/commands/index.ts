import type { CommandEntry } from '../command.ts';

/**
 * The one table of subcommands: each names its words and summary here and lives in its
 * own file, imported only when it runs. A command then loads what it needs and no more:
 * `trace info` does not load vega or libbpf (it starts in 0.4 s through tsx, where every
 * module took 1.3 s).
 */
export const commands: CommandEntry[] = [
  { path: ['setup'], summary: 'install the Debian packages sketchbench needs (clang, libbpf, bpftool, iproute2, ...) when missing', load: async () => (await import('./setup.ts')).setupCommand },
  { path: ['list'], summary: 'list what a run can name: variants, switches, suites, metrics', load: async () => (await import('./list.ts')).listCommand },
  { path: ['init'], summary: 'write a starting point for measuring your own XDP program: an example sketch, its spec, and a suite that compares it with the paper\'s programs', load: async () => (await import('./init.ts')).initCommand },
  { path: ['doctor'], summary: 'check that this machine can build, load, attach and drive the variants', load: async () => (await import('./doctor.ts')).doctorCommand },
  { path: ['build'], summary: 'compile variants and load each through the verifier (not attached); print program size and load time', load: async () => (await import('./build.ts')).buildCommand },
  { path: ['run'], summary: 'measure variants over a trace in the kernel: cost, throughput, accuracy, program size', load: async () => (await import('./run.ts')).runCommand },
  { path: ['bench'], summary: 'run a suite (default: the built-in default suite), then render its report and print where it is', load: async () => (await import('./bench.ts')).benchCommand },
  { path: ['ci'], summary: 'regression gate: run a suite (default: quick), then compare with a baseline run; exit 1 on a significant regression', load: async () => (await import('./ci.ts')).ciCommand },
  { path: ['testbed', 'up'], summary: 'create a testbed (two namespaces joined by a veth pair) and keep it until `testbed down`', load: async () => (await import('./testbed.ts')).testbedUpCommand },
  { path: ['testbed', 'down'], summary: 'remove testbeds kept by `testbed up` (all, or the one named); --all also removes leftovers of dead runs', load: async () => (await import('./testbed.ts')).testbedDownCommand },
  { path: ['testbed', 'list'], summary: 'list every sketchbench namespace, link, pin, changed sysctl and run state file, with its owner', load: async () => (await import('./testbed.ts')).testbedListCommand },
  { path: ['trace', 'gen'], summary: 'generate a synthetic skewed (Zipf) or uniform trace, deterministic for a seed', load: async () => (await import('./trace-gen.ts')).traceGenCommand },
  { path: ['trace', 'import'], summary: 'convert pcap/pcapng captures (plain, gzip, zstd or xz; several are merged by timestamp) into a .trace', load: async () => (await import('./trace-import.ts')).traceImportCommand },
  { path: ['trace', 'export'], summary: 'write a .trace as a classic Ethernet pcap (for tcpreplay, MoonGen, pktgen, tshark)', load: async () => (await import('./trace-export.ts')).traceExportCommand },
  { path: ['trace', 'info'], summary: 'packets, bytes, flows, top-K flows and fitted Zipf skew of a .trace', load: async () => (await import('./trace-info.ts')).traceInfoCommand },
  { path: ['report'], summary: 'render figures (svg, png, pdf) and a self-contained index.html from a run folder or results file', load: async () => (await import('./report.ts')).reportCommand },
  { path: ['compare'], summary: 'compare a current run with a baseline; exit 1 on a significant regression beyond the threshold', load: async () => (await import('./compare.ts')).compareCommand },
  { path: ['ab'], summary: 'A/B in one run: this tree against a base ref or directory, interleaved; exit 1 on a regression surely beyond the threshold', load: async () => (await import('./ab.ts')).abCommand },
  { path: ['micro'], summary: 'per-operation cost of primitives (hashes, random numbers, map layouts, geometric tables) in eBPF and in native code, side by side', load: async () => (await import('./micro.ts')).microCommand },
];
