/**
 * Hand-built IR models for tests (the reader/writer tests and the fuzz test). Not part of the
 * public API. Models follow TF's conventions: buffer 0 is the empty sentinel, every tensor owns
 * a buffer (activations an empty one without `data`), float tensors carry an empty
 * quantization table.
 */
import { BuiltinOperator, dtypeByteSize } from "../ir";
import type {
  BuiltinOpName,
  BuiltinOptions,
  DType,
  Model,
  Quantization,
  Tensor,
  TypedArray,
} from "../ir";

/** Per-tensor quantization: real = scale * (q - zeroPoint); scales are float32 in the file. */
export function perTensor(scale: number, zeroPoint: number): Quantization {
  return {
    min: null,
    max: null,
    scale: [Math.fround(scale)],
    zeroPoint: [zeroPoint],
    quantizedDimension: 0,
  };
}

/** Per-axis quantization along `axis`, zero points 0 (TF's symmetric weights). */
export function perAxis(scales: number[], axis: number): Quantization {
  return {
    min: null,
    max: null,
    scale: scales.map(Math.fround),
    zeroPoint: scales.map(() => 0),
    quantizedDimension: axis,
  };
}

/** The empty table TF writes for float tensors. */
export function emptyQuantization(): Quantization {
  return { min: null, max: null, scale: null, zeroPoint: null, quantizedDimension: 0 };
}

export interface TensorSpec {
  /** Constant data; its byte length must match the shape. */
  data?: TypedArray | Uint8Array;
  quantization?: Quantization | null;
  isVariable?: boolean;
}

/** Builds one-subgraph models step by step. */
export class GraphBuilder {
  readonly model: Model = {
    version: 3,
    operatorCodes: [],
    subgraphs: [{ tensors: [], inputs: [], outputs: [], operators: [], name: "main" }],
    description: "tsquant test model",
    buffers: [{ data: null }],
    metadata: null,
    signatureDefs: null,
  };

  private get graph() {
    const sg = this.model.subgraphs[0];
    if (sg === undefined) throw new Error("GraphBuilder: no subgraph");
    return sg;
  }

  /** Adds a tensor (and its own buffer); returns its index. */
  tensor(name: string, type: DType, shape: number[], spec: TensorSpec = {}): number {
    const data =
      spec.data === undefined
        ? null
        : new Uint8Array(spec.data.buffer, spec.data.byteOffset, spec.data.byteLength).slice();
    this.model.buffers.push({ data });
    const q =
      spec.quantization !== undefined
        ? spec.quantization
        : type === "float32"
          ? emptyQuantization()
          : null;
    const t: Tensor = {
      name,
      type,
      shape,
      shapeSignature: null,
      buffer: this.model.buffers.length - 1,
      quantization: q,
      isVariable: spec.isVariable ?? false,
      hasRank: true,
    };
    this.graph.tensors.push(t);
    return this.graph.tensors.length - 1;
  }

  /** A constant filled with a deterministic ramp (i * 37 mod 251, as bytes). */
  constant(name: string, type: DType, shape: number[], quantization?: Quantization | null): number {
    const size = shape.reduce((a, b) => a * b, 1) * (dtypeByteSize(type) ?? 1);
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 37) % 251;
    return this.tensor(name, type, shape, { data, quantization });
  }

  /** Adds an operator (reusing or creating its operator code); returns its index. */
  op(
    code: BuiltinOpName | number,
    inputs: number[],
    outputs: number[],
    builtinOptions: BuiltinOptions | null = null,
  ): number {
    const builtinCode = typeof code === "number" ? code : BuiltinOperator[code];
    let opcodeIndex = this.model.operatorCodes.findIndex(
      (c) => c.builtinCode === builtinCode && c.customCode === null,
    );
    if (opcodeIndex < 0) {
      this.model.operatorCodes.push({ builtinCode, customCode: null, version: 1 });
      opcodeIndex = this.model.operatorCodes.length - 1;
    }
    this.graph.operators.push({
      opcodeIndex,
      inputs,
      outputs,
      // A copy: SAMPLE_OPTIONS are shared between models that tests then edit.
      builtinOptions: builtinOptions === null ? null : structuredClone(builtinOptions),
      customOptions: null,
      intermediates: null,
    });
    return this.graph.operators.length - 1;
  }

  io(inputs: number[], outputs: number[]): this {
    this.graph.inputs = inputs;
    this.graph.outputs = outputs;
    return this;
  }

  build(): Model {
    return this.model;
  }
}

/** Options tables with non-default values in every field, one per supported op. */
export const SAMPLE_OPTIONS = {
  conv: {
    type: "Conv2DOptions",
    padding: "VALID",
    strideW: 2,
    strideH: 3,
    fusedActivationFunction: "RELU6",
    dilationWFactor: 2,
    dilationHFactor: 1,
    quantizedBiasType: 0,
  },
  depthwise: {
    type: "DepthwiseConv2DOptions",
    padding: "SAME",
    strideW: 1,
    strideH: 2,
    depthMultiplier: 2,
    fusedActivationFunction: "RELU",
    dilationWFactor: 1,
    dilationHFactor: 3,
  },
  fc: {
    type: "FullyConnectedOptions",
    fusedActivationFunction: "TANH",
    weightsFormat: 0,
    keepNumDims: true,
    asymmetricQuantizeInputs: true,
    quantizedBiasType: 2,
  },
  pool: {
    type: "Pool2DOptions",
    padding: "SAME",
    strideW: 2,
    strideH: 2,
    filterWidth: 3,
    filterHeight: 2,
    fusedActivationFunction: "RELU_N1_TO_1",
  },
  add: { type: "AddOptions", fusedActivationFunction: "RELU", potScaleInt16: false },
  mul: { type: "MulOptions", fusedActivationFunction: "SIGN_BIT" },
  concat: { type: "ConcatenationOptions", axis: -1, fusedActivationFunction: "NONE" },
  reshape: { type: "ReshapeOptions", newShape: [1, -1] },
  softmax: { type: "SoftmaxOptions", beta: 0.5 },
  mean: { type: "ReducerOptions", keepDims: true },
  pad: { type: "PadOptions" },
  quantize: { type: "QuantizeOptions" },
  dequantize: { type: "DequantizeOptions" },
} satisfies Record<string, BuiltinOptions>;

/**
 * A small int8 CNN using every supported op with non-default options:
 * QUANTIZE → PAD → CONV_2D → DEPTHWISE_CONV_2D → MAX_POOL_2D / AVERAGE_POOL_2D → ADD → MUL →
 * CONCATENATION → MEAN, RESHAPE → FULLY_CONNECTED → RELU → RELU6 → LOGISTIC → TANH → SOFTMAX
 * → DEQUANTIZE. Shapes are consistent; values are arbitrary.
 */
export function everyOpModel(): Model {
  const g = new GraphBuilder();
  const q = perTensor(0.05, -3);
  const x = g.tensor("input", "float32", [1, 4, 4, 2]);
  const xq = g.tensor("input_int8", "int8", [1, 4, 4, 2], { quantization: perTensor(0.02, 5) });
  g.op("QUANTIZE", [x], [xq], SAMPLE_OPTIONS.quantize);
  const paddings = g.constant("paddings", "int32", [4, 2]);
  const padded = g.tensor("padded", "int8", [1, 6, 6, 2], { quantization: q });
  g.op("PAD", [xq, paddings], [padded], SAMPLE_OPTIONS.pad);
  const w = g.constant("conv/w", "int8", [3, 3, 3, 2], perAxis([0.01, 0.02, 0.03], 0));
  const b = g.constant("conv/b", "int32", [3], perAxis([1e-4, 2e-4, 3e-4], 0));
  const conv = g.tensor("conv", "int8", [1, 2, 2, 3], { quantization: q });
  g.op("CONV_2D", [padded, w, b], [conv], SAMPLE_OPTIONS.conv);
  const dw = g.constant(
    "dw/w",
    "int8",
    [1, 3, 3, 6],
    perAxis(
      [1, 2, 3, 4, 5, 6].map((s) => s / 100),
      3,
    ),
  );
  const dwOut = g.tensor("dw", "int8", [1, 2, 2, 6], { quantization: q });
  g.op("DEPTHWISE_CONV_2D", [conv, dw, -1], [dwOut], SAMPLE_OPTIONS.depthwise);
  const mp = g.tensor("maxpool", "int8", [1, 1, 1, 6], { quantization: q });
  g.op("MAX_POOL_2D", [dwOut], [mp], SAMPLE_OPTIONS.pool);
  const ap = g.tensor("avgpool", "int8", [1, 1, 1, 6], { quantization: q });
  g.op("AVERAGE_POOL_2D", [dwOut], [ap], SAMPLE_OPTIONS.pool);
  const sum = g.tensor("add", "int8", [1, 1, 1, 6], { quantization: q });
  g.op("ADD", [mp, ap], [sum], SAMPLE_OPTIONS.add);
  const prod = g.tensor("mul", "int8", [1, 1, 1, 6], { quantization: q });
  g.op("MUL", [sum, ap], [prod], SAMPLE_OPTIONS.mul);
  const cat = g.tensor("concat", "int8", [1, 1, 1, 12], { quantization: q });
  g.op("CONCATENATION", [sum, prod], [cat], SAMPLE_OPTIONS.concat);
  const axes = g.constant("mean/axes", "int32", [2]);
  const mean = g.tensor("mean", "int8", [1, 1, 1, 12], { quantization: q });
  g.op("MEAN", [cat, axes], [mean], SAMPLE_OPTIONS.mean);
  const shape = g.constant("reshape/shape", "int32", [2]);
  const flat = g.tensor("flat", "int8", [1, 12], { quantization: q });
  g.op("RESHAPE", [mean, shape], [flat], SAMPLE_OPTIONS.reshape);
  const fw = g.constant("fc/w", "int8", [4, 12], perTensor(0.01, 0));
  const fb = g.constant("fc/b", "int32", [4], perTensor(0.0005, 0));
  const fc = g.tensor("fc", "int8", [1, 4], { quantization: q });
  g.op("FULLY_CONNECTED", [flat, fw, fb], [fc], SAMPLE_OPTIONS.fc);
  let prev = fc;
  for (const code of ["RELU", "RELU6", "LOGISTIC", "TANH"] as const) {
    const out = g.tensor(code.toLowerCase(), "int8", [1, 4], { quantization: q });
    g.op(code, [prev], [out]);
    prev = out;
  }
  const sm = g.tensor("softmax", "int8", [1, 4], { quantization: perTensor(1 / 256, -128) });
  g.op("SOFTMAX", [prev], [sm], SAMPLE_OPTIONS.softmax);
  const y = g.tensor("output", "float32", [1, 4]);
  g.op("DEQUANTIZE", [sm], [y], SAMPLE_OPTIONS.dequantize);
  g.io([x], [y]);
  const model = g.build();
  model.signatureDefs = [
    {
      inputs: [{ name: "input", tensorIndex: x }],
      outputs: [{ name: "output", tensorIndex: y }],
      signatureKey: "serving_default",
      subgraphIndex: 0,
    },
  ];
  return model;
}

/** A float model: FULLY_CONNECTED (weights and bias as float32 constants) then SOFTMAX. */
export function floatDenseModel(): Model {
  const g = new GraphBuilder();
  const x = g.tensor("x", "float32", [1, 8]);
  const w = g.tensor("w", "float32", [3, 8], {
    data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)),
  });
  const b = g.tensor("b", "float32", [3], { data: Float32Array.of(0.1, -0.2, 0.3) });
  const h = g.tensor("h", "float32", [1, 3]);
  g.op("FULLY_CONNECTED", [x, w, b], [h], {
    ...SAMPLE_OPTIONS.fc,
    keepNumDims: false,
    asymmetricQuantizeInputs: false,
    fusedActivationFunction: "NONE",
    quantizedBiasType: 0,
  });
  const y = g.tensor("y", "float32", [1, 3]);
  g.op("SOFTMAX", [h], [y], { type: "SoftmaxOptions", beta: 1 });
  return g.io([x], [y]).build();
}
