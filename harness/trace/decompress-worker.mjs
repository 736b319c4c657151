// Decompresses one capture into a shared ring buffer (see ring.ts for the layout). Plain
// JavaScript so it runs in a worker thread without the TypeScript loader the CLI registers.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { spawn } from 'node:child_process';
import { workerData } from 'node:worker_threads';

const { sab, ring, path, kind, tool } = workerData;
const W = 0, R = 1, STATE = 2, CLOSED = 3, ERRLEN = 4, STARTED = 5;
const ctrl = new Int32Array(sab, 0, 8);
const errText = new Uint8Array(sab, 32, 1024);
const data = new Uint8Array(sab, 1056, ring);

/** Copies chunk into the ring, waiting while it is full; false once the reader has closed. */
function put(chunk) {
  let o = 0;
  while (o < chunk.length) {
    if (Atomics.load(ctrl, CLOSED)) return false;
    const w = Atomics.load(ctrl, W), r = Atomics.load(ctrl, R);
    const free = ring - ((w - r) | 0);
    if (free === 0) { Atomics.wait(ctrl, R, r, 200); continue; }
    const at = (w >>> 0) % ring;
    const n = Math.min(chunk.length - o, free, ring - at);
    data.set(chunk.subarray(o, o + n), at);
    Atomics.store(ctrl, W, (w + n) | 0);
    Atomics.notify(ctrl, W);
    o += n;
  }
  return true;
}

function finish(state, msg) {
  if (msg) {
    const b = Buffer.from(msg).subarray(0, errText.length);
    errText.set(b);
    Atomics.store(ctrl, ERRLEN, b.length);
  }
  Atomics.store(ctrl, STATE, state);
  Atomics.notify(ctrl, W);
}

async function gzip() {
  // In-process zlib inflates about twice as fast as gzip(1), and here it has a core to itself.
  const z = createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }));
  try {
    for await (const chunk of z) if (!put(chunk)) { z.destroy(); return; }
  } catch (err) {
    return finish(2, err.message);
  }
  finish(1);
}

async function tool_() {
  const child = spawn(tool, ['-dc', '--', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  child.on('error', (err) => { stderr += err.message; });
  for await (const chunk of child.stdout) if (!put(chunk)) { child.kill(); await exited; return; }
  const { code, signal } = await exited;
  if (code === 0) finish(1);
  else finish(2, stderr.trim().split('\n').pop() || (signal ? `killed by ${signal}` : `exit code ${code}`));
}

Atomics.store(ctrl, STARTED, 1);
try {
  await (kind === 'gzip' ? gzip() : tool_());
} catch (err) {
  finish(2, String(err?.message ?? err));
}
