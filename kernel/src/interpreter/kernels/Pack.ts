/**
 * PACK: N tensors of equal shape S stacked along a new dimension `axis` (negative counts from
 * the end of the output's rank |S| + 1): out[a₀…a_{axis−1}, n, …] = input_n[a₀…]. With
 * outer = ∏ S[0:axis] and block = ∏ S[axis:], output block k·N + n is block k of input n.
 * A scalar per input (S = []) gives a vector of N. Works for any dtype; quantized inputs must
 * share the output's scale and zero point (LiteRT's pack.cc requires it: no requantization).
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import type { Eval, Kernel } from "./kernel";
import { bytesOf } from "./layout";

export const Pack: Kernel = {
  op: "PACK",
  prepare(node: Node): Eval {
    const o = node.options("PackOptions");
    const count = node.numInputs;
    if (o.valuesCount !== count) {
      throw node.shapeError(`values_count is ${o.valuesCount} but the op has ${count} inputs`);
    }
    const inputs: RuntimeTensor[] = [];
    for (let i = 0; i < count; i++) inputs.push(node.input(i));
    const first = node.input(0);
    const rank = first.shape.length;
    const axis = o.axis < 0 ? o.axis + rank + 1 : o.axis;
    if (axis < 0 || axis > rank) {
      throw node.shapeError(`axis ${o.axis} is out of range for inputs of rank ${rank}`);
    }
    for (const t of inputs) {
      if (t.dtype !== first.dtype) throw node.unsupported("inputs of different types");
      if (t.shape.length !== rank || t.shape.some((d, i) => d !== first.shape[i])) {
        throw node.shapeError(
          `input '${t.name}' [${t.shape.join(", ")}] differs from '${first.name}' ` +
            `[${first.shape.join(", ")}]`,
        );
      }
    }
    const shape = [...first.shape.slice(0, axis), count, ...first.shape.slice(axis)];
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
    const outer = shapeSize(first.shape.slice(0, axis));
    const blockBytes = shapeSize(first.shape.slice(axis)) * output.data.BYTES_PER_ELEMENT;
    const dst = bytesOf(output.data);
    // Producers prepare (and allocate) before their consumers, so these views stay valid.
    const sources = inputs.map((t) => bytesOf(t.data));
    return () => {
      let offset = 0;
      for (let k = 0; k < outer; k++) {
        for (const src of sources) {
          dst.set(src.subarray(k * blockBytes, (k + 1) * blockBytes), offset);
          offset += blockBytes;
        }
      }
    };
  },
};
