/**
 * Tile on float32 and int32: out[o_0, …, o_{r−1}] = x[o_0 mod s_0, …, o_{r−1} mod s_{r−1}], out's
 * shape s_i · reps_i. Built axis by axis from the outside in: the innermost axes with reps 1 are
 * one contiguous copy of x; an axis with reps > 1 fills its first repetition (recursing) and then
 * copies that block reps − 1 times. The stock kernel converts every output index to coordinates
 * and back (TensorBuffer), ~100 ns an element: BatchNormalization's gradient tiles 1/σ over
 * the whole activation with it. Other dtypes fall back.
 */
import {
  type KernelArgs,
  type TensorInfo,
  attrs,
  cpuBackend,
  input,
  numbersAttr,
  numericValues,
} from "../backend";
import type { FastKernel } from "../kernel";
import { floats } from "../outputs";

/** Copy out[at, at + len) to the next `times` blocks of len after it. */
function repeatBlock(out: Float32Array | Int32Array, at: number, len: number, times: number): void {
  if (len >= 64) {
    for (let r = 1; r <= times; r++) out.copyWithin(at + r * len, at, at + len);
    return;
  }
  for (let r = 1, o = at + len; r <= times; r++)
    for (let j = 0; j < len; j++, o++) out[o] = out[at + j];
}

export function tile(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Tile");
  const x = input(args, "x", "Tile");
  const reps = numbersAttr(attrs(args), "reps");
  const xv = numericValues(backend, x);
  const shape = x.shape;
  const rank = shape.length;
  if (!xv || !reps || reps.length !== rank || reps.some((r) => !Number.isInteger(r) || r < 0)) {
    return null;
  }
  const outShape = shape.map((d, i) => d * reps[i]);
  const n = outShape.reduce((p, d) => p * d, 1);
  const out = x.dtype === "float32" ? floats(n) : new Int32Array(n);
  if (n > 0) {
    // From axis `inner` on, every rep is 1: x's block there is copied as is.
    let inner = rank;
    while (inner > 0 && reps[inner - 1] === 1) inner--;
    const xStride = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
    const oStride = outShape.map((_, i) => outShape.slice(i + 1).reduce((p, d) => p * d, 1));
    const innerSize = inner === 0 ? xv.length : xStride[inner - 1];
    const fill = (axis: number, xo: number, oo: number): void => {
      if (axis === inner) {
        if (innerSize === 1) out[oo] = xv[xo];
        else out.set(xv.subarray(xo, xo + innerSize), oo);
        return;
      }
      for (let k = 0; k < shape[axis]; k++) {
        fill(axis + 1, xo + k * xStride[axis], oo + k * oStride[axis]);
      }
      repeatBlock(out, oo, shape[axis] * oStride[axis], reps[axis] - 1);
    };
    fill(0, 0, 0);
  }
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

export const tileKernel: FastKernel = { kernelName: "Tile", run: tile };
