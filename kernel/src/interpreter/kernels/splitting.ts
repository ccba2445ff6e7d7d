/**
 * The copy shared by SPLIT, SPLIT_V and UNPACK: the input cut along `axis` into consecutive
 * pieces of `sizes[k]` elements; piece k goes to output k (UNPACK drops the axis from each
 * output's shape, the others keep it).
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { Eval } from "./kernel";
import { bytesOf } from "./layout";
import { expectSameEncoding } from "./movement";

export function splitAlong(
  node: Node,
  inputIndex: number,
  axis: number,
  sizes: readonly number[],
  dropAxis: boolean,
): Eval {
  const input = node.input(inputIndex);
  const outer = shapeSize(input.shape.slice(0, axis));
  const inner = shapeSize(input.shape.slice(axis + 1)) * input.data.BYTES_PER_ELEMENT;
  const rowBytes = (input.shape[axis] ?? 0) * inner;
  const src = bytesOf(input.data);
  const pieces: { dst: Uint8Array; offset: number; bytes: number }[] = [];
  let offset = 0;
  sizes.forEach((n, k) => {
    const shape = dropAxis
      ? [...input.shape.slice(0, axis), ...input.shape.slice(axis + 1)]
      : input.shape.map((d, i) => (i === axis ? n : d));
    const output = node.allocateOutput(k, shape);
    expectSameEncoding(node, input, output);
    pieces.push({ dst: bytesOf(output.data), offset, bytes: n * inner });
    offset += n * inner;
  });
  return () => {
    for (const p of pieces) {
      for (let o = 0; o < outer; o++) {
        const at = o * rowBytes + p.offset;
        p.dst.set(src.subarray(at, at + p.bytes), o * p.bytes);
      }
    }
  };
}
