/**
 * Float16 post-training quantization (docs/quantization.md, "Float16"): every float32 constant that an op
 * reads is stored as float16 (values clamped to ±65504, then rounded to nearest even), and one
 * DEQUANTIZE op (float16 → float32) turns it back into float32 before the graph runs.
 * Activations and I/O stay float32; the file is about half the size.
 */
import { BuiltinOperator, type Model } from "../ir";
import { toFloat16Array } from "../quant/float16";
import {
  addBuffer,
  addTensor,
  bytesOf,
  float32Data,
  isConstant,
  makeOp,
  pruneBuffers,
  rewireInputs,
} from "./graph";

/** Metadata TF adds to float16 models: weights in float16, accumulation in float32. */
export const REDUCED_PRECISION_SUPPORT = "reduced_precision_support";

/** Rewrite `model` (a copy of the float model; mutated) into its float16 form. */
export function float16Pass(model: Model): Model {
  const sg = model.subgraphs[0];
  const dequantizeOps = [];
  const seen = new Set<number>();
  for (const op of sg.operators) {
    for (const index of op.inputs) {
      if (index < 0 || seen.has(index)) continue;
      const t = sg.tensors[index];
      if (t.type !== "float32" || !isConstant(model, t)) continue;
      seen.add(index);
      const half = toFloat16Array(float32Data(model, t), { saturate: true });
      // The constant itself becomes float16; a new float32 tensor carries the dequantized value.
      const float = addTensor(model, sg, {
        name: t.name,
        type: "float32",
        shape: t.shape,
        like: t,
      });
      t.type = "float16";
      t.buffer = addBuffer(model, bytesOf(half));
      rewireInputs(sg.operators, index, float);
      dequantizeOps.push(makeOp(model, BuiltinOperator.DEQUANTIZE, [index], [float]));
    }
  }
  // NOTE: TF places the DEQUANTIZE ops of constants first; they depend on nothing.
  sg.operators = [...dequantizeOps, ...sg.operators];
  const data = new TextEncoder().encode("fp16accfp32");
  const buffer = addBuffer(model, data);
  model.metadata = [
    ...(model.metadata ?? []).filter((m) => m.name !== REDUCED_PRECISION_SUPPORT),
    { name: REDUCED_PRECISION_SUPPORT, buffer },
  ];
  pruneBuffers(model);
  return model;
}
