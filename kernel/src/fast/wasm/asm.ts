/**
 * A minimal WebAssembly binary emitter: enough of the MVP and the fixed-width SIMD proposal
 * (v128, shipped in Node ≥ 16) to write the fast kernels' module from TypeScript, without a
 * toolchain. Functions are built instruction by instruction with structured-control helpers;
 * `assemble` lays out the type, function, memory, export and code sections.
 *
 * NOTE: opcodes follow the WebAssembly core specification (binary format, §5.4) and the SIMD
 * proposal's opcode table; all SIMD instructions are the 0xFD prefix followed by a LEB128 code.
 */

export type ValType = "i32" | "f32" | "f64" | "v128";

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(s: string): number[] {
  const bytes = [...Buffer.from(s, "utf8")];
  return [...uleb(bytes.length), ...bytes];
}

/** MVP opcodes used by the kernels. */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Store: 0x36,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  f32Ne: 0x5c,
  f32Lt: 0x5d,
  f32Gt: 0x5e,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
  f32Sqrt: 0x91,
  f64Add: 0xa0,
  f32DemoteF64: 0xb6,
  f64PromoteF32: 0xbb,
} as const;

/** SIMD opcodes (after the 0xFD prefix). */
export const SIMD = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  f64x2ExtractLane: 0x21,
  f32x4Ne: 0x42,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  bitselect: 0x52,
  f64x2PromoteLowF32x4: 0x5f,
  i32x4Add: 0xae,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f64x2Add: 0xf0,
} as const;

/** One function's signature, locals and body. Local indices: parameters first, then `local()`s. */
export class Func {
  readonly body: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  emit(...bytes: number[]): this {
    for (const b of bytes) this.body.push(b);
    return this;
  }

  get(i: number): this {
    return this.emit(OP.localGet, ...uleb(i));
  }
  set(i: number): this {
    return this.emit(OP.localSet, ...uleb(i));
  }
  tee(i: number): this {
    return this.emit(OP.localTee, ...uleb(i));
  }
  i32(c: number): this {
    return this.emit(OP.i32Const, ...sleb(c));
  }
  f32(c: number): this {
    const b = new Uint8Array(new Float32Array([c]).buffer);
    return this.emit(OP.f32Const, ...b);
  }
  op(code: number): this {
    return this.emit(code);
  }
  simd(code: number): this {
    return this.emit(0xfd, ...uleb(code));
  }
  /** Load/store with a memarg (log2 alignment, constant byte offset). */
  mem(code: number, align: number, offset = 0): this {
    return this.emit(code, ...uleb(align), ...uleb(offset));
  }
  simdMem(code: number, offset = 0): this {
    return this.simd(code).emit(...uleb(4), ...uleb(offset));
  }
  v128Load(offset = 0): this {
    return this.simdMem(SIMD.load, offset);
  }
  v128Store(offset = 0): this {
    return this.simdMem(SIMD.store, offset);
  }
  f32Load(offset = 0): this {
    return this.mem(OP.f32Load, 2, offset);
  }
  f32Store(offset = 0): this {
    return this.mem(OP.f32Store, 2, offset);
  }
  f64Load(offset = 0): this {
    return this.mem(OP.f64Load, 3, offset);
  }
  f64Store(offset = 0): this {
    return this.mem(OP.f64Store, 3, offset);
  }
  i32Load(offset = 0): this {
    return this.mem(OP.i32Load, 2, offset);
  }
  i32Store(offset = 0): this {
    return this.mem(OP.i32Store, 2, offset);
  }
  v128Const(bytes: readonly number[]): this {
    return this.simd(SIMD.const).emit(...bytes);
  }
  f32x4Const(a: number, b: number, c: number, d: number): this {
    return this.v128Const([...new Uint8Array(new Float32Array([a, b, c, d]).buffer)]);
  }
  i32x4Const(a: number, b: number, c: number, d: number): this {
    return this.v128Const([...new Uint8Array(new Int32Array([a, b, c, d]).buffer)]);
  }
  shuffle(lanes: readonly number[]): this {
    return this.simd(SIMD.shuffle).emit(...lanes);
  }
  f64x2Extract(lane: number): this {
    return this.simd(SIMD.f64x2ExtractLane).emit(lane);
  }
  /** local[i] += c (i32). */
  inc(i: number, c: number | (() => void)): this {
    this.get(i);
    if (typeof c === "number") this.i32(c);
    else c();
    return this.op(OP.i32Add).set(i);
  }

  /** `while (cond) body` — cond pushes an i32; body must leave the stack empty. */
  while(cond: () => void, body: () => void): this {
    this.emit(OP.block, 0x40, OP.loop, 0x40);
    cond();
    this.op(OP.i32Eqz).emit(OP.brIf, 1);
    body();
    this.emit(OP.br, 0, OP.end, OP.end);
    return this;
  }
  /** `if (cond) then else otherwise`. */
  if(cond: () => void, then: () => void, otherwise?: () => void): this {
    cond();
    this.emit(OP.if, 0x40);
    then();
    if (otherwise) {
      this.emit(OP.else);
      otherwise();
    }
    return this.emit(OP.end);
  }
  /** Push local[a] < local[b] (signed). */
  lt(a: number, b: number): this {
    return this.get(a).get(b).op(OP.i32LtS);
  }

  encodeBody(): number[] {
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const bytes = [
      ...uleb(groups.length),
      ...groups.flatMap(([n, t]) => [...uleb(n), VALTYPE[t]]),
      ...this.body,
      OP.end,
    ];
    return [...uleb(bytes.length), ...bytes];
  }
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A module of `funcs` (all exported by name) and one exported memory "memory" of `pages` 64 KiB pages. */
export function assemble(funcs: readonly Func[], pages = 1): Uint8Array {
  const sigs: string[] = [];
  const types: number[][] = [];
  const typeOf = funcs.map((f) => {
    const enc = [
      0x60,
      ...uleb(f.params.length),
      ...f.params.map((t) => VALTYPE[t]),
      ...uleb(f.results.length),
      ...f.results.map((t) => VALTYPE[t]),
    ];
    const key = enc.join(",");
    let i = sigs.indexOf(key);
    if (i < 0) {
      i = sigs.length;
      sigs.push(key);
      types.push(enc);
    }
    return i;
  });
  const exports = [
    [...utf8("memory"), 0x02, 0],
    ...funcs.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]),
  ];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(3, vec(typeOf.map((t) => uleb(t)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec(exports)),
    ...section(10, vec(funcs.map((f) => f.encodeBody()))),
  ]);
}
