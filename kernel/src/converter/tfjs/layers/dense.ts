/**
 * Dense → FULLY_CONNECTED: `y = x·W + b` with the kernel transposed from tfjs's `[in, units]`
 * to TFLite's `[units, in]`. Without a bias the op's bias input is absent (-1), as TF writes
 * it. On an input of rank > 2 the op keeps the leading dimensions (`keepNumDims`), as Dense
 * applies to the last axis.
 */
import { ShapeError } from "../../../errors";
import { transpose2d } from "../layout";
import { activationOf, applyActivation } from "./activation";
import type { LayerConverter } from "./call";
import { outputShape, singleInput, weight } from "./call";

export const Dense: LayerConverter = (call) => {
  const { b, name, config: c } = call;
  const { x, shape } = singleInput(call);
  const depth = shape[shape.length - 1];
  if (shape.length < 2 || depth === undefined) {
    throw new ShapeError(`${c.what}: expected an input of rank ≥ 2, found [${shape.join(", ")}]`);
  }
  const units = c.count("units");
  const kernel = weight(call, "kernel", [depth, units]);
  const w = b.constant(`${name}/kernel`, [units, depth], transpose2d(kernel.data, depth, units));
  const useBias = c.bool("useBias", true);
  const bias = useBias
    ? b.constant(`${name}/bias`, [units], weight(call, "bias", [units]).data)
    : -1;
  const out = outputShape(call);
  const y = b.activation(`${name}/${useBias ? "BiasAdd" : "MatMul"}`, out);
  b.op("FULLY_CONNECTED", [x, w, bias], [y], {
    type: "FullyConnectedOptions",
    fusedActivationFunction: "NONE",
    weightsFormat: 0,
    keepNumDims: shape.length > 2,
    asymmetricQuantizeInputs: false,
    quantizedBiasType: 0,
  });
  return [applyActivation(call, y, out, activationOf(call))];
};
