/**
 * FULLY_CONNECTED: input flattened to [batch, depth], weights [units, depth], optional bias;
 * `keepNumDims` keeps the input's leading dimensions. Variants: float32; int8 with per-tensor or
 * per-channel (axis 0) weights (TFLite `reference_integer_ops::FullyConnected[PerChannel]`,
 * which requantize in double); 16x8, int16 input with int8 weights and int64 bias (the same
 * functions' int16 overloads, on a 64-bit accumulator);
 * hybrid float32 input with int8 weights (TFLite `fully_connected.cc` `EvalHybridDense`).
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import { denseRowFloat, denseRowInt, type OutputStage } from "./convolution";
import { floatActivationRange, quantizedActivationRange } from "./common";
import { asymmetricQuantizeRow, symmetricQuantizeRow } from "./hybrid";
import type { Eval, Kernel } from "./kernel";
import { doubleRequantizeStage, doubleRequantizeWideStage, floatStage } from "./stages";
import {
  floatBias,
  int16BiasIsInt32,
  int32Bias,
  perChannel,
  weightScales,
  wideBias,
} from "./weights";

const INPUT = 0;
const WEIGHTS = 1;
const BIAS = 2;

export const FullyConnected: Kernel = {
  op: "FULLY_CONNECTED",
  prepare(node: Node): Eval {
    const o = node.options("FullyConnectedOptions");
    const input = node.input(INPUT);
    const weights = node.input(WEIGHTS);
    const bias = node.optionalInput(BIAS);
    if (o.weightsFormat !== 0) throw node.unsupported(`weights format ${o.weightsFormat}`);
    node.expectRank(weights, 2);
    const [units = 0, depth = 0] = weights.shape;
    const inputSize = shapeSize(input.shape);
    if (depth === 0 || inputSize % depth !== 0) {
      throw node.shapeError(
        `input '${input.name}' [${input.shape.join(", ")}] cannot be flattened to rows of ` +
          `${depth}, the depth of weights '${weights.name}' [${weights.shape.join(", ")}]`,
      );
    }
    const batches = inputSize / depth;
    const outShape = o.keepNumDims ? [...input.shape.slice(0, -1), units] : [batches, units];
    if (o.keepNumDims && input.shape[input.shape.length - 1] !== depth) {
      throw node.shapeError(
        `with keepNumDims the last dimension of '${input.name}' must be ${depth}, ` +
          `found [${input.shape.join(", ")}]`,
      );
    }
    const output = node.allocateOutput(0, outShape);
    node.reserveWork(0, batches * units * depth);
    const each = (row: (b: number) => void): Eval => {
      return () => {
        for (let b = 0; b < batches; b++) row(b);
      };
    };

    if (input.dtype === "float32" && weights.dtype === "float32") {
      const x = node.f32(input);
      const w = node.f32(weights);
      const acc = new Float32Array(units);
      const stage = floatStage(
        node.f32(output),
        floatBias(node, bias, units),
        units,
        floatActivationRange(node, o.fusedActivationFunction),
      );
      return each((b) => denseRowFloat(x, b, depth, w, units, acc, stage));
    }

    if (input.dtype === "int8" && weights.dtype === "int8") {
      const x = node.i8(input);
      const w = node.i8(weights);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      // NOTE: LiteRT's reference FC requantizes in double (see `doubleRequantizeStage`), per
      // channel and per tensor alike; its optimized kernel uses quantizeMultiplier (per tensor
      // of the float32 product inputScale · weightScale) and can differ by ±1.
      const real = weightScales(node, weights, 0, units).map((s) => (inQ.scale * s) / outQ.scale);
      const acc = new Int32Array(units);
      const stage = doubleRequantizeStage(
        node.i8(output),
        int32Bias(node, bias, units),
        units,
        Float64Array.from({ length: units }, (_, u) => real[real.length === 1 ? 0 : u] ?? 0),
        outQ.zeroPoint,
        quantizedActivationRange(
          node,
          o.fusedActivationFunction,
          outQ.scale,
          outQ.zeroPoint,
          output.dtype,
        ),
      );
      return each((b) => denseRowInt(x, b, depth, inQ.zeroPoint, w, units, acc, stage));
    }

    if (input.dtype === "int16" && weights.dtype === "int8") {
      // 16x8: the int8 formula (requantized in double) on an int64 accumulator and bias.
      const x = node.i16(input);
      const w = node.i8(weights);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      const real = weightScales(node, weights, 0, units).map((s) => (inQ.scale * s) / outQ.scale);
      const acc = new Float64Array(units);
      const wrapInt32 = int16BiasIsInt32(node, bias, o.quantizedBiasType);
      const stage = doubleRequantizeWideStage(
        node.i16(output),
        wideBias(node, bias, units),
        units,
        Float64Array.from({ length: units }, (_, u) => real[real.length === 1 ? 0 : u] ?? 0),
        outQ.zeroPoint,
        quantizedActivationRange(
          node,
          o.fusedActivationFunction,
          outQ.scale,
          outQ.zeroPoint,
          output.dtype,
        ),
        wrapInt32,
      );
      return each((b) => denseRowInt(x, b, depth, inQ.zeroPoint, w, units, acc, stage));
    }

    if (input.dtype === "float32" && weights.dtype === "int8") {
      // Hybrid: each row quantized symmetrically or (asymmetricQuantizeInputs) asymmetrically,
      // scale s_b; y = bias + float(acc) · (s_b · weightScale[_c]), each step in float32.
      const x = node.f32(input);
      const y = node.f32(output);
      const w = node.i8(weights);
      const scales = weightScales(node, weights, 0, units);
      const isPerChannel = scales.length > 1;
      const wScale = perChannel(scales, units);
      const biasF = floatBias(node, bias, units);
      const [min, max] = floatActivationRange(node, o.fusedActivationFunction);
      const quantized = new Int8Array(x.length);
      const acc = new Int32Array(units);
      const row = { scale: 1, zeroPoint: 0 };
      let scalingFactor = 1;
      const stage: OutputStage = (a, offset) => {
        for (let u = 0; u < units; u++) {
          const scale = isPerChannel ? Math.fround(scalingFactor * wScale[u]) : scalingFactor;
          const v = Math.fround(biasF[u] + Math.fround(Math.fround(a[u]) * scale));
          y[offset + u] = v < min ? min : v > max ? max : v;
        }
      };
      return each((b) => {
        if (o.asymmetricQuantizeInputs) {
          asymmetricQuantizeRow(x, b * depth, depth, quantized, row);
        } else {
          row.scale = symmetricQuantizeRow(x, b * depth, depth, quantized);
          row.zeroPoint = 0;
        }
        scalingFactor = isPerChannel ? row.scale : Math.fround(row.scale * wScale[0]);
        denseRowInt(quantized, b, depth, row.zeroPoint, w, units, acc, stage);
      });
    }
    throw node.unsupported();
  },
};
