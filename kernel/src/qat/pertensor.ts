/**
 * Per-tensor weights inside a per-channel int8 model: QAT fake-quantizes Dense kernels with one
 * range for the whole tensor (tfmot's default), and TF's converter keeps that granularity, so
 * re-quantizing those on-grid weights per output channel would move them off the grid QAT
 * trained on (a channel's scale max|w_c| / 127 is not the tensor's). After the integer pass,
 * each named weight tensor is quantized again from the float model per tensor (symmetric,
 * scale = max|w| / 127, TF's rule) and its op's bias with scale s_in · s_w.
 */
import { UsageError } from "../errors";
import type { Model, Tensor } from "../ir";
import { quantizeWeightTensor } from "../converter/weights";
import { quantizeBias } from "../quant/bias";
import { toQuantization } from "../quant/params";

function floatValues(model: Model, name: string): { t: Tensor; values: Float32Array } {
  const t = model.subgraphs[0]?.tensors.find((x) => x.name === name && x.type === "float32");
  const data = t === undefined ? null : (model.buffers[t.buffer]?.data ?? null);
  if (t === undefined || data === null) {
    throw new UsageError(`per-tensor weights: the float model has no constant '${name}'`);
  }
  return { t, values: new Float32Array(data.slice().buffer) };
}

function setData(model: Model, t: Tensor, bytes: Uint8Array): void {
  const b = model.buffers[t.buffer];
  if (b === undefined) throw new UsageError(`per-tensor weights: tensor '${t.name}' has no buffer`);
  model.buffers[t.buffer] = { ...b, data: bytes };
}

/** Re-quantize the int8 weights named in `names` (and their biases) per tensor; mutates `model`. */
export function perTensorWeights(model: Model, float: Model, names: ReadonlySet<string>): void {
  const sg = model.subgraphs[0];
  if (sg === undefined || names.size === 0) return;
  for (const op of sg.operators) {
    const w = sg.tensors[op.inputs[1] ?? -1];
    if (w === undefined || w.type !== "int8" || !names.has(w.name)) continue;
    const { values: wf } = floatValues(float, w.name);
    const q = quantizeWeightTensor(wf, w.shape, null);
    setData(model, w, new Uint8Array(q.values.buffer.slice(0)));
    w.quantization = q.quantization;
    const bias = sg.tensors[op.inputs[2] ?? -1];
    const input = sg.tensors[op.inputs[0] ?? -1];
    if (bias === undefined || bias.type !== "int32") continue;
    const inScale = input?.quantization?.scale?.[0];
    const wScale = q.quantization.scale?.[0];
    if (inScale === undefined || wScale === undefined) {
      throw new UsageError(`per-tensor weights: op reading '${w.name}' has no input scale`);
    }
    const b = quantizeBias(floatValues(float, bias.name).values, inScale, wScale);
    setData(model, bias, new Uint8Array(b.values.buffer.slice(0)));
    bias.quantization = toQuantization(b.params);
  }
}
