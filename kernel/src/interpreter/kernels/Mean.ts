/**
 * MEAN over the axes given by the 2nd input (constant int32), keeping reduced dimensions as 1
 * when `keepDims`. float32: sum / n. int8 and int16 (TFLite `reference_ops::QuantizedMeanOrSum`): with
 * M·2^shift = s_in / s_out and k = min(⌊log2 n⌋, 32, 31 + shift), the multiplier absorbs 1/n as
 * M' = ⌊M·2^k / n⌋, shift' = shift − k; y = clamp(MBQM(Σq − z_in·n, M', shift') + z_out).
 */
import { shapeSize } from "../../ir";
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../../quant/fixedpoint";
import type { Node } from "../node";
import { dtypeRange } from "./common";
import type { Eval, Kernel } from "./kernel";
import { embedIndex } from "./layout";

// Local bindings: an imported function is read through a module getter at each call under
// some loaders (tsx); hot loops call these instead.
const mbqm = multiplyByQuantizedMultiplier;

export const Mean: Kernel = {
  op: "MEAN",
  prepare(node: Node): Eval {
    const o = node.options("ReducerOptions");
    const input = node.input(0);
    const axisTensor = node.input(1);
    if (!axisTensor.isConstant)
      throw node.unsupported(`axis '${axisTensor.name}' must be constant`);
    const rank = input.shape.length;
    const axes = new Set<number>();
    for (const a of node.intValues(axisTensor)) {
      const axis = a < 0 ? a + rank : a;
      if (axis < 0 || axis >= rank)
        throw node.shapeError(`axis ${a} is out of range for rank ${rank}`);
      axes.add(axis);
    }
    const keptShape = input.shape.map((d, i) => (axes.has(i) ? 1 : d));
    const shape = o.keepDims ? keptShape : input.shape.filter((_, i) => !axes.has(i));
    const output = node.allocateOutput(0, shape);
    const map = embedIndex(input.shape, keptShape, []);
    const size = map.length;
    const outSize = shapeSize(keptShape);
    const count = outSize === 0 ? 0 : size / outSize;
    const sums = new Float64Array(outSize);

    if (input.dtype === "float32") {
      const x = node.f32(input);
      const y = node.f32(output);
      return () => {
        sums.fill(0);
        // float32 sums in input order, as the reference kernel accumulates.
        for (let i = 0; i < size; i++) sums[map[i]] = Math.fround(sums[map[i]] + x[i]);
        for (let j = 0; j < outSize; j++) y[j] = sums[j] / count;
      };
    }

    if (input.dtype === "int8" || input.dtype === "int16") {
      if (output.dtype !== input.dtype) throw node.unsupported("input and output types differ");
      const x = node.i8or16(input);
      const y = node.i8or16(output);
      if (count === 0 && outSize > 0) {
        throw node.shapeError(
          `MEAN of ${input.dtype} over an empty axis of '${input.name}' [${input.shape.join(", ")}]`,
        );
      }
      const [qmin, qmax] = dtypeRange(node, input.dtype);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      const base = quantizeMultiplier(inQ.scale / outQ.scale);
      // ⌊log2 n⌋ exactly, from the bit length of n.
      const k = Math.min(31 - Math.clz32(count), 32, 31 + base.shift);
      // M·2^k can reach 2^63: divide exactly in BigInt (once, at prepare).
      // (An empty output — count 0 — computes nothing; its multiplier is never used.)
      const multiplier =
        count === 0 ? 0 : Number((BigInt(base.multiplier) << BigInt(k)) / BigInt(count));
      const shift = base.shift - k;
      const offset = inQ.zeroPoint * count;
      const zo = outQ.zeroPoint;
      return () => {
        sums.fill(0);
        for (let i = 0; i < size; i++) sums[map[i]] += x[i];
        for (let j = 0; j < outSize; j++) {
          const q = mbqm(sums[j] - offset, multiplier, shift) + zo;
          y[j] = q < qmin ? qmin : q > qmax ? qmax : q;
        }
      };
    }
    throw node.unsupported();
  },
};
