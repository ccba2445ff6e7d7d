/**
 * The loops shared by CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED in every variant (float,
 * int8, hybrid): accumulate one output pixel (or row) into `acc`, then hand it to an output
 * stage — the one step in which the variants differ.
 *
 * Accumulation follows the reference kernels: acc[c] = Σ w · (x − inputOffset) over the taps that
 * fall inside the image (padding taps are skipped, i.e. padded with the input zero point), in
 * the reference loop order (ky, kx, ic). Float: float32 accumulator, each product and sum
 * rounded to float32 as the C++ computes it, so results equal the reference kernels'.
 * Integer: int32 accumulator; with int8 operands each product is at most 128·255 < 2^15, so
 * it is exact for fewer than 2^16 taps per output. int16 activations (16x8) accumulate in
 * doubles instead, exact like TFLite's int64 accumulator (see `IntAccumulator`).
 *
 * NOTE: each loop nest exists twice, float and integer, and differs only in the multiply-add:
 * one generic version would make V8's element accesses polymorphic in the hottest loop.
 * CONV_2D gathers each output pixel's receptive field once into a small patch, then runs one
 * contiguous dot product per output channel with a local accumulator.
 */
import type { Padding } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import { paddedDim } from "./common";

export type Accumulator = Float32Array | Int32Array | Float64Array;
/** Operand data: float32 activations/weights, or int8 (quantized activations, weights). */
export type Operand = Float32Array | Int8Array;
/** Quantized activations: int8, or int16 in 16x8 models. */
export type IntActivations = Int8Array | Int16Array;
/**
 * Integer accumulators: int32 (wrapping like C's int32) for int8 activations; for int16
 * activations a double, which holds TFLite's int64 accumulator exactly: each int16·int8
 * product is below 2^22 in magnitude, so fewer than 2^31 taps stay below 2^53.
 */
export type IntAccumulator = Int32Array | Float64Array;

/** Consumes `acc[0 … channels)` of one output pixel or row, stored at `out[offset …]`. */
export type OutputStage = (acc: Accumulator, offset: number, batch: number) => void;

export interface ConvGeometry {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
}

/** Geometry of a 2-D window op over an NHWC input. */
export function convGeometry(
  node: Node,
  input: RuntimeTensor,
  kH: number,
  kW: number,
  outC: number,
  o: { padding: Padding; strideH: number; strideW: number; dilationH: number; dilationW: number },
): ConvGeometry {
  node.expectRank(input, 4);
  const [batches = 0, inH = 0, inW = 0, inC = 0] = input.shape;
  if (o.strideH < 1 || o.strideW < 1 || o.dilationH < 1 || o.dilationW < 1) {
    throw node.shapeError(
      `strides and dilations must be >= 1, found stride ${o.strideH}x${o.strideW}, ` +
        `dilation ${o.dilationH}x${o.dilationW}`,
    );
  }
  const h = paddedDim(inH, kH, o.strideH, o.dilationH, o.padding);
  const w = paddedDim(inW, kW, o.strideW, o.dilationW, o.padding);
  if (h.outSize <= 0 || w.outSize <= 0) {
    throw node.shapeError(
      `a ${kH}x${kW} window (dilation ${o.dilationH}x${o.dilationW}) with ${o.padding} padding ` +
        `does not fit input '${input.name}' of shape [${input.shape.join(", ")}]`,
    );
  }
  return {
    batches,
    inH,
    inW,
    inC,
    outH: h.outSize,
    outW: w.outSize,
    outC,
    kH,
    kW,
    strideH: o.strideH,
    strideW: o.strideW,
    dilationH: o.dilationH,
    dilationW: o.dilationW,
    padTop: h.padBefore,
    padLeft: w.padBefore,
  };
}

/**
 * Gather the receptive field of output pixel (oy, ox) into `patch` in (ky, kx, ic) order, with
 * `x − inputOffset` for in-image taps and 0 for padding taps. A 0 contributes nothing to an
 * integer sum, and adding ±0 leaves a float32 sum unchanged, so this equals the reference's
 * skipping of padding taps exactly.
 */
function gatherPatchFloat(
  g: ConvGeometry,
  input: Float32Array,
  inBatch: number,
  oy: number,
  ox: number,
  inputOffset: number,
  patch: Float32Array,
): void {
  const { inH, inW, inC, kH, kW, dilationH, dilationW } = g;
  const iy0 = oy * g.strideH - g.padTop;
  const ix0 = ox * g.strideW - g.padLeft;
  let k = 0;
  for (let ky = 0; ky < kH; ky++) {
    const iy = iy0 + ky * dilationH;
    const rowInside = iy >= 0 && iy < inH;
    for (let kx = 0; kx < kW; kx++) {
      const ix = ix0 + kx * dilationW;
      if (rowInside && ix >= 0 && ix < inW) {
        const base = inBatch + (iy * inW + ix) * inC;
        for (let ic = 0; ic < inC; ic++) patch[k++] = input[base + ic] - inputOffset;
      } else {
        for (let ic = 0; ic < inC; ic++) patch[k++] = 0;
      }
    }
  }
}

/** `gatherPatchFloat` for int8 input (monomorphic copy, see the NOTE above). */
function gatherPatchInt(
  g: ConvGeometry,
  input: IntActivations,
  inBatch: number,
  oy: number,
  ox: number,
  inputOffset: number,
  patch: Int32Array,
): void {
  const { inH, inW, inC, kH, kW, dilationH, dilationW } = g;
  const iy0 = oy * g.strideH - g.padTop;
  const ix0 = ox * g.strideW - g.padLeft;
  let k = 0;
  for (let ky = 0; ky < kH; ky++) {
    const iy = iy0 + ky * dilationH;
    const rowInside = iy >= 0 && iy < inH;
    for (let kx = 0; kx < kW; kx++) {
      const ix = ix0 + kx * dilationW;
      if (rowInside && ix >= 0 && ix < inW) {
        const base = inBatch + (iy * inW + ix) * inC;
        for (let ic = 0; ic < inC; ic++) patch[k++] = input[base + ic] - inputOffset;
      } else {
        for (let ic = 0; ic < inC; ic++) patch[k++] = 0;
      }
    }
  }
}

/**
 * CONV_2D over one batch image, float32: for each output pixel and output channel,
 * acc[oc] = Σ_{ky,kx,ic} x[iy,ix,ic] · w[oc,ky,kx,ic] over in-image taps (OHWI weights), summed
 * in float32 in that order, then the stage. `patch` holds kH·kW·inC values.
 */
export function convImageFloat(
  g: ConvGeometry,
  input: Float32Array,
  batch: number,
  weights: Float32Array,
  patch: Float32Array,
  acc: Float32Array,
  stage: OutputStage,
): void {
  const { inH, inW, inC, outH, outW, outC } = g;
  const size = patch.length;
  const inBatch = batch * inH * inW * inC;
  const outBatch = batch * outH * outW * outC;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      gatherPatchFloat(g, input, inBatch, oy, ox, 0, patch);
      dotsFloat(patch, weights, size, outC, acc);
      stage(acc, outBatch + (oy * outW + ox) * outC, batch);
    }
  }
}

/**
 * acc[r] = Σ_k a[k] · w[r·size + k] for rows r < rows, float32, each row summed in k order.
 * Four rows run side by side: four independent dependency chains, each in the reference's
 * order, so the results are unchanged and the CPU overlaps the chains' latencies.
 */
function dotsFloat(
  a: Float32Array,
  w: Float32Array,
  size: number,
  rows: number,
  acc: Float32Array,
): void {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const w0 = r * size;
    const w1 = w0 + size;
    const w2 = w1 + size;
    const w3 = w2 + size;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < size; k++) {
      const x = a[k];
      s0 = Math.fround(s0 + Math.fround(x * w[w0 + k]));
      s1 = Math.fround(s1 + Math.fround(x * w[w1 + k]));
      s2 = Math.fround(s2 + Math.fround(x * w[w2 + k]));
      s3 = Math.fround(s3 + Math.fround(x * w[w3 + k]));
    }
    acc[r] = s0;
    acc[r + 1] = s1;
    acc[r + 2] = s2;
    acc[r + 3] = s3;
  }
  for (; r < rows; r++) {
    const w0 = r * size;
    let s0 = 0;
    for (let k = 0; k < size; k++) s0 = Math.fround(s0 + Math.fround(a[k] * w[w0 + k]));
    acc[r] = s0;
  }
}

/** acc[r] = Σ_k a[k] · w[r·size + k], integer (exact in any order), four rows side by side. */
function dotsInt(
  a: Int32Array,
  w: Int8Array,
  size: number,
  rows: number,
  acc: IntAccumulator,
): void {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const w0 = r * size;
    const w1 = w0 + size;
    const w2 = w1 + size;
    const w3 = w2 + size;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < size; k++) {
      const x = a[k];
      s0 += x * w[w0 + k];
      s1 += x * w[w1 + k];
      s2 += x * w[w2 + k];
      s3 += x * w[w3 + k];
    }
    acc[r] = s0;
    acc[r + 1] = s1;
    acc[r + 2] = s2;
    acc[r + 3] = s3;
  }
  for (; r < rows; r++) {
    const w0 = r * size;
    let s0 = 0;
    for (let k = 0; k < size; k++) s0 += a[k] * w[w0 + k];
    acc[r] = s0;
  }
}

/** CONV_2D over one batch image, integer: acc[oc] = Σ w[oc,ky,kx,ic] · (x − inputOffset). */
export function convImageInt(
  g: ConvGeometry,
  input: IntActivations,
  batch: number,
  inputOffset: number,
  weights: Int8Array,
  patch: Int32Array,
  acc: IntAccumulator,
  stage: OutputStage,
): void {
  const { inH, inW, inC, outH, outW, outC } = g;
  const size = patch.length;
  const inBatch = batch * inH * inW * inC;
  const outBatch = batch * outH * outW * outC;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      gatherPatchInt(g, input, inBatch, oy, ox, inputOffset, patch);
      dotsInt(patch, weights, size, outC, acc);
      stage(acc, outBatch + (oy * outW + ox) * outC, batch);
    }
  }
}

/** First and one-past-last filter index whose tap origin + k·dilation lies in [0, size). */
function tapRange(origin: number, size: number, kSize: number, dilation: number): [number, number] {
  const start = origin >= 0 ? 0 : Math.ceil(-origin / dilation);
  const end = Math.min(kSize, Math.ceil((size - origin) / dilation));
  return [start, Math.max(start, end)];
}

/**
 * DEPTHWISE_CONV_2D over one batch image, float32: output channel oc = ic · multiplier + m sees
 * only input channel ic: acc[oc] = Σ_{ky,kx} x[iy,ix,ic] · w[0,ky,kx,oc] over in-image taps, in
 * (ky, kx) order, float32.
 */
export function depthwiseImageFloat(
  g: ConvGeometry,
  multiplier: number,
  input: Float32Array,
  batch: number,
  weights: Float32Array,
  acc: Float32Array,
  stage: OutputStage,
): void {
  const { inH, inW, inC, outH, outW, outC, kW, strideH, strideW, dilationH, dilationW } = g;
  const inBatch = batch * inH * inW * inC;
  const outBatch = batch * outH * outW * outC;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * strideH - g.padTop;
    const [kyStart, kyEnd] = tapRange(iy0, inH, g.kH, dilationH);
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * strideW - g.padLeft;
      const [kxStart, kxEnd] = tapRange(ix0, inW, kW, dilationW);
      for (let oc = 0; oc < outC; oc++) {
        const ic = (oc / multiplier) | 0;
        let sum = 0;
        for (let ky = kyStart; ky < kyEnd; ky++) {
          const rowBase = inBatch + (iy0 + ky * dilationH) * inW * inC + ic;
          for (let kx = kxStart; kx < kxEnd; kx++) {
            const xv = input[rowBase + (ix0 + kx * dilationW) * inC];
            sum = Math.fround(sum + Math.fround(xv * weights[(ky * kW + kx) * outC + oc]));
          }
        }
        acc[oc] = sum;
      }
      stage(acc, outBatch + (oy * outW + ox) * outC, batch);
    }
  }
}

/** DEPTHWISE_CONV_2D over one batch image, integer: acc[oc] = Σ w · (x − inputOffset). */
export function depthwiseImageInt(
  g: ConvGeometry,
  multiplier: number,
  input: IntActivations,
  batch: number,
  inputOffset: number,
  weights: Int8Array,
  acc: IntAccumulator,
  stage: OutputStage,
): void {
  const { inH, inW, inC, outH, outW, outC, kW, strideH, strideW, dilationH, dilationW } = g;
  const inBatch = batch * inH * inW * inC;
  const outBatch = batch * outH * outW * outC;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * strideH - g.padTop;
    const [kyStart, kyEnd] = tapRange(iy0, inH, g.kH, dilationH);
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * strideW - g.padLeft;
      const [kxStart, kxEnd] = tapRange(ix0, inW, kW, dilationW);
      for (let oc = 0; oc < outC; oc++) {
        const ic = (oc / multiplier) | 0;
        let sum = 0;
        for (let ky = kyStart; ky < kyEnd; ky++) {
          const rowBase = inBatch + (iy0 + ky * dilationH) * inW * inC + ic;
          for (let kx = kxStart; kx < kxEnd; kx++) {
            const xv = input[rowBase + (ix0 + kx * dilationW) * inC] - inputOffset;
            sum += xv * weights[(ky * kW + kx) * outC + oc];
          }
        }
        acc[oc] = sum;
      }
      stage(acc, outBatch + (oy * outW + ox) * outC, batch);
    }
  }
}

/**
 * FULLY_CONNECTED for one batch row, float32: acc[u] = Σ_i x[i] · w[u,i] (weights [units, depth]
 * row-major), summed in float32 in index order like the reference kernel.
 */
export function denseRowFloat(
  input: Float32Array,
  batch: number,
  depth: number,
  weights: Float32Array,
  units: number,
  acc: Float32Array,
  stage: OutputStage,
): void {
  const row = input.subarray(batch * depth, (batch + 1) * depth);
  dotsFloat(row, weights, depth, units, acc);
  stage(acc, batch * units, batch);
}

/** FULLY_CONNECTED for one batch row, integer: acc[u] = Σ_i w[u,i] · (x[i] − inputOffset). */
export function denseRowInt(
  input: IntActivations,
  batch: number,
  depth: number,
  inputOffset: number,
  weights: Int8Array,
  units: number,
  acc: IntAccumulator,
  stage: OutputStage,
): void {
  const inBase = batch * depth;
  for (let u = 0; u < units; u++) {
    const wBase = u * depth;
    // Four independent partial sums: integer addition is associative, the result is exact.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < depth; i += 4) {
      s0 += weights[wBase + i] * (input[inBase + i] - inputOffset);
      s1 += weights[wBase + i + 1] * (input[inBase + i + 1] - inputOffset);
      s2 += weights[wBase + i + 2] * (input[inBase + i + 2] - inputOffset);
      s3 += weights[wBase + i + 3] * (input[inBase + i + 3] - inputOffset);
    }
    for (; i < depth; i++) s0 += weights[wBase + i] * (input[inBase + i] - inputOffset);
    acc[u] = s0 + s1 + s2 + s3;
  }
  stage(acc, batch * units, batch);
}
