/**
 * The frame shared by SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_PROD (MEAN has its own): the axes
 * (2nd input, int32, known at allocation; negative counts from the end; repeats allowed) are
 * reduced, kept as size-1 dimensions when ReducerOptions.keepDims. Every kernel walks the input
 * once in row-major order and folds each element into its output slot, as LiteRT's reference
 * `ReduceGeneric` / `Reduce` do, so float results see the same operation order.
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import { embedIndex } from "./layout";
import { constantInts, resolveAxis } from "./movement";

export interface ReducePlan {
  input: RuntimeTensor;
  output: RuntimeTensor;
  /** Output slot of each input element, in input order. */
  map: Int32Array;
  outSize: number;
  /** Input elements folded into each output slot. */
  count: number;
  /** Whether every axis is reduced (LiteRT then folds from the first element, not the init value). */
  all: boolean;
}

export function planReduce(node: Node): ReducePlan {
  const o = node.options("ReducerOptions");
  const input = node.input(0);
  const axisTensor = node.input(1);
  if (axisTensor.dtype !== "int32") {
    throw node.unsupported(`axis '${axisTensor.name}' must be int32, found ${axisTensor.dtype}`);
  }
  const rank = input.shape.length;
  const axes = new Set<number>();
  for (const a of constantInts(node, axisTensor, "axis")) axes.add(resolveAxis(node, a, rank));
  const keptShape = input.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const shape = o.keepDims ? keptShape : input.shape.filter((_, i) => !axes.has(i));
  const output = node.allocateOutput(0, shape);
  const map = embedIndex(input.shape, keptShape, []);
  const outSize = shapeSize(keptShape);
  const count = outSize === 0 ? 0 : map.length / outSize;
  return { input, output, map, outSize, count, all: axes.size === rank };
}
