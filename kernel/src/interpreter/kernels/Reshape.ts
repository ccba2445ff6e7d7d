/**
 * RESHAPE: same elements, new shape — from the 2nd input (an int32 vector, the MLIR converter's
 * form) or else from ReshapeOptions.newShape; one dimension may be −1 (inferred). The shape
 * input may be computed, as long as its value is known when tensors are allocated: TF's
 * dynamic-batch graphs build it as SHAPE → STRIDED_SLICE → PACK, which run at allocation (their
 * inputs are constants or shapes), so it follows `resizeTensorInput`. A shape computed from
 * activations would need outputs sized during `invoke`, which the interpreter does not do.
 * Works for any dtype; quantization parameters pass through unchanged.
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { bytesOf } from "./layout";

function requestedShape(node: Node): number[] {
  const shapeInput = node.optionalInput(1);
  if (shapeInput !== null) {
    if (!shapeInput.isConstant) {
      throw node.unsupported(
        `shape input '${shapeInput.name}' is computed from activations during invoke; the ` +
          `interpreter needs it known when tensors are allocated (a constant, or SHAPE/` +
          `STRIDED_SLICE/PACK arithmetic on constants and shapes)`,
      );
    }
    if (shapeInput.shape.length === 1) return node.intValues(shapeInput);
  }
  const o = node.optionsOrNull("ReshapeOptions");
  if (o !== null && o.newShape !== null) return o.newShape;
  // Neither: the output tensor's shape in the file is all we have.
  return node.output(0).shape;
}

export const Reshape: Kernel = {
  op: "RESHAPE",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const size = shapeSize(input.shape);
    const shape = [...requestedShape(node)];
    const unknown = shape.indexOf(-1);
    if (unknown >= 0) {
      const known = shape.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
      if (known === 0 || size % known !== 0 || shape.indexOf(-1, unknown + 1) >= 0) {
        throw node.shapeError(
          `cannot reshape '${input.name}' [${input.shape.join(", ")}] to [${shape.join(", ")}]`,
        );
      }
      shape[unknown] = size / known;
    }
    // NOTE: tsquant extension for batched evaluation. Converters bake the batch size (1) into
    // the shape operand; after resizeTensorInput changed the batch of this op's input, carry the
    // new batch through dimension 0 (TFLite would refuse the resize).
    const rest = shapeSize(shape.slice(1));
    const batch = input.shape[0];
    if (
      shapeSize(shape) !== size &&
      shape.length > 0 &&
      rest > 0 &&
      size % rest === 0 &&
      batch !== input.declaredShape[0] &&
      shape[0] === input.declaredShape[0]
    ) {
      shape[0] = size / rest;
    }
    if (shapeSize(shape) !== size) {
      throw node.shapeError(
        `cannot reshape '${input.name}' [${input.shape.join(", ")}] (${size} elements) to ` +
          `[${shape.join(", ")}] (${shapeSize(shape)} elements)`,
      );
    }
    const output = node.allocateOutput(0, shape);
    if (output.dtype !== input.dtype) throw node.unsupported("input and output types differ");
    const src = bytesOf(input.data);
    const dst = bytesOf(output.data);
    return () => dst.set(src);
  },
};
