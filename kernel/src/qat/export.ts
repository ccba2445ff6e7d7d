/**
 * What a QAT model hands to conversion: the deployed float model (BN folded, weights already on
 * their int8 grid: the fake-quantized folded weights, as ordinary Conv2D/Dense layers the
 * converter's tfjs front end reads) and the learned ranges, by layer name, that the int8 model
 * must use instead of re-calibrating: the input's, each layer's output activation's, and the
 * weights' (per channel for conv). Names drop the `quant_` prefix, so they match the float model.
 */
import * as tf from "@tensorflow/tfjs";
import { UnsupportedError } from "../errors";
import { rebuildGraph } from "./functional";
import { QuantMerge, QuantPool, QuantWeighted, QuantizeInput } from "./layers";
import { passThrough } from "./quantize";

export interface LearnedRange {
  min: number;
  max: number;
}

export interface QatRanges {
  /** Model input range (the QuantizeInput layer's), if the model has one. */
  input?: LearnedRange;
  /** Per deployed layer name: its output activation range and weight ranges. */
  layers: Record<
    string,
    {
      output: LearnedRange;
      /** Absent for Add / Concatenate (no weights). */
      weights?: { min: number[]; max: number[]; perChannel: boolean };
    }
  >;
}

/** The float model's name for a QAT layer (`quant_conv2d` → `conv2d`). */
export function deployedName(layer: tf.layers.Layer): string {
  return layer.name.startsWith("quant_") ? layer.name.slice("quant_".length) : layer.name;
}

export function learnedRanges(model: tf.LayersModel): QatRanges {
  const out: QatRanges = { layers: {} };
  for (const layer of model.layers) {
    if (layer instanceof QuantizeInput && out.input === undefined && !layer.quantizer.isEmpty()) {
      out.input = layer.quantizer.range();
    } else if (layer instanceof QuantMerge || layer instanceof QuantPool) {
      out.layers[deployedName(layer)] = { output: layer.outputQuantizer.range() };
    } else if (layer instanceof QuantWeighted && !layer.isFloat) {
      const w = layer.weightRange();
      out.layers[deployedName(layer)] = {
        output: layer.outputQuantizer.range(),
        weights: { min: Array.from(w.min), max: Array.from(w.max), perChannel: layer.perChannel },
      };
    }
  }
  return out;
}

/** The float layer a QAT layer deploys as (`null`: none, the input passes through). */
function deployedLayer(layer: tf.layers.Layer): tf.layers.Layer | null {
  const cls = layer.getClassName();
  if (cls === "InputLayer" || layer instanceof QuantizeInput) return null;
  if (layer instanceof QuantMerge) {
    const name = deployedName(layer);
    return layer.kind === "add"
      ? tf.layers.add({ name })
      : tf.layers.concatenate({ name, axis: layer.axis });
  }
  if (layer instanceof QuantPool) {
    const name = deployedName(layer);
    return layer.kind === "globalAveragePooling2d"
      ? tf.layers.globalAveragePooling2d({ name })
      : tf.layers.averagePooling2d({
          name,
          poolSize: layer.poolSize,
          strides: layer.strides,
          padding: layer.padding,
        });
  }
  if (layer instanceof QuantWeighted) {
    const { kernel, bias } = layer.foldedWeights();
    const w = layer.isFloat ? kernel : layer.fakeQuantWeights(kernel);
    const name = deployedName(layer);
    const activation = layer.activation;
    const kernelSize: [number, number] = [w.shape[0] ?? 1, w.shape[1] ?? 1];
    const { strides, padding, dilationRate } = layer.geometry;
    switch (layer.kind) {
      case "conv2d":
        return tf.layers.conv2d({
          name,
          filters: w.shape[3] ?? 1,
          kernelSize,
          strides,
          padding,
          dilationRate,
          activation,
          weights: [w, bias],
        });
      case "depthwise":
        return tf.layers.depthwiseConv2d({
          name,
          kernelSize,
          depthMultiplier: w.shape[3] ?? 1,
          strides,
          padding,
          activation,
          weights: [w, bias],
        });
      case "dense":
        return tf.layers.dense({ name, units: w.shape[1] ?? 1, activation, weights: [w, bias] });
      default:
        return layer.kind satisfies never;
    }
  }
  const p = passThrough(layer);
  if (p === null) {
    throw new UnsupportedError(
      `deployedFloatModel: layer ${layer.name} (${cls}) has no float counterpart`,
    );
  }
  return p;
}

/**
 * The deployed float model: plain layers, folded weights snapped to their int8 grid (a
 * tf.Sequential for a chain, a tf.model for a QAT model with branches or merges).
 */
export function deployedFloatModel(model: tf.LayersModel): tf.LayersModel {
  const name = model.name.replace(/_qat$/, "");
  if (model.layers.some((l) => l instanceof QuantMerge) || !(model instanceof tf.Sequential)) {
    return rebuildGraph(
      model,
      name,
      (layer) => ({ layer: deployedLayer(layer), absorbed: 0 }),
      (x) => x,
    );
  }
  const input = model.inputs[0];
  if (input === undefined)
    throw new UnsupportedError(`deployedFloatModel: model ${model.name} has no input`);
  const layers: tf.layers.Layer[] = [
    tf.layers.inputLayer({ inputShape: input.shape.slice(1).map((d) => d ?? -1) }),
  ];
  for (const layer of model.layers) {
    const d = deployedLayer(layer);
    if (d !== null) layers.push(d);
  }
  return tf.sequential({ layers, name });
}
