/**
 * Index maps for ops that move elements without arithmetic (broadcasting, reduction, padding):
 * computed once at prepare, so `eval` is a flat loop over precomputed indices.
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";

/** Row-major strides of a shape. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = (s[i + 1] ?? 1) * (shape[i + 1] ?? 1);
  return s;
}

/**
 * Numpy broadcasting of two shapes (TFLite ADD/MUL semantics): align right; each pair of
 * dimensions must be equal or one of them 1.
 */
export function broadcastShape(node: Node, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw node.shapeError(`cannot broadcast shapes [${a.join(", ")}] and [${b.join(", ")}]`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For each element of `outShape`, the flat index of the element of `shape` broadcast to it. */
export function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const srcStrides = strides(padded).map((s, i) => ((padded[i] ?? 1) === 1 ? 0 : s));
  const size = shapeSize(outShape);
  const map = new Int32Array(size);
  const counter = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < size; i++) {
    map[i] = src;
    // Odometer increment over the output index, keeping the source offset in step.
    for (let d = rank - 1; d >= 0; d--) {
      const c = (counter[d] ?? 0) + 1;
      if (c < (outShape[d] ?? 1)) {
        counter[d] = c;
        src += srcStrides[d] ?? 0;
        break;
      }
      counter[d] = 0;
      src -= (c - 1) * (srcStrides[d] ?? 0);
    }
  }
  return map;
}

/**
 * For each element of `inShape`, the flat index in an output of `outShape` where dimension d
 * is offset by `before[d]` (PAD), or collapsed when `outShape[d]` is 1 (MEAN's reduced axes).
 */
export function embedIndex(
  inShape: readonly number[],
  outShape: readonly number[],
  before: readonly number[],
): Int32Array {
  const rank = inShape.length;
  const outStrides = strides(outShape).map((s, d) => ((outShape[d] ?? 1) === 1 ? 0 : s));
  const size = shapeSize(inShape);
  const map = new Int32Array(size);
  const counter = new Array<number>(rank).fill(0);
  let dst = 0;
  for (let d = 0; d < rank; d++) dst += (before[d] ?? 0) * (outStrides[d] ?? 0);
  for (let i = 0; i < size; i++) {
    map[i] = dst;
    for (let d = rank - 1; d >= 0; d--) {
      const c = (counter[d] ?? 0) + 1;
      if (c < (inShape[d] ?? 1)) {
        counter[d] = c;
        dst += outStrides[d] ?? 0;
        break;
      }
      counter[d] = 0;
      dst -= (c - 1) * (outStrides[d] ?? 0);
    }
  }
  return map;
}

/** The bytes of a typed array's elements (for dtype-agnostic copies). */
export function bytesOf(a: {
  buffer: ArrayBufferLike;
  byteOffset: number;
  byteLength: number;
}): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
