/**
 * Process-wide cleanup registry. Anything that creates kernel state (a namespace,
 * an XDP attachment, a pin, a sysctl change) registers an undo here, so the same
 * path runs on success, on error, and on SIGINT/SIGTERM/SIGHUP.
 *
 * Signal handling rules:
 * - Handlers are installed only while something is registered, so a process with
 *   nothing to undo keeps Node's default behaviour (and listeners never keep the
 *   event loop alive anyway).
 * - A second signal while cleanup runs is acknowledged and ignored: killing the
 *   process half way through would leave exactly the state we are removing. To
 *   keep an escape hatch, each undo is bounded by a timeout; SIGKILL still works,
 *   and a later run finds what is left (harness/testbed/leftovers.ts).
 */
type Undo = () => Promise<void> | void;

const undos = new Map<number, { label: string; undo: Undo }>();
let nextId = 1;
let running: Promise<void> | undefined;
let shuttingDown = false;

/** An undo that takes longer than this is abandoned so a signal-triggered exit cannot hang. */
const UNDO_TIMEOUT_MS = 15_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const EXIT_CODE: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export function registerCleanup(label: string, undo: Undo): () => void {
  const id = nextId++;
  undos.set(id, { label, undo });
  installSignalHandlers();
  return () => {
    undos.delete(id);
    if (undos.size === 0 && !shuttingDown) removeSignalHandlers();
  };
}

/** True once a signal started the final cleanup: long operations may stop early. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

/**
 * Run every registered undo, newest first; errors are reported, never thrown.
 * Concurrent callers (the error path and a signal) share one pass, then drain
 * anything registered meanwhile.
 */
export async function runCleanupHandlers(): Promise<void> {
  while (running) await running;
  if (undos.size === 0) return;
  running = (async () => {
    while (undos.size > 0) {
      const [id, { label, undo }] = [...undos.entries()].at(-1)!;
      undos.delete(id);
      try {
        await withTimeout(Promise.resolve().then(undo), UNDO_TIMEOUT_MS, label);
      } catch (err) {
        console.error(`sketchbench: cleanup of ${label} failed: ${(err as Error).message}`);
      }
    }
  })();
  try {
    await running;
  } finally {
    running = undefined;
    if (!shuttingDown) removeSignalHandlers();
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms (${label})`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const handlers = new Map<string, () => void>();

function onSignal(sig: (typeof SIGNALS)[number]): void {
  if (shuttingDown) {
    console.error(`\nsketchbench: ${sig} received again; still cleaning up, please wait (SIGKILL leaves state behind)`);
    return;
  }
  shuttingDown = true;
  console.error(`\nsketchbench: ${sig} received, cleaning up`);
  void runCleanupHandlers().finally(() => process.exit(EXIT_CODE[sig]));
}

function installSignalHandlers(): void {
  if (handlers.size > 0) return;
  for (const sig of SIGNALS) {
    const h = () => onSignal(sig);
    handlers.set(sig, h);
    process.on(sig, h);
  }
}

function removeSignalHandlers(): void {
  for (const [sig, h] of handlers) process.off(sig, h);
  handlers.clear();
}
