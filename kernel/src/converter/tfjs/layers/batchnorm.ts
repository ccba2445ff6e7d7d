/**
 * BatchNormalization (inference): `y = (x − mean)·gamma/√(variance + ε) + beta
 * = x·scale + offset` with `scale = gamma/√(variance + ε)`, `offset = beta − mean·scale`
 * (gamma = 1 without `scale`, beta = 0 without `center`). Degenerate case: `variance + ε ≤ 0`
 * (or NaN) on a channel divides by zero; it is refused (`ModelFormatError`) rather than written
 * as infinite weights. Emitted as MUL and ADD by per-channel
 * float32 constants; `foldBatchNorms` (../passes.ts) folds them into the conv/dense before
 * them from the float64 `scale` and `offset` recorded here, when it can.
 */
import { ModelFormatError } from "../../../errors";
import type { LayerConverter } from "./call";
import { outputShape, singleInput, weight } from "./call";

export const BatchNormalization: LayerConverter = (call) => {
  const { b, name, config: c } = call;
  const { x, shape } = singleInput(call);
  const last = shape.length - 1;
  const raw = c.raw("axis");
  const axes = raw === undefined || raw === null ? [-1] : Array.isArray(raw) ? raw : [raw];
  if (shape.length < 2 || axes.length !== 1 || !(axes[0] === -1 || axes[0] === last)) {
    throw c.unsupported(
      `normalizing axis ${JSON.stringify(raw)} of a rank-${shape.length} input is not ` +
        `supported (only the last axis, the channels of NHWC)`,
    );
  }
  const channels = shape[last] ?? 0;
  // tfjs adds ε to the variance in float32.
  const epsilon = Math.fround(c.number("epsilon", 1e-3));
  const gamma = c.bool("scale", true) ? weight(call, "gamma", [channels]).data : null;
  const beta = c.bool("center", true) ? weight(call, "beta", [channels]).data : null;
  const mean = weight(call, "moving_mean", [channels]).data;
  const variance = weight(call, "moving_variance", [channels]).data;
  const scale = new Float64Array(channels);
  const offset = new Float64Array(channels);
  for (let ch = 0; ch < channels; ch++) {
    const denominator = (variance[ch] ?? 0) + epsilon;
    if (!(denominator > 0)) {
      throw new ModelFormatError(
        `${c.what}: moving_variance + epsilon is ${denominator} on channel ${ch}; ` +
          `the normalization divides by √${denominator}`,
      );
    }
    scale[ch] = (gamma?.[ch] ?? 1) / Math.sqrt((variance[ch] ?? 0) + epsilon);
    offset[ch] = (beta?.[ch] ?? 0) - (mean[ch] ?? 0) * (scale[ch] ?? 0);
  }
  const out = outputShape(call);
  const scaleT = b.constant(`${name}/batchnorm/mul`, [channels], Float32Array.from(scale));
  const offsetT = b.constant(`${name}/batchnorm/sub`, [channels], Float32Array.from(offset));
  const scaled = b.activation(`${name}/batchnorm/mul_1`, out);
  const y = b.activation(`${name}/batchnorm/add_1`, out);
  const mul = b.op("MUL", [x, scaleT], [scaled], {
    type: "MulOptions",
    fusedActivationFunction: "NONE",
  });
  const add = b.op("ADD", [scaled, offsetT], [y], {
    type: "AddOptions",
    fusedActivationFunction: "NONE",
    potScaleInt16: true,
  });
  call.batchNorms.set(mul, { scale, offset, add });
  return [y];
};
