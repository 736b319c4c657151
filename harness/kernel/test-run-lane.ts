/**
 * A thread pinned to one core that runs BPF_PROG_TEST_RUN for the main thread:
 * two lanes replay two programs at once, each always on its own core. Untimed work
 * only (accuracy); the main thread stays free to load or estimate meanwhile.
 *
 * Why a pinned thread and not koffi's async calls: those run on whichever worker
 * thread is free, on whichever core the scheduler gives it, and a variant's
 * geometric stream is per CPU, so the same run would sample differently from one
 * time to the next. Here a lane's core is fixed, and the run can be repeated exactly.
 */
import { Worker } from 'node:worker_threads';
import { SketchbenchError } from '../errors.ts';
import type { LaneRequest, LaneReply, LaneWorkerData } from './test-run-lane-worker.ts';

export class TestRunLane {
  private next = 1;
  private readonly pending = new Map<number, { resolve(r: number): void; reject(e: Error): void }>();
  private failure?: Error;

  private constructor(readonly cpu: number, private readonly worker: Worker) {
    worker.on('message', (m: LaneReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.retval);
      else p.reject(new SketchbenchError('traffic', m.error));
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => fail(new SketchbenchError('traffic', `test-run lane on CPU ${cpu}: ${err.message}`)));
    worker.on('exit', (code) => fail(new SketchbenchError('traffic', `test-run lane on CPU ${cpu} exited (code ${code})`)));
  }

  /** A lane on `cpu`, once its thread has pinned itself there. */
  static start(cpu: number): Promise<TestRunLane> {
    const data: LaneWorkerData = { entry: new URL('./test-run-lane-worker.ts', import.meta.url).href, cpu };
    const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: data });
    return new Promise((resolve, reject) => {
      const early = (err: Error) => reject(new SketchbenchError('traffic', `cannot start a test-run lane on CPU ${cpu}: ${err.message}`));
      const exited = (code: number) => early(new Error(`its thread exited (code ${code})`));
      worker.once('error', early);
      worker.once('exit', exited);
      worker.once('message', (m: LaneReply) => {
        worker.off('error', early);
        worker.off('exit', exited);
        if (m.ok) resolve(new TestRunLane(cpu, worker));
        else {
          void worker.terminate();
          reject(new SketchbenchError('traffic', m.error));
        }
      });
    });
  }

  /** One test run of `progFd` over a zeroed frame of `frameBytes`, `repeat` times; resolves to the program's last return value. */
  run(progFd: number, frameBytes: number, repeat: number, label: string): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    const req: LaneRequest = { id, progFd, frameBytes, repeat, label };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
