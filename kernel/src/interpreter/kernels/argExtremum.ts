/**
 * ARG_MAX / ARG_MIN: the index along `axis` (2nd input, one int32 or int64 value known at
 * allocation; negative counts from the end) of the largest (smallest) element; the axis is
 * removed from the shape. Ties give the first index: LiteRT's reference starts from element 0
 * and moves only on a strict `>` (`<`), so a NaN is never chosen after the first element.
 * Inputs float32, int32, int8, uint8, bool — LiteRT's set, no int16 — (raw values: the order of quantized values is
 * the order of their reals); the output is int32 or int64 as ArgMaxOptions/ArgMinOptions
 * `outputType` and the output tensor say.
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { Eval } from "./kernel";
import { constantInts, resolveAxis } from "./movement";

export function argExtremum(node: Node, max: boolean): Eval {
  const o = node.optionsOrNull(max ? "ArgMaxOptions" : "ArgMinOptions");
  const input = node.input(0);
  const axisTensor = node.input(1);
  const values = constantInts(node, axisTensor, "axis");
  if (values.length !== 1) {
    throw node.shapeError(`axis '${axisTensor.name}' must hold one value, found ${values.length}`);
  }
  const rank = input.shape.length;
  const axis = resolveAxis(node, values[0] ?? 0, rank);
  const output = node.allocateOutput(
    0,
    input.shape.filter((_, i) => i !== axis),
  );
  if (o !== null && o.outputType !== output.dtype) {
    throw node.unsupported(
      `output_type is ${o.outputType} but output '${output.name}' is ${output.dtype}`,
    );
  }
  if (!["float32", "int32", "int8", "uint8", "bool"].includes(input.dtype)) {
    throw node.unsupported();
  }
  const outer = shapeSize(input.shape.slice(0, axis));
  const size = input.shape[axis] ?? 0;
  const inner = shapeSize(input.shape.slice(axis + 1));
  const x = input.data;
  if (x instanceof BigInt64Array) throw node.unsupported();
  const y = output.data;
  const store =
    y instanceof BigInt64Array
      ? (k: number, v: number): void => {
          y[k] = BigInt(v);
        }
      : y instanceof Int32Array
        ? (k: number, v: number): void => {
            y[k] = v;
          }
        : null;
  if (store === null) {
    throw node.unsupported(`output '${output.name}' must be int32 or int64, found ${output.dtype}`);
  }
  return () => {
    for (let a = 0; a < outer; a++) {
      for (let b = 0; b < inner; b++) {
        const base = a * size * inner + b;
        let best = x[base] ?? 0;
        let at = 0;
        for (let i = 1; i < size; i++) {
          const v = x[base + i * inner] ?? 0;
          if (max ? v > best : v < best) {
            best = v;
            at = i;
          }
        }
        store(a * inner + b, at);
      }
    }
  };
}
