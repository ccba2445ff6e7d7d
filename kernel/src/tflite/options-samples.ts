/**
 * Values for every options table, generated from its description (tests only, not exported):
 * `fieldSample` gives each field a non-default value at the edges of its type, `fieldDefault`
 * the value an absent field reads as; `everyOptionsModel` puts one op per table in a model.
 */
import { BuiltinOperator } from "../ir";
import type { BuiltinOptions, BuiltinOptions2, Model } from "../ir";
import { vectorElement } from "./options";
import { BUILTIN_OPTIONS_2_TABLES, BUILTIN_OPTIONS_TABLES } from "./options-schema";
import type { FieldSpec, OptionsTableSpec, ScalarKind } from "./options-schema";
import { GraphBuilder, perTensor } from "./testing";

/** Fields whose value range is narrower than their storage type (checked by the validator). */
const NARROW: Readonly<Record<string, number>> = { weightsFormat: 1, quantizedBiasType: 9 };

/** A value of `kind` different from `dflt`, distinct per slot, at the edges of the type. */
export function scalarSample(kind: ScalarKind, slot: number, dflt: number): unknown {
  switch (kind) {
    case "bool":
      return dflt === 0;
    case "activation":
      return "RELU6";
    case "padding":
      return "VALID";
    case "dtype":
      return dflt === 7 ? "int8" : "int16";
    case "int8":
      return -(slot + 2);
    case "uint8":
      return 200 + slot;
    case "int16":
      return -(300 + slot);
    case "uint16":
      return 60000 + slot;
    case "int32":
      return -(1_000_000_007 + slot);
    case "uint32":
      return 2 ** 32 - 1 - slot;
    case "int64":
      return -(2 ** 40 + slot);
    case "float32":
      return Math.fround(-1.1 * (slot + 1));
    default:
      return kind satisfies never;
  }
}

export function vectorSample(elem: ScalarKind, slot: number): number[] {
  switch (elem) {
    case "bool":
      return [1, 0, 1];
    case "uint8":
      return [0, 255, slot];
    case "int32":
      return [-(2 ** 31), 2 ** 31 - 1, slot];
    case "uint32":
      return [2 ** 32 - 1, 0, slot];
    case "int64":
      return [-(2 ** 53 - 1), 2 ** 53 - 1, slot];
    case "float32":
      return [Math.fround(0.3), -2.5, slot];
    default:
      return [slot];
  }
}

export function fieldSample(f: FieldSpec, slot: number): unknown {
  const [name, kind, dflt = 0] = f;
  const narrow = NARROW[name];
  if (narrow !== undefined) return narrow;
  if (kind === "string") return `${name} \u00e9\u2713`;
  const elem = vectorElement(kind);
  if (elem !== null) return vectorSample(elem, slot);
  return scalarSample(kind as ScalarKind, slot, dflt);
}

export function fieldDefault(f: FieldSpec): unknown {
  const [, kind, dflt = 0, optional] = f;
  if (optional === "optional") return undefined; // absent from the IR as from the file
  if (kind === "string" || vectorElement(kind) !== null) return null;
  switch (kind as ScalarKind) {
    case "bool":
      return dflt !== 0;
    case "activation":
      return "NONE";
    case "padding":
      return "SAME";
    case "dtype":
      return ["float32", "float16", "int32"][dflt];
    default:
      return dflt;
  }
}

export function tableValue(
  type: string,
  spec: OptionsTableSpec,
  value: (f: FieldSpec, slot: number) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = { type };
  spec.fields.forEach((f, slot) => {
    const v = f === null ? undefined : value(f, slot);
    if (f !== null && v !== undefined) out[f[0]] = v;
  });
  return out;
}

/**
 * One op per options table of both unions (the table's first op), every field non-default,
 * each op reading tensor `x` and writing its own float32 output: a graph to round-trip, not to
 * run.
 */
export function everyOptionsModel(): Model {
  const g = new GraphBuilder();
  const x = g.tensor("x", "float32", [2]);
  const outs: number[] = [];
  const add = (
    op: string,
    options: BuiltinOptions | null,
    options2: BuiltinOptions2 | null,
  ): void => {
    const code = (BuiltinOperator as Readonly<Record<string, number>>)[op];
    if (code === undefined) throw new Error(`no op ${op}`);
    const y = g.tensor(`y${outs.length}`, "float32", [2]);
    outs.push(y);
    g.op(code, [x], [y], options);
    const model = g.model;
    const ops = model.subgraphs[0]?.operators;
    const last = ops?.[ops.length - 1];
    if (last !== undefined && options2 !== null) last.builtinOptions2 = options2;
  };
  for (const [type, spec] of Object.entries(BUILTIN_OPTIONS_TABLES)) {
    add(spec.ops[0], tableValue(type, spec, fieldSample) as BuiltinOptions, null);
  }
  for (const [type, spec] of Object.entries(BUILTIN_OPTIONS_2_TABLES)) {
    add(spec.ops[0], null, tableValue(type, spec, fieldSample) as BuiltinOptions2);
  }
  return g.io([x], outs).build();
}

/**
 * A model using every format feature tsquant carries without interpreting: quantization details,
 * mutating_variable_inputs, debug_metadata_index, metadata_buffer, builtin_options_2 next to
 * intermediates and custom options, a second subgraph, signatures and metadata.
 */
export function carriedFeaturesModel(): Model {
  const g = new GraphBuilder();
  const x = g.tensor("x", "float32", [2, 4]);
  const w = g.tensor("w", "int8", [4, 4], {
    data: new Int8Array(16).fill(3),
    quantization: {
      ...perTensor(0.5, 0),
      details: {
        type: "BlockwiseQuantization",
        scales: 3,
        zeroPoints: -1,
        blockSize: 32,
        blockShape: [1, 32],
      },
    },
  });
  const s = g.tensor("s", "float32", [4], {
    data: new Float32Array(4).fill(0.25),
    quantization: {
      min: null,
      max: null,
      scale: null,
      zeroPoint: null,
      quantizedDimension: 0,
      details: { type: "CustomQuantization", custom: Uint8Array.of(9, 8, 7) },
    },
  });
  const y = g.tensor("y", "float32", [2, 4]);
  const z = g.tensor("z", "float32", [2, 4]);
  const c = g.tensor("c", "float32", [2, 4]);
  g.op("FULLY_CONNECTED", [x, w, s], [y], {
    type: "FullyConnectedOptions",
    fusedActivationFunction: "NONE",
    weightsFormat: 0,
    keepNumDims: true,
    asymmetricQuantizeInputs: false,
    quantizedBiasType: 0,
  });
  g.op("STABLEHLO_COMPOSITE", [y], [z], null);
  g.op(32, [z], [c], null);
  const model = g.io([x], [c]).build();
  model.operatorCodes.push({ builtinCode: 32, customCode: "TsquantCarry", version: 1 });
  const [fc, composite, custom] = model.subgraphs[0]?.operators ?? [];
  if (fc === undefined || composite === undefined || custom === undefined) throw new Error("ops");
  fc.debugMetadataIndex = 4;
  fc.mutatingVariableInputs = [false, true, false];
  composite.intermediates = [s];
  composite.customOptions = Uint8Array.of(1, 2);
  composite.builtinOptions2 = {
    type: "StableHLOCompositeOptions",
    name: "tsquant.composite",
    decompositionSubgraphIndex: 1,
    compositeAttributes: [5, 6],
    compositeAttributesFormat: 0,
    version: 2,
  };
  custom.opcodeIndex = model.operatorCodes.length - 1;
  custom.customOptions = Uint8Array.of(0xca, 0xfe);
  custom.customOptionsFormat = 0;
  delete custom.customOptionsFormat; // absent = FLEXBUFFERS, the only format
  const sg = model.subgraphs[0];
  if (sg === undefined) throw new Error("subgraph");
  sg.debugMetadataIndex = 7;
  model.subgraphs.push({
    tensors: structuredClone(sg.tensors.slice(3, 4)),
    inputs: [0],
    outputs: [0],
    operators: [],
    name: "decomposition",
  });
  // A sparse constant (CSR on dimension 1) and a variant tensor with two subtypes: not used by
  // any op, only carried.
  const sparse = g.tensor("sparse", "int8", [4, 4], { data: Int8Array.of(1, 2, 3, 4, 5) });
  const variant = g.tensor("variant", "variant", []);
  const sparseTensor = sg.tensors[sparse];
  const variantTensor = sg.tensors[variant];
  if (sparseTensor === undefined || variantTensor === undefined) throw new Error("tensors");
  sparseTensor.sparsity = {
    traversalOrder: [0, 1],
    blockMap: null,
    dimMetadata: [
      { format: 0, denseSize: 4, arraySegments: null, arrayIndices: null },
      {
        format: 1,
        denseSize: 0,
        arraySegments: { type: "Int32Vector", values: [0, 2, 3, 3, 5] },
        arrayIndices: { type: "Uint8Vector", values: [0, 3, 1, 0, 2] },
      },
    ],
  };
  variantTensor.variantTensors = [
    { shape: [2, 3], type: "float32", hasRank: true },
    { shape: null, type: "int32", hasRank: false },
  ];
  model.metadataBuffer = [0];
  model.metadata = [{ name: "tsquant", buffer: 0 }];
  model.signatureDefs = [
    {
      inputs: [{ name: "x", tensorIndex: x }],
      outputs: [{ name: "c", tensorIndex: c }],
      signatureKey: "serving_default",
      subgraphIndex: 0,
    },
  ];
  return model;
}
