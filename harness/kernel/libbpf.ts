/**
 * Raw FFI declarations for the system libbpf (libbpf.so.1) and the few libc calls
 * the loader needs, through koffi (ffi-napi no longer builds on Node 20).
 * Nothing here owns resources: bpf-object.ts wraps these with one cleanup path.
 */
import koffi from 'koffi';
import { isMainThread } from 'node:worker_threads';
import { SketchbenchError } from '../errors.ts';

let lib: ReturnType<typeof bind> | undefined;

/** Recent libbpf messages (warnings, errors); attached to load errors for context. */
const libbpfLog: string[] = [];
const LOG_KEEP = 200;

export function recentLibbpfMessages(): string[] {
  return [...libbpfLog];
}
export function clearLibbpfMessages(): void {
  libbpfLog.length = 0;
}

function bind() {
  let so: ReturnType<typeof koffi.load>;
  let libc: ReturnType<typeof koffi.load>;
  try {
    so = koffi.load('libbpf.so.1');
    libc = koffi.load('libc.so.6');
  } catch (err) {
    throw new SketchbenchError('system', 'cannot load libbpf.so.1: install it with `apt-get install libbpf1` (or run `sketchbench doctor`)', { cause: err });
  }

  const testRunOpts = koffi.struct('bpf_test_run_opts', {
    sz: 'size_t',
    data_in: 'void *',
    data_out: 'void *',
    data_size_in: 'uint32_t',
    data_size_out: 'uint32_t',
    ctx_in: 'void *',
    ctx_out: 'void *',
    ctx_size_in: 'uint32_t',
    ctx_size_out: 'uint32_t',
    retval: 'uint32_t',
    repeat: 'int',
    duration: 'uint32_t',
    flags: 'uint32_t',
    cpu: 'uint32_t',
    batch_size: 'uint32_t',
  });
  koffi.struct('ifreq_ethtool', { name: koffi.array('uint8_t', 16), data: 'void *', pad: koffi.array('uint8_t', 16) });
  const linkCreateOpts = koffi.struct('bpf_link_create_opts_head', {
    sz: 'size_t',
    flags: 'uint32_t',
  });

  // libbpf's print callback gets a va_list; on x86-64 that is passed as a pointer,
  // so libc's vsnprintf can format it for us.
  const vsnprintf = libc.func('int vsnprintf(_Out_ uint8_t *buf, size_t n, const char *fmt, void *ap)');
  const PrintFn = koffi.proto('int libbpf_print_fn(int level, const char *fmt, void *ap)');
  const printBuf = Buffer.alloc(4096);
  const printCb = !isMainThread ? null : koffi.register((level: number, fmt: string, ap: unknown) => {
    const n = vsnprintf(printBuf, printBuf.length, fmt, ap);
    const text = printBuf.subarray(0, Math.max(0, Math.min(n, printBuf.length - 1))).toString('utf8').trimEnd();
    libbpfLog.push(text);
    if (libbpfLog.length > LOG_KEEP) libbpfLog.shift();
    if (process.env.SKETCHBENCH_LIBBPF_DEBUG) process.stderr.write(`libbpf[${level}]: ${text}\n`);
    return 0;
  }, koffi.pointer(PrintFn));
  // libbpf's print hook is process-wide: only the main thread may own it, or a
  // finished worker's callback would be called after its isolate is gone.
  if (isMainThread) {
    const setPrint = so.func('void *libbpf_set_print(libbpf_print_fn *fn)');
    setPrint(printCb);
  }

  return {
    testRunOptsSize: koffi.sizeof(testRunOpts),
    linkCreateOptsSize: koffi.sizeof(linkCreateOpts),
    errno: () => koffi.errno(),
    // object lifecycle
    objectOpenFile: so.func('void *bpf_object__open_file(const char *path, void *opts)'),
    objectLoad: so.func('int bpf_object__load(void *obj)'),
    objectClose: so.func('void bpf_object__close(void *obj)'),
    objectFindProgram: so.func('void *bpf_object__find_program_by_name(void *obj, const char *name)'),
    objectFindMap: so.func('void *bpf_object__find_map_by_name(void *obj, const char *name)'),
    objectNextMap: so.func('void *bpf_object__next_map(void *obj, void *map)'),
    objectNextProgram: so.func('void *bpf_object__next_program(void *obj, void *prog)'),
    // programs
    programFd: so.func('int bpf_program__fd(void *prog)'),
    programName: so.func('const char *bpf_program__name(void *prog)'),
    programType: so.func('int bpf_program__type(void *prog)'),
    programSetLogBuf: so.func('int bpf_program__set_log_buf(void *prog, void *buf, size_t size)'),
    programSetAutoload: so.func('int bpf_program__set_autoload(void *prog, bool autoload)'),
    // maps (libbpf objects)
    mapFd: so.func('int bpf_map__fd(void *map)'),
    mapName: so.func('const char *bpf_map__name(void *map)'),
    mapType: so.func('int bpf_map__type(void *map)'),
    mapKeySize: so.func('uint32_t bpf_map__key_size(void *map)'),
    mapValueSize: so.func('uint32_t bpf_map__value_size(void *map)'),
    mapMaxEntries: so.func('uint32_t bpf_map__max_entries(void *map)'),
    mapSetMaxEntries: so.func('int bpf_map__set_max_entries(void *map, uint32_t n)'),
    mapSetInitialValue: so.func('int bpf_map__set_initial_value(void *map, void *data, size_t size)'),
    // low-level syscalls wrappers
    mapLookupElem: so.func('int bpf_map_lookup_elem(int fd, void *key, void *value)'),
    mapUpdateElem: so.func('int bpf_map_update_elem(int fd, void *key, void *value, uint64_t flags)'),
    mapUpdateBatch: so.func('int bpf_map_update_batch(int fd, void *keys, void *values, _Inout_ uint32_t *count, void *opts)'),
    mapLookupBatch: so.func('int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, _Inout_ uint32_t *count, void *opts)'),
    mapGetNextKey: so.func('int bpf_map_get_next_key(int fd, void *key, void *next_key)'),
    objGetInfoByFd: so.func('int bpf_obj_get_info_by_fd(int fd, void *info, _Inout_ uint32_t *len)'),
    progTestRun: so.func('int bpf_prog_test_run_opts(int fd, _Inout_ bpf_test_run_opts *opts)'),
    linkCreate: so.func('int bpf_link_create(int prog_fd, int target_fd, int attach_type, bpf_link_create_opts_head *opts)'),
    // opts may be NULL: replace whatever program the link holds.
    linkUpdate: so.func('int bpf_link_update(int link_fd, int new_prog_fd, void *opts)'),
    // BTF of an opened object: the kernel/user struct contract is read from here
    objectBtf: so.func('void *bpf_object__btf(void *obj)'),
    btfFindByNameKind: so.func('int btf__find_by_name_kind(void *btf, const char *name, uint32_t kind)'),
    btfTypeById: so.func('void *btf__type_by_id(void *btf, uint32_t id)'),
    btfNameByOffset: so.func('const char *btf__name_by_offset(void *btf, uint32_t offset)'),
    btfResolveSize: so.func('int64_t btf__resolve_size(void *btf, uint32_t id)'),
    versionString: so.func('const char *libbpf_version_string()'),
    numPossibleCpus: so.func('int libbpf_num_possible_cpus()'),
    // libc
    close: libc.func('int close(int fd)'),
    schedSetaffinity: libc.func('int sched_setaffinity(int pid, size_t size, void *mask)'),
    gettid: libc.func('int gettid()'),
    setns: libc.func('int setns(int fd, int nstype)'),
    socket: libc.func('int socket(int domain, int type, int protocol)'),
    // ioctl is variadic in C; the one request used (SIOCETHTOOL) passes a struct ifreq whose union holds a pointer.
    ioctlEthtool: libc.func('int ioctl(int fd, unsigned long request, ifreq_ethtool *arg)'),
  };
}

export type Libbpf = ReturnType<typeof bind>;

/** The bound library, loaded on first use. */
export function libbpf(): Libbpf {
  lib ??= bind();
  return lib;
}

/** Kernel constants used by the loader (uapi linux/bpf.h, linux/if_link.h, sched.h). */
export const BPF_XDP = 37; // enum bpf_attach_type
export const XDP_FLAGS_SKB_MODE = 1 << 1;
export const XDP_FLAGS_DRV_MODE = 1 << 2;
export const BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;
export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
export const BPF_MAP_TYPE_PERCPU_HASH = 5;
export const BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
export const BPF_ANY = 0;
export const CLONE_NEWNET = 0x40000000;
export const BPF_PROG_TYPE_XDP = 6;

export function isPerCpuMapType(type: number): boolean {
  return type === BPF_MAP_TYPE_PERCPU_ARRAY || type === BPF_MAP_TYPE_PERCPU_HASH || type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/** "v1.1" style version of the loaded libbpf. */
export function libbpfVersion(): string {
  return libbpf().versionString() as string;
}
