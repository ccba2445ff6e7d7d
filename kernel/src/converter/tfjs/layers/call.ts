/**
 * What a layer converter sees of one call of a tfjs layer (one inbound node), and what it
 * returns: the IR tensors of the call's outputs. Converters emit plain ops (an activation is
 * its own op, a batch norm a MUL and an ADD); `../passes.ts` then fuses and folds as TF does.
 */
import { ModelFormatError, ShapeError } from "../../../errors";
import type { Operator } from "../../../ir";
import type { Layer, LayerConfig, Weight } from "../config";
import type { ModelBuilder } from "../graph";

/** A batch norm emitted as MUL + ADD: `y = x·scale + offset`, kept in float64 for folding. */
export interface BatchNormFold {
  /** `gamma / sqrt(variance + epsilon)`, per channel. */
  scale: Float64Array;
  /** `beta − mean·scale`, per channel. */
  offset: Float64Array;
  add: Operator;
}

export interface LayerCall {
  readonly layer: Layer;
  readonly config: LayerConfig;
  /** Prefix of every tensor this call creates: the layer name (`outer/inner` when nested). */
  readonly name: string;
  readonly b: ModelBuilder;
  readonly inputs: number[];
  /** tfjs shapes (batch first) with the batch set to the IR's batch size. */
  readonly inputShapes: number[][];
  readonly outputShapes: number[][];
  /** The layer's weights keyed by short name (`kernel`, `bias`, `gamma`, …). */
  readonly weights: Map<string, Weight>;
  /** Where batch-norm converters record their MUL ops for the folding pass. */
  readonly batchNorms: Map<Operator, BatchNormFold>;
}

export type LayerConverter = (call: LayerCall) => number[];

/** The call's single input (and its shape); more or fewer inputs are a format error. */
export function singleInput(call: LayerCall): { x: number; shape: number[] } {
  const x = call.inputs[0];
  const shape = call.inputShapes[0];
  if (call.inputs.length !== 1 || x === undefined || shape === undefined) {
    throw new ModelFormatError(
      `${call.config.what}: expected 1 input, found ${call.inputs.length}`,
    );
  }
  return { x, shape };
}

export function outputShape(call: LayerCall, index = 0): number[] {
  const shape = call.outputShapes[index];
  if (shape === undefined) {
    throw new ModelFormatError(`${call.config.what}: has no output #${index}`);
  }
  return shape;
}

/** Requires the input to have `rank` dimensions (batch included). */
export function requireRank(call: LayerCall, shape: number[], rank: number): void {
  if (shape.length !== rank) {
    throw new ShapeError(
      `${call.config.what}: expected a rank-${rank} input, found shape [${shape.join(", ")}]`,
    );
  }
}

/** A weight that must exist with exactly `shape`. */
export function weight(call: LayerCall, key: string, shape: number[]): Weight {
  const w = call.weights.get(key);
  if (w === undefined) {
    throw new ModelFormatError(
      `${call.config.what}: weight '${key}' is missing (found: ` +
        `${[...call.weights.keys()].join(", ") || "none"})`,
    );
  }
  if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(
      `${call.config.what}: weight '${w.name}' has shape [${w.shape.join(", ")}], ` +
        `expected [${shape.join(", ")}]`,
    );
  }
  return w;
}

/** The layer's bias when `useBias`, else zeros (TFLite's convolutions always take one). */
export function biasOrZeros(call: LayerCall, channels: number): Float32Array {
  return call.config.bool("useBias", true)
    ? weight(call, "bias", [channels]).data
    : new Float32Array(channels);
}
