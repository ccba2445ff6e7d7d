/**
 * TRANSPOSE_CONV: inputs (output_shape, weights, input, optional bias). `output_shape` is a
 * constant int32 [4] giving [batch, height, width, outChannels]; weights are [outC, kH, kW, inC]
 * (OHWI); padding, strides and (since version 4) a fused activation come from the options.
 *
 * Arithmetic of TFLite's reference kernels (`reference_ops::TransposeConv` and
 * `reference_integer_ops::TransposeConv`): a "scatter" — every input element adds
 * x · w[oc, ky, kx, ic] to output (iy·stride − pad + ky, ix·stride − pad + kx, oc) when that falls
 * inside the output, in the loop order (batch, iy, ix, ic, ky, kx, oc). The padding is the one a
 * CONV_2D with the same window, strides and padding would use on an input of the output's size;
 * such a convolution must give back the input's size. Then per output element:
 * float32: clamp(acc + bias); int8: `MBQM(acc + bias, M_c) + z_out`, clamped, with
 * acc = Σ (x − z_in)·w and M_c = s_in·s_w[c]/s_out (per-channel weights along axis 0);
 * 16x8 (int16 input, int8 weights, zero points 0): int64 bias and a 64-bit accumulator with
 * MBQM64, or with `quantized_bias_type` INT32 an int32 bias, int32 accumulator and 32-bit MBQM.
 */
import { shapeSize as shapeSizeOf } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import {
  expectSymmetricInt16,
  floatActivationRange,
  paddedDim,
  quantizedActivationRange,
} from "./common";
import type { ConvGeometry, IntAccumulator, IntActivations } from "./convolution";
import type { Eval, Kernel } from "./kernel";
import { channelMultipliers, floatStage, requantizeInt64Stage, requantizeStage } from "./stages";
import { floatBias, int16BiasIsInt32, int32Bias, weightScales, wideBias } from "./weights";

const OUTPUT_SHAPE = 0;
const WEIGHTS = 1;
const INPUT = 2;
const BIAS = 3;

/** The convolution's geometry seen from the output side: TRANSPOSE_CONV has no dilation. */
function geometry(node: Node, input: RuntimeTensor, weights: RuntimeTensor): ConvGeometry {
  const o = node.options("TransposeConvOptions");
  const shapeTensor = node.input(OUTPUT_SHAPE);
  if (!shapeTensor.isConstant) {
    throw node.unsupported(`output_shape '${shapeTensor.name}' must be a constant`);
  }
  if (shapeTensor.dtype !== "int32") {
    throw node.unsupported(
      `output_shape '${shapeTensor.name}' must be int32, found ${shapeTensor.dtype}`,
    );
  }
  const outShape = node.intValues(shapeTensor);
  node.expectRank(input, 4);
  node.expectRank(weights, 4);
  const [batches = 0, inH = 0, inW = 0, inC = 0] = input.shape;
  const [outC = 0, kH = 0, kW = 0, kIC = 0] = weights.shape;
  if (outShape.length !== 4) {
    throw node.shapeError(
      `output_shape '${shapeTensor.name}' must hold 4 values, found [${outShape.join(", ")}]`,
    );
  }
  const [outB = 0, outH = 0, outW = 0, outDepth = 0] = outShape;
  if (outB !== batches || outDepth !== outC) {
    throw node.shapeError(
      `output_shape [${outShape.join(", ")}] must have batch ${batches} (input '${input.name}') ` +
        `and ${outC} channels (weights '${weights.name}')`,
    );
  }
  if (kIC !== inC) {
    throw node.shapeError(
      `weights '${weights.name}' [${weights.shape.join(", ")}] have ${kIC} input channels, ` +
        `input '${input.name}' has ${inC}`,
    );
  }
  if (o.strideH < 1 || o.strideW < 1) {
    throw node.shapeError(`strides must be >= 1, found ${o.strideH}x${o.strideW}`);
  }
  const h = paddedDim(outH, kH, o.strideH, 1, o.padding);
  const w = paddedDim(outW, kW, o.strideW, 1, o.padding);
  if (h.outSize !== inH || w.outSize !== inW) {
    throw node.shapeError(
      `a ${kH}x${kW} window with stride ${o.strideH}x${o.strideW} and ${o.padding} padding ` +
        `maps output_shape [${outShape.join(", ")}] to ${h.outSize}x${w.outSize}, but input ` +
        `'${input.name}' is ${inH}x${inW}`,
    );
  }
  return {
    batches,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    kH,
    kW,
    strideH: o.strideH,
    strideW: o.strideW,
    dilationH: 1,
    dilationW: 1,
    padTop: h.padBefore,
    padLeft: w.padBefore,
  };
}

/** Scatter-accumulate every input element into `acc` (output-shaped, zeroed first), float32. */
function scatterFloat(g: ConvGeometry, x: Float32Array, w: Float32Array, acc: Float32Array): void {
  acc.fill(0);
  const { inH, inW, inC, outH, outW, outC, kH, kW } = g;
  for (let b = 0; b < g.batches; b++) {
    for (let iy = 0; iy < inH; iy++) {
      const oy0 = iy * g.strideH - g.padTop;
      for (let ix = 0; ix < inW; ix++) {
        const ox0 = ix * g.strideW - g.padLeft;
        const inBase = ((b * inH + iy) * inW + ix) * inC;
        for (let ic = 0; ic < inC; ic++) {
          const xv = x[inBase + ic];
          for (let ky = 0; ky < kH; ky++) {
            const oy = oy0 + ky;
            if (oy < 0 || oy >= outH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ox = ox0 + kx;
              if (ox < 0 || ox >= outW) continue;
              const outBase = ((b * outH + oy) * outW + ox) * outC;
              const wBase = (ky * kW + kx) * inC + ic;
              for (let oc = 0; oc < outC; oc++) {
                acc[outBase + oc] += Math.fround(xv * w[oc * kH * kW * inC + wBase]);
              }
            }
          }
        }
      }
    }
  }
}

/** `scatterFloat` for integer input: acc += (x − inputOffset) · w (exact). */
function scatterInt(
  g: ConvGeometry,
  x: IntActivations,
  inputOffset: number,
  w: Int8Array,
  acc: IntAccumulator,
): void {
  acc.fill(0);
  const { inH, inW, inC, outH, outW, outC, kH, kW } = g;
  for (let b = 0; b < g.batches; b++) {
    for (let iy = 0; iy < inH; iy++) {
      const oy0 = iy * g.strideH - g.padTop;
      for (let ix = 0; ix < inW; ix++) {
        const ox0 = ix * g.strideW - g.padLeft;
        const inBase = ((b * inH + iy) * inW + ix) * inC;
        for (let ic = 0; ic < inC; ic++) {
          const xv = x[inBase + ic] - inputOffset;
          for (let ky = 0; ky < kH; ky++) {
            const oy = oy0 + ky;
            if (oy < 0 || oy >= outH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ox = ox0 + kx;
              if (ox < 0 || ox >= outW) continue;
              const outBase = ((b * outH + oy) * outW + ox) * outC;
              const wBase = (ky * kW + kx) * inC + ic;
              for (let oc = 0; oc < outC; oc++) {
                acc[outBase + oc] += xv * w[oc * kH * kW * inC + wBase];
              }
            }
          }
        }
      }
    }
  }
}

export const TransposeConv: Kernel = {
  op: "TRANSPOSE_CONV",
  prepare(node: Node): Eval {
    const o = node.options("TransposeConvOptions");
    const weights = node.input(WEIGHTS);
    const input = node.input(INPUT);
    const bias = node.optionalInput(BIAS);
    const g = geometry(node, input, weights);
    const { outC } = g;
    const output = node.allocateOutput(0, [g.batches, g.outH, g.outW, outC]);
    // Every input element is scattered through the whole kernel into every output channel.
    node.reserveWork(0, shapeSizeOf(input.shape) * g.kH * g.kW * outC);
    const pixels = g.batches * g.outH * g.outW;
    /** Run `stage` on each output pixel's accumulators. */
    const perPixel =
      (acc: Float32Array | IntAccumulator, stage: (a: typeof acc, offset: number) => void) =>
      (): void => {
        for (let p = 0; p < pixels; p++) stage(acc.subarray(p * outC, (p + 1) * outC), p * outC);
      };

    if (input.dtype === "float32" && weights.dtype === "float32") {
      const x = node.f32(input);
      const w = node.f32(weights);
      // The scatter sums into the float32 output itself, as the reference does.
      const acc = new Float32Array(output.data.length);
      const stage = floatStage(
        node.f32(output),
        floatBias(node, bias, outC),
        outC,
        floatActivationRange(node, o.fusedActivationFunction),
      );
      const finish = perPixel(acc, (a, offset) => stage(a, offset, 0));
      return () => {
        scatterFloat(g, x, w, acc);
        finish();
      };
    }

    if (input.dtype === "int8" && weights.dtype === "int8") {
      const x = node.i8(input);
      const w = node.i8(weights);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      const real = weightScales(node, weights, 0, outC).map((s) => (inQ.scale * s) / outQ.scale);
      const acc = new Int32Array(output.data.length);
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
      const finish = perPixel(acc, (a, offset) => stage(a, offset, 0));
      return () => {
        scatterInt(g, x, inQ.zeroPoint, w, acc);
        finish();
      };
    }

    if (input.dtype === "int16" && weights.dtype === "int8") {
      expectSymmetricInt16(node, input, output);
      const x = node.i16(input);
      const w = node.i8(weights);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      const real = weightScales(node, weights, 0, outC).map((s) => (inQ.scale * s) / outQ.scale);
      const range = quantizedActivationRange(
        node,
        o.fusedActivationFunction,
        outQ.scale,
        0,
        output.dtype,
      );
      const int32 = int16BiasIsInt32(node, bias, o.quantizedBiasType);
      // int32 accumulator (wraps like C's) with an int32 bias; else a double holding int64.
      const acc = int32 ? new Int32Array(output.data.length) : new Float64Array(output.data.length);
      const stage = int32
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
      const finish = perPixel(acc, (a, offset) => stage(a, offset, 0));
      return () => {
        scatterInt(g, x, 0, w, acc);
        finish();
      };
    }
    throw node.unsupported();
  },
};
