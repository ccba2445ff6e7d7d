/**
 * Semantic checks of an IR model, shared by the reader (on every file) and the writer (on every
 * IR it serializes): indices in range, tensor data that matches its shape, quantization that the
 * runtime accepts (LiteRT `interpreter_builder.cc` rules), options that fit their op, and a graph
 * in which every tensor is produced once, before it is consumed.
 */
import { ModelFormatError } from "../errors";
import { ACTIVATIONS, PADDINGS, TENSOR_TYPES, dtypeByteSize, opName, shapeSize } from "../ir";
import type { Activation, DType, Model, Operator, Padding, SubGraph, Tensor } from "../ir";
import { EXPECTED_OPTIONS, optionsTypeName } from "./options";

const INT32_MAX = 2 ** 31 - 1;

/** Readable name of an operator for messages: `operator #3 (CONV_2D)`. */
export function describeOp(model: Model, op: Operator, index: number, sg = 0): string {
  const code = model.operatorCodes[op.opcodeIndex];
  const name =
    code === undefined
      ? `opcode #${op.opcodeIndex}`
      : code.customCode !== null
        ? `CUSTOM ${JSON.stringify(code.customCode)}`
        : opName(code.builtinCode);
  return `${sg === 0 ? "" : `subgraph ${sg} `}operator #${index} (${name})`;
}

/** Readable name of a tensor for messages: `tensor 'conv/out' (#5)`. */
export function describeTensor(tensors: readonly Tensor[], index: number): string {
  const t = tensors[index];
  return t === undefined ? `tensor #${index}` : `tensor '${t.name}' (#${index})`;
}

/** Validates the whole model; throws `ModelFormatError` naming the first problem found. */
export function validateModel(model: Model, file = "model"): void {
  const fail = (msg: string): never => {
    throw new ModelFormatError(`${file}: ${msg}`);
  };
  if (model.version !== 3) fail(`schema version is ${model.version}, expected 3`);
  if (model.subgraphs.length === 0) fail("the model has no subgraph");
  if (model.buffers.length === 0)
    fail("the model has no buffers (buffer 0 must be the empty sentinel)");
  const buffer0 = model.buffers[0]?.data;
  if (buffer0 != null && buffer0.length > 0) {
    fail(`buffer 0 holds ${buffer0.length} bytes, but it must be the empty sentinel`);
  }
  model.operatorCodes.forEach((code, i) => {
    if (
      !Number.isInteger(code.builtinCode) ||
      code.builtinCode < 0 ||
      code.builtinCode > INT32_MAX
    ) {
      fail(`operator code #${i} has builtin code ${code.builtinCode}, expected 0..2^31-1`);
    }
    if (!Number.isInteger(code.version) || code.version < 1 || code.version > INT32_MAX) {
      fail(
        `operator code #${i} (${opName(code.builtinCode)}) has version ${code.version}, expected >= 1`,
      );
    }
  });
  model.subgraphs.forEach((sg, s) => validateSubGraph(model, sg, s, fail));
  (model.metadata ?? []).forEach((m, i) => {
    if (!isIndex(m.buffer, model.buffers.length)) {
      fail(
        `metadata #${i} '${m.name}' refers to buffer ${m.buffer}, but the model has ${model.buffers.length} buffers`,
      );
    }
  });
  (model.signatureDefs ?? []).forEach((sig, i) => {
    const sg = model.subgraphs[sig.subgraphIndex];
    if (sg === undefined) {
      fail(
        `signature #${i} '${sig.signatureKey}' refers to subgraph ${sig.subgraphIndex}, but the model has ${model.subgraphs.length}`,
      );
      return;
    }
    for (const entry of [...sig.inputs, ...sig.outputs]) {
      if (!isIndex(entry.tensorIndex, sg.tensors.length)) {
        fail(
          `signature '${sig.signatureKey}' entry '${entry.name}' refers to tensor ${entry.tensorIndex}, but subgraph ${sig.subgraphIndex} has ${sg.tensors.length} tensors`,
        );
      }
    }
  });
}

function isIndex(i: number, length: number): boolean {
  return Number.isInteger(i) && i >= 0 && i < length;
}

function validateSubGraph(
  model: Model,
  sg: SubGraph,
  s: number,
  fail: (msg: string) => never,
): void {
  const where = s === 0 ? "" : `subgraph ${s}: `;
  const tensors = sg.tensors;
  const tname = (i: number): string => describeTensor(tensors, i);
  tensors.forEach((t, i) => validateTensor(model, t, `${where}${tname(i)}`, fail));

  const isConstant = (i: number): boolean => {
    const t = tensors[i];
    if (t === undefined || t.buffer === 0) return false;
    const data = model.buffers[t.buffer]?.data;
    return data != null && data.length > 0;
  };
  for (const [list, what] of [
    [sg.inputs, "input"],
    [sg.outputs, "output"],
  ] as const) {
    list.forEach((i) => {
      if (!isIndex(i, tensors.length)) {
        fail(
          `${where}graph ${what} refers to tensor ${i}, but the subgraph has ${tensors.length} tensors`,
        );
      }
    });
  }

  const graphInputs = new Set(sg.inputs);
  // producer[i] = index of the operator that writes tensor i.
  const producer = new Map<number, number>();
  sg.operators.forEach((op, k) => {
    const opDesc = `${where}${describeOp(model, op, k, 0)}`;
    if (!isIndex(op.opcodeIndex, model.operatorCodes.length)) {
      fail(
        `${opDesc}: opcode index ${op.opcodeIndex} is out of range (the model has ${model.operatorCodes.length} operator codes)`,
      );
    }
    op.inputs.forEach((i, n) => {
      if (i !== -1 && !isIndex(i, tensors.length)) {
        fail(
          `${opDesc}: input ${n} refers to tensor ${i}, but the subgraph has ${tensors.length} tensors`,
        );
      }
    });
    for (const [list, what] of [
      [op.outputs, "output"],
      [op.intermediates ?? [], "intermediate"],
    ] as const) {
      list.forEach((i, n) => {
        if (!isIndex(i, tensors.length)) {
          fail(
            `${opDesc}: ${what} ${n} refers to tensor ${i}, but the subgraph has ${tensors.length} tensors`,
          );
        }
      });
    }
    op.outputs.forEach((i) => {
      const earlier = producer.get(i);
      if (earlier !== undefined) {
        fail(
          `${tname(i)} is produced twice: by ${describeOp(model, sg.operators[earlier] ?? op, earlier, s)} and by ${opDesc}`,
        );
      }
      if (isConstant(i)) fail(`${opDesc} writes ${tname(i)}, which is a constant`);
      if (graphInputs.has(i)) fail(`${opDesc} writes ${tname(i)}, which is a graph input`);
      producer.set(i, k);
    });
    validateOptions(model, op, opDesc, fail);
  });

  const available = (i: number, before: number): boolean => {
    const t = tensors[i];
    if (t === undefined) return false;
    if (graphInputs.has(i) || isConstant(i) || t.isVariable) return true;
    const p = producer.get(i);
    return p !== undefined && p < before;
  };
  const unavailable = (i: number, consumer: string): string => {
    const p = producer.get(i);
    return p === undefined
      ? `${consumer} reads ${tname(i)}, which is dangling: neither a graph input, a constant, a variable nor produced by any operator`
      : `${consumer} reads ${tname(i)} before ${describeOp(model, sg.operators[p] ?? sg.operators[0] ?? emptyOp, p, s)} produces it (operators out of order or cyclic)`;
  };
  sg.operators.forEach((op, k) => {
    for (const i of op.inputs) {
      if (i !== -1 && !available(i, k)) {
        fail(unavailable(i, `${where}${describeOp(model, op, k, 0)}`));
      }
    }
  });
  for (const i of sg.outputs) {
    if (!available(i, sg.operators.length)) {
      fail(unavailable(i, `${where}graph output`));
    }
  }
}

const emptyOp: Operator = {
  opcodeIndex: 0,
  inputs: [],
  outputs: [],
  builtinOptions: null,
  customOptions: null,
  intermediates: null,
};

function validateTensor(
  model: Model,
  t: Tensor,
  where: string,
  fail: (msg: string) => never,
): void {
  if (!TENSOR_TYPES.includes(t.type)) fail(`${where} has unknown type ${String(t.type)}`);
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0 || d > INT32_MAX) {
      fail(`${where} has shape [${t.shape.join(", ")}]: dimensions must be integers >= 0`);
    }
  }
  if (t.shapeSignature !== null) {
    for (const d of t.shapeSignature) {
      if (!Number.isInteger(d) || d < -1 || d > INT32_MAX) {
        fail(
          `${where} has shape_signature [${t.shapeSignature.join(", ")}]: dimensions must be >= -1`,
        );
      }
    }
  }
  if (!isIndex(t.buffer, model.buffers.length)) {
    fail(
      `${where} refers to buffer ${t.buffer}, but the model has ${model.buffers.length} buffers`,
    );
  }
  const data = model.buffers[t.buffer]?.data;
  const elemSize = dtypeByteSize(t.type);
  if (t.buffer !== 0 && data != null && data.length > 0 && elemSize !== null) {
    const expected = shapeSize(t.shape) * elemSize;
    if (data.length !== expected) {
      fail(
        `${where} (${t.type}, shape [${t.shape.join(", ")}]) needs ${expected} bytes of data, but buffer ${t.buffer} holds ${data.length}`,
      );
    }
  }
  const q = t.quantization;
  if (q === null) return;
  if (
    !Number.isInteger(q.quantizedDimension) ||
    q.quantizedDimension < 0 ||
    q.quantizedDimension > INT32_MAX
  ) {
    fail(`${where} has quantized_dimension ${q.quantizedDimension}`);
  }
  for (const z of q.zeroPoint ?? []) {
    if (!Number.isSafeInteger(z)) fail(`${where} has zero point ${z}, which is not a safe integer`);
  }
  const scales = q.scale ?? [];
  if (scales.length === 0) return; // not quantized (or min/max only)
  const zeroPoints = q.zeroPoint;
  if (zeroPoints === null) fail(`${where} has ${scales.length} scales but no zero_point`);
  else if (zeroPoints.length !== scales.length) {
    fail(`${where} has ${scales.length} scales but ${zeroPoints.length} zero points`);
  }
  if (scales.length > 1) {
    const axis = q.quantizedDimension;
    if (axis >= t.shape.length) {
      fail(
        `${where} is quantized per axis along dimension ${axis}, but its shape [${t.shape.join(", ")}] has rank ${t.shape.length}`,
      );
    }
    if (t.shape[axis] !== scales.length) {
      fail(
        `${where} has ${scales.length} scales, but dimension ${axis} of shape [${t.shape.join(", ")}] is ${t.shape[axis]}`,
      );
    }
  }
}

/** Options fields stored as `bool` in the schema; every other numeric field is an int32. */
const BOOLEAN_OPTIONS = new Set([
  "keepNumDims",
  "asymmetricQuantizeInputs",
  "potScaleInt16",
  "keepDims",
  "offset",
  "timeMajor",
  "diagonalRecurrentTensors",
]);

/** Float-valued options (checked to be numbers). */
const FLOAT_OPTIONS = new Set(["beta", "cellClip", "projClip"]);

function validateOptions(
  model: Model,
  op: Operator,
  opDesc: string,
  fail: (msg: string) => never,
): void {
  const code = model.operatorCodes[op.opcodeIndex];
  const options = op.builtinOptions;
  if (code !== undefined && code.customCode === null && options !== null) {
    const expected = EXPECTED_OPTIONS.get(code.builtinCode);
    const actual =
      options.type === "UnknownOptions" ? optionsTypeName(options.unionType) : options.type;
    if (expected !== undefined && expected !== actual) {
      fail(`${opDesc} carries ${actual}, expected ${expected ?? "no options"}`);
    }
  }
  if (options === null) return;
  for (const [key, value] of Object.entries(options)) {
    if (key === "type" || key === "newShape") continue;
    if (key === "padding") {
      if (!PADDINGS.includes(value as Padding)) {
        fail(`${opDesc}: padding ${String(value)} is not SAME or VALID`);
      }
    } else if (key === "fusedActivationFunction") {
      if (!ACTIVATIONS.includes(value as Activation)) {
        fail(
          `${opDesc}: fused activation ${String(value)} is not one of ${ACTIVATIONS.join(", ")}`,
        );
      }
    } else if (BOOLEAN_OPTIONS.has(key)) {
      if (typeof value !== "boolean")
        fail(`${opDesc}: option ${key} = ${String(value)} is not a boolean`);
    } else if (key === "outType") {
      if (!TENSOR_TYPES.includes(value as DType)) {
        fail(`${opDesc}: out_type ${String(value)} is not a tensor type`);
      }
    } else if (FLOAT_OPTIONS.has(key)) {
      if (typeof value !== "number") fail(`${opDesc}: ${key} ${String(value)} is not a number`);
    } else if (
      typeof value !== "number" ||
      !Number.isInteger(value) ||
      value < -(2 ** 31) ||
      value > INT32_MAX
    ) {
      fail(`${opDesc}: option ${key} = ${String(value)} is not a 32-bit integer`);
    }
  }
  if (
    options.type === "FullyConnectedOptions" &&
    options.weightsFormat !== 0 &&
    options.weightsFormat !== 1
  ) {
    fail(
      `${opDesc}: weights_format ${options.weightsFormat} is not DEFAULT (0) or SHUFFLED4x16INT8 (1)`,
    );
  }
  if (
    (options.type === "FullyConnectedOptions" || options.type === "Conv2DOptions") &&
    (options.quantizedBiasType < 0 || options.quantizedBiasType >= TENSOR_TYPES.length)
  ) {
    fail(`${opDesc}: quantized_bias_type ${options.quantizedBiasType} is not a TensorType`);
  }
  if (options.type === "ReshapeOptions") {
    if (options.newShape !== null && !Array.isArray(options.newShape)) {
      fail(`${opDesc}: new_shape must be a list of integers or null`);
    }
    for (const d of options.newShape ?? []) {
      if (!Number.isInteger(d) || d < -(2 ** 31) || d > INT32_MAX) {
        fail(`${opDesc}: new_shape entry ${d} is not a 32-bit integer`);
      }
    }
  }
}
