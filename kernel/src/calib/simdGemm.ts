/**
 * WebAssembly kernels for calibration's float convolutions and fully connected layers, with the
 * interpreter's float32 arithmetic, so that results are bit-identical to the interpreter's:
 *
 * - `gemm`: C[r, c] = clamp(f32(Σ_i A[r, i] · B[i, c] + bias[c]), lo, hi), each sum in i order
 *   with every product and partial sum rounded to float32 (the interpreter's
 *   `s = f32(s + f32(x·w))`, the reference kernels' order), four output channels per f32x4
 *   lane group. A row-major [rows, k]; B row-major [k, cols] (the weights transposed); C
 *   row-major [rows, cols]. `rows` must be a multiple of 4 and `cols` a multiple of 8 (callers
 *   pad; padded rows and columns are computed and ignored). Blocks of 4 rows × 8 columns keep
 *   eight f32x4 accumulators; each step loads 4 scalars of A (splat) and two vectors of B.
 * - `fmac`: acc[j] = f32(acc[j] + f32(x[j] · w[j])) (depthwise convolution, one tap at a time).
 * - `im2col`: receptive fields of output pixels as rows of A (int32 bit copies, 0 for padding).
 *
 * The module is assembled here, byte by byte, from the instruction lists below (no toolchain,
 * nothing to download).
 */

// NOTE: the project compiles without the DOM library, whose declarations hold WebAssembly's
// types (Node's global object has it at run time); the few members used here are declared.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly __wasmModule: never;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => WasmInstance;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
};

// Opcodes (WebAssembly core + fixed-width SIMD).
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const LOOP = 0x03;
const BLOCK = 0x02;
const EMPTY = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_EQZ = 0x45;
const I32_LT_U = 0x49;
const I32_GE_U = 0x4f;
const I32_AND = 0x71;
const I32_ADD = 0x6a;
const I32_MUL = 0x6c;
const I32_SUB = 0x6b;
const I32_DIV_U = 0x6e;
const I32_LOAD = 0x28;
const I32_STORE = 0x36;
const IF = 0x04;
const ELSE = 0x05;
const I32_SHL = 0x74;
const F32_LOAD = 0x2a;
const F32_STORE = 0x38;
const F32_ADD = 0x92;
const F32_MUL = 0x94;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;
const F32X4_SPLAT = 0x13;
const F32X4_ADD = 0xe4;
const F32X4_MUL = 0xe6;
const F32X4_PMIN = 0xea;
const F32X4_PMAX = 0xeb;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return vec([...s].map((ch) => [ch.charCodeAt(0)]));
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

// Locals: the six parameters, then i32 and v128 locals.
const [A, B, C, ROWS, K, COLS, BIAS, LO, HI] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const [R, J, I, AP, BP, ROW_BYTES, COL_BYTES, CP] = [9, 10, 11, 12, 13, 14, 15, 16];
const ACC = [17, 18, 19, 20, 21, 22, 23, 24];
const X = [25, 26, 27, 28];
const [W0, W1, BIAS0, BIAS1, LO4, HI4] = [29, 30, 31, 32, 33, 34];

const get = (l: number): number[] => [LOCAL_GET, ...uleb(l)];
const set = (l: number): number[] => [LOCAL_SET, ...uleb(l)];
const i32 = (n: number): number[] => [I32_CONST, ...sleb(n)];
const simd = (op: number, ...imm: number[]): number[] => [SIMD, ...uleb(op), ...imm];
/** memarg: alignment hint 2^2 (unaligned access is allowed), byte offset. */
const mem = (offset: number): number[] => [2, ...uleb(offset)];
const addTo = (l: number, n: number[]): number[] => [...get(l), ...n, I32_ADD, ...set(l)];

function body(): number[] {
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) code.push(...p);
  };
  emit(get(K), i32(2), [I32_SHL], set(ROW_BYTES));
  emit(get(COLS), i32(2), [I32_SHL], set(COL_BYTES));
  emit(get(LO), simd(F32X4_SPLAT), set(LO4), get(HI), simd(F32X4_SPLAT), set(HI4));
  emit(i32(0), set(R));
  emit([BLOCK, EMPTY], get(ROWS), [I32_EQZ], [BR_IF, 0]);
  emit(get(COLS), [I32_EQZ], [BR_IF, 0]);
  emit([LOOP, EMPTY]); // rows, 4 at a time
  emit(i32(0), set(J));
  emit([LOOP, EMPTY]); // columns, 8 at a time
  for (const acc of ACC) emit(simd(V128_CONST, ...new Array<number>(16).fill(0)), set(acc));
  emit(get(A), get(R), get(ROW_BYTES), [I32_MUL], [I32_ADD], set(AP));
  emit(get(B), get(J), i32(2), [I32_SHL], [I32_ADD], set(BP));
  emit(i32(0), set(I));
  emit([LOOP, EMPTY]); // k
  // x_q = splat(A[r + q, i]) for q < 4.
  emit(get(AP), [F32_LOAD], mem(0), simd(F32X4_SPLAT), set(X[0]));
  emit(get(AP), get(ROW_BYTES), [I32_ADD], [F32_LOAD], mem(0), simd(F32X4_SPLAT), set(X[1]));
  emit(get(AP), get(ROW_BYTES), i32(1), [I32_SHL], [I32_ADD], [F32_LOAD], mem(0));
  emit(simd(F32X4_SPLAT), set(X[2]));
  emit(get(AP), get(ROW_BYTES), i32(3), [I32_MUL], [I32_ADD], [F32_LOAD], mem(0));
  emit(simd(F32X4_SPLAT), set(X[3]));
  // w0, w1 = B[i, j … j+4), B[i, j+4 … j+8).
  emit(get(BP), simd(V128_LOAD, ...mem(0)), set(W0));
  emit(get(BP), simd(V128_LOAD, ...mem(16)), set(W1));
  // acc[2q + h] = f32(acc + f32(x_q · w_h)).
  for (let q = 0; q < 4; q++) {
    for (let h = 0; h < 2; h++) {
      const acc = ACC[2 * q + h] ?? 0;
      emit(get(acc), get(X[q] ?? 0), get(h === 0 ? W0 : W1), simd(F32X4_MUL), simd(F32X4_ADD));
      emit(set(acc));
    }
  }
  emit(addTo(AP, i32(4)), addTo(BP, get(COL_BYTES)), addTo(I, i32(1)));
  emit(get(I), get(K), [I32_LT_U], [BR_IF, 0], [END]);
  // The output stage, y = clamp(f32(acc + bias[j]), lo, hi): pmax(v, lo) = v < lo ? lo : v and
  // pmin(v, hi) = hi < v ? hi : v, the interpreter's comparisons (so −0 stays −0).
  emit(get(BIAS), get(J), i32(2), [I32_SHL], [I32_ADD], simd(V128_LOAD, ...mem(0)), set(BIAS0));
  emit(get(BIAS), get(J), i32(2), [I32_SHL], [I32_ADD], simd(V128_LOAD, ...mem(16)), set(BIAS1));
  ACC.forEach((acc, n) => {
    emit(get(acc), get(n % 2 === 0 ? BIAS0 : BIAS1), simd(F32X4_ADD));
    emit(get(LO4), simd(F32X4_PMAX), get(HI4), simd(F32X4_PMIN), set(acc));
  });
  // Store the 4 × 8 block at C[r, j].
  emit(get(C), get(R), get(COLS), [I32_MUL], get(J), [I32_ADD], i32(2), [I32_SHL], [I32_ADD]);
  emit(set(CP));
  for (let q = 0; q < 4; q++) {
    emit(get(CP), get(ACC[2 * q] ?? 0), simd(V128_STORE, ...mem(0)));
    emit(get(CP), get(ACC[2 * q + 1] ?? 0), simd(V128_STORE, ...mem(16)));
    emit(addTo(CP, get(COL_BYTES)));
  }
  emit(addTo(J, i32(8)), get(J), get(COLS), [I32_LT_U], [BR_IF, 0], [END]);
  emit(addTo(R, i32(4)), get(R), get(ROWS), [I32_LT_U], [BR_IF, 0], [END]);
  emit([END], [END]); // block, function
  const locals = vec([
    [...uleb(8), I32],
    [...uleb(18), V128],
  ]);
  return [...locals, ...code];
}

/**
 * `fmac(acc, x, w, n)`: acc[j] = f32(acc[j] + f32(x[j] · w[j])) for j < n (float32 arrays at
 * byte offsets acc, x, w): four lanes at a time, then one at a time for the n mod 4 rest.
 */
function fmacBody(): number[] {
  const [ACC_P, X_P, W_P, N, P, VEC_BYTES, BYTES] = [0, 1, 2, 3, 4, 5, 6];
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) code.push(...p);
  };
  const at = (base: number): number[] => [...get(base), ...get(P), I32_ADD];
  emit(get(N), i32(-4), [I32_AND], i32(2), [I32_SHL], set(VEC_BYTES));
  emit(get(N), i32(2), [I32_SHL], set(BYTES));
  emit(i32(0), set(P));
  emit([BLOCK, EMPTY], [LOOP, EMPTY], get(P), get(VEC_BYTES), [I32_GE_U], [BR_IF, 1]);
  emit(at(ACC_P), at(ACC_P), simd(V128_LOAD, ...mem(0)));
  emit(at(X_P), simd(V128_LOAD, ...mem(0)), at(W_P), simd(V128_LOAD, ...mem(0)));
  emit(simd(F32X4_MUL), simd(F32X4_ADD), simd(V128_STORE, ...mem(0)));
  emit(addTo(P, i32(16)), [BR, 0], [END], [END]);
  emit([BLOCK, EMPTY], [LOOP, EMPTY], get(P), get(BYTES), [I32_GE_U], [BR_IF, 1]);
  emit(at(ACC_P), at(ACC_P), [F32_LOAD], mem(0));
  emit(at(X_P), [F32_LOAD], mem(0), at(W_P), [F32_LOAD], mem(0));
  emit([F32_MUL], [F32_ADD], [F32_STORE], mem(0));
  emit(addTo(P, i32(4)), [BR, 0], [END], [END]);
  emit([END]);
  return [...vec([[...uleb(3), I32]]), ...code];
}

/** Fields of the geometry block `im2col` reads (int32 each, in this order). */
export const IM2COL_GEOMETRY = [
  "pixels",
  "outW",
  "inH",
  "inW",
  "inC",
  "kH",
  "kW",
  "strideH",
  "strideW",
  "dilationH",
  "dilationW",
  "padTop",
  "padLeft",
] as const;

/**
 * `im2col(x, rows, p0, n, geometry)`: the receptive fields of the n flat output pixels
 * p0 … p0+n−1 (batch-major; pixel p is image ⌊p / pixels⌋) of an NHWC float32 input at x, as
 * consecutive rows of kH·kW·inC values in (ky, kx, ic) order, 0 for padding taps. Values are
 * moved as int32 bit patterns. `geometry` points to the IM2COL_GEOMETRY fields.
 */
function im2colBody(): number[] {
  const [XP, ROWS_P, P0, NN, GEO] = [0, 1, 2, 3, 4];
  const G = Array.from(IM2COL_GEOMETRY, (_, i) => 5 + i); // 5 … 17
  const [PIXELS, OUT_W, IN_H, IN_W, IN_C, KH, KW, SH, SW, DH, DW, PAD_T, PAD_L] = G.map(
    (l) => l ?? 0,
  );
  const [RR, PP, BATCH, OY, OX, KY, KX, IY, IX, DST, SRC, IC] = [
    18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
  ];
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) code.push(...p);
  };
  G.forEach((l, i) => emit(get(GEO), [I32_LOAD], mem(4 * i), set(l ?? 0)));
  emit(get(ROWS_P), set(DST), i32(0), set(RR));
  emit([BLOCK, EMPTY], get(NN), [I32_EQZ], [BR_IF, 0], [LOOP, EMPTY]);
  emit(get(P0), get(RR), [I32_ADD], set(PP));
  emit(get(PP), get(PIXELS), [I32_DIV_U], set(BATCH));
  emit(get(PP), get(BATCH), get(PIXELS), [I32_MUL], [I32_SUB], set(PP)); // pixel in its image
  emit(get(PP), get(OUT_W), [I32_DIV_U], set(OY));
  emit(get(PP), get(OY), get(OUT_W), [I32_MUL], [I32_SUB], set(OX));
  emit(i32(0), set(KY), [LOOP, EMPTY]);
  emit(get(OY), get(SH), [I32_MUL], get(PAD_T), [I32_SUB], get(KY), get(DH), [I32_MUL]);
  emit([I32_ADD], set(IY), i32(0), set(KX), [LOOP, EMPTY]);
  emit(get(OX), get(SW), [I32_MUL], get(PAD_L), [I32_SUB], get(KX), get(DW), [I32_MUL]);
  emit([I32_ADD], set(IX));
  // Inside the image: 0 ≤ iy < inH and 0 ≤ ix < inW, as unsigned comparisons (a negative
  // coordinate reads as a huge unsigned one).
  emit(get(IY), get(IN_H), [I32_LT_U], get(IX), get(IN_W), [I32_LT_U], [I32_AND]);
  emit([IF, EMPTY]);
  emit(get(BATCH), get(IN_H), [I32_MUL], get(IY), [I32_ADD], get(IN_W), [I32_MUL], get(IX));
  emit([I32_ADD], get(IN_C), [I32_MUL], i32(2), [I32_SHL], get(XP), [I32_ADD], set(SRC));
  emit(i32(0), set(IC), [LOOP, EMPTY]);
  emit(get(DST), get(SRC), [I32_LOAD], mem(0), [I32_STORE], mem(0));
  emit(addTo(DST, i32(4)), addTo(SRC, i32(4)), addTo(IC, i32(1)));
  emit(get(IC), get(IN_C), [I32_LT_U], [BR_IF, 0], [END]);
  emit([ELSE]);
  emit(i32(0), set(IC), [LOOP, EMPTY]);
  emit(get(DST), i32(0), [I32_STORE], mem(0));
  emit(addTo(DST, i32(4)), addTo(IC, i32(1)));
  emit(get(IC), get(IN_C), [I32_LT_U], [BR_IF, 0], [END]);
  emit([END]); // if
  emit(addTo(KX, i32(1)), get(KX), get(KW), [I32_LT_U], [BR_IF, 0], [END]);
  emit(addTo(KY, i32(1)), get(KY), get(KH), [I32_LT_U], [BR_IF, 0], [END]);
  emit(addTo(RR, i32(1)), get(RR), get(NN), [I32_LT_U], [BR_IF, 0], [END], [END]);
  emit([END]);
  return [...vec([[...uleb(25), I32]]), ...code];
}

/**
 * The module's bytes: imports memory "env.memory", exports `gemm(a, b, c, rows, k, cols)` and
 * `fmac(acc, x, w, n)`.
 */
export function simdGemmModule(): Uint8Array {
  const gemm = body();
  const fmac = fmacBody();
  const im2col = im2colBody();
  const gemmType = [0x60, ...vec([I32, I32, I32, I32, I32, I32, I32, F32, F32].map((t) => [t])), 0];
  const params = (n: number): number[] => [0x60, ...vec(new Array<number[]>(n).fill([I32])), 0];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([gemmType, params(4), params(5)])),
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([uleb(0), uleb(1), uleb(2)])),
    ...section(
      7,
      vec([
        [...name("gemm"), 0x00, ...uleb(0)],
        [...name("fmac"), 0x00, ...uleb(1)],
        [...name("im2col"), 0x00, ...uleb(2)],
      ]),
    ),
    ...section(
      10,
      vec([
        [...uleb(gemm.length), ...gemm],
        [...uleb(fmac.length), ...fmac],
        [...uleb(im2col.length), ...im2col],
      ]),
    ),
  ]);
}

export type GemmFn = (
  a: number,
  b: number,
  c: number,
  rows: number,
  k: number,
  cols: number,
  bias: number,
  lo: number,
  hi: number,
) => void;
export type FmacFn = (acc: number, x: number, w: number, n: number) => void;
export type Im2colFn = (x: number, rows: number, p0: number, n: number, geometry: number) => void;

let compiled: WasmModule | null | undefined;

/** The compiled module, or `null` where WebAssembly SIMD is unavailable. */
function gemmModule(): WasmModule | null {
  if (compiled === undefined) {
    const bytes = simdGemmModule();
    compiled =
      typeof WebAssembly !== "undefined" && WebAssembly.validate(bytes)
        ? new WebAssembly.Module(bytes)
        : null;
  }
  return compiled;
}

/**
 * A growable WebAssembly memory with a bump allocator (byte offsets, 16-byte aligned) and the
 * gemm bound to it. `f32(ptr, n)` views must be taken again after `alloc` (growth detaches
 * the old buffer).
 */
export class SimdArena {
  readonly memory = new WebAssembly.Memory({ initial: 1 });
  readonly gemm: GemmFn;
  readonly fmac: FmacFn;
  readonly im2col: Im2colFn;
  private top = 16;

  private constructor(module: WasmModule) {
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    const { gemm, fmac, im2col } = instance.exports;
    if (typeof gemm !== "function" || typeof fmac !== "function" || typeof im2col !== "function")
      throw new Error("simdGemm: the module lacks gemm, fmac or im2col");
    // NOTE: exported wasm functions are typed Function; their signatures are the ones above.
    this.gemm = gemm as GemmFn;
    this.fmac = fmac as FmacFn;
    this.im2col = im2col as Im2colFn;
  }

  /** An arena, or `null` where WebAssembly SIMD is unavailable. */
  static create(): SimdArena | null {
    const module = gemmModule();
    return module === null ? null : new SimdArena(module);
  }

  /** Free everything (the memory keeps its size). */
  reset(): void {
    this.top = 16;
  }

  /** Byte offset of `n` fresh float32 slots. */
  alloc(n: number): number {
    const ptr = this.top;
    this.top += Math.ceil((n * 4) / 16) * 16;
    const pages = Math.ceil(this.top / 65536);
    const have = this.memory.buffer.byteLength / 65536;
    if (pages > have) this.memory.grow(pages - have);
    return ptr;
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }
}
