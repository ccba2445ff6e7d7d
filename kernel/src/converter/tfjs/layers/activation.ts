/**
 * Activations: the `activation` of Conv2D/Dense/… and the Activation, ReLU and Softmax layers.
 * Each becomes its own op here; `fuseActivations` (../passes.ts) later folds RELU and RELU6 into
 * the op before them where TFLite fuses them.
 *
 *   linear → nothing; relu → RELU; relu6 → RELU6 (also ReLU with maxValue 6);
 *   sigmoid → LOGISTIC; tanh → TANH; softmax → SOFTMAX (β = 1, last axis).
 */
import type { LayerCall, LayerConverter } from "./call";
import { outputShape, singleInput } from "./call";

export const SUPPORTED_ACTIVATIONS = ["linear", "relu", "relu6", "sigmoid", "tanh", "softmax"];

/** Emits the op computing `activation(x)` (x of `shape`); returns its output, or x for linear. */
export function applyActivation(
  call: LayerCall,
  x: number,
  shape: number[],
  activation: string,
): number {
  const { b, name } = call;
  const unary = (op: "RELU" | "RELU6" | "LOGISTIC" | "TANH", suffix: string) => {
    const y = b.activation(`${name}/${suffix}`, shape);
    b.op(op, [x], [y]);
    return y;
  };
  switch (activation) {
    case "linear":
      return x;
    case "relu":
      return unary("RELU", "Relu");
    case "relu6":
      return unary("RELU6", "Relu6");
    case "sigmoid":
      return unary("LOGISTIC", "Sigmoid");
    case "tanh":
      return unary("TANH", "Tanh");
    case "softmax": {
      const y = b.activation(`${name}/Softmax`, shape);
      b.op("SOFTMAX", [x], [y], { type: "SoftmaxOptions", beta: 1 });
      return y;
    }
    default:
      throw call.config.unsupported(
        `activation '${activation}' is not supported (supported: ` +
          `${SUPPORTED_ACTIVATIONS.join(", ")})`,
      );
  }
}

/** The `activation` config of a layer (tfjs serializes it as its class name). */
export function activationOf(call: LayerCall): string {
  return call.config.string("activation", "linear");
}

export const Activation: LayerConverter = (call) => {
  const { x } = singleInput(call);
  return [applyActivation(call, x, outputShape(call), activationOf(call))];
};

/** ReLU: max(x, 0), clipped at `maxValue` when set; only maxValue 6 (RELU6) has an op. */
export const ReLU: LayerConverter = (call) => {
  const { x } = singleInput(call);
  if (!call.config.has("maxValue")) return [applyActivation(call, x, outputShape(call), "relu")];
  const maxValue = call.config.number("maxValue");
  if (maxValue !== 6) {
    throw call.config.unsupported(
      `maxValue ${maxValue} is not supported (TFLite has RELU and RELU6: maxValue unset or 6)`,
    );
  }
  return [applyActivation(call, x, outputShape(call), "relu6")];
};

/** Softmax layer: only over the last axis, the one TFLite's SOFTMAX normalizes. */
export const Softmax: LayerConverter = (call) => {
  const { x, shape } = singleInput(call);
  const raw = call.config.raw("axis");
  const axes = raw === undefined || raw === null ? [-1] : Array.isArray(raw) ? raw : [raw];
  const last = shape.length - 1;
  if (axes.length !== 1 || !(axes[0] === -1 || axes[0] === last)) {
    throw call.config.unsupported(
      `softmax over axis ${JSON.stringify(raw)} is not supported (only the last axis, -1 or ${last})`,
    );
  }
  return [applyActivation(call, x, outputShape(call), "softmax")];
};
