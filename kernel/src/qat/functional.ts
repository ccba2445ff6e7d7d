/**
 * QAT of functional models with branches and merges (Add, Concatenate): the graph is rebuilt
 * layer by layer in topological order with `tf.model`. Each model input gets a `QuantizeInput`;
 * Conv2D / DepthwiseConv2D / Dense become `QuantWeighted` with a BatchNormalization and then a
 * ReLU / Activation folded in when each is the only reader of the layer before it; Add and
 * Concatenate become `QuantMerge` (output fake-quant, as tfmot); pass-through layers are
 * re-created. The whole model must be annotated (quantizeModel), and every layer called once.
 * The same walk rebuilds the deployed float model (`deployedGraph`).
 */
import * as tf from "@tensorflow/tfjs";
import { UnsupportedError } from "../errors";
import { QuantMerge, QuantizeInput } from "./layers";

type Layer = tf.layers.Layer;

/** The layers each layer's output feeds (model outputs count as a reader, `null`). */
export function readers(model: tf.LayersModel): Map<Layer, (Layer | null)[]> {
  const out = new Map<Layer, (Layer | null)[]>();
  for (const layer of model.layers) out.set(layer, []);
  for (const layer of model.layers) {
    for (const from of layer.inboundNodes[0]?.inboundLayers ?? []) out.get(from)?.push(layer);
  }
  for (const t of model.outputs) out.get(t.sourceLayer)?.push(null);
  return out;
}

/** Refuses layers called more than once (shared layers). */
export function requireSingleCalls(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.inboundNodes.length > 1) {
      throw new UnsupportedError(
        `quantizeApply: layer ${layer.name} (${layer.getClassName()}) is called more than once; shared layers are not supported by QAT`,
      );
    }
  }
}

/**
 * Rebuilds `model`'s graph: `replace(layer)` gives the layer to call instead (`null`: pass the
 * input through) and how many of its single-reader followers it absorbs; `afterInput` wraps each
 * model input. Returns the new tf.model.
 */
export function rebuildGraph(
  model: tf.LayersModel,
  name: string,
  replace: (layer: Layer, followers: Layer[]) => { layer: Layer | null; absorbed: number },
  afterInput: (x: tf.SymbolicTensor) => tf.SymbolicTensor,
): tf.LayersModel {
  requireSingleCalls(model);
  const read = readers(model);
  const mapped = new Map<Layer, tf.SymbolicTensor>();
  const inputs: tf.SymbolicTensor[] = [];
  for (const t of model.inputs) {
    const x = tf.input({ shape: t.shape.slice(1).map((d) => d ?? -1), name: t.sourceLayer.name });
    inputs.push(x);
    mapped.set(t.sourceLayer, afterInput(x));
  }
  const absorbedBy = new Map<Layer, Layer>();
  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer" || absorbedBy.has(layer)) continue;
    const followers: Layer[] = [];
    let at = layer;
    for (let k = 0; k < 2; k++) {
      const r = read.get(at) ?? [];
      const only = r.length === 1 ? r[0] : null;
      if (only === null || only === undefined) break;
      followers.push(only);
      at = only;
    }
    const sources = (layer.inboundNodes[0]?.inboundLayers ?? []).map((l) => {
      const t = mapped.get(absorbedBy.get(l) ?? l) ?? mapped.get(l);
      if (t === undefined) {
        throw new UnsupportedError(
          `quantizeApply: layer ${layer.name} reads ${l.name}, not yet built`,
        );
      }
      return t;
    });
    const { layer: next, absorbed } = replace(layer, followers);
    const input = sources.length === 1 ? sources[0] : sources;
    const y =
      next === null
        ? (sources[0] as tf.SymbolicTensor)
        : (next.apply(input as tf.SymbolicTensor | tf.SymbolicTensor[]) as tf.SymbolicTensor);
    const last = absorbed > 0 ? (followers[absorbed - 1] ?? layer) : layer;
    for (let k = 0; k < absorbed; k++) {
      const f = followers[k];
      if (f !== undefined) absorbedBy.set(f, last);
    }
    mapped.set(layer, y);
    mapped.set(last, y);
  }
  const outputs = model.outputs.map((t) => {
    const y = mapped.get(t.sourceLayer);
    if (y === undefined)
      throw new UnsupportedError(`quantizeApply: output ${t.name} was not built`);
    return y;
  });
  return tf.model({ inputs, outputs, name });
}

/** Add / Concatenate → QuantMerge; null for any other layer. */
export function mergeLayer(layer: Layer, quantDelay?: number): QuantMerge | null {
  const cls = layer.getClassName();
  if (cls === "Add")
    return new QuantMerge({ name: `quant_${layer.name}`, kind: "add", quantDelay });
  if (cls === "Concatenate") {
    const axis = layer.getConfig()["axis"];
    return new QuantMerge({
      name: `quant_${layer.name}`,
      kind: "concatenate",
      axis: typeof axis === "number" ? axis : -1,
      quantDelay,
    });
  }
  return null;
}

export function quantizeInputAfter(quantDelay?: number) {
  return (x: tf.SymbolicTensor): tf.SymbolicTensor =>
    new QuantizeInput({ quantDelay }).apply(x) as tf.SymbolicTensor;
}
