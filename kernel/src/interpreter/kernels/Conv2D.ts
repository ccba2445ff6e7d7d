/**
 * CONV_2D: NHWC input, OHWI weights, optional bias; SAME/VALID padding, strides, dilation, fused
 * activation. Variants: float32; int8 with per-channel or per-tensor weights (TFLite
 * `reference_integer_ops::ConvPerChannel`); 16x8, int16 activations with int8 weights and int64
 * bias (the same function's int16 overload: 64-bit accumulator, `MBQM64`); hybrid float32 input with int8 weights (TFLite
 * `conv.cc` `EvalHybrid` / `EvalHybridPerChannel`).
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import {
  convGeometry,
  convImageFloat,
  convImageInt,
  type ConvGeometry,
  type OutputStage,
} from "./convolution";
import { expectSymmetricInt16, floatActivationRange, quantizedActivationRange } from "./common";
import { asymmetricQuantizeRow, symmetricQuantizeRow } from "./hybrid";
import type { Eval, Kernel } from "./kernel";
import { channelMultipliers, floatStage, requantizeInt64Stage, requantizeStage } from "./stages";
import {
  floatBias,
  int16BiasIsInt32,
  int32Bias,
  perChannel,
  weightScales,
  wideBias,
} from "./weights";

const INPUT = 0;
const FILTER = 1;
const BIAS = 2;

export const Conv2D: Kernel = {
  op: "CONV_2D",
  prepare(node: Node): Eval {
    const o = node.options("Conv2DOptions");
    const input = node.input(INPUT);
    const filter = node.input(FILTER);
    const bias = node.optionalInput(BIAS);
    node.expectRank(filter, 4);
    const [outC = 0, kH = 0, kW = 0, kIC = 0] = filter.shape;
    const g = convGeometry(node, input, kH, kW, outC, {
      padding: o.padding,
      strideH: o.strideH,
      strideW: o.strideW,
      dilationH: o.dilationHFactor,
      dilationW: o.dilationWFactor,
    });
    if (kIC !== g.inC) {
      throw node.shapeError(
        `filter '${filter.name}' [${filter.shape.join(", ")}] has ${kIC} input channels, input ` +
          `'${input.name}' has ${g.inC} (grouped convolution is not supported)`,
      );
    }
    const output = node.allocateOutput(0, [g.batches, g.outH, g.outW, outC]);
    const hwi = kH * kW * kIC;
    node.reserveWork(0, shapeSize(output.shape) * hwi);
    const each = (image: (b: number) => void): Eval => {
      return () => {
        for (let b = 0; b < g.batches; b++) image(b);
      };
    };

    if (input.dtype === "float32" && filter.dtype === "float32") {
      const x = node.f32(input);
      const w = node.f32(filter);
      const patch = new Float32Array(hwi);
      const acc = new Float32Array(outC);
      const stage = floatStage(
        node.f32(output),
        floatBias(node, bias, outC),
        outC,
        floatActivationRange(node, o.fusedActivationFunction),
      );
      return each((b) => convImageFloat(g, x, b, w, patch, acc, stage));
    }

    if (input.dtype === "int8" && filter.dtype === "int8") {
      const x = node.i8(input);
      const w = node.i8(filter);
      const patch = new Int32Array(hwi);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      // Effective multiplier per channel, in double: inputScale · weightScale_c / outputScale.
      const real = weightScales(node, filter, 0, outC).map((s) => (inQ.scale * s) / outQ.scale);
      const acc = new Int32Array(outC);
      const stage = requantizeStage(
        node.i8(output),
        int32Bias(node, bias, outC),
        outC,
        channelMultipliers(real, outC),
        outQ.zeroPoint,
        quantizedActivationRange(
          node,
          o.fusedActivationFunction,
          outQ.scale,
          outQ.zeroPoint,
          output.dtype,
        ),
      );
      return each((b) => convImageInt(g, x, b, inQ.zeroPoint, w, patch, acc, stage));
    }

    if (input.dtype === "int16" && filter.dtype === "int8") {
      // 16x8: zero points 0, int64 (or int32) bias, MBQM on the 64-bit accumulator.
      expectSymmetricInt16(node, input, output);
      const x = node.i16(input);
      const w = node.i8(filter);
      const patch = new Int32Array(hwi);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      const real = weightScales(node, filter, 0, outC).map((s) => (inQ.scale * s) / outQ.scale);
      const acc = new Float64Array(outC);
      const range = quantizedActivationRange(
        node,
        o.fusedActivationFunction,
        outQ.scale,
        0,
        output.dtype,
      );
      // quantized_bias_type INT32: TFLite's int32 overload (int32 accumulator, 32-bit MBQM).
      const stage = int16BiasIsInt32(node, bias, o.quantizedBiasType)
        ? requantizeStage(
            node.i16(output),
            int32Bias(node, bias, outC),
            outC,
            channelMultipliers(real, outC),
            0,
            range,
          )
        : requantizeInt64Stage(
            node.i16(output),
            wideBias(node, bias, outC),
            outC,
            channelMultipliers(real, outC),
            range,
          );
      return each((b) => convImageInt(g, x, b, 0, w, patch, acc, stage));
    }

    if (input.dtype === "float32" && filter.dtype === "int8") {
      return prepareHybrid(node, g, hwi, each);
    }
    throw node.unsupported();
  },
};

/**
 * Hybrid CONV_2D. Weights with differing per-channel scales take TFLite's per-channel path:
 * each batch image quantized asymmetrically (scale s_b, zero point z_b), then
 * y = ((float(acc) · wScale_c) · s_b) + bias. Otherwise (one scale, or all equal) the
 * per-tensor path: symmetric input quantization, y = float(acc) · (s_b · wScale) + bias.
 * Every step rounds to float32; then the float activation clamp.
 */
function prepareHybrid(
  node: Node,
  g: ConvGeometry,
  hwi: number,
  each: (image: (b: number) => void) => Eval,
): Eval {
  const o = node.options("Conv2DOptions");
  const input = node.input(INPUT);
  const filter = node.input(FILTER);
  const output = node.output(0);
  const outC = g.outC;
  const x = node.f32(input);
  const y = node.f32(output);
  const w = node.i8(filter);
  const patch = new Int32Array(hwi);
  const scales = weightScales(node, filter, 0, outC);
  const wScale = perChannel(scales, outC);
  const bias = floatBias(node, node.optionalInput(BIAS), outC);
  const [min, max] = floatActivationRange(node, o.fusedActivationFunction);
  const imageSize = g.inH * g.inW * g.inC;
  const quantized = new Int8Array(x.length);
  const acc = new Int32Array(outC);
  const isPerChannel = scales.some((s) => s !== scales[0]);
  const row = { scale: 1, zeroPoint: 0 };
  let scalingFactor = 1;

  const stage: OutputStage = isPerChannel
    ? (a, offset) => {
        for (let c = 0; c < outC; c++) {
          const scaled = Math.fround(Math.fround(Math.fround(a[c]) * wScale[c]) * scalingFactor);
          const v = Math.fround(scaled + bias[c]);
          y[offset + c] = v < min ? min : v > max ? max : v;
        }
      }
    : (a, offset) => {
        for (let c = 0; c < outC; c++) {
          const v = Math.fround(Math.fround(Math.fround(a[c]) * scalingFactor) + bias[c]);
          y[offset + c] = v < min ? min : v > max ? max : v;
        }
      };

  return each((b) => {
    if (isPerChannel) {
      asymmetricQuantizeRow(x, b * imageSize, imageSize, quantized, row);
      scalingFactor = row.scale;
      convImageInt(g, quantized, b, row.zeroPoint, w, patch, acc, stage);
    } else {
      const s = symmetricQuantizeRow(x, b * imageSize, imageSize, quantized);
      scalingFactor = Math.fround(s * wScale[0]);
      convImageInt(g, quantized, b, 0, w, patch, acc, stage);
    }
  });
}
