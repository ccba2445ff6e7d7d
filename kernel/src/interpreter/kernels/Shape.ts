/**
 * SHAPE: the input's shape as a 1-D vector, out[i] = dim(input, i), of ShapeOptions.outType
 * (int32, or int64). A scalar input gives an empty vector.
 *
 * The value depends only on the input's shape, which is fixed once tensors are allocated, so it
 * is written here in prepare and the output marked constant: consumers (STRIDED_SLICE, PACK,
 * RESHAPE in TF's dynamic-batch graphs) then see a value in their own prepare and size their
 * outputs for the current batch, as LiteRT does after `resizeTensorInput`.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";

export const Shape: Kernel = {
  op: "SHAPE",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const o = node.optionsOrNull("ShapeOptions");
    const outType = o?.outType ?? "int32";
    const output = node.output(0);
    if (output.dtype !== outType) {
      throw node.unsupported(`out_type ${outType} differs from the output's type ${output.dtype}`);
    }
    node.allocateOutput(0, [input.shape.length]);
    const data = output.data;
    if (data instanceof Int32Array) data.set(input.shape);
    else if (data instanceof BigInt64Array) data.set(input.shape.map((d) => BigInt(d)));
    else throw node.unsupported(`output type ${output.dtype} (int32 or int64 expected)`);
    output.isConstant = true;
    return () => {};
  },
};
