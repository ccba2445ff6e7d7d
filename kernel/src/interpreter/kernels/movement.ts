/**
 * Shared pieces of the data-movement kernels (TRANSPOSE, SLICE, TILE, SPLIT, GATHER, …): an
 * element of the output is an element of the input, found through an index map built at
 * prepare (or, for GATHER-like ops, from index tensors at eval). Elements are copied as
 * same-width unsigned words, so one loop serves every dtype of 1, 2, 4 or 8 bytes (bool,
 * int8/uint8, int16, float32/int32, int64).
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import type { Eval } from "./kernel";

export type Words = Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/** Same-width unsigned view of a tensor's storage. */
export function wordsOf(node: Node, t: RuntimeTensor): Words {
  const { buffer, byteOffset, length } = t.data;
  switch (t.data.BYTES_PER_ELEMENT) {
    case 1:
      return new Uint8Array(buffer, byteOffset, length);
    case 2:
      return new Uint16Array(buffer, byteOffset, length);
    case 4:
      return new Uint32Array(buffer, byteOffset, length);
    case 8:
      return new BigUint64Array(buffer, byteOffset, length);
    default:
      throw node.unsupported(`element size ${t.data.BYTES_PER_ELEMENT}`);
  }
}

/**
 * A pure data-movement op's output holds the input's values unchanged: same dtype and, when
 * quantized, the same scale and zero point (what TF's converter writes for these ops).
 */
export function expectSameEncoding(node: Node, input: RuntimeTensor, output: RuntimeTensor): void {
  if (output.dtype !== input.dtype) {
    throw node.unsupported(
      `output '${output.name}' must have the input's type ${input.dtype}, found ${output.dtype}`,
    );
  }
  if (input.quantization === null && output.quantization === null) return;
  const qi = node.affine(input);
  const qo = node.affine(output);
  if (qi.scale !== qo.scale || qi.zeroPoint !== qo.zeroPoint) {
    throw node.unsupported(
      `input '${input.name}' (scale ${qi.scale}, zero point ${qi.zeroPoint}) and output ` +
        `'${output.name}' (scale ${qo.scale}, zero point ${qo.zeroPoint}) must share their ` +
        `quantization: the op moves values without rescaling`,
    );
  }
}

/**
 * Integer values of a shape operand (axis, perm, begin/size, multiples, paddings) that must be
 * known at allocation: a constant, or computed from constants and shapes.
 */
export function constantInts(node: Node, t: RuntimeTensor, what: string): number[] {
  if (!t.isConstant) {
    throw node.unsupported(
      `${what} '${t.name}' is computed from activations during invoke; the interpreter needs it ` +
        `known when tensors are allocated (a constant, or computed from constants and shapes)`,
    );
  }
  return node.intValues(t);
}

/** An axis in [−rank, rank) made non-negative; a ShapeError otherwise. */
export function resolveAxis(node: Node, axis: number, rank: number, what = "axis"): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw node.shapeError(`${what} ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

/**
 * For each element of `outShape` (row-major), `source(coordinates)`: the flat input index it
 * copies, or −1 for a padding element.
 */
export function indexMap(
  outShape: readonly number[],
  source: (coord: readonly number[]) => number,
): Int32Array {
  const size = shapeSize(outShape);
  const map = new Int32Array(size);
  const rank = outShape.length;
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < size; i++) {
    map[i] = source(coord);
    for (let d = rank - 1; d >= 0; d--) {
      const c = (coord[d] ?? 0) + 1;
      if (c < (outShape[d] ?? 1)) {
        coord[d] = c;
        break;
      }
      coord[d] = 0;
    }
  }
  return map;
}

/** Flat index of `coord` in a tensor of row-major `strides`. */
export function offsetOf(coord: readonly number[], strides: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < coord.length; d++) o += (coord[d] ?? 0) * (strides[d] ?? 0);
  return o;
}

/**
 * `output[i] = input[map[i]]`, or `fill` (the raw element value: 0, or a zero point, or a
 * PADV2 constant read at eval) where `map[i]` is −1.
 */
export function copyByMap(
  node: Node,
  input: RuntimeTensor,
  output: RuntimeTensor,
  map: Int32Array,
  fill: () => number | bigint = () => 0,
): Eval {
  const src = wordsOf(node, input);
  const dst = wordsOf(node, output);
  const n = map.length;
  if (src instanceof BigUint64Array || dst instanceof BigUint64Array) {
    if (!(src instanceof BigUint64Array && dst instanceof BigUint64Array)) {
      throw node.unsupported("input and output element sizes differ");
    }
    return () => {
      const f = fill();
      const pad = BigInt.asUintN(64, typeof f === "bigint" ? f : BigInt(f));
      for (let i = 0; i < n; i++) {
        const j = map[i] ?? -1;
        dst[i] = j < 0 ? pad : (src[j] ?? 0n);
      }
    };
  }
  if (src.BYTES_PER_ELEMENT !== dst.BYTES_PER_ELEMENT) {
    throw node.unsupported("input and output element sizes differ");
  }
  // Raw bits of the fill value in the destination's width: write it through a typed view of
  // the output's own dtype, then read the unsigned word back.
  const fillWord = (): number => {
    const f = fill();
    const one = output.data.slice(0, 1);
    if (one instanceof BigInt64Array) return 0;
    one[0] = Number(f);
    return Number(wordsOf(node, { ...output, data: one })[0] ?? 0);
  };
  return () => {
    const pad = output.data.length === 0 ? 0 : fillWord();
    for (let i = 0; i < n; i++) {
      const j = map[i] ?? -1;
      dst[i] = j < 0 ? pad : (src[j] ?? 0);
    }
  };
}

/**
 * Reader of an index tensor's values at eval (GATHER positions, GATHER_ND indices, lookups):
 * int32 read directly, int64 and int16 converted element by element.
 */
export function indexReader(
  node: Node,
  t: RuntimeTensor,
  allowed: readonly ("int16" | "int32" | "int64")[],
): (i: number) => number {
  if (!(allowed as readonly string[]).includes(t.dtype)) {
    throw node.unsupported(`indices '${t.name}' must be ${allowed.join(" or ")}, found ${t.dtype}`);
  }
  const data = t.data;
  return (i) => Number(data[i] ?? 0);
}

/** The error for an index outside [0, size) met during invoke. */
export function indexOutOfRange(
  node: Node,
  indices: RuntimeTensor,
  value: number,
  size: number,
  what: string,
): Error {
  return node.shapeError(
    `index ${value} in '${indices.name}' is out of range [0, ${size}) for ${what}`,
  );
}
