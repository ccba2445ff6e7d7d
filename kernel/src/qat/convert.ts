/**
 * What `TFLiteConverter.fromLayersModel(qatModel)` converts: the deployed float model
 * (`deployedFloatModel`: BN folded, weights already fake-quantized onto their int8 grid) through
 * the tfjs front end, and the ranges QAT learned put onto that model's tensors by name, so the
 * integer pass uses them instead of calibrating (as TF's converter turns each FakeQuant's
 * min/max into the tensor's scale and zero point, in double precision — docs/quantization.md, "Quantization-aware training").
 *
 * Where each learned range goes:
 * - the model input's (QuantizeInput) → the graph input;
 * - a quantized layer's output range → the tensor holding that layer's output (after fusion, the
 *   fused op's output, e.g. `conv/Relu;conv/BiasAdd`); for softmax / sigmoid / tanh, which
 *   tfmot fake-quantizes before the activation, → the activation op's input (its own output has
 *   TFLite's fixed parameters); an AveragePooling2D's → its AVERAGE_POOL_2D output, listed in
 *   `requantizedOutputs` so the op writes at its input's scale and a QUANTIZE op requantizes;
 * - a tensor with no fake-quant of its own (after MaxPooling2D, Reshape, Flatten) → its op's
 *   first input's range: these ops keep the scale in TFLite, and in the QAT model they see
 *   already-quantized values.
 * Weights need no range: on the grid already, the converter's symmetric max|w| / 127 gives back
 * the learned scale (up to float rounding) and the same int8 values — per channel for conv and
 * depthwise, per tensor for the weights QAT quantized per tensor (`perTensorWeights`).
 */
import type * as tf from "@tensorflow/tfjs";
import { layersModelToFloatModelWithLayerTensors } from "../converter/tfjs";
import { CONVERSION_INPUT, type ConversionInput } from "../converter/converter";
import { opLabel } from "../converter/graph";
import { UnsupportedError, UsageError } from "../errors";
import type { Model } from "../ir";
import { deployedFloatModel, deployedName, learnedRanges } from "./export";
import { QuantMerge, QuantPool, QuantWeighted, QuantizeInput, isQatLayer } from "./layers";

const FIXED_OUTPUT = new Set(["SOFTMAX", "LOGISTIC", "TANH"]);

/** True when `model` has QAT layers (built by quantizeModel / quantizeApply). */
export function isQatModel(model: tf.LayersModel): boolean {
  return model.layers.some(isQatLayer);
}

/**
 * The deployed float model as IR, with the learned ranges by tensor name, the weights QAT
 * quantized per tensor (Dense by default) and the AveragePooling2D outputs requantized after the
 * op.
 */
export type QatConversionInput = ConversionInput;

export function qatConversionInput(qat: tf.LayersModel): QatConversionInput {
  const float = qat.layers.find((l) => l instanceof QuantWeighted && l.isFloat);
  const inputs = qat.layers.filter((l) => l instanceof QuantizeInput).length;
  if (float !== undefined || inputs > 1) {
    throw new UnsupportedError(
      `QAT conversion: model ${qat.name} is only partly quantized (${float !== undefined ? `layer ${float.name} was left in float` : `${inputs} input quantizers`}); converting partial QAT models is not supported yet — quantize the whole model (quantizeModel)`,
    );
  }
  const unseen = qat.layers.find((l) => l instanceof QuantizeInput && l.quantizer.isEmpty());
  if (unseen !== undefined) {
    throw new UsageError(
      `QAT conversion: model ${qat.name}'s input range is empty — its input quantizer ${unseen.name} has seen no training batch (tfmot's AllValuesQuantizer starts at [0, 0] and widens with every batch). Fine-tune the QAT model (fit) before converting it`,
    );
  }
  const learned = learnedRanges(qat);
  const deployed = deployedFloatModel(qat);
  try {
    const { model, layerTensors } = layersModelToFloatModelWithLayerTensors(deployed);
    const perTensorWeights = Object.entries(learned.layers)
      .filter(([, r]) => r.weights !== undefined && !r.weights.perChannel)
      .map(([layer]) => `${layer}/kernel`);
    const requantizedOutputs = qat.layers
      .filter((l): l is QuantPool => l instanceof QuantPool && l.kind === "averagePooling2d")
      .flatMap((l) => layerTensors.get(deployedName(l))?.slice(0, 1) ?? []);
    return {
      model,
      activationRanges: placeRanges(model, layerTensors, learned),
      perTensorWeights,
      requantizedOutputs,
    };
  } finally {
    deployed.dispose();
  }
}

function placeRanges(
  model: Model,
  layerTensors: Map<string, string[]>,
  learned: ReturnType<typeof learnedRanges>,
): Record<string, { min: number; max: number }> {
  const sg = model.subgraphs[0];
  if (sg === undefined) throw new UnsupportedError("QAT conversion: the model has no subgraph");
  const ranges: Record<string, { min: number; max: number }> = {};
  const nameOf = (i: number): string => sg.tensors[i]?.name ?? "";
  const producer = (name: string) =>
    sg.operators.find((op) => op.outputs.some((o) => nameOf(o) === name));

  const input = sg.inputs[0];
  if (learned.input !== undefined && input !== undefined) ranges[nameOf(input)] = learned.input;
  for (const [layer, { output }] of Object.entries(learned.layers)) {
    const tensor = layerTensors.get(layer)?.[0];
    if (tensor === undefined) {
      throw new UnsupportedError(
        `QAT conversion: layer ${layer}'s output has no tensor in the converted model`,
      );
    }
    const op = producer(tensor);
    const before = op !== undefined && FIXED_OUTPUT.has(opLabel(model, op));
    const target = before && op !== undefined ? nameOf(op.inputs[0] ?? -1) : tensor;
    ranges[target] = output;
  }
  // Tensors without a fake-quant of their own take their op's first ranged input's range.
  for (const op of sg.operators) {
    if (FIXED_OUTPUT.has(opLabel(model, op))) continue;
    const from = op.inputs.map(nameOf).find((n) => ranges[n] !== undefined);
    if (from === undefined) continue;
    for (const o of op.outputs) {
      const n = nameOf(o);
      if (ranges[n] === undefined) ranges[n] = { ...(ranges[from] ?? { min: 0, max: 0 }) };
    }
  }
  return ranges;
}

// The QAT layers carry the converter's brand, so `TFLiteConverter.fromLayersModel` converts a QAT
// model with its learned ranges without knowing this module.
for (const cls of [QuantizeInput, QuantWeighted, QuantMerge, QuantPool]) {
  Object.defineProperty(cls.prototype, CONVERSION_INPUT, {
    value: (model: tf.LayersModel): QatConversionInput => qatConversionInput(model),
  });
}
