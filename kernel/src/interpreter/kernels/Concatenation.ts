/**
 * CONCATENATION along `axis` (negative counts from the end). Every input and the output must
 * share dtype and, when quantized, scale and zero point (TFLite enforces this for int8), so the
 * op is a copy of contiguous blocks. Fused activations other than NONE are unsupported.
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import type { Eval, Kernel } from "./kernel";
import { bytesOf } from "./layout";

export const Concatenation: Kernel = {
  op: "CONCATENATION",
  prepare(node: Node): Eval {
    const o = node.options("ConcatenationOptions");
    if (o.fusedActivationFunction !== "NONE") {
      throw node.unsupported(`fused activation ${o.fusedActivationFunction}`);
    }
    const inputs: RuntimeTensor[] = [];
    for (let i = 0; i < node.numInputs; i++) inputs.push(node.input(i));
    const first = node.input(0);
    const rank = first.shape.length;
    const axis = o.axis < 0 ? o.axis + rank : o.axis;
    if (axis < 0 || axis >= rank) {
      throw node.shapeError(`axis ${o.axis} is out of range for rank ${rank}`);
    }
    let axisSize = 0;
    for (const t of inputs) {
      const sameOtherDims =
        t.shape.length === rank && t.shape.every((d, i) => i === axis || d === first.shape[i]);
      if (!sameOtherDims) {
        throw node.shapeError(
          `input '${t.name}' [${t.shape.join(", ")}] does not match '${first.name}' ` +
            `[${first.shape.join(", ")}] outside axis ${axis}`,
        );
      }
      if (t.dtype !== first.dtype) throw node.unsupported("inputs of different types");
      axisSize += t.shape[axis] ?? 0;
    }
    const shape = [...first.shape];
    shape[axis] = axisSize;
    const output = node.allocateOutput(0, shape);
    if (output.dtype !== first.dtype) throw node.unsupported("input and output types differ");
    if (output.quantization !== null) {
      const qo = node.affine(output);
      for (const t of inputs) {
        const qi = node.affine(t);
        if (qi.scale !== qo.scale || qi.zeroPoint !== qo.zeroPoint) {
          throw node.unsupported(
            `input '${t.name}' (scale ${qi.scale}, zero point ${qi.zeroPoint}) must share the ` +
              `output's scale ${qo.scale} and zero point ${qo.zeroPoint}`,
          );
        }
      }
    }
    const outer = shapeSize(shape.slice(0, axis));
    const elementBytes = output.data.BYTES_PER_ELEMENT;
    const blocks = inputs.map((t) => ({
      src: bytesOf(t.data),
      bytes: shapeSize(t.shape.slice(axis)) * elementBytes,
    }));
    const dst = bytesOf(output.data);
    return () => {
      let offset = 0;
      for (let k = 0; k < outer; k++) {
        for (const { src, bytes } of blocks) {
          dst.set(src.subarray(k * bytes, (k + 1) * bytes), offset);
          offset += bytes;
        }
      }
    };
  },
};
