/**
 * A batched float executor for calibration: runs a float model on a chunk of samples stacked
 * along dimension 0, so that each op runs once per chunk instead of once per sample, with the
 * interpreter's float32 arithmetic — every tensor it computes is bit-identical to what the
 * interpreter computes sample by sample.
 *
 * CONV_2D and FULLY_CONNECTED become matrix products (im2col rows × transposed weights) in
 * WebAssembly SIMD (`simdGemm.ts`): four output channels per f32x4 lane group, each summed in
 * the reference order with every product and partial sum rounded to float32, as the
 * interpreter's `s = f32(s + f32(x·w))`. DEPTHWISE_CONV_2D (multiplier 1) adds one tap at a
 * time to a whole output row (SIMD `fmac` when the horizontal stride is 1); pooling, ADD and MUL
 * of equal shapes, LOGISTIC and TANH run monomorphic loops with the interpreter's formulas.
 * Every other op runs the interpreter's own kernel (`kernelFor(...).prepare`) on the stacked
 * tensors: those kernels treat dimension 0 as a batch. Without WebAssembly SIMD, convolutions
 * and fully connected layers fall back to the interpreter's kernels too.
 *
 * Stacking is valid only when no op mixes samples: `batchSeparable` checks the ops (PAD of
 * dimension 0, MEAN over axis 0, CONCATENATION on axis 0 and unknown ops are refused) and that
 * every computed tensor's size scales with the batch; otherwise the caller runs one sample per
 * chunk, still through this executor.
 */
import { ModelFormatError } from "../errors";
import type { Activation, Model, SubGraph, TypedArray } from "../ir";
import { opName, shapeSize } from "../ir";
import { floatActivationRange } from "../interpreter/kernels/common";
import { convGeometry, type ConvGeometry } from "../interpreter/kernels/convolution";
import type { Eval } from "../interpreter/kernels/kernel";
import { kernelFor } from "../interpreter/kernels/registry";
import { floatBias } from "../interpreter/kernels/weights";
import { Node } from "../interpreter/node";
import type { RuntimeTensor } from "../interpreter/tensor";
import { runtimeTensors, typedArrayFor } from "../interpreter/tensor";
import { IM2COL_GEOMETRY, SimdArena } from "./simdGemm";

/** Ops whose kernels treat dimension 0 as a batch of independent samples. */
const BATCHWISE = new Set([
  "ADD",
  "AVERAGE_POOL_2D",
  "CONCATENATION",
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "DEQUANTIZE",
  "FULLY_CONNECTED",
  "LOGISTIC",
  "MAX_POOL_2D",
  "MEAN",
  "MUL",
  "PAD",
  "QUANTIZE",
  "RELU",
  "RELU6",
  "RESHAPE",
  "SOFTMAX",
  "TANH",
]);

/** Im2col rows per gemm call: 64 rows of K float32 values stay in the L1/L2 cache. */
const BLOCK_ROWS = 64;

export class BatchedFloatExecutor {
  private readonly subgraph: SubGraph;
  private readonly tensors: RuntimeTensor[];
  private readonly fromBuffer = new Set<number>();
  private evals: Eval[] = [];
  /** Weights and scratch rows of the SIMD products; `null` without WebAssembly SIMD. */
  private readonly arena = SimdArena.create();
  /** Tensors the last `prepare` computes on every `run` (the inputs and op outputs). */
  private computed = new Set<number>();

  constructor(private readonly model: Model) {
    const subgraph = model.subgraphs[0];
    if (subgraph === undefined) throw new ModelFormatError("model has no subgraph");
    this.subgraph = subgraph;
    this.tensors = runtimeTensors(model, subgraph, this.fromBuffer);
  }

  /** The tensor `index` as last computed (shape and data of the whole chunk). */
  tensor(index: number): RuntimeTensor {
    const t = this.tensors[index];
    if (t === undefined) throw new ModelFormatError(`no tensor #${index}`);
    return t;
  }

  /** True if the tensor's value does not depend on the inputs (weights, folded constants). */
  isConstant(index: number): boolean {
    return this.tensor(index).isConstant || !this.computed.has(index);
  }

  /**
   * Set the input shapes (the chunk's stacked shapes) and prepare every op, as the
   * interpreter's `allocateTensors` does: ops on constants only run once here.
   */
  prepare(inputShapes: readonly (readonly number[])[]): void {
    const inputs = this.subgraph.inputs;
    const computed = new Set<number>(inputs);
    for (const t of this.tensors) t.isConstant = this.fromBuffer.has(t.index);
    inputs.forEach((index, i) => {
      const t = this.tensor(index);
      t.shape = [...(inputShapes[i] ?? t.declaredShape)];
      const data = typedArrayFor(t.dtype, shapeSize(t.shape));
      if (data === null)
        throw new ModelFormatError(`input '${t.name}': cannot allocate ${t.dtype}`);
      t.data = data;
    });
    const evals: Eval[] = [];
    this.arena?.reset();
    this.subgraph.operators.forEach((op, opIndex) => {
      const code = this.model.operatorCodes[op.opcodeIndex];
      if (code === undefined)
        throw new ModelFormatError(
          `op #${opIndex} refers to missing operator code ${op.opcodeIndex}`,
        );
      const name = code.customCode ?? opName(code.builtinCode);
      const node = new Node(
        opIndex,
        name,
        op.inputs.map((i) => (i < 0 ? null : this.tensor(i))),
        op.outputs.map((i) => this.tensor(i)),
        op.builtinOptions,
      );
      const constantInputs =
        op.inputs.length > 0 && op.inputs.every((i) => i < 0 || this.tensor(i).isConstant);
      const fast = constantInputs ? null : prepareFast(name, node, this.arena);
      let run = fast;
      if (run === null) {
        const kernel = code.customCode === null ? kernelFor(code.builtinCode) : undefined;
        if (kernel === undefined) throw node.unsupported();
        run = kernel.prepare(node);
      }
      if (constantInputs) {
        run();
        for (const o of op.outputs) this.tensor(o).isConstant = true;
      } else {
        evals.push(run);
        for (const o of op.outputs) computed.add(o);
      }
    });
    for (const t of this.tensors) {
      if (!t.isConstant && !computed.has(t.index) && !inputs.includes(t.index)) {
        const data = typedArrayFor(t.dtype, shapeSize(t.shape));
        if (data !== null) t.data = data;
      }
    }
    this.computed = computed;
    this.evals = evals;
  }

  /** Run every op once on the inputs' current data. */
  run(): void {
    for (const run of this.evals) run();
  }

  /**
   * Whether samples may be stacked: no op mixes dimension 0, and with a batch of 2 every
   * computed tensor holds twice the elements it holds with a batch of 1.
   */
  batchSeparable(sampleShapes: readonly (readonly number[])[]): boolean {
    if (sampleShapes.some((s) => s.length === 0)) return false;
    for (const op of this.subgraph.operators) {
      const code = this.model.operatorCodes[op.opcodeIndex];
      if (code === undefined || code.customCode !== null) return false;
      const name = opName(code.builtinCode);
      if (!BATCHWISE.has(name)) return false;
      const o = op.builtinOptions;
      const rank = this.tensors[op.inputs[0] ?? -1]?.shape.length ?? 0;
      if (name === "CONCATENATION" && o?.type === "ConcatenationOptions") {
        if ((o.axis < 0 ? o.axis + rank : o.axis) === 0) return false;
      }
      if (name === "PAD" || name === "MEAN") {
        const second = this.tensors[op.inputs[1] ?? -1];
        if (second === undefined || !this.fromBuffer.has(second.index)) return false;
        const data = second.data;
        const values =
          data instanceof BigInt64Array ? Array.from(data, Number) : Array.from(data, Number);
        if (name === "PAD" && (values[0] !== 0 || values[1] !== 0)) return false;
        if (name === "MEAN" && values.some((a) => (a < 0 ? a + rank : a) === 0)) return false;
      }
    }
    const sizes = (batch: number): Map<number, number> => {
      this.prepare(sampleShapes.map((s) => [(s[0] ?? 1) * batch, ...s.slice(1)]));
      return new Map([...this.computed].map((i) => [i, this.tensor(i).data.length]));
    };
    try {
      const one = sizes(1);
      const two = sizes(2);
      return [...one].every(([i, n]) => two.get(i) === 2 * n);
    } catch {
      // An op that cannot take a larger batch (e.g. a RESHAPE to a fixed shape): one sample
      // per chunk, whose errors, if any, are then the interpreter's.
      return false;
    }
  }
}

/** The executor's own kernels for the float ops worth batching; `null` for every other case. */
function prepareFast(name: string, node: Node, arena: SimdArena | null): Eval | null {
  switch (name) {
    case "CONV_2D":
      return arena === null ? null : prepareConv(node, arena);
    case "FULLY_CONNECTED":
      return arena === null ? null : prepareDense(node, arena);
    case "DEPTHWISE_CONV_2D":
      return prepareDepthwise(node, arena);
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D":
      return preparePool(name, node);
    case "ADD":
    case "MUL":
      return prepareElementwise(name, node);
    case "LOGISTIC":
    case "TANH":
      return prepareActivation(name, node);
    default:
      return null;
  }
}

function isFloat(t: RuntimeTensor | null): boolean {
  return t === null || t.dtype === "float32";
}

/**
 * CONV_2D, float32 input and filter: for each block of output pixels, gather the receptive
 * fields (im2col, 0 for padding taps) into rows of K = kH·kW·inC, multiply by the transposed
 * weights in the SIMD gemm, then y[p, oc] = clamp(f32(acc[p, oc] + bias[oc])) — the
 * interpreter's float stage. A padding tap adds f32(0·w) = ±0 to the sum, which leaves a float32
 * sum unchanged, as the interpreter's zero-filled patch does.
 */
function prepareConv(node: Node, arena: SimdArena): Eval | null {
  const o = node.options("Conv2DOptions");
  const input = node.input(0);
  const filter = node.input(1);
  const bias = node.optionalInput(2);
  if (!isFloat(input) || !isFloat(filter) || !isFloat(bias) || filter.shape.length !== 4)
    return null;
  const [outC = 0, kH = 0, kW = 0, kIC = 0] = filter.shape;
  const g = convGeometry(node, input, kH, kW, outC, {
    padding: o.padding,
    strideH: o.strideH,
    strideW: o.strideW,
    dilationH: o.dilationHFactor,
    dilationW: o.dilationWFactor,
  });
  if (kIC !== g.inC) return null;
  const output = node.allocateOutput(0, [g.batches, g.outH, g.outW, outC]);
  const x = node.f32(input);
  const y = node.f32(output);
  const k = kH * kW * kIC;
  const product = prepareProduct(
    node,
    arena,
    node.f32(filter),
    k,
    outC,
    BLOCK_ROWS,
    bias,
    o.fusedActivationFunction,
  );
  const pixels = g.outH * g.outW;
  const total = g.batches * pixels;
  // The input is copied into the arena once per run; im2col (in wasm) gathers from there.
  const xPtr = arena.alloc(x.length);
  const geometry: Record<(typeof IM2COL_GEOMETRY)[number], number> = { ...g, pixels };
  const geometryPtr = arena.alloc(IM2COL_GEOMETRY.length);
  bitsOf(arena.f32(geometryPtr, IM2COL_GEOMETRY.length)).set(
    IM2COL_GEOMETRY.map((field) => geometry[field]),
  );
  return () => {
    arena.f32(xPtr, x.length).set(x);
    product.rows(); // takes the views for this run
    for (let p0 = 0; p0 < total; p0 += BLOCK_ROWS) {
      const n = Math.min(BLOCK_ROWS, total - p0);
      arena.im2col(xPtr, product.aPtr, p0, n, geometryPtr);
      product.run(n, y, p0 * outC);
    }
  };
}

/**
 * A matrix product against constant weights w [cols, k] (row-major, as CONV_2D's OHWI and
 * FULLY_CONNECTED's [units, depth] store them) with the interpreter's float output stage, in the
 * SIMD arena: the weights transposed to [k, cols8] once (cols rounded up to 8, zero columns), the
 * bias, space for up to `maxRows` rows of input (rounded up to 4) and of output. `rows()` is the
 * input view to fill; `run(n, y, yAt)` multiplies the first n rows and stores
 * y[yAt + r·cols + c] = clamp(f32(Σ + bias[c]), activation) (the clamp is applied in the gemm).
 */
function prepareProduct(
  node: Node,
  arena: SimdArena,
  w: Float32Array,
  k: number,
  cols: number,
  maxRows: number,
  bias: RuntimeTensor | null,
  activation: Activation,
): { aPtr: number; rows(): Int32Array; run(n: number, y: Float32Array, yAt: number): void } {
  const [lo, hi] = floatActivationRange(node, activation);
  const cols8 = Math.ceil(cols / 8) * 8;
  const rows4 = Math.ceil(maxRows / 4) * 4;
  const bPtr = arena.alloc(k * cols8);
  const biasPtr = arena.alloc(cols8);
  const aPtr = arena.alloc(rows4 * k);
  const cPtr = arena.alloc(rows4 * cols8);
  const b = arena.f32(bPtr, k * cols8);
  b.fill(0);
  for (let c = 0; c < cols; c++) for (let i = 0; i < k; i++) b[i * cols8 + c] = w[c * k + i];
  const biasView = arena.f32(biasPtr, cols8);
  biasView.fill(0);
  biasView.set(floatBias(node, bias, cols));
  // NOTE: views are taken at run time: a later allocation may grow (and detach) the memory.
  let out: Float32Array = new Float32Array(0);
  return {
    aPtr,
    rows: () => {
      out = arena.f32(cPtr, rows4 * cols8);
      return bitsOf(arena.f32(aPtr, rows4 * k));
    },
    run: (n, y, yAt) => {
      arena.gemm(aPtr, bPtr, cPtr, Math.ceil(n / 4) * 4, k, cols8, biasPtr, lo, hi);
      if (cols8 === cols) {
        y.set(out.subarray(0, n * cols), yAt);
      } else {
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < cols; c++) y[yAt + r * cols + c] = out[r * cols8 + c];
        }
      }
    },
  };
}

/** The float32 bit patterns of `a` (a view of the same memory). */
function bitsOf(a: Float32Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length);
}

/**
 * FULLY_CONNECTED, float32: the input as rows of `depth`, y[r, u] = clamp(f32(Σ_i x[r, i] ·
 * w[u, i] + bias[u])), the rows of the chunk in blocks through the SIMD gemm.
 */
function prepareDense(node: Node, arena: SimdArena): Eval | null {
  const o = node.options("FullyConnectedOptions");
  const input = node.input(0);
  const weights = node.input(1);
  const bias = node.optionalInput(2);
  if (!isFloat(input) || !isFloat(weights) || !isFloat(bias)) return null;
  if (o.weightsFormat !== 0 || weights.shape.length !== 2) return null;
  const [units = 0, depth = 0] = weights.shape;
  const size = shapeSize(input.shape);
  if (depth === 0 || size % depth !== 0) return null;
  if (o.keepNumDims && input.shape[input.shape.length - 1] !== depth) return null;
  const rowsCount = size / depth;
  const shape = o.keepNumDims ? [...input.shape.slice(0, -1), units] : [rowsCount, units];
  const output = node.allocateOutput(0, shape);
  const xBits = bitsOf(node.f32(input));
  const y = node.f32(output);
  const block = Math.min(rowsCount, BLOCK_ROWS);
  const product = prepareProduct(
    node,
    arena,
    node.f32(weights),
    depth,
    units,
    block,
    bias,
    o.fusedActivationFunction,
  );
  return () => {
    const rows = product.rows();
    for (let r0 = 0; r0 < rowsCount; r0 += block) {
      const n = Math.min(block, rowsCount - r0);
      rows.set(xBits.subarray(r0 * depth, (r0 + n) * depth));
      product.run(n, y, r0 * units);
    }
  };
}

/**
 * DEPTHWISE_CONV_2D, float32: output channel oc = ic·multiplier + m sees input channel ic only:
 * acc[oc] = Σ_{ky,kx} f32(x[iy, ix, ic] · w[ky, kx, oc]) over in-image taps in (ky, kx) order,
 * each partial sum rounded to float32 (stored in a Float32Array) — the interpreter's sums —
 * then its float stage. The taps loop outside the channels, so the inner loop is contiguous.
 */
function prepareDepthwise(node: Node, arena: SimdArena | null): Eval | null {
  const o = node.options("DepthwiseConv2DOptions");
  const input = node.input(0);
  const filter = node.input(1);
  const bias = node.optionalInput(2);
  if (!isFloat(input) || !isFloat(filter) || !isFloat(bias) || filter.shape.length !== 4)
    return null;
  const [one = 0, kH = 0, kW = 0, outC = 0] = filter.shape;
  const g = convGeometry(node, input, kH, kW, outC, {
    padding: o.padding,
    strideH: o.strideH,
    strideW: o.strideW,
    dilationH: o.dilationHFactor,
    dilationW: o.dilationWFactor,
  });
  if (one !== 1 || g.inC === 0 || outC !== g.inC) return null; // multiplier 1 only
  const output = node.allocateOutput(0, [g.batches, g.outH, g.outW, outC]);
  const x = node.f32(input);
  const y = node.f32(output);
  const w = node.f32(filter);
  const b = floatBias(node, bias, outC);
  const [lo, hi] = floatActivationRange(node, o.fusedActivationFunction);
  const { inH, inW, inC, outH, outW, strideH, strideW, dilationH, dilationW } = g;
  const f32 = Math.fround;
  if (arena !== null && strideW === 1) {
    return depthwiseRows(g, arena, x, y, w, b, lo, hi);
  }
  const acc = new Float32Array(outC);
  return () => {
    for (let batch = 0; batch < g.batches; batch++) {
      const inBatch = batch * inH * inW * inC;
      const outBatch = batch * outH * outW * outC;
      for (let oy = 0; oy < outH; oy++) {
        const iy0 = oy * strideH - g.padTop;
        for (let ox = 0; ox < outW; ox++) {
          const ix0 = ox * strideW - g.padLeft;
          acc.fill(0);
          for (let ky = 0; ky < kH; ky++) {
            const iy = iy0 + ky * dilationH;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = ix0 + kx * dilationW;
              if (ix < 0 || ix >= inW) continue;
              const xAt = inBatch + (iy * inW + ix) * inC;
              const wAt = (ky * kW + kx) * outC;
              for (let c = 0; c < outC; c++) acc[c] += f32(x[xAt + c] * w[wAt + c]);
            }
          }
          const yAt = outBatch + (oy * outW + ox) * outC;
          for (let c = 0; c < outC; c++) {
            const v = f32(acc[c] + b[c]);
            y[yAt + c] = v < lo ? lo : v > hi ? hi : v;
          }
        }
      }
    }
  };
}

/**
 * DEPTHWISE_CONV_2D (multiplier 1, horizontal stride 1) one output row at a time, in the SIMD
 * arena: for each tap (ky, kx) in order, the in-image output pixels of the row form one
 * contiguous run of channels, and acc[ox, c] = f32(acc[ox, c] + f32(x[iy, ox + kx·d − pad, c] ·
 * w[ky, kx, c])) is one `fmac` over it (the weights tiled along the row once). Each element
 * sums its in-image taps in (ky, kx) order, as the interpreter does.
 */
function depthwiseRows(
  g: ConvGeometry,
  arena: SimdArena,
  x: Float32Array,
  y: Float32Array,
  w: Float32Array,
  b: Float32Array,
  lo: number,
  hi: number,
): Eval {
  const { batches, inH, inW, outH, outW, kH, kW, strideH, dilationH, dilationW } = g;
  const channels = g.outC;
  const rowLength = outW * channels;
  const xPtr = arena.alloc(x.length);
  const wPtr = arena.alloc(kH * kW * rowLength);
  const accPtr = arena.alloc(rowLength);
  const tiled = arena.f32(wPtr, kH * kW * rowLength);
  for (let tap = 0; tap < kH * kW; tap++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let c = 0; c < channels; c++) {
        tiled[(tap * outW + ox) * channels + c] = w[tap * channels + c];
      }
    }
  }
  const fmac = arena.fmac;
  const f32 = Math.fround;
  return () => {
    arena.f32(xPtr, x.length).set(x);
    const acc = arena.f32(accPtr, rowLength);
    for (let batch = 0; batch < batches; batch++) {
      for (let oy = 0; oy < outH; oy++) {
        acc.fill(0);
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * strideH - g.padTop + ky * dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const shift = kx * dilationW - g.padLeft;
            const ox0 = Math.max(0, -shift);
            const ox1 = Math.min(outW, inW - shift);
            if (ox1 <= ox0) continue;
            const xAt = ((batch * inH + iy) * inW + ox0 + shift) * channels;
            const wAt = ((ky * kW + kx) * outW + ox0) * channels;
            fmac(
              accPtr + ox0 * channels * 4,
              xPtr + xAt * 4,
              wPtr + wAt * 4,
              (ox1 - ox0) * channels,
            );
          }
        }
        const yAt = (batch * outH + oy) * rowLength;
        for (let ox = 0; ox < outW; ox++) {
          for (let c = 0; c < channels; c++) {
            const v = f32(acc[ox * channels + c] + b[c]);
            y[yAt + ox * channels + c] = v < lo ? lo : v > hi ? hi : v;
          }
        }
      }
    }
  };
}

/**
 * AVERAGE_POOL_2D and MAX_POOL_2D, float32, channels innermost: over a window's in-image taps
 * in (ky, kx) order, the float32 running sum (then f32(sum / count)) or the maximum (from
 * −∞), then the activation clamp — the interpreter's pooling arithmetic.
 */
function preparePool(name: "AVERAGE_POOL_2D" | "MAX_POOL_2D", node: Node): Eval | null {
  const o = node.options("Pool2DOptions");
  const input = node.input(0);
  if (input.dtype !== "float32" || node.output(0).dtype !== "float32" || input.shape.length !== 4)
    return null;
  const channels = input.shape[3] ?? 0;
  const g = convGeometry(node, input, o.filterHeight, o.filterWidth, channels, {
    padding: o.padding,
    strideH: o.strideH,
    strideW: o.strideW,
    dilationH: 1,
    dilationW: 1,
  });
  const output = node.allocateOutput(0, [g.batches, g.outH, g.outW, channels]);
  const x = node.f32(input);
  const y = node.f32(output);
  const [lo, hi] = floatActivationRange(node, o.fusedActivationFunction);
  const { inH, inW, outH, outW, kH, kW, strideH, strideW } = g;
  const isMax = name === "MAX_POOL_2D";
  const acc = new Float32Array(channels);
  const f32 = Math.fround;
  return () => {
    for (let batch = 0; batch < g.batches; batch++) {
      for (let oy = 0; oy < outH; oy++) {
        const iy0 = oy * strideH - g.padTop;
        const yStart = Math.max(0, -iy0);
        const yEnd = Math.min(kH, inH - iy0);
        for (let ox = 0; ox < outW; ox++) {
          const ix0 = ox * strideW - g.padLeft;
          const xStart = Math.max(0, -ix0);
          const xEnd = Math.min(kW, inW - ix0);
          const count = Math.max(0, yEnd - yStart) * Math.max(0, xEnd - xStart);
          acc.fill(isMax ? -Infinity : 0);
          for (let ky = yStart; ky < yEnd; ky++) {
            for (let kx = xStart; kx < xEnd; kx++) {
              const at = ((batch * inH + iy0 + ky) * inW + ix0 + kx) * channels;
              if (isMax) {
                for (let c = 0; c < channels; c++) {
                  const v = x[at + c];
                  if (v > acc[c]) acc[c] = v;
                }
              } else {
                for (let c = 0; c < channels; c++) acc[c] += x[at + c];
              }
            }
          }
          const yAt = ((batch * outH + oy) * outW + ox) * channels;
          for (let c = 0; c < channels; c++) {
            const v = isMax ? acc[c] : f32(acc[c] / count);
            y[yAt + c] = v < lo ? lo : v > hi ? hi : v;
          }
        }
      }
    }
  };
}

/**
 * ADD and MUL of two float32 tensors of one shape (no broadcasting; other cases take the
 * interpreter's kernel): y = clamp(f32(a ∘ b)), exactly the interpreter's float arithmetic.
 */
function prepareElementwise(name: "ADD" | "MUL", node: Node): Eval | null {
  const a = node.input(0);
  const b = node.input(1);
  const output = node.output(0);
  const same = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (!same || a.dtype !== "float32" || b.dtype !== "float32" || output.dtype !== "float32")
    return null;
  const activation =
    name === "ADD"
      ? node.options("AddOptions").fusedActivationFunction
      : node.options("MulOptions").fusedActivationFunction;
  const [lo, hi] = floatActivationRange(node, activation);
  const x1 = node.f32(a);
  const x2 = node.f32(b);
  const y = node.f32(node.allocateOutput(0, [...a.shape]));
  const n = y.length;
  const f32 = Math.fround;
  if (name === "ADD") {
    return () => {
      for (let i = 0; i < n; i++) {
        const v = f32(x1[i] + x2[i]);
        y[i] = v < lo ? lo : v > hi ? hi : v;
      }
    };
  }
  return () => {
    for (let i = 0; i < n; i++) {
      const v = f32(x1[i] * x2[i]);
      y[i] = v < lo ? lo : v > hi ? hi : v;
    }
  };
}

/** Largest x whose float32 sigmoid is below 1 (the reference LOGISTIC's upper cut-off). */
const SIGMOID_UPPER_CUTOFF = 16.619047164916992;
/** Below this, e^x equals 1/(1 + e^−x) to float32 precision (the lower cut-off). */
const SIGMOID_LOWER_CUTOFF = -9;

/**
 * LOGISTIC and TANH, float32, in one monomorphic loop each (the interpreter's shared loop calls
 * its function through a closure): the same float32 formulas as the interpreter's kernels,
 * sigmoid(x) = 1 above the upper cut-off, f32(e^x) below the lower one, else
 * f32(1 / f32(1 + f32(e^−x))); tanh(x) = f32(tanh(x)).
 */
function prepareActivation(name: "LOGISTIC" | "TANH", node: Node): Eval | null {
  const input = node.input(0);
  const output = node.output(0);
  if (input.dtype !== "float32" || output.dtype !== "float32") return null;
  const x = node.f32(input);
  const y = node.f32(node.allocateOutput(0, [...input.shape]));
  const n = y.length;
  const f32 = Math.fround;
  if (name === "TANH") {
    return () => {
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
    };
  }
  return () => {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      y[i] =
        v > SIGMOID_UPPER_CUTOFF
          ? 1
          : v < SIGMOID_LOWER_CUTOFF
            ? Math.exp(v)
            : 1 / f32(1 + f32(Math.exp(-v)));
    }
  };
}

/** Copy `value` into `target` at element `offset` (same element type). */
export function copyInto(target: TypedArray, offset: number, value: TypedArray): void {
  const bytes = target.BYTES_PER_ELEMENT;
  new Uint8Array(target.buffer, target.byteOffset + offset * bytes, value.byteLength).set(
    new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
  );
}
