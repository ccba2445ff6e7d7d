// Every options table of the schema, generated from its description (options-schema.ts): each
// round-trips with a non-default value in every field, with every field at its default, and the
// op → table map covers every builtin op.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as flatbuffers from "flatbuffers";
import { BuiltinOperator, opName } from "../ir";
import type { Activation, BuiltinOptions, BuiltinOptions2, DType, Model, Padding } from "../ir";
import { Model as FbModel } from "./generated/tflite/model";
import {
  EXPECTED_OPTIONS,
  EXPECTED_OPTIONS_2,
  OPTIONS_2_UNION_TYPE,
  OPTIONS_UNION_TYPE,
  scalarSize,
  vectorElement,
} from "./options";
import { BUILTIN_OPTIONS_2_TABLES, BUILTIN_OPTIONS_TABLES } from "./options-schema";
import type { FieldSpec, OptionsTableSpec } from "./options-schema";
import { readModel } from "./reader";
import { GraphBuilder } from "./testing";
import { fieldDefault, fieldSample, tableValue } from "./options-samples";
import { writeModel } from "./writer";

function modelWith(
  op: string,
  options: BuiltinOptions | null,
  options2: BuiltinOptions2 | null,
): Model {
  const code = (BuiltinOperator as Readonly<Record<string, number>>)[op];
  assert.ok(code !== undefined, op);
  const g = new GraphBuilder();
  const x = g.tensor("x", "float32", [2]);
  const y = g.tensor("y", "float32", [2]);
  g.op(code, [x], [y], options);
  const model = g.io([x], [y]).build();
  const operator = model.subgraphs[0]?.operators[0];
  assert.ok(operator !== undefined);
  if (options2 !== null) operator.builtinOptions2 = options2;
  return model;
}

/** write → read gives the same IR, and writing that again gives the same bytes. */
function assertRoundTrip(model: Model): Uint8Array {
  const bytes = writeModel(model);
  const back = readModel(bytes);
  assert.deepEqual(back, model);
  assert.ok(Buffer.from(writeModel(back)).equals(Buffer.from(bytes)), "second write differs");
  return bytes;
}

/** Number of vtable entries of the operator's options table that are present. */
function presentFields(bytes: Uint8Array, union: 1 | 2, slots: number): number {
  const op = FbModel.getRootAsModel(new flatbuffers.ByteBuffer(bytes)).subgraphs(0)?.operators(0);
  assert.ok(op !== null && op !== undefined && op.bb !== null);
  const bb = op.bb;
  const off = bb.__offset(op.bb_pos, union === 1 ? 12 : 28);
  assert.notEqual(off, 0, "the options table is written even when every field is default");
  const pos = op.bb_pos + off + bb.readInt32(op.bb_pos + off);
  let n = 0;
  for (let s = 0; s < slots; s++) if (bb.__offset(pos, 4 + 2 * s) !== 0) n++;
  return n;
}

const UNIONS: readonly [1 | 2, Readonly<Record<string, OptionsTableSpec>>][] = [
  [1, BUILTIN_OPTIONS_TABLES],
  [2, BUILTIN_OPTIONS_2_TABLES],
];

for (const [union, tables] of UNIONS) {
  describe(`every builtin_options${union === 2 ? "_2" : ""} table round-trips`, () => {
    for (const [type, spec] of Object.entries(tables)) {
      const op = spec.ops[0] ?? "CUSTOM";
      const place = (o: Record<string, unknown>): Model =>
        union === 1
          ? modelWith(op, o as BuiltinOptions, null)
          : modelWith(op, null, o as BuiltinOptions2);
      const live = spec.fields.filter((f) => f !== null).length;

      test(`${type} (union ${spec.union}, op ${op}): a non-default value in each of ${live} fields`, () => {
        const bytes = assertRoundTrip(place(tableValue(type, spec, fieldSample)));
        assert.equal(presentFields(bytes, union, spec.fields.length), live);
      });

      test(`${type}: every field at its default is written as an empty table`, () => {
        const bytes = assertRoundTrip(place(tableValue(type, spec, fieldDefault)));
        assert.equal(presentFields(bytes, union, spec.fields.length), 0);
      });

      const vectors = spec.fields.filter(
        (f): f is FieldSpec => f !== null && (f[1] === "string" || vectorElement(f[1]) !== null),
      );
      if (vectors.length > 0) {
        test(`${type}: empty vectors and strings stay apart from absent ones`, () => {
          const value = tableValue(type, spec, (f, slot) => {
            if (f[1] === "string") return "";
            return vectorElement(f[1]) !== null ? [] : fieldSample(f, slot);
          });
          const bytes = assertRoundTrip(place(value));
          assert.equal(presentFields(bytes, union, spec.fields.length), live);
        });
      }
    }
  });
}

describe("op → options table", () => {
  test("every schema op is in EXPECTED_OPTIONS and EXPECTED_OPTIONS_2, by its schema name", () => {
    for (const [name, code] of Object.entries(BuiltinOperator)) {
      assert.equal(opName(code), name);
      if (name === "CUSTOM" || name === "PLACEHOLDER_FOR_GREATER_OP_CODES") continue;
      assert.ok(EXPECTED_OPTIONS.has(code), `${name} missing from EXPECTED_OPTIONS`);
      assert.ok(EXPECTED_OPTIONS_2.has(code), `${name} missing from EXPECTED_OPTIONS_2`);
    }
    assert.equal(opName(117), "HARD_SWISH");
    assert.equal(opName(206), "STABLEHLO_COMPOSITE");
    assert.equal(opName(100_000), "BUILTIN_100000");
  });

  test("every table is carried by some op, and no op by two tables", () => {
    for (const [union, tables] of UNIONS) {
      for (const [type, spec] of Object.entries(tables)) {
        assert.ok(spec.ops.length > 0, `${type} (union ${union}) has no op`);
      }
    }
    for (const [, tables] of UNIONS) {
      const ops = Object.values(tables).flatMap((t) => [...t.ops]);
      assert.equal(new Set(ops).size, ops.length);
    }
  });

  test("union values are the schema's: 1..126 and 1..23, each once", () => {
    const values = Object.values(OPTIONS_UNION_TYPE).sort((a, b) => a - b);
    assert.deepEqual(
      values,
      Array.from({ length: 126 }, (_, i) => i + 1),
    );
    const values2 = Object.values(OPTIONS_2_UNION_TYPE).sort((a, b) => a - b);
    assert.deepEqual(
      values2,
      Array.from({ length: 23 }, (_, i) => i + 1),
    );
  });

  test("a few tables and ops as the schema has them", () => {
    assert.equal(EXPECTED_OPTIONS.get(BuiltinOperator.LEAKY_RELU), "LeakyReluOptions");
    assert.equal(EXPECTED_OPTIONS.get(BuiltinOperator.TRANSPOSE_CONV), "TransposeConvOptions");
    assert.equal(EXPECTED_OPTIONS.get(BuiltinOperator.REDUCE_MAX), "ReducerOptions");
    assert.equal(EXPECTED_OPTIONS.get(BuiltinOperator.L2_POOL_2D), "Pool2DOptions");
    assert.equal(EXPECTED_OPTIONS.get(BuiltinOperator.HARD_SWISH), "HardSwishOptions");
    assert.equal(EXPECTED_OPTIONS.get(BuiltinOperator.LOGISTIC), null);
    assert.equal(EXPECTED_OPTIONS.get(BuiltinOperator.STABLEHLO_ADD), null);
    assert.equal(
      EXPECTED_OPTIONS_2.get(BuiltinOperator.STABLEHLO_COMPOSITE),
      "StableHLOCompositeOptions",
    );
    assert.equal(OPTIONS_UNION_TYPE.WhileOptions, 93);
    assert.equal(OPTIONS_UNION_TYPE.RightShiftOptions, 126);
    assert.equal(scalarSize("int64"), 8);
    const resize = BUILTIN_OPTIONS_TABLES.ResizeBilinearOptions.fields;
    assert.deepEqual(resize.slice(0, 2), [null, null], "new_height / new_width are deprecated");
  });
});

/** Type-level equality (fails to compile when the two types differ). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Of<T extends BuiltinOptions["type"]> = Extract<BuiltinOptions, { type: T }>;

test("the tables tsquant modelled by hand keep their exact IR shape", () => {
  const shapes: [
    Equal<
      Of<"Conv2DOptions">,
      {
        type: "Conv2DOptions";
        padding: Padding;
        strideW: number;
        strideH: number;
        fusedActivationFunction: Activation;
        dilationWFactor: number;
        dilationHFactor: number;
        quantizedBiasType: number;
      }
    >,
    Equal<
      Of<"DepthwiseConv2DOptions">,
      {
        type: "DepthwiseConv2DOptions";
        padding: Padding;
        strideW: number;
        strideH: number;
        depthMultiplier: number;
        fusedActivationFunction: Activation;
        dilationWFactor: number;
        dilationHFactor: number;
      }
    >,
    Equal<
      Of<"FullyConnectedOptions">,
      {
        type: "FullyConnectedOptions";
        fusedActivationFunction: Activation;
        weightsFormat: number;
        keepNumDims: boolean;
        asymmetricQuantizeInputs: boolean;
        quantizedBiasType: number;
        quantSpec?: number[] | null;
      }
    >,
    Equal<
      Of<"Pool2DOptions">,
      {
        type: "Pool2DOptions";
        padding: Padding;
        strideW: number;
        strideH: number;
        filterWidth: number;
        filterHeight: number;
        fusedActivationFunction: Activation;
      }
    >,
    Equal<
      Of<"AddOptions">,
      { type: "AddOptions"; fusedActivationFunction: Activation; potScaleInt16: boolean }
    >,
    Equal<Of<"MulOptions">, { type: "MulOptions"; fusedActivationFunction: Activation }>,
    Equal<
      Of<"ConcatenationOptions">,
      { type: "ConcatenationOptions"; axis: number; fusedActivationFunction: Activation }
    >,
    Equal<Of<"ReshapeOptions">, { type: "ReshapeOptions"; newShape: number[] | null }>,
    Equal<Of<"SoftmaxOptions">, { type: "SoftmaxOptions"; beta: number }>,
    Equal<Of<"PadOptions">, { type: "PadOptions" }>,
    Equal<Of<"ReducerOptions">, { type: "ReducerOptions"; keepDims: boolean }>,
    Equal<Of<"QuantizeOptions">, { type: "QuantizeOptions" }>,
    Equal<Of<"DequantizeOptions">, { type: "DequantizeOptions" }>,
    Equal<
      Of<"StridedSliceOptions">,
      {
        type: "StridedSliceOptions";
        beginMask: number;
        endMask: number;
        ellipsisMask: number;
        newAxisMask: number;
        shrinkAxisMask: number;
        offset: boolean;
      }
    >,
    Equal<Of<"ShapeOptions">, { type: "ShapeOptions"; outType: DType }>,
    Equal<Of<"PackOptions">, { type: "PackOptions"; valuesCount: number; axis: number }>,
    Equal<Of<"CastOptions">, { type: "CastOptions"; inDataType: DType; outDataType: DType }>,
    Equal<Of<"LeakyReluOptions">, { type: "LeakyReluOptions"; alpha: number }>,
    Equal<
      Of<"VarHandleOptions">,
      { type: "VarHandleOptions"; container: string | null; sharedName: string | null }
    >,
  ] = [
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
  ];
  assert.equal(shapes.length, 19);
});
