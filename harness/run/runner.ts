/**
 * The run pipeline, read top to bottom: clean leftovers -> trace -> load
 * variants -> for each measurement: setup, warm-up, repetitions (paired
 * rounds of all variants where the measurement pairs, else interleaved
 * A B C A B C), teardown -> statistics, once. Every row and slice is appended
 * to the run folder the moment it is measured; results.json is rewritten with
 * statistics after each measurement and at the end.
 */
import { basename } from 'node:path';
import { openTraceSync, type Trace } from '../trace/format.ts';
import { declaresSketch, LoadedVariant, type LoadOptions } from '../build/load-variant.ts';
import { SINK_IFINDEX } from '../testbed/testbed.ts';
import { MEASUREMENTS } from '../measure/index.ts';
import type { Measurement, MeasureContext } from '../measure/types.ts';
import { RunWriter } from '../results/writer.ts';
import { runStatistics } from '../analyse/run-statistics.ts';
import type { ResultsFile } from '../types/results.ts';
import { cleanLeftovers } from '../testbed/leftovers.ts';
import { Progress } from './progress.ts';
import { inLanes } from './lanes.ts';
import { collectEnv } from './env.ts';
import { generatorDriver } from '../traffic/generators/index.ts';
import { formatValue } from './format.ts';
import type { MicroPlan, Phase, RunOptions } from './options.ts';
import { runMicro } from '../micro/campaign.ts';
import { ENVS, MICRO_SLICE_NS, MICRO_TRACE, references as microReferences } from '../micro/groups.ts';

export async function runPlan(opts: RunOptions, argv: string[]): Promise<ResultsFile> {
  const progress = new Progress(0, opts.progress);
  const cleaned = await cleanLeftovers({});
  if (cleaned.removed.length) progress.note(`removed leftovers of an earlier run: ${cleaned.removed.map((o) => o.name).join(', ')}`);

  const env = await collectEnv(opts.suite, opts.seeds, argv);
  const first = opts.phases[0]?.variants[0]?.params;
  Object.assign(env, {
    trace: opts.tracePath,
    hashSeeds: first ? first.seeds.map((x) => '0x' + x.toString(16)) : [],
    // Fixed per repetition so a run can be repeated exactly (coin sampling aside:
    // bpf_get_prandom_u32 is seeded by the kernel).
    samplingSeeds: 'geometric tables drawn from seed 1000+rep (cost), 2000+rep (throughput), 3000+rep (accuracy)',
    accuracyHashSeeds: opts.fixedHashSeeds ? 'hashSeeds in every repetition' : 'hashSeeds in repetition 0, splitmix64(rep) draws after (harness/sketch/seeds.ts)',
    cpus: opts.cpus,
    reference: opts.reference,
    // The testbed and its traffic, as throughput uses them.
    testbed: { kind: opts.link ? 'link' : 'veth', ...(opts.link ? { dutIface: opts.link.dut, genIface: opts.link.gen, ...(opts.link.genHost ? { genHost: opts.link.genHost } : {}) } : {}), action: opts.action, generator: opts.generator, generatorVersion: (await generatorDriver(opts.generator).available()).detail, ...(opts.link ? {} : { dutQueues: Math.max(opts.cpus.gen.length, opts.cpus.dut.length) }) },
    ...opts.envExtra,
  });
  const writer = RunWriter.open(opts.outDir, { env, suite: opts.suite });
  const log = (line: string) => { writer.log(line); progress.note(line); };
  log(`run folder ${opts.outDir}`);

  const trace = openTraceSync(opts.tracePath);
  const traceName = basename(opts.tracePath);
  log(`trace ${traceName}: ${trace.header.packetCount} packets, ${trace.header.flowCount} flows`);

  // Every phase's steps up front, weighed by their expected seconds, so the ETA covers the whole run.
  const packets = trace.header.packetCount;
  for (const phase of opts.phases) {
    for (const m of phase.metrics.map((name) => MEASUREMENTS[name])) {
      const reps = m.reps ?? opts.repsFor(m.name);
      const n = phase.variants.length;
      if (m.warmup) progress.addSteps(n, stepSeconds(m, 'warmup', n, packets, opts));
      if (m.measureRound) progress.addSteps(reps, stepSeconds(m, 'rep', n, packets, opts));
      else for (const spec of phase.variants) progress.addSteps(reps, stepSeconds(m, 'rep', n, packets, opts, spec.variant));
    }
  }
  if (opts.micro) progress.addSteps(opts.micro.groups.length * ENVS.length, microStepSeconds(opts.micro));
  const stats = () => runStatistics({ rows: writer.rows, slices: writer.slices, env: writer.env });
  const checkpoint = () => writer.checkpoint(stats());
  try {
    for (const phase of opts.phases) await runPhase(phase, opts, { trace, traceName, writer, progress, log, checkpoint });
    if (opts.micro) await runMicroPlan(opts.micro, opts, { writer, log, checkpoint, progress });
  } catch (err) {
    // What was measured stays on disk with its statistics.
    checkpoint();
    throw err;
  } finally {
    trace.close();
    progress.finish();
  }
  return writer.finish(stats());
}

/** A suite's micro section: the primitives on the cost CPU, rows and slices into the same folder, group by group. */
async function runMicroPlan(plan: MicroPlan, opts: RunOptions, io: Pick<PhaseIo, 'writer' | 'log' | 'checkpoint' | 'progress'>): Promise<void> {
  io.log(`micro: ${plan.groups.map((g) => g.name).join(', ')} in ${ENVS.join(' and ')}, ${plan.reps} x ${plan.blocks} paired blocks; ratios to ${microReferences(plan.groups).join(', ')}`);
  await runMicro({ groups: plan.groups, envs: ENVS, reps: plan.reps, blocks: plan.blocks, sliceNs: MICRO_SLICE_NS, seed: 1, cpu: opts.cpus.cost }, (g, env, r) => {
    io.writer.append(r.rows.map((row) => ({ ...row, trace: MICRO_TRACE })));
    io.writer.appendSlices(r.slices);
    io.checkpoint();
    const line = `micro ${g.name} ${env}: ${r.slices.length} slices`;
    io.writer.log(line);
    io.progress.step(line, undefined, microStepSeconds(plan));
  });
}

/** One micro group in one environment: its slices (0.2 ms, a few primitives per block) and a checkpoint. */
function microStepSeconds(plan: MicroPlan): number {
  return plan.reps * plan.blocks * 6 * MICRO_SLICE_NS * 2e-9 + 1.5;
}

/**
 * A step's weight for the progress ETA, the same when the step is added and when it is
 * done: one variant's warm-up, a paired round of `variants`, or one variant's repetition.
 */
function stepSeconds(m: Measurement, kind: 'warmup' | 'rep', variants: number, packets: number, opts: RunOptions, variant?: LoadedVariant['variant']): number {
  return m.stepSeconds(kind, { variants, packets, durationS: opts.durationS, sketch: variant ? declaresSketch(variant) : true });
}

interface PhaseIo {
  trace: Trace;
  traceName: string;
  writer: RunWriter;
  progress: Progress;
  log(line: string): void;
  checkpoint(): void;
}

async function runPhase(phase: Phase, opts: RunOptions, io: PhaseIo): Promise<void> {
  const { writer, progress, log } = io;
  if (opts.phases.length > 1) log(`phase ${phase.label}: ${phase.variants.length} variant configurations, ${phase.metrics.join(', ')}`);
  const variants: LoadedVariant[] = [];
  try {
    for (const spec of phase.variants) {
      variants.push(await LoadedVariant.load(spec.variant, spec.params, loadOptionsOf(spec, opts)));
    }
    // Names were validated with the options (normalizeRunOptions).
    const groups = phase.metrics.map((m) => MEASUREMENTS[m]);

    const ctx: MeasureContext = {
      trace: io.trace, traceName: io.traceName, variants, cpus: phase.cpus ? { ...opts.cpus, ...phase.cpus } : opts.cpus, recordDutCores: phase.cpus !== undefined, durationS: opts.durationS, maxLoss: opts.maxLoss, action: opts.action, generator: opts.generator, link: opts.link, fixedHashSeeds: opts.fixedHashSeeds, outDir: opts.outDir, log,
    };
    for (const m of groups) {
      log(`${m.name}: setting up`);
      const t0 = Date.now();
      const state = await m.setup(ctx);
      const packets = io.trace.header.packetCount;
      try {
        if (m.warmup) {
          for (const v of variants) {
            await m.warmup(state, v);
            progress.step(`${m.name} warm-up ${describeVariant(v)}`, undefined, stepSeconds(m, 'warmup', variants.length, packets, opts));
          }
        }
        const reps = m.reps ?? opts.repsFor(m.name);
        for (let rep = 0; rep < reps; rep++) {
          if (m.measureRound) {
            // A fresh load per repetition puts code and maps at new addresses:
            // identical programs loaded twice differed by 3% here through their
            // placement alone, so placement is drawn anew rather than fixed once.
            if (rep > 0) await reloadAll(variants, phase, opts);
            const { rows, slices } = await m.measureRound(state, variants, rep, phase.label);
            writer.appendSlices(slices);
            writer.append(rows.map((r) => ({ ...r, trace: io.traceName })));
            const blocks = new Set(slices.map((x) => x.block)).size;
            progress.step(`${m.name} rep ${rep + 1}/${reps}${blocks ? `, ${variants.length} variants paired in ${blocks} blocks` : ''}`, undefined, stepSeconds(m, 'rep', variants.length, packets, opts));
            continue;
          }
          await inLanes(variants, m.lanes?.(state) ?? 1, async (v, lane) => {
            const rows = await m.measure!(state, v, rep, lane);
            writer.append(rows.map((r) => ({ ...r, trace: io.traceName })));
            const head = rows[0];
            progress.step(`${m.name} ${describeVariant(v)} rep ${rep + 1}/${reps}`, head ? formatValue(head.value, head.unit) : undefined, stepSeconds(m, 'rep', variants.length, packets, opts, v.variant));
          });
        }
      } finally {
        await m.teardown(state);
      }
      log(`${m.name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      io.checkpoint();
    }
  } finally {
    for (const v of variants) v.close();
  }
}

/** Redirect goes to the testbed's sink, whose DUT-side ifindex is fixed before the testbed exists. */
function loadOptionsOf(spec: Phase['variants'][number], opts: RunOptions): LoadOptions {
  return { extraHashRounds: spec.extraHashRounds, action: opts.action, redirectIfindex: opts.action === 'redirect' ? SINK_IFINDEX : undefined };
}

async function reloadAll(variants: LoadedVariant[], phase: Phase, opts: RunOptions): Promise<void> {
  for (let i = 0; i < variants.length; i++) {
    const spec = phase.variants[i];
    const fresh = await LoadedVariant.load(spec.variant, spec.params, loadOptionsOf(spec, opts));
    variants[i].close();
    variants[i] = fresh;
  }
}

function describeVariant(v: LoadedVariant): string {
  const p = v.params;
  return `${v.variant.name} (${p.rows}x${p.columns}${v.variant.samples ? `, p=${p.p}` : ''})`;
}
