/**
 * MaxPooling2D → MAX_POOL_2D, AveragePooling2D → AVERAGE_POOL_2D (window `poolSize`, strides
 * defaulting to the window), GlobalAveragePooling2D → MEAN over axes [1, 2] (an int32
 * constant), as TF lowers it.
 */
import type { BuiltinOpName } from "../../../ir";
import type { LayerCall, LayerConverter } from "./call";
import { outputShape, requireRank, singleInput } from "./call";

function pool(op: Extract<BuiltinOpName, "MAX_POOL_2D" | "AVERAGE_POOL_2D">, suffix: string) {
  return (call: LayerCall): number[] => {
    const { b, name, config: c } = call;
    const { x, shape } = singleInput(call);
    requireRank(call, shape, 4);
    c.requireChannelsLast();
    const [filterHeight, filterWidth] = c.pair("poolSize", [2, 2]);
    const [strideH, strideW] = c.pair("strides", [filterHeight, filterWidth]);
    const y = b.activation(`${name}/${suffix}`, outputShape(call));
    b.op(op, [x], [y], {
      type: "Pool2DOptions",
      padding: c.padding(),
      strideW,
      strideH,
      filterWidth,
      filterHeight,
      fusedActivationFunction: "NONE",
    });
    return [y];
  };
}

export const MaxPooling2D: LayerConverter = pool("MAX_POOL_2D", "MaxPool");
export const AveragePooling2D: LayerConverter = pool("AVERAGE_POOL_2D", "AvgPool");

export const GlobalAveragePooling2D: LayerConverter = (call) => {
  const { b, name, config: c } = call;
  const { x, shape } = singleInput(call);
  requireRank(call, shape, 4);
  c.requireChannelsLast();
  const out = outputShape(call);
  const axes = b.constant(`${name}/Mean/reduction_indices`, [2], Int32Array.of(1, 2));
  const y = b.activation(`${name}/Mean`, out);
  b.op("MEAN", [x, axes], [y], { type: "ReducerOptions", keepDims: out.length === 4 });
  return [y];
};
