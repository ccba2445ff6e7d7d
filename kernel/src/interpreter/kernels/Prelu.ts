/**
 * PRELU: y = x for x ≥ 0, α·x otherwise, with α a tensor broadcast against x (numpy rules).
 * float32: `x ≥ 0 ? x : x·α`. int8 and uint8 (TFLite `activations.cc` PreluPrepare,
 * `reference_ops::BroadcastPrelu4DSlow`): multipliers M1 = s_in / s_out and M2 = s_in·s_α / s_out
 * (float32); d = x − z_in; y = clamp(z_out + (d ≥ 0 ? MBQM(d, M1) : MBQM(d·(α − z_α), M2))).
 */
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../../quant/fixedpoint";
import type { Node } from "../node";
import { dtypeRange } from "./common";
import type { Eval, Kernel } from "./kernel";
import { broadcastIndex, broadcastShape } from "./layout";

const mbqm = multiplyByQuantizedMultiplier;

export const Prelu: Kernel = {
  op: "PRELU",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const alpha = node.input(1);
    if (alpha.dtype !== input.dtype) {
      throw node.unsupported(
        `alpha '${alpha.name}' must have the input's type ${input.dtype}, found ${alpha.dtype}`,
      );
    }
    const shape = broadcastShape(node, input.shape, alpha.shape);
    const output = node.allocateOutput(0, shape);
    if (output.dtype !== input.dtype) {
      throw node.unsupported(
        `output '${output.name}' must have type ${input.dtype}, found ${output.dtype}`,
      );
    }
    const xIndex = broadcastIndex(input.shape, shape);
    const aIndex = broadcastIndex(alpha.shape, shape);
    const n = output.data.length;
    if (input.dtype === "float32") {
      const x = node.f32(input);
      const a = node.f32(alpha);
      const y = node.f32(output);
      return () => {
        for (let i = 0; i < n; i++) {
          const v = x[xIndex[i]];
          y[i] = v >= 0 ? v : Math.fround(v * a[aIndex[i]]);
        }
      };
    }
    if (input.dtype === "int8" || input.dtype === "uint8") {
      const x = node.q8(input);
      const a = node.q8(alpha);
      const y = node.q8(output);
      const inQ = node.affine(input);
      const alphaQ = node.affine(alpha);
      const outQ = node.affine(output);
      const m1 = quantizeMultiplier(Math.fround(inQ.scale / outQ.scale));
      const m2 = quantizeMultiplier(
        Math.fround(Math.fround(inQ.scale * alphaQ.scale) / outQ.scale),
      );
      const [qmin, qmax] = dtypeRange(node, input.dtype);
      const zi = inQ.zeroPoint;
      const za = alphaQ.zeroPoint;
      const zo = outQ.zeroPoint;
      return () => {
        for (let i = 0; i < n; i++) {
          const d = x[xIndex[i]] - zi;
          const q =
            zo +
            (d >= 0
              ? mbqm(d, m1.multiplier, m1.shift)
              : mbqm(d * (a[aIndex[i]] - za), m2.multiplier, m2.shift));
          y[i] = q < qmin ? qmin : q > qmax ? qmax : q;
        }
      };
    }
    throw node.unsupported(
      `input '${input.name}' has type ${input.dtype}; PRELU takes float32, int8, uint8`,
    );
  },
};
