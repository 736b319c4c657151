/**
 * A BPF object file through libbpf's lifecycle, in libbpf-bootstrap order:
 * open -> set rodata and map sizes -> load -> attach -> close. One close() frees
 * every fd, link and the libbpf object; `using`-style callers wrap it in try/finally.
 */
import { readFileSync } from 'node:fs';
import koffi from 'koffi';
import { SketchbenchError } from '../errors.ts';
import { registerCleanup } from '../cleanup.ts';
import { checkContract, structLayout, type StructContract, type StructLayout } from './btf-layout.ts';
import {
  libbpf, recentLibbpfMessages, clearLibbpfMessages, isPerCpuMapType,
  BPF_ANY, BPF_PROG_TYPE_XDP, BPF_XDP, XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE, BPF_F_TEST_XDP_LIVE_FRAMES,
} from './libbpf.ts';

/** Verifier log buffer per program; the kernel keeps the tail when it overflows (6.4+). */
const LOG_BUF_BYTES = 4 << 20;
const LOG_TAIL_LINES = 25;

export interface OpenOptions {
  /** Bytes of the whole .rodata section (the program's `const volatile` config). */
  rodata?: Buffer;
  /**
   * Structs the caller reads or writes by offset: each is checked against the object's
   * BTF before anything loads. A struct the object does not describe is skipped (a
   * program without that map or config); a described one must match field for field.
   */
  contracts?: StructContract[];
  /** Map name -> max_entries, applied before load. */
  maxEntries?: Record<string, number>;
  /** Label used in error messages (the variant name). */
  label?: string;
}

export interface ProgramInfo {
  name: string;
  id: number;
  verifiedInsns: number;
  xlatedBytes: number;
  jitedBytes: number;
  /** Only meaningful while kernel.bpf_stats_enabled is on. */
  runTimeNs: bigint;
  runCnt: bigint;
}

export type XdpMode = 'native' | 'generic';

export interface TestRunOptions {
  data?: Buffer;
  /** Room for the frame the program leaves behind (defaults to no output). */
  dataOutBytes?: number;
  ctx?: Buffer;
  repeat?: number;
  /** BPF_F_TEST_XDP_LIVE_FRAMES: frames are really sent/redirected/dropped. */
  liveFrames?: boolean;
  /** Live frames per batch (kernel default 64). */
  batchSize?: number;
}

export interface TestRunResult {
  retval: number;
  /** Average ns per repetition, as measured by the kernel. */
  durationNs: number;
  dataOut?: Buffer;
}

export class BpfMap {
  readonly perCpu: boolean;
  private readonly stride: number;

  constructor(
    readonly name: string,
    readonly fd: number,
    readonly type: number,
    readonly keySize: number,
    readonly valueSize: number,
    readonly maxEntries: number,
    private readonly nrCpus: number,
  ) {
    this.perCpu = isPerCpuMapType(type);
    // The kernel copies per-CPU values at 8-byte strides.
    this.stride = this.perCpu ? Math.ceil(valueSize / 8) * 8 : valueSize;
  }

  /** Copies of each value the kernel keeps: one per possible CPU for per-CPU maps. */
  get copies(): number {
    return this.perCpu ? this.nrCpus : 1;
  }

  /** Bytes a lookup returns: valueSize, or one stride per possible CPU. */
  get lookupBytes(): number {
    return this.perCpu ? this.stride * this.nrCpus : this.valueSize;
  }

  u32Key(i: number): Buffer {
    const k = Buffer.alloc(this.keySize);
    k.writeUInt32LE(i >>> 0, 0);
    return k;
  }

  /** Raw lookup; undefined when the key is absent. */
  lookupRaw(key: Buffer): Buffer | undefined {
    const value = Buffer.alloc(this.lookupBytes);
    const rc = libbpf().mapLookupElem(this.fd, key, value);
    if (rc !== 0) {
      if (-rc === 2 /* ENOENT */) return undefined;
      throw new SketchbenchError('read', `lookup in map '${this.name}' failed: errno ${-rc}`);
    }
    return value;
  }

  /** Per-CPU copies of one value (one element for shared maps). */
  lookupPerCpu(key: Buffer): Buffer[] | undefined {
    const raw = this.lookupRaw(key);
    if (!raw) return undefined;
    if (!this.perCpu) return [raw];
    const out: Buffer[] = [];
    for (let c = 0; c < this.nrCpus; c++) out.push(raw.subarray(c * this.stride, c * this.stride + this.valueSize));
    return out;
  }

  /** Update; for per-CPU maps `value` is either one value (copied to every CPU) or all copies. */
  update(key: Buffer, value: Buffer, flags = BPF_ANY): void {
    let buf = value;
    if (this.perCpu && value.length === this.valueSize) {
      buf = Buffer.alloc(this.lookupBytes);
      for (let c = 0; c < this.nrCpus; c++) value.copy(buf, c * this.stride);
    }
    if (buf.length !== this.lookupBytes) {
      throw new SketchbenchError('read', `update of map '${this.name}': value has ${value.length} bytes, expected ${this.valueSize}`);
    }
    const rc = libbpf().mapUpdateElem(this.fd, key, buf, BigInt(flags));
    if (rc !== 0) throw new SketchbenchError('read', `update of map '${this.name}' failed: errno ${-rc}`);
  }

  /** All keys, by BPF_MAP_GET_NEXT_KEY. */
  keys(): Buffer[] {
    const keys: Buffer[] = [];
    let prev: Buffer | null = null;
    for (;;) {
      const next = Buffer.alloc(this.keySize);
      const rc = libbpf().mapGetNextKey(this.fd, prev, next);
      if (rc !== 0) break;
      keys.push(next);
      prev = next;
    }
    return keys;
  }

  /**
   * Read an array map of u32/s32/u64 cells as numbers, summing per-CPU copies.
   * Used for sketches and counters, where merge = sum.
   */
  readArraySummed(kind: 'u32' | 's32' | 'u64'): number[] {
    const all = this.readArray();
    const per = this.lookupBytes;
    const out = new Array<number>(this.maxEntries);
    for (let i = 0; i < this.maxEntries; i++) {
      let sum = 0;
      for (let c = 0; c < this.copies; c++) {
        const off = i * per + c * this.stride;
        sum += kind === 'u32' ? all.readUInt32LE(off) : kind === 's32' ? all.readInt32LE(off) : Number(all.readBigUInt64LE(off));
      }
      out[i] = sum;
    }
    return out;
  }

  /**
   * Every value of an array map, in key order (lookupBytes each), by
   * BPF_MAP_LOOKUP_BATCH in chunks: one syscall per chunk, not per entry.
   */
  readArray(): Buffer {
    const per = this.lookupBytes;
    const out = Buffer.alloc(this.maxEntries * per);
    const CHUNK = 1 << 16;
    const keys = Buffer.alloc(CHUNK * 4);
    let inBatch: Buffer | null = null;
    let got = 0;
    while (got < this.maxEntries) {
      const outBatch = Buffer.alloc(4);
      const count = [Math.min(CHUNK, this.maxEntries - got)];
      const rc = libbpf().mapLookupBatch(this.fd, inBatch, outBatch, keys, out.subarray(got * per), count, null);
      got += count[0];
      if (rc === -2 /* ENOENT: no more entries */) break;
      if (rc !== 0) throw new SketchbenchError('read', `batch lookup in map '${this.name}' failed: errno ${-rc}`);
      inBatch = outBatch;
    }
    if (got !== this.maxEntries) throw new SketchbenchError('read', `batch lookup in map '${this.name}' returned ${got} of ${this.maxEntries} entries`);
    return out;
  }

  /** Sum per-CPU copies of a struct of u64 fields at `key` (its first `fields` of them, default all). */
  readU64StructSummed(key = 0, fields = this.valueSize / 8): bigint[] {
    const copies = this.lookupPerCpu(this.u32Key(key)) ?? [];
    const sums = new Array<bigint>(fields).fill(0n);
    for (const b of copies) for (let i = 0; i < fields; i++) sums[i] += b.readBigUInt64LE(i * 8);
    return sums;
  }

  /** The first `count` u32/s32 cells of one value (an array inside a struct), per-CPU copies summed. */
  readCellsSummed(kind: 'u32' | 's32', count: number, key = 0): number[] {
    const out = new Array<number>(count).fill(0);
    for (const b of this.lookupPerCpu(this.u32Key(key)) ?? []) {
      for (let i = 0; i < count; i++) out[i] += kind === 's32' ? b.readInt32LE(4 * i) : b.readUInt32LE(4 * i);
    }
    return out;
  }

  /**
   * Write one per-CPU value, each CPU's copy filled by `fill(copy, cpu)` (a zeroed
   * valueSize view); for a shared map, the one value as CPU 0's.
   */
  updatePerCpu(key: Buffer, fill: (copy: Buffer, cpu: number) => void): void {
    const buf = Buffer.alloc(this.lookupBytes);
    for (let c = 0; c < this.copies; c++) fill(buf.subarray(c * this.stride, c * this.stride + this.valueSize), c);
    this.update(key, buf);
  }

  /**
   * Fill an array map from index `first` with fixed-size values packed in one
   * buffer, by BPF_MAP_UPDATE_BATCH in chunks (one syscall per chunk, not per entry).
   */
  fillArray(values: Buffer, first = 0): void {
    const stride = this.perCpu ? this.lookupBytes : this.valueSize;
    const n = values.length / stride;
    if (!Number.isInteger(n)) throw new SketchbenchError('read', `fill of map '${this.name}': ${values.length} bytes is not a whole number of ${stride}-byte values`);
    if (first + n > this.maxEntries) throw new SketchbenchError('read', `fill of map '${this.name}': ${first + n} entries exceed its ${this.maxEntries}`);
    const CHUNK = 1 << 18;
    for (let off = 0; off < n; off += CHUNK) {
      const cnt = Math.min(CHUNK, n - off);
      const keys = Buffer.alloc(cnt * 4);
      for (let i = 0; i < cnt; i++) keys.writeUInt32LE(first + off + i, i * 4);
      const count = [cnt];
      const rc = libbpf().mapUpdateBatch(this.fd, keys, values.subarray(off * stride, (off + cnt) * stride), count, null);
      if (rc !== 0 || count[0] !== cnt) {
        throw new SketchbenchError('read', `batch update of map '${this.name}' failed at entry ${first + off + count[0]}: errno ${-rc}`);
      }
    }
  }

  /** Zero every entry of an array map (batched: one update per entry took ~1 s for 2^19 cells). */
  clearArray(): void {
    this.fillArray(Buffer.alloc(this.maxEntries * (this.perCpu ? this.lookupBytes : this.valueSize)));
  }

  /** Locked memory the kernel charges for this map (fdinfo memlock). */
  memlockBytes(): number {
    const info = readFileSync(`/proc/self/fdinfo/${this.fd}`, 'utf8');
    const m = /memlock:\s*(\d+)/.exec(info);
    return m ? Number(m[1]) : 0;
  }
}

export class XdpLink {
  private closed = false;
  private readonly unregister: () => void;

  constructor(readonly fd: number, readonly ifindex: number, readonly mode: XdpMode, label: string) {
    // Closing a bpf_link fd detaches the program, and the kernel does it for us
    // if this process dies: no XDP attachment outlives the run.
    this.unregister = registerCleanup(`XDP link of ${label} on ifindex ${ifindex}`, () => this.detach());
  }

  /**
   * Atomically replace the attached program (BPF_LINK_UPDATE): no detach, so
   * the interface never runs without a program and veth keeps its NAPI
   * instance (and the kthread's pinning).
   */
  update(progFd: number, label = 'program'): void {
    if (this.closed) throw new SketchbenchError('attach', `cannot swap in ${label}: the XDP link on ifindex ${this.ifindex} is already detached`);
    const r = libbpf().linkUpdate(this.fd, progFd, null) as number;
    if (r < 0) throw new SketchbenchError('attach', `cannot swap ${label} into the XDP link on ifindex ${this.ifindex}: errno ${-r}`);
  }

  detach(): void {
    if (this.closed) return;
    this.closed = true;
    libbpf().close(this.fd);
    this.unregister();
  }
}

export class BpfObject {
  private obj: unknown | null;
  private readonly logBufs = new Map<string, unknown>();
  private readonly links: XdpLink[] = [];
  /** Maps by name, once the object is loaded (fds do not change until close). */
  private readonly mapCache = new Map<string, BpfMap>();
  readonly label: string;
  loadMs = 0;

  private constructor(obj: unknown, readonly path: string, label: string) {
    this.obj = obj;
    this.label = label;
  }

  /** Open an object file and apply load-time settings. Nothing reaches the kernel yet. */
  static open(path: string, opts: OpenOptions = {}): BpfObject {
    const lb = libbpf();
    clearLibbpfMessages();
    const obj = lb.objectOpenFile(path, null);
    const label = opts.label ?? path;
    if (!obj) {
      throw new SketchbenchError('load', `cannot open BPF object ${path} for ${label}: errno ${lb.errno()}; rebuild with 'sketchbench build'`,
        { detail: recentLibbpfMessages().join('\n') });
    }
    const self = new BpfObject(obj, path, label);
    try {
      if (opts.contracts?.length) {
        const btf = lb.objectBtf(obj);
        for (const c of opts.contracts) {
          const layout = btf ? structLayout(btf, c.struct) : undefined;
          if (layout) checkContract(label, layout, c);
        }
      }
      if (opts.rodata) self.setRodata(opts.rodata);
      for (const [name, n] of Object.entries(opts.maxEntries ?? {})) self.setMaxEntries(name, n);
    } catch (err) {
      self.close();
      throw err;
    }
    return self;
  }

  private get ptr(): unknown {
    if (!this.obj) throw new SketchbenchError('load', `${this.label}: BPF object already closed`);
    return this.obj;
  }

  /** A struct's layout as the object's BTF describes it (undefined when it does not). */
  structLayout(struct: string): StructLayout | undefined {
    const btf = libbpf().objectBtf(this.ptr);
    return btf ? structLayout(btf, struct) : undefined;
  }

  /** Choose which programs of the object load (before load). */
  setAutoload(progName: string, autoload: boolean): void {
    const p = libbpf().objectFindProgram(this.ptr, progName);
    if (!p) throw new SketchbenchError('load', `${this.label}: object has no program '${progName}'`);
    libbpf().programSetAutoload(p, autoload);
  }

  private findMapPtr(name: string): unknown | null {
    return libbpf().objectFindMap(this.ptr, name);
  }

  private mapPtrs(): unknown[] {
    const lb = libbpf();
    const out: unknown[] = [];
    for (let m = lb.objectNextMap(this.ptr, null); m; m = lb.objectNextMap(this.ptr, m)) out.push(m);
    return out;
  }

  private programPtrs(): unknown[] {
    const lb = libbpf();
    const out: unknown[] = [];
    for (let p = lb.objectNextProgram(this.ptr, null); p; p = lb.objectNextProgram(this.ptr, p)) out.push(p);
    return out;
  }

  /** Size max_entries of a map (before load). */
  setMaxEntries(name: string, n: number): void {
    const map = this.findMapPtr(name);
    if (!map) throw new SketchbenchError('load', `${this.label}: object has no map '${name}'`);
    const rc = libbpf().mapSetMaxEntries(map, n);
    if (rc !== 0) throw new SketchbenchError('load', `${this.label}: cannot size map '${name}' to ${n} entries: errno ${-rc}`);
  }

  /** Bytes of the object's .rodata section, undefined when it has none (before or after load). */
  rodataSize(): number | undefined {
    const lb = libbpf();
    const m = this.mapPtrs().find((p) => lb.mapName(p).endsWith('.rodata'));
    return m ? lb.mapValueSize(m) : undefined;
  }

  /** A map's declared shape (before or after load); undefined when the object has no such map. */
  mapInfo(name: string): { type: number; keySize: number; valueSize: number; maxEntries: number } | undefined {
    const lb = libbpf();
    const m = this.findMapPtr(name);
    if (!m) return undefined;
    return { type: lb.mapType(m), keySize: lb.mapKeySize(m), valueSize: lb.mapValueSize(m), maxEntries: lb.mapMaxEntries(m) };
  }

  /** Names of the object's maps, without the sections libbpf makes maps of (.rodata, .bss, ...). */
  mapNames(): string[] {
    const lb = libbpf();
    return this.mapPtrs().map((p) => lb.mapName(p) as string).filter((n) => !n.includes('.'));
  }

  /** Names of the object's XDP programs. */
  xdpPrograms(): string[] {
    const lb = libbpf();
    return this.programPtrs().filter((p) => lb.programType(p) === BPF_PROG_TYPE_XDP).map((p) => lb.programName(p) as string);
  }

  /** Write the whole .rodata section (before load). */
  setRodata(bytes: Buffer): void {
    const lb = libbpf();
    const m = this.mapPtrs().find((p) => lb.mapName(p).endsWith('.rodata'));
    if (!m) throw new SketchbenchError('load', `${this.label}: object has no .rodata section to configure`);
    const size = lb.mapValueSize(m);
    if (size !== bytes.length) {
      // A mismatch means the C struct and the TypeScript layout drifted apart.
      throw new SketchbenchError('load', `${this.label}: .rodata is ${size} bytes but the config is ${bytes.length}; variants/include/sketch_kern_user.h and harness/kernel/layout.ts disagree`);
    }
    const rc = lb.mapSetInitialValue(m, bytes, bytes.length);
    if (rc !== 0) throw new SketchbenchError('load', `${this.label}: cannot set .rodata: errno ${-rc}`);
  }

  /** Load every program through the verifier. On rejection the error carries the log tail. */
  load(): void {
    const lb = libbpf();
    for (const p of this.programPtrs()) {
      const buf = koffi.alloc('char', LOG_BUF_BYTES);
      this.logBufs.set(lb.programName(p), buf);
      lb.programSetLogBuf(p, buf, LOG_BUF_BYTES);
    }
    clearLibbpfMessages();
    const t0 = process.hrtime.bigint();
    const rc = lb.objectLoad(this.ptr);
    this.loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (rc !== 0) {
      const tail = this.verifierLogTail();
      const last = verifierReason(tail) || (recentLibbpfMessages().pop() ?? '');
      const msg = tail
        ? `${this.label}: the verifier rejected the program (errno ${-rc}): ${last.trim()}; see the log tail below, or rebuild with other switches`
        : `${this.label}: load failed (errno ${-rc}): ${last.trim()}`;
      throw new SketchbenchError('load', msg, { detail: tail || recentLibbpfMessages().slice(-LOG_TAIL_LINES).join('\n') });
    }
    this.freeLogBufs();
  }

  private verifierLogTail(): string {
    const parts: string[] = [];
    for (const [name, buf] of this.logBufs) {
      const text = (koffi.decode(buf, 'char', LOG_BUF_BYTES) as string).replace(/\0.*$/s, '');
      if (!text.trim()) continue;
      const lines = text.trimEnd().split('\n');
      parts.push(`--- verifier log of ${name} (last ${Math.min(LOG_TAIL_LINES, lines.length)} of ${lines.length} lines) ---`,
        ...lines.slice(-LOG_TAIL_LINES));
    }
    return parts.join('\n');
  }

  private freeLogBufs(): void {
    for (const buf of this.logBufs.values()) koffi.free(buf);
    this.logBufs.clear();
  }

  /** Names of the object's programs, in the object's order (source order within a section). */
  programNames(): string[] {
    const lb = libbpf();
    return this.programPtrs().map((p) => lb.programName(p) as string);
  }

  program(name: string): { fd: number; name: string } {
    const p = libbpf().objectFindProgram(this.ptr, name);
    if (!p) throw new SketchbenchError('load', `${this.label}: object has no program '${name}'`);
    const fd = libbpf().programFd(p);
    if (fd < 0) throw new SketchbenchError('load', `${this.label}: program '${name}' is not loaded`);
    return { fd, name };
  }

  map(name: string): BpfMap {
    const cached = this.mapCache.get(name);
    if (cached) return cached;
    const lb = libbpf();
    const m = this.findMapPtr(name);
    if (!m) throw new SketchbenchError('read', `${this.label}: object has no map '${name}'`);
    const fd = lb.mapFd(m);
    if (fd < 0) throw new SketchbenchError('read', `${this.label}: map '${name}' is not created (object not loaded?)`);
    const map = new BpfMap(lb.mapName(m), fd, lb.mapType(m), lb.mapKeySize(m), lb.mapValueSize(m), lb.mapMaxEntries(m), possibleCpus());
    this.mapCache.set(name, map);
    return map;
  }

  hasMap(name: string): boolean {
    return this.findMapPtr(name) !== null;
  }

  /** Every map of the object (including .rodata/.bss), after load. */
  maps(): BpfMap[] {
    const lb = libbpf();
    return this.mapPtrs().map((m) => this.map(lb.mapName(m)));
  }

  /** Sum of locked memory over the object's maps, as the kernel accounts it. */
  mapBytes(): number {
    return this.maps().reduce((s, m) => s + m.memlockBytes(), 0);
  }

  programInfo(name: string): ProgramInfo {
    const { fd } = this.program(name);
    return programInfoByFd(fd);
  }

  /** Attach a program to an interface of the current network namespace as a bpf_link. */
  attachXdp(progName: string, ifindex: number, mode: XdpMode = 'native'): XdpLink {
    const { fd } = this.program(progName);
    const lb = libbpf();
    const flags = mode === 'native' ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
    const linkFd = lb.linkCreate(fd, ifindex, BPF_XDP, { sz: lb.linkCreateOptsSize, flags });
    if (linkFd < 0) {
      const hint = -linkFd === 16 ? 'another XDP program is attached (run `sketchbench testbed down --all`)'
        : -linkFd === 19 ? 'no such interface in this network namespace'
        : -linkFd === 95 ? `the driver of this interface does not support ${mode} XDP (veth and most NICs do; see sketchbench doctor)` : 'see `sketchbench doctor`';
      throw new SketchbenchError('attach', `${this.label}: cannot attach XDP (${mode}) to ifindex ${ifindex}: errno ${-linkFd}: ${hint}`);
    }
    const link = new XdpLink(linkFd, ifindex, mode, this.label);
    this.links.push(link);
    return link;
  }

  /** BPF_PROG_TEST_RUN. Synchronous: the calling thread runs the program. */
  testRun(progName: string, opts: TestRunOptions = {}): TestRunResult {
    const { fd } = this.program(progName);
    return testRunFd(fd, opts, this.label);
  }

  /** Free everything: links (detaching XDP), maps, programs, the libbpf object. Idempotent. */
  close(): void {
    for (const l of this.links.splice(0)) l.detach();
    this.mapCache.clear();
    this.freeLogBufs();
    if (this.obj) {
      libbpf().objectClose(this.obj);
      this.obj = null;
    }
  }
}

/** The verifier's own words for the rejection: its last lines, minus the statistics. */
function verifierReason(tail: string): string {
  const lines = tail.split('\n').map((l) => l.trim())
    .filter((l) => l && !/^(processed \d|verification time|stack depth|---|; )/.test(l) && !/^\d+: /.test(l));
  return lines.slice(-2).join('; ');
}

let nrCpus: number | undefined;

/** Possible CPUs: the number of copies a per-CPU map keeps (fixed for the boot). */
function possibleCpus(): number {
  if (nrCpus === undefined) nrCpus = libbpf().numPossibleCpus() as number;
  return nrCpus;
}

export function testRunFd(fd: number, opts: TestRunOptions, label: string): TestRunResult {
  const lb = libbpf();
  const dataOut = opts.dataOutBytes ? Buffer.alloc(opts.dataOutBytes) : null;
  const o = {
    sz: lb.testRunOptsSize,
    data_in: opts.data ?? null,
    data_out: dataOut,
    data_size_in: opts.data?.length ?? 0,
    data_size_out: dataOut?.length ?? 0,
    ctx_in: opts.ctx ?? null,
    ctx_out: null,
    ctx_size_in: opts.ctx?.length ?? 0,
    ctx_size_out: 0,
    retval: 0,
    repeat: opts.repeat ?? 1,
    duration: 0,
    flags: opts.liveFrames ? BPF_F_TEST_XDP_LIVE_FRAMES : 0,
    cpu: 0,
    batch_size: opts.batchSize ?? 0,
  };
  const rc = lb.progTestRun(fd, o);
  if (rc !== 0) {
    const e = -rc;
    const hint = e === 22 ? 'invalid input (frame size, ctx or flags)' : e === 95 ? 'not supported by this kernel' : e === 1 || e === 13 ? 'needs root (CAP_BPF + CAP_NET_ADMIN)' : '';
    throw new SketchbenchError('traffic', `${label}: BPF_PROG_TEST_RUN failed: errno ${e}${hint ? ': ' + hint : ''}`);
  }
  return {
    retval: o.retval,
    durationNs: o.duration,
    dataOut: dataOut ? dataOut.subarray(0, o.data_size_out) : undefined,
  };
}

/** bpf_prog_info fields at fixed uapi offsets (struct layout is append-only). */
export function programInfoByFd(fd: number): ProgramInfo {
  const info = Buffer.alloc(232);
  const len = [info.length];
  const rc = libbpf().objGetInfoByFd(fd, info, len);
  if (rc !== 0) throw new SketchbenchError('read', `cannot read program info: errno ${-rc}`);
  return {
    id: info.readUInt32LE(4),
    jitedBytes: info.readUInt32LE(16),
    xlatedBytes: info.readUInt32LE(20),
    name: info.subarray(64, 80).toString('utf8').replace(/\0.*$/s, ''),
    runTimeNs: info.readBigUInt64LE(192),
    runCnt: info.readBigUInt64LE(200),
    verifiedInsns: info.readUInt32LE(216),
  };
}
