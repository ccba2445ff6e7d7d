/**
 * Dynamic-range quantization (docs/quantization.md, "Dynamic range", TF's default `optimizations=[DEFAULT]` without a
 * representative dataset): weights of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED with at
 * least 1,024 elements become symmetric int8 (zero point 0, codes in [−127, 127]); the ops run
 * as hybrid kernels that quantize their float input at run time. Biases, activations and I/O
 * stay float32; smaller weights stay float (the int8 saving would not pay for the scales).
 *
 * Granularity, as TF 2.21 writes it (the fixture files are the reference): CONV_2D per channel
 * on axis 0, DEPTHWISE_CONV_2D per channel on axis 3, FULLY_CONNECTED per channel on axis 0 with
 * `asymmetricQuantizeInputs`. With `perChannel: false`, every weight is per tensor and a
 * depthwise conv is not hybrid (its weights get a DEQUANTIZE op, as TF's old scheme).
 */
import { BuiltinOperator, type Model, type Operator, shapeSize } from "../ir";
import { quantizeWeightTensor } from "./weights";
import {
  addBuffer,
  addTensor,
  bytesOf,
  float32Data,
  isConstant,
  makeOp,
  opCode,
  pruneBuffers,
  rewireInputs,
} from "./graph";

/** TF's `kWeightsMinNumElementsDefault`: smaller weight tensors stay float. */
export const DYNAMIC_RANGE_MIN_ELEMENTS = 1024;

export interface DynamicRangeOptions {
  /** Per-channel weights (default true, as TF). */
  perChannel?: boolean;
  /** Ops (by TFLite name, e.g. "FULLY_CONNECTED") or op output tensor names left in float. */
  isDenylisted?: (op: Operator) => boolean;
}

/** The weight input (index 1) and its channel axis for the ops that have hybrid kernels. */
function weightAxis(code: number): number | null {
  switch (code) {
    case BuiltinOperator.CONV_2D:
    case BuiltinOperator.FULLY_CONNECTED:
      return 0;
    case BuiltinOperator.DEPTHWISE_CONV_2D:
      return 3;
    default:
      return null;
  }
}

/** Rewrite `model` (a copy of the float model; mutated) into its dynamic-range form. */
export function dynamicRangePass(model: Model, options: DynamicRangeOptions = {}): Model {
  const perChannel = options.perChannel ?? true;
  const sg = model.subgraphs[0];
  const done = new Set<number>();
  const prepended: Operator[] = [];
  for (const op of [...sg.operators]) {
    const code = opCode(model, op);
    const axis = weightAxis(code);
    const index = op.inputs[1];
    if (axis === null || index === undefined || index < 0 || done.has(index)) continue;
    if (options.isDenylisted?.(op) === true) continue;
    const t = sg.tensors[index];
    if (t.type !== "float32" || !isConstant(model, t)) continue;
    if (shapeSize(t.shape) < DYNAMIC_RANGE_MIN_ELEMENTS) continue;
    if (sg.operators.filter((o) => o.inputs.includes(index)).length > 1) continue;
    done.add(index);
    const { values, quantization } = quantizeWeightTensor(
      float32Data(model, t),
      t.shape,
      perChannel ? axis : null,
    );
    t.type = "int8";
    t.buffer = addBuffer(model, bytesOf(values));
    t.quantization = quantization;
    const hybrid = perChannel || code !== BuiltinOperator.DEPTHWISE_CONV_2D;
    if (!hybrid) {
      const float = addTensor(model, sg, {
        name: t.name,
        type: "float32",
        shape: t.shape,
        like: t,
      });
      rewireInputs([op], index, float);
      prepended.push(makeOp(model, BuiltinOperator.DEQUANTIZE, [index], [float]));
      continue;
    }
    if (op.builtinOptions?.type === "FullyConnectedOptions") {
      op.builtinOptions = { ...op.builtinOptions, asymmetricQuantizeInputs: true };
    }
  }
  sg.operators = [...prepended, ...sg.operators];
  pruneBuffers(model);
  return model;
}
