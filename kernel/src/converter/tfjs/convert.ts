/**
 * `layersModelToFloatModel`: a tfjs `LayersModel` (Sequential or functional) → the float IR
 * that TF's converter would make of the same Keras model.
 *
 * 1. Walk the model's graph from its outputs (depth first, inputs in order), so ops come out in
 *    a valid execution order and unreachable layers are skipped. Each call of a layer (an
 *    inbound node) is converted by its class's converter (`layers/registry.ts`); a nested model
 *    used as a layer is walked in place, its tensors named `outer/inner/…`.
 * 2. `foldBatchNorms`, then `fuseActivations` (./passes.ts), as TF's optimizer does.
 * 3. Drop orphaned tensors, order them as TF does (inputs, constants, activations), and add a
 *    `serving_default` signature.
 *
 * The batch: a model built with a `None` batch gives tensors of batch 1 with -1 in
 * `shapeSignature`, and RESHAPE targets with -1 for the batch, so LiteRT can resize the input.
 * The result is not finalized: `writeModel(model, { finalize: true })` sets op versions and
 * `min_runtime_version` when writing.
 */
import type { LayersModel, SymbolicTensor } from "@tensorflow/tfjs";
import { ModelFormatError, UnsupportedError, UsageError } from "../../errors";
import type { Model, Operator } from "../../ir";
import type { Layer } from "./config";
import { LayerConfig, describeLayer, layerWeights } from "./config";
import type { Batch } from "./graph";
import { ModelBuilder } from "./graph";
import type { BatchNormFold, LayerCall } from "./layers/call";
import { LAYER_CONVERTERS, SUPPORTED_LAYERS } from "./layers/registry";
import { foldBatchNorms, fuseActivations } from "./passes";

export interface LayersModelConversionOptions {
  /**
   * Batch size written into every shape. Default: the model's own when it has a fixed batch,
   * else a dynamic batch (1 in `shape`, -1 in `shapeSignature`, as TF writes `None`). Setting it
   * on a dynamic-batch model gives static shapes, like converting TF's batch-1 copy of a model.
   */
  batchSize?: number;
}

type TfjsNode = Layer["inboundNodes"][number];

/** A layer that is itself a model (Sequential or functional used as a layer). */
function asModel(layer: Layer): LayersModel | null {
  const m = layer as Partial<LayersModel>;
  return Array.isArray(m.layers) && Array.isArray(m.inputs) && Array.isArray(m.outputs)
    ? (layer as LayersModel)
    : null;
}

function batchOf(model: LayersModel, opts: LayersModelConversionOptions): Batch {
  const sizes = new Set(model.inputs.map((t) => t.shape[0] ?? null));
  if (sizes.size > 1) {
    throw new UnsupportedError(
      `model '${model.name}': inputs disagree on the batch size (${[...sizes].join(", ")})`,
    );
  }
  const fixed = [...sizes][0] ?? null;
  const wanted = opts.batchSize;
  if (wanted !== undefined) {
    if (!Number.isSafeInteger(wanted) || wanted < 1) {
      throw new UsageError(`batchSize must be a positive integer, found ${wanted}`);
    }
    if (fixed !== null && fixed !== wanted) {
      throw new UsageError(
        `batchSize ${wanted} conflicts with model '${model.name}', built for batch ${fixed}`,
      );
    }
    return { size: wanted, dynamic: false };
  }
  return fixed === null ? { size: 1, dynamic: true } : { size: fixed, dynamic: false };
}

class Walker {
  readonly batchNorms = new Map<Operator, BatchNormFold>();
  /** Each layer call's output tensors (IR indices before compaction), by call name. */
  readonly layerOutputs = new Map<string, number[]>();

  constructor(readonly b: ModelBuilder) {}

  /** IR shape of a tfjs tensor: its batch set to the IR's; any other unknown dim is refused. */
  shapeOf(t: SymbolicTensor, what: string): number[] {
    if (t.dtype !== "float32") {
      throw new UnsupportedError(
        `${what}: tensor '${t.name}' is ${t.dtype}; only float32 converts`,
      );
    }
    return t.shape.map((d, i) => {
      if (i === 0) return this.b.batch.size;
      if (d === null || d === undefined) {
        throw new UnsupportedError(
          `${what}: tensor '${t.name}' has shape [${t.shape.map((x) => x ?? "null").join(", ")}]; ` +
            `only the batch dimension may be unknown (give the input a fixed shape)`,
        );
      }
      return d;
    });
  }

  /**
   * Converts the part of `model` its outputs depend on, with its inputs bound to IR tensors
   * (`bound`: tfjs tensor id → IR index); returns the IR tensors of its outputs.
   */
  walk(model: LayersModel, bound: ReadonlyMap<number, number>, prefix: string): number[] {
    const known = new Map(bound);
    const resolve = (t: SymbolicTensor): number => {
      const hit = known.get(t.id);
      if (hit !== undefined) return hit;
      const node = t.sourceLayer.inboundNodes[t.nodeIndex];
      if (node === undefined) {
        throw new ModelFormatError(
          `tensor '${t.name}' refers to call #${t.nodeIndex} of layer '${t.sourceLayer.name}', ` +
            `which has ${t.sourceLayer.inboundNodes.length}`,
        );
      }
      this.convertNode(node, resolve, known, prefix);
      const out = known.get(t.id);
      if (out === undefined) {
        throw new ModelFormatError(`layer '${t.sourceLayer.name}' did not produce '${t.name}'`);
      }
      return out;
    };
    return model.outputs.map(resolve);
  }

  private convertNode(
    node: TfjsNode,
    resolve: (t: SymbolicTensor) => number,
    known: Map<number, number>,
    prefix: string,
  ): void {
    const layer = node.outboundLayer;
    const className = layer.getClassName();
    const callIndex = layer.inboundNodes.indexOf(node);
    const name = `${prefix}${layer.name}${callIndex > 0 ? `_${callIndex}` : ""}`;
    const what = describeLayer(name, className);
    if (className === "InputLayer") {
      throw new ModelFormatError(`${what} feeds the model but is not one of its inputs`);
    }
    const inputs = node.inputTensors.map(resolve);
    const inner = asModel(layer);
    let outputs: number[];
    if (inner !== null) {
      if (inner.inputs.length !== inputs.length) {
        throw new ModelFormatError(
          `${what}: called with ${inputs.length} inputs, has ${inner.inputs.length}`,
        );
      }
      const bound = new Map(inner.inputs.map((t, i) => [t.id, inputs[i] ?? -1]));
      outputs = this.walk(inner, bound, `${name}/`);
    } else {
      const convert = LAYER_CONVERTERS.get(className);
      if (convert === undefined) {
        throw new UnsupportedError(
          `${what}: class ${className} is not supported; supported layers: ` +
            `${SUPPORTED_LAYERS.join(", ")}`,
        );
      }
      const call: LayerCall = {
        layer,
        config: new LayerConfig(name, className, layer.getConfig()),
        name,
        b: this.b,
        inputs,
        inputShapes: node.inputTensors.map((t) => this.shapeOf(t, what)),
        outputShapes: node.outputTensors.map((t) => this.shapeOf(t, what)),
        weights: layerWeights(layer, what),
        batchNorms: this.batchNorms,
      };
      outputs = convert(call);
    }
    if (outputs.length !== node.outputTensors.length) {
      throw new ModelFormatError(
        `${what}: converted to ${outputs.length} outputs, the layer has ${node.outputTensors.length}`,
      );
    }
    node.outputTensors.forEach((t, i) => known.set(t.id, outputs[i] ?? -1));
    this.layerOutputs.set(name, outputs);
  }
}

/**
 * Converts a tfjs `LayersModel` to the float IR (see the module comment). Errors:
 * `UnsupportedError` naming the layer and its class for a layer, activation or config tsquant
 * does not convert (listing what is supported), `ShapeError` / `ModelFormatError` for a
 * malformed model, `UsageError` for bad options.
 */
export function layersModelToFloatModel(
  model: LayersModel,
  opts: LayersModelConversionOptions = {},
): Model {
  return layersModelToFloatModelWithLayerTensors(model, opts).model;
}

/**
 * As `layersModelToFloatModel`, plus which IR tensor holds each layer call's output (by call
 * name: the layer name, `_<k>` for its k-th call, `outer/inner` when nested). After fusion that
 * is the fused op's output (a Conv2D with relu → `conv/Relu;conv/BiasAdd`); a layer whose
 * output tensor was folded away (a conv before a folded batch norm) is absent. QAT conversion
 * uses it to put ranges learned per layer onto tensors.
 */
export function layersModelToFloatModelWithLayerTensors(
  model: LayersModel,
  opts: LayersModelConversionOptions = {},
): { model: Model; layerTensors: Map<string, string[]> } {
  const b = new ModelBuilder(
    batchOf(model, opts),
    `tsquant: converted from TensorFlow.js LayersModel '${model.name}'`,
  );
  const walker = new Walker(b);
  const bound = new Map<number, number>();
  const inputNames: string[] = [];
  for (const t of model.inputs) {
    const name = t.sourceLayer.name;
    const index = b.activation(`serving_default_${name}:0`, walker.shapeOf(t, `input '${name}'`));
    bound.set(t.id, index);
    b.graph.inputs.push(index);
    inputNames.push(name);
  }
  b.graph.outputs = walker.walk(model, bound, "");
  b.graph.outputs.forEach((o, i) => {
    if (b.graph.inputs.includes(o)) {
      throw new UnsupportedError(
        `model '${model.name}': output ${i} is the input '${b.tensor(o).name}' itself ` +
          `(no layer computes it)`,
      );
    }
  });
  foldBatchNorms(b, walker.batchNorms);
  fuseActivations(b);
  const remap = b.compact();
  const layerTensors = new Map<string, string[]>();
  for (const [name, outputs] of walker.layerOutputs) {
    const kept = outputs.flatMap((o) => {
      const k = remap.get(o);
      return k === undefined ? [] : [b.tensor(k).name];
    });
    if (kept.length === outputs.length) layerTensors.set(name, kept);
  }
  b.model.signatureDefs = [
    {
      inputs: inputNames.map((name, i) => ({ name, tensorIndex: b.graph.inputs[i] ?? -1 })),
      outputs: b.graph.outputs.map((tensorIndex, i) => ({ name: `output_${i}`, tensorIndex })),
      signatureKey: "serving_default",
      subgraphIndex: 0,
    },
  ];
  return { model: b.model, layerTensors };
}
