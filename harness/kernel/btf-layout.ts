/**
 * The kernel/user contract, checked from the compiled object's BTF. The TypeScript
 * side writes and reads structs by byte offset (layout.ts, replay-maps.ts); the C
 * side is the truth. At open, each struct the harness touches is looked up in the
 * object's BTF and every field's offset and size compared with what TypeScript
 * assumes, so a reordered or resized field is a one-line load error naming it,
 * never silently wrong numbers.
 */
import koffi from 'koffi';
import { libbpf } from './libbpf.ts';
import { SketchbenchError } from '../errors.ts';

const BTF_KIND_STRUCT = 4;

/** What the TypeScript side assumes of one C struct: byte offsets and sizes. */
export interface StructContract {
  struct: string;
  size: number;
  fields: { name: string; offset: number; size: number }[];
  /** Where the TypeScript mirror lives, for the error message. */
  mirror: string;
}

export interface StructLayout {
  size: number;
  fields: Map<string, { offset: number; size: number }>;
}

/** A struct's layout from BTF, or undefined when the object does not describe it. */
export function structLayout(btf: unknown, struct: string): StructLayout | undefined {
  const lb = libbpf();
  const id = lb.btfFindByNameKind(btf, struct, BTF_KIND_STRUCT) as number;
  if (id <= 0) return undefined;
  const t = lb.btfTypeById(btf, id);
  // struct btf_type {u32 name_off; u32 info; u32 size;} then vlen x struct btf_member {u32 name_off; u32 type; u32 offset;}
  const [, info, size] = koffi.decode(t, koffi.array('uint32_t', 3)) as number[];
  const vlen = info & 0xffff;
  const kflag = info >>> 31;
  const words = koffi.decode(t, koffi.array('uint32_t', 3 + 3 * vlen)) as number[];
  const fields = new Map<string, { offset: number; size: number }>();
  for (let i = 0; i < vlen; i++) {
    const [nameOff, type, off] = words.slice(3 + 3 * i, 6 + 3 * i);
    const bits = kflag ? off & 0xffffff : off;
    fields.set(lb.btfNameByOffset(btf, nameOff) as string, { offset: bits / 8, size: Number(lb.btfResolveSize(btf, type)) });
  }
  return { size, fields };
}

/** Throw a load error naming the first field whose place differs from the contract. */
export function checkContract(label: string, layout: StructLayout, c: StructContract): void {
  for (const f of c.fields) {
    const got = layout.fields.get(f.name);
    if (!got) throw new SketchbenchError('load', `${label}: struct ${c.struct} has no field '${f.name}' in the object's BTF, but ${c.mirror} uses it; rebuild, or bring the two in line`);
    if (got.offset !== f.offset || got.size !== f.size) {
      throw new SketchbenchError('load', `${label}: struct ${c.struct} field '${f.name}' is ${got.size} bytes at offset ${got.offset} in the object's BTF, but ${c.mirror} assumes ${f.size} at ${f.offset}; the C header and its TypeScript mirror disagree`);
    }
  }
  if (layout.size !== c.size) {
    throw new SketchbenchError('load', `${label}: struct ${c.struct} is ${layout.size} bytes in the object's BTF, but ${c.mirror} assumes ${c.size}`);
  }
}

/** A contract of consecutive fields of the given sizes, in order (the common case: no padding surprises). */
export function packed(struct: string, mirror: string, fields: [name: string, size: number][], size?: number): StructContract {
  let at = 0;
  const out = fields.map(([name, sz]) => {
    const f = { name, offset: at, size: sz };
    at += sz;
    return f;
  });
  return { struct, size: size ?? at, fields: out, mirror };
}
