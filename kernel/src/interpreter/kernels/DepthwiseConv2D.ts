/**
 * DEPTHWISE_CONV_2D: NHWC input, weights [1, kH, kW, inC · multiplier], optional bias; output
 * channel ic · multiplier + m filters input channel ic only. Variants: float32; int8 with
 * per-channel (axis 3) or per-tensor weights (TFLite `reference_integer_ops::DepthwiseConvPerChannel`);
 * 16x8, int16 activations with int8 weights and int64 bias (its int16 overload, `MBQM64`);
 * hybrid float32 input with int8 weights (`DepthwiseConvHybridPerChannel`).
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import {
  convGeometry,
  depthwiseImageFloat,
  depthwiseImageInt,
  type OutputStage,
} from "./convolution";
import { expectSymmetricInt16, floatActivationRange, quantizedActivationRange } from "./common";
import { asymmetricQuantizeRow } from "./hybrid";
import type { Eval, Kernel } from "./kernel";
import { channelMultipliers, floatStage, requantizeInt64Stage, requantizeStage } from "./stages";
import { floatBias, int32Bias, perChannel, weightScales, wideBias } from "./weights";

const INPUT = 0;
const FILTER = 1;
const BIAS = 2;

export const DepthwiseConv2D: Kernel = {
  op: "DEPTHWISE_CONV_2D",
  prepare(node: Node): Eval {
    const o = node.options("DepthwiseConv2DOptions");
    const input = node.input(INPUT);
    const filter = node.input(FILTER);
    const bias = node.optionalInput(BIAS);
    node.expectRank(filter, 4);
    const [one = 0, kH = 0, kW = 0, outC = 0] = filter.shape;
    const g = convGeometry(node, input, kH, kW, outC, {
      padding: o.padding,
      strideH: o.strideH,
      strideW: o.strideW,
      dilationH: o.dilationHFactor,
      dilationW: o.dilationWFactor,
    });
    if (one !== 1 || g.inC === 0 || outC % g.inC !== 0) {
      throw node.shapeError(
        `filter '${filter.name}' [${filter.shape.join(", ")}] must be [1, kH, kW, C·multiplier] ` +
          `for input '${input.name}' with ${g.inC} channels`,
      );
    }
    // NOTE: like TFLite, the multiplier is taken from the shapes; the option must agree.
    const multiplier = outC / g.inC;
    const output = node.allocateOutput(0, [g.batches, g.outH, g.outW, outC]);
    node.reserveWork(0, shapeSize(output.shape) * kH * kW);
    const each = (image: (b: number) => void): Eval => {
      return () => {
        for (let b = 0; b < g.batches; b++) image(b);
      };
    };

    if (input.dtype === "float32" && filter.dtype === "float32") {
      const x = node.f32(input);
      const w = node.f32(filter);
      const acc = new Float32Array(outC);
      const stage = floatStage(
        node.f32(output),
        floatBias(node, bias, outC),
        outC,
        floatActivationRange(node, o.fusedActivationFunction),
      );
      return each((b) => depthwiseImageFloat(g, multiplier, x, b, w, acc, stage));
    }

    if (input.dtype === "int8" && filter.dtype === "int8") {
      const x = node.i8(input);
      const w = node.i8(filter);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      const real = weightScales(node, filter, 3, outC).map((s) => (inQ.scale * s) / outQ.scale);
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
      return each((b) => depthwiseImageInt(g, multiplier, x, b, inQ.zeroPoint, w, acc, stage));
    }

    if (input.dtype === "int16" && filter.dtype === "int8") {
      // 16x8: zero points 0, int64 bias, MBQM on the 64-bit accumulator.
      expectSymmetricInt16(node, input, output);
      // TFLite's int16 depthwise kernel reads the bias as int64 only.
      if (bias !== null && bias.dtype !== "int64") {
        throw node.unsupported(
          `int16 input needs an int64 bias, found '${bias.name}' ${bias.dtype}`,
        );
      }
      const x = node.i16(input);
      const w = node.i8(filter);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      const real = weightScales(node, filter, 3, outC).map((s) => (inQ.scale * s) / outQ.scale);
      const acc = new Float64Array(outC);
      const stage = requantizeInt64Stage(
        node.i16(output),
        wideBias(node, bias, outC),
        outC,
        channelMultipliers(real, outC),
        quantizedActivationRange(node, o.fusedActivationFunction, outQ.scale, 0, output.dtype),
      );
      return each((b) => depthwiseImageInt(g, multiplier, x, b, 0, w, acc, stage));
    }

    if (input.dtype === "float32" && filter.dtype === "int8") {
      // Hybrid: each batch image quantized asymmetrically (scale s_b, zero point z_b);
      // y = float(acc) · (wScale_c · s_b) + bias, each step in float32, then the clamp.
      const x = node.f32(input);
      const y = node.f32(output);
      const w = node.i8(filter);
      const wScale = perChannel(weightScales(node, filter, 3, outC), outC);
      const biasF = floatBias(node, bias, outC);
      const [min, max] = floatActivationRange(node, o.fusedActivationFunction);
      const imageSize = g.inH * g.inW * g.inC;
      const quantized = new Int8Array(x.length);
      const acc = new Int32Array(outC);
      const row = { scale: 1, zeroPoint: 0 };
      const stage: OutputStage = (a, offset) => {
        for (let c = 0; c < outC; c++) {
          const scaled = Math.fround(Math.fround(a[c]) * Math.fround(wScale[c] * row.scale));
          const v = Math.fround(scaled + biasF[c]);
          y[offset + c] = v < min ? min : v > max ? max : v;
        }
      };
      return each((b) => {
        asymmetricQuantizeRow(x, b * imageSize, imageSize, quantized, row);
        depthwiseImageInt(g, multiplier, quantized, b, row.zeroPoint, w, acc, stage);
      });
    }
    throw node.unsupported();
  },
};
