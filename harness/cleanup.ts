/**
 * Process-wide cleanup registry. Anything that creates kernel state (a namespace,
 * an XDP attachment, a pin, a sysctl change) registers an undo here, so the same
 * path runs on success, on error, and on SIGINT/SIGTERM.
 */
type Undo = () => Promise<void> | void;

const undos = new Map<number, { label: string; undo: Undo }>();
let nextId = 1;
let signalsInstalled = false;

export function registerCleanup(label: string, undo: Undo): () => void {
  installSignalHandlers();
  const id = nextId++;
  undos.set(id, { label, undo });
  return () => { undos.delete(id); };
}

/** Run every registered undo, newest first; errors are reported, never thrown. */
export async function runCleanupHandlers(): Promise<void> {
  const entries = [...undos.entries()].reverse();
  undos.clear();
  for (const [, { label, undo }] of entries) {
    try {
      await undo();
    } catch (err) {
      console.error(`sketchbench: cleanup of ${label} failed: ${(err as Error).message}`);
    }
  }
}

function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`\nsketchbench: ${sig} received, cleaning up`);
      void runCleanupHandlers().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
}
