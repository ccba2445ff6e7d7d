/**
 * Builtin options: the `BuiltinOptions` union of an Operator, between FlatBuffer and IR.
 *
 * Union type values are the format's (schema union member index, NONE = 0). Tables tsquant does
 * not model are read as `{ type: "UnknownOptions", unionType }` and refused by the writer.
 */
import * as flatbuffers from "flatbuffers";
import { ModelFormatError, UnsupportedError } from "../errors";
import { ACTIVATIONS, PADDINGS, TENSOR_TYPES } from "../ir";
import type { Activation, BuiltinOptions, BuiltinOptionsType, Padding } from "../ir";
import { BuiltinOperator } from "../ir";
import { AddOptions } from "./generated/tflite/add-options";
import { ConcatenationOptions } from "./generated/tflite/concatenation-options";
import { Conv2DOptions } from "./generated/tflite/conv2doptions";
import { DepthwiseConv2DOptions } from "./generated/tflite/depthwise-conv2doptions";
import { DequantizeOptions } from "./generated/tflite/dequantize-options";
import { FullyConnectedOptions } from "./generated/tflite/fully-connected-options";
import { IfOptions } from "./generated/tflite/if-options";
import { MulOptions } from "./generated/tflite/mul-options";
import type { Operator as FbOperator } from "./generated/tflite/operator";
import { PackOptions } from "./generated/tflite/pack-options";
import { PadOptions } from "./generated/tflite/pad-options";
import { Pool2DOptions } from "./generated/tflite/pool2doptions";
import { QuantizeOptions } from "./generated/tflite/quantize-options";
import { ReducerOptions } from "./generated/tflite/reducer-options";
import { ReshapeOptions } from "./generated/tflite/reshape-options";
import { ShapeOptions } from "./generated/tflite/shape-options";
import { SoftmaxOptions } from "./generated/tflite/softmax-options";
import { StridedSliceOptions } from "./generated/tflite/strided-slice-options";
import { UnidirectionalSequenceLSTMOptions } from "./generated/tflite/unidirectional-sequence-lstmoptions";
import { WhileOptions } from "./generated/tflite/while-options";

type KnownOptionsType = Exclude<BuiltinOptionsType, "UnknownOptions">;

/** `BuiltinOptions` union type value of each options table tsquant models. */
export const OPTIONS_UNION_TYPE: Readonly<Record<KnownOptionsType, number>> = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
  DequantizeOptions: 38,
  QuantizeOptions: 89,
  StridedSliceOptions: 32,
  ShapeOptions: 55,
  PackOptions: 59,
  UnidirectionalSequenceLSTMOptions: 71,
  IfOptions: 92,
  WhileOptions: 93,
};

const TYPE_BY_UNION = new Map<number, KnownOptionsType>(
  Object.entries(OPTIONS_UNION_TYPE).map(([name, value]) => [value, name as KnownOptionsType]),
);

/** Name of a union type value: the modelled table's name, or `BuiltinOptions#<n>`. */
export function optionsTypeName(unionType: number): string {
  return TYPE_BY_UNION.get(unionType) ?? `BuiltinOptions#${unionType}`;
}

/**
 * The options table each supported op carries (`null`: the op takes none). Ops missing from the
 * map (unknown to tsquant) may carry any table.
 */
export const EXPECTED_OPTIONS: ReadonlyMap<number, KnownOptionsType | null> = new Map<
  number,
  KnownOptionsType | null
>([
  [BuiltinOperator.CONV_2D, "Conv2DOptions"],
  [BuiltinOperator.DEPTHWISE_CONV_2D, "DepthwiseConv2DOptions"],
  [BuiltinOperator.FULLY_CONNECTED, "FullyConnectedOptions"],
  [BuiltinOperator.MAX_POOL_2D, "Pool2DOptions"],
  [BuiltinOperator.AVERAGE_POOL_2D, "Pool2DOptions"],
  [BuiltinOperator.RESHAPE, "ReshapeOptions"],
  [BuiltinOperator.SOFTMAX, "SoftmaxOptions"],
  [BuiltinOperator.QUANTIZE, "QuantizeOptions"],
  [BuiltinOperator.DEQUANTIZE, "DequantizeOptions"],
  [BuiltinOperator.ADD, "AddOptions"],
  [BuiltinOperator.MUL, "MulOptions"],
  [BuiltinOperator.CONCATENATION, "ConcatenationOptions"],
  [BuiltinOperator.MEAN, "ReducerOptions"],
  [BuiltinOperator.PAD, "PadOptions"],
  [BuiltinOperator.STRIDED_SLICE, "StridedSliceOptions"],
  [BuiltinOperator.SHAPE, "ShapeOptions"],
  [BuiltinOperator.PACK, "PackOptions"],
  [BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, "UnidirectionalSequenceLSTMOptions"],
  [BuiltinOperator.IF, "IfOptions"],
  [BuiltinOperator.WHILE, "WhileOptions"],
  [BuiltinOperator.LOGISTIC, null],
  [BuiltinOperator.TANH, null],
  [BuiltinOperator.RELU, null],
  [BuiltinOperator.RELU6, null],
]);

function padding(value: number, where: string): Padding {
  const p = PADDINGS[value];
  if (p === undefined) {
    throw new ModelFormatError(`${where}: padding ${value} is not SAME (0) or VALID (1)`);
  }
  return p;
}

function activation(value: number, where: string): Activation {
  const a = ACTIVATIONS[value];
  if (a === undefined) {
    throw new ModelFormatError(
      `${where}: fused_activation_function ${value} is not one of 0..${ACTIVATIONS.length - 1}`,
    );
  }
  return a;
}

function tensorTypeCode(value: number, where: string): number {
  if (value < 0 || value >= TENSOR_TYPES.length) {
    throw new ModelFormatError(`${where}: quantized_bias_type ${value} is not a TensorType`);
  }
  return value;
}

/**
 * Reads the options of a verified operator. `where` names the operator for error messages.
 * Returns `null` when the union is NONE.
 */
export function readOptions(op: FbOperator, where: string): BuiltinOptions | null {
  const unionType = op.builtinOptionsType();
  if (unionType === 0) return null;
  const known = TYPE_BY_UNION.get(unionType);
  if (known === undefined) return { type: "UnknownOptions", unionType };
  const at = `${where} ${known}`;
  switch (known) {
    case "Conv2DOptions": {
      const o: Conv2DOptions = op.builtinOptions(new Conv2DOptions());
      return {
        type: known,
        padding: padding(o.padding(), at),
        strideW: o.strideW(),
        strideH: o.strideH(),
        fusedActivationFunction: activation(o.fusedActivationFunction(), at),
        dilationWFactor: o.dilationWFactor(),
        dilationHFactor: o.dilationHFactor(),
        quantizedBiasType: tensorTypeCode(o.quantizedBiasType(), at),
      };
    }
    case "DepthwiseConv2DOptions": {
      const o: DepthwiseConv2DOptions = op.builtinOptions(new DepthwiseConv2DOptions());
      return {
        type: known,
        padding: padding(o.padding(), at),
        strideW: o.strideW(),
        strideH: o.strideH(),
        depthMultiplier: o.depthMultiplier(),
        fusedActivationFunction: activation(o.fusedActivationFunction(), at),
        dilationWFactor: o.dilationWFactor(),
        dilationHFactor: o.dilationHFactor(),
      };
    }
    case "FullyConnectedOptions": {
      const o: FullyConnectedOptions = op.builtinOptions(new FullyConnectedOptions());
      const weightsFormat = o.weightsFormat();
      if (weightsFormat !== 0 && weightsFormat !== 1) {
        throw new ModelFormatError(
          `${at}: weights_format ${weightsFormat} is not DEFAULT (0) or SHUFFLED4x16INT8 (1)`,
        );
      }
      return {
        type: known,
        fusedActivationFunction: activation(o.fusedActivationFunction(), at),
        weightsFormat,
        keepNumDims: o.keepNumDims(),
        asymmetricQuantizeInputs: o.asymmetricQuantizeInputs(),
        quantizedBiasType: tensorTypeCode(o.quantizedBiasType(), at),
      };
    }
    case "Pool2DOptions": {
      const o: Pool2DOptions = op.builtinOptions(new Pool2DOptions());
      return {
        type: known,
        padding: padding(o.padding(), at),
        strideW: o.strideW(),
        strideH: o.strideH(),
        filterWidth: o.filterWidth(),
        filterHeight: o.filterHeight(),
        fusedActivationFunction: activation(o.fusedActivationFunction(), at),
      };
    }
    case "AddOptions": {
      const o: AddOptions = op.builtinOptions(new AddOptions());
      return {
        type: known,
        fusedActivationFunction: activation(o.fusedActivationFunction(), at),
        potScaleInt16: o.potScaleInt16(),
      };
    }
    case "MulOptions": {
      const o: MulOptions = op.builtinOptions(new MulOptions());
      return { type: known, fusedActivationFunction: activation(o.fusedActivationFunction(), at) };
    }
    case "ConcatenationOptions": {
      const o: ConcatenationOptions = op.builtinOptions(new ConcatenationOptions());
      return {
        type: known,
        axis: o.axis(),
        fusedActivationFunction: activation(o.fusedActivationFunction(), at),
      };
    }
    case "ReshapeOptions": {
      const o: ReshapeOptions = op.builtinOptions(new ReshapeOptions());
      // Absent `new_shape` stays null so that the file is rewritten without it.
      if (!hasNewShape(o)) return { type: known, newShape: null };
      const n = o.newShapeLength();
      const newShape: number[] = [];
      for (let i = 0; i < n; i++) newShape.push(o.newShape(i) ?? 0);
      return { type: known, newShape };
    }
    case "SoftmaxOptions": {
      const o: SoftmaxOptions = op.builtinOptions(new SoftmaxOptions());
      return { type: known, beta: o.beta() };
    }
    case "ReducerOptions": {
      const o: ReducerOptions = op.builtinOptions(new ReducerOptions());
      return { type: known, keepDims: o.keepDims() };
    }
    case "PadOptions":
    case "QuantizeOptions":
    case "DequantizeOptions":
      return { type: known };
    case "StridedSliceOptions": {
      // The generated bindings of these three tables are field-less (kernel/schema/tflite.fbs
      // trims them), so their scalar slots are read directly.
      const o = op.builtinOptions(new StridedSliceOptions());
      return {
        type: known,
        beginMask: slotInt32(o, 0),
        endMask: slotInt32(o, 1),
        ellipsisMask: slotInt32(o, 2),
        newAxisMask: slotInt32(o, 3),
        shrinkAxisMask: slotInt32(o, 4),
        offset: slotUint8(o, 5) !== 0,
      };
    }
    case "ShapeOptions": {
      const o = op.builtinOptions(new ShapeOptions());
      const code = slotUint8(o, 0);
      const outType = TENSOR_TYPES[code];
      if (outType === undefined) {
        throw new ModelFormatError(`${at}: out_type ${code} is not a TensorType`);
      }
      return { type: known, outType };
    }
    case "PackOptions": {
      const o = op.builtinOptions(new PackOptions());
      return { type: known, valuesCount: slotInt32(o, 0), axis: slotInt32(o, 1) };
    }
    case "UnidirectionalSequenceLSTMOptions": {
      const o = op.builtinOptions(new UnidirectionalSequenceLSTMOptions());
      return {
        type: known,
        fusedActivationFunction: activation(slotInt8(o, 0), at),
        cellClip: slotFloat32(o, 1),
        projClip: slotFloat32(o, 2),
        timeMajor: slotUint8(o, 3) !== 0,
        asymmetricQuantizeInputs: slotUint8(o, 4) !== 0,
        diagonalRecurrentTensors: slotUint8(o, 5) !== 0,
      };
    }
    case "IfOptions": {
      const o = op.builtinOptions(new IfOptions());
      return {
        type: known,
        thenSubgraphIndex: slotInt32(o, 0),
        elseSubgraphIndex: slotInt32(o, 1),
      };
    }
    case "WhileOptions": {
      const o = op.builtinOptions(new WhileOptions());
      return {
        type: known,
        condSubgraphIndex: slotInt32(o, 0),
        bodySubgraphIndex: slotInt32(o, 1),
      };
    }
    default:
      return known satisfies never;
  }
}

/** A table read through bindings that do not declare its fields. */
interface RawTable {
  bb: flatbuffers.ByteBuffer | null;
  bb_pos: number;
}

/** int32 scalar in vtable slot `slot` (default 0 when absent). */
function slotInt32(t: RawTable, slot: number): number {
  const bb = t.bb;
  if (bb === null) return 0;
  const off = bb.__offset(t.bb_pos, 4 + 2 * slot);
  return off === 0 ? 0 : bb.readInt32(t.bb_pos + off);
}

/** int8 scalar (an enum such as ActivationFunctionType) in vtable slot `slot` (default 0). */
function slotInt8(t: RawTable, slot: number): number {
  const bb = t.bb;
  if (bb === null) return 0;
  const off = bb.__offset(t.bb_pos, 4 + 2 * slot);
  return off === 0 ? 0 : bb.readInt8(t.bb_pos + off);
}

/** float32 scalar in vtable slot `slot` (default 0 when absent). */
function slotFloat32(t: RawTable, slot: number): number {
  const bb = t.bb;
  if (bb === null) return 0;
  const off = bb.__offset(t.bb_pos, 4 + 2 * slot);
  return off === 0 ? 0 : bb.readFloat32(t.bb_pos + off);
}

/** uint8 / bool scalar in vtable slot `slot` (default 0 when absent). */
function slotUint8(t: RawTable, slot: number): number {
  const bb = t.bb;
  if (bb === null) return 0;
  const off = bb.__offset(t.bb_pos, 4 + 2 * slot);
  return off === 0 ? 0 : bb.readUint8(t.bb_pos + off);
}

/** Whether a ReshapeOptions table has its `new_shape` field (slot 0) at all. */
function hasNewShape(o: ReshapeOptions): boolean {
  const bb = o.bb;
  return bb !== null && bb.__offset(o.bb_pos, 4) !== 0;
}

/**
 * Writes an options table (children first, then the table with fields in schema order — the
 * order TF's Python object API packs them) and returns `[unionType, offset]`.
 */
export function writeOptions(
  builder: flatbuffers.Builder,
  options: BuiltinOptions,
  where: string,
): [number, flatbuffers.Offset] {
  const act = (a: Activation): number => ACTIVATIONS.indexOf(a);
  const pad = (p: Padding): number => PADDINGS.indexOf(p);
  switch (options.type) {
    case "Conv2DOptions":
      return [
        OPTIONS_UNION_TYPE.Conv2DOptions,
        Conv2DOptions.createConv2DOptions(
          builder,
          pad(options.padding),
          options.strideW,
          options.strideH,
          act(options.fusedActivationFunction),
          options.dilationWFactor,
          options.dilationHFactor,
          options.quantizedBiasType,
        ),
      ];
    case "DepthwiseConv2DOptions":
      return [
        OPTIONS_UNION_TYPE.DepthwiseConv2DOptions,
        DepthwiseConv2DOptions.createDepthwiseConv2DOptions(
          builder,
          pad(options.padding),
          options.strideW,
          options.strideH,
          options.depthMultiplier,
          act(options.fusedActivationFunction),
          options.dilationWFactor,
          options.dilationHFactor,
        ),
      ];
    case "FullyConnectedOptions":
      return [
        OPTIONS_UNION_TYPE.FullyConnectedOptions,
        FullyConnectedOptions.createFullyConnectedOptions(
          builder,
          act(options.fusedActivationFunction),
          options.weightsFormat,
          options.keepNumDims,
          options.asymmetricQuantizeInputs,
          options.quantizedBiasType,
        ),
      ];
    case "Pool2DOptions":
      return [
        OPTIONS_UNION_TYPE.Pool2DOptions,
        Pool2DOptions.createPool2DOptions(
          builder,
          pad(options.padding),
          options.strideW,
          options.strideH,
          options.filterWidth,
          options.filterHeight,
          act(options.fusedActivationFunction),
        ),
      ];
    case "AddOptions":
      return [
        OPTIONS_UNION_TYPE.AddOptions,
        AddOptions.createAddOptions(
          builder,
          act(options.fusedActivationFunction),
          options.potScaleInt16,
        ),
      ];
    case "MulOptions":
      return [
        OPTIONS_UNION_TYPE.MulOptions,
        MulOptions.createMulOptions(builder, act(options.fusedActivationFunction)),
      ];
    case "ConcatenationOptions":
      return [
        OPTIONS_UNION_TYPE.ConcatenationOptions,
        ConcatenationOptions.createConcatenationOptions(
          builder,
          options.axis,
          act(options.fusedActivationFunction),
        ),
      ];
    case "ReshapeOptions": {
      const newShape =
        options.newShape === null
          ? 0
          : ReshapeOptions.createNewShapeVector(builder, options.newShape);
      return [
        OPTIONS_UNION_TYPE.ReshapeOptions,
        ReshapeOptions.createReshapeOptions(builder, newShape),
      ];
    }
    case "SoftmaxOptions":
      return [
        OPTIONS_UNION_TYPE.SoftmaxOptions,
        SoftmaxOptions.createSoftmaxOptions(builder, options.beta),
      ];
    case "ReducerOptions":
      return [
        OPTIONS_UNION_TYPE.ReducerOptions,
        ReducerOptions.createReducerOptions(builder, options.keepDims),
      ];
    case "PadOptions":
      return [OPTIONS_UNION_TYPE.PadOptions, PadOptions.createPadOptions(builder)];
    case "QuantizeOptions":
      return [OPTIONS_UNION_TYPE.QuantizeOptions, QuantizeOptions.createQuantizeOptions(builder)];
    case "DequantizeOptions":
      return [
        OPTIONS_UNION_TYPE.DequantizeOptions,
        DequantizeOptions.createDequantizeOptions(builder),
      ];
    case "StridedSliceOptions": {
      // Defaults (0, false) are omitted, as flatbuffers builders do.
      builder.startObject(6);
      builder.addFieldInt32(0, options.beginMask, 0);
      builder.addFieldInt32(1, options.endMask, 0);
      builder.addFieldInt32(2, options.ellipsisMask, 0);
      builder.addFieldInt32(3, options.newAxisMask, 0);
      builder.addFieldInt32(4, options.shrinkAxisMask, 0);
      builder.addFieldInt8(5, options.offset ? 1 : 0, 0);
      return [OPTIONS_UNION_TYPE.StridedSliceOptions, builder.endObject()];
    }
    case "ShapeOptions":
      builder.startObject(1);
      builder.addFieldInt8(0, TENSOR_TYPES.indexOf(options.outType), 0);
      return [OPTIONS_UNION_TYPE.ShapeOptions, builder.endObject()];
    case "PackOptions":
      builder.startObject(2);
      builder.addFieldInt32(0, options.valuesCount, 0);
      builder.addFieldInt32(1, options.axis, 0);
      return [OPTIONS_UNION_TYPE.PackOptions, builder.endObject()];
    case "UnidirectionalSequenceLSTMOptions":
      builder.startObject(6);
      builder.addFieldInt8(0, act(options.fusedActivationFunction), 0);
      builder.addFieldFloat32(1, options.cellClip, 0);
      builder.addFieldFloat32(2, options.projClip, 0);
      builder.addFieldInt8(3, options.timeMajor ? 1 : 0, 0);
      builder.addFieldInt8(4, options.asymmetricQuantizeInputs ? 1 : 0, 0);
      builder.addFieldInt8(5, options.diagonalRecurrentTensors ? 1 : 0, 0);
      return [OPTIONS_UNION_TYPE.UnidirectionalSequenceLSTMOptions, builder.endObject()];
    case "IfOptions":
      builder.startObject(2);
      builder.addFieldInt32(0, options.thenSubgraphIndex, 0);
      builder.addFieldInt32(1, options.elseSubgraphIndex, 0);
      return [OPTIONS_UNION_TYPE.IfOptions, builder.endObject()];
    case "WhileOptions":
      builder.startObject(2);
      builder.addFieldInt32(0, options.condSubgraphIndex, 0);
      builder.addFieldInt32(1, options.bodySubgraphIndex, 0);
      return [OPTIONS_UNION_TYPE.WhileOptions, builder.endObject()];
    case "UnknownOptions":
      throw new UnsupportedError(
        `${where}: cannot write options table ${optionsTypeName(options.unionType)} (union type ${options.unionType}): tsquant does not model its fields`,
      );
    default:
      return options satisfies never;
  }
}
