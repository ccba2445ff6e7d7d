/**
 * Builtin options: the `builtin_options` and `builtin_options_2` unions of an Operator, between
 * FlatBuffer and IR. One generic reader and one generic writer walk the table descriptions of
 * options-schema.ts; no table has code of its own.
 *
 * Union type values are the format's (schema union member index, NONE = 0). A union value newer
 * than the schema tsquant knows reads as `{ type: "UnknownOptions", unionType }` and is refused
 * by the writer.
 */
import * as flatbuffers from "flatbuffers";
import { ModelFormatError, UnsupportedError } from "../errors";
import { ACTIVATIONS, BuiltinOperator, PADDINGS, TENSOR_TYPES } from "../ir";
import type {
  Activation,
  BuiltinOptions,
  BuiltinOptions2,
  BuiltinOptions2Type,
  BuiltinOptionsType,
  DType,
  Padding,
} from "../ir";
import { BUILTIN_OPTIONS_2_TABLES, BUILTIN_OPTIONS_TABLES } from "./options-schema";
import type { FieldKind, FieldSpec, OptionsTableSpec, ScalarKind } from "./options-schema";

export type KnownOptionsType = Exclude<BuiltinOptionsType, "UnknownOptions">;
export type KnownOptions2Type = Exclude<BuiltinOptions2Type, "UnknownOptions">;

/** Which of the operator's two options unions a table belongs to. */
export type OptionsUnion = "builtin_options" | "builtin_options_2";

interface UnionSpec {
  union: OptionsUnion;
  tables: Readonly<Partial<Record<string, OptionsTableSpec>>>;
  byValue: ReadonlyMap<number, string>;
}

function unionSpec(union: OptionsUnion, tables: Record<string, OptionsTableSpec>): UnionSpec {
  return {
    union,
    tables,
    byValue: new Map(Object.entries(tables).map(([name, t]) => [t.union, name])),
  };
}

const UNION_1 = unionSpec("builtin_options", BUILTIN_OPTIONS_TABLES);
const UNION_2 = unionSpec("builtin_options_2", BUILTIN_OPTIONS_2_TABLES);

/** `builtin_options` union type value of each options table. */
export const OPTIONS_UNION_TYPE: Readonly<Record<KnownOptionsType, number>> = Object.fromEntries(
  Object.entries(BUILTIN_OPTIONS_TABLES).map(([name, t]) => [name, t.union]),
) as Record<KnownOptionsType, number>;

/** `builtin_options_2` union type value of each options table. */
export const OPTIONS_2_UNION_TYPE: Readonly<Record<KnownOptions2Type, number>> = Object.fromEntries(
  Object.entries(BUILTIN_OPTIONS_2_TABLES).map(([name, t]) => [name, t.union]),
) as Record<KnownOptions2Type, number>;

/** Name of a `builtin_options` union type value: the table's name, or `BuiltinOptions#<n>`. */
export function optionsTypeName(unionType: number): string {
  return UNION_1.byValue.get(unionType) ?? `BuiltinOptions#${unionType}`;
}

/** Name of a `builtin_options_2` union type value: the table's name, or `BuiltinOptions2#<n>`. */
export function options2TypeName(unionType: number): string {
  return UNION_2.byValue.get(unionType) ?? `BuiltinOptions2#${unionType}`;
}

/** The description of a `builtin_options` table (throws on an unknown name). */
export function optionsTableSpec(type: KnownOptionsType | KnownOptions2Type): OptionsTableSpec {
  const spec = UNION_1.tables[type] ?? UNION_2.tables[type];
  if (spec === undefined) throw new UnsupportedError(`no options table named ${type}`);
  return spec;
}

function expectedTables(u: UnionSpec): ReadonlyMap<number, string | null> {
  const byOp = new Map<number, string | null>();
  for (const [name, code] of Object.entries(BuiltinOperator)) {
    if (name !== "CUSTOM" && name !== "PLACEHOLDER_FOR_GREATER_OP_CODES") byOp.set(code, null);
  }
  for (const [table, spec] of Object.entries(u.tables)) {
    for (const op of spec?.ops ?? []) {
      const code = (BuiltinOperator as Readonly<Record<string, number>>)[op];
      if (code === undefined) throw new Error(`options-schema: ${table} names unknown op ${op}`);
      byOp.set(code, table);
    }
  }
  return byOp;
}

/**
 * The `builtin_options` table each builtin op carries (`null`: the op takes none). Every op of
 * the schema is listed; a code newer than the schema may carry any table.
 */
export const EXPECTED_OPTIONS = expectedTables(UNION_1) as ReadonlyMap<
  number,
  KnownOptionsType | null
>;

/** The `builtin_options_2` table each builtin op carries (`null`: none), for every op. */
export const EXPECTED_OPTIONS_2 = expectedTables(UNION_2) as ReadonlyMap<
  number,
  KnownOptions2Type | null
>;

/** Byte size of a scalar kind in a table or vector. */
export function scalarSize(kind: ScalarKind): 1 | 2 | 4 | 8 {
  switch (kind) {
    case "bool":
    case "int8":
    case "uint8":
    case "activation":
    case "padding":
    case "dtype":
      return 1;
    case "int16":
    case "uint16":
      return 2;
    case "int32":
    case "uint32":
    case "float32":
      return 4;
    case "int64":
      return 8;
    default:
      return kind satisfies never;
  }
}

/** The element kind of a vector kind, or `null` for scalars and strings. */
export function vectorElement(kind: FieldKind): ScalarKind | null {
  switch (kind) {
    case "[bool]":
      return "bool";
    case "[uint8]":
      return "uint8";
    case "[int32]":
      return "int32";
    case "[uint32]":
      return "uint32";
    case "[int64]":
      return "int64";
    case "[float32]":
      return "float32";
    default:
      return null;
  }
}

/** Schema (snake_case) name of a field, for messages. */
export function schemaFieldName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function readScalar(bb: flatbuffers.ByteBuffer, at: number, kind: ScalarKind): number {
  switch (kind) {
    case "bool":
    case "uint8":
    case "activation":
    case "padding":
    case "dtype":
      return bb.readUint8(at);
    case "int8":
      return bb.readInt8(at);
    case "int16":
      return bb.readInt16(at);
    case "uint16":
      return bb.readUint16(at);
    case "int32":
      return bb.readInt32(at);
    case "uint32":
      return bb.readUint32(at);
    case "float32":
      return bb.readFloat32(at);
    case "int64":
      return Number(bb.readInt64(at));
    default:
      return kind satisfies never;
  }
}

/** The IR value of a scalar as stored (already range-checked for enums). */
function scalarValue(
  raw: number,
  kind: ScalarKind,
  field: string,
  where: string,
): number | boolean | Activation | Padding | DType {
  switch (kind) {
    case "bool":
      return raw !== 0;
    case "activation": {
      const a = ACTIVATIONS[raw];
      if (a === undefined) {
        throw new ModelFormatError(
          `${where}: ${field} ${raw} is not one of 0..${ACTIVATIONS.length - 1} (ActivationFunctionType)`,
        );
      }
      return a;
    }
    case "padding": {
      const p = PADDINGS[raw];
      if (p === undefined) {
        throw new ModelFormatError(`${where}: ${field} ${raw} is not SAME (0) or VALID (1)`);
      }
      return p;
    }
    case "dtype": {
      const t = TENSOR_TYPES[raw];
      if (t === undefined) {
        throw new ModelFormatError(
          `${where}: ${field} ${raw} is not a TensorType (0..${TENSOR_TYPES.length - 1})`,
        );
      }
      return t;
    }
    case "int64":
      if (!Number.isSafeInteger(raw)) {
        throw new UnsupportedError(
          `${where}: ${field} ${raw} does not fit a JavaScript number exactly (int64 beyond ±2^53)`,
        );
      }
      return raw;
    case "int8":
    case "uint8":
    case "int16":
    case "uint16":
    case "int32":
    case "uint32":
    case "float32":
      return raw;
    default:
      return kind satisfies never;
  }
}

function defaultOf(f: FieldSpec): number {
  return f[2] ?? 0;
}

function isOptionalField(f: FieldSpec): boolean {
  return f[3] === "optional";
}

/** Reads the table at `pos` by its description. Absent scalars take their default. */
function readTable(
  bb: flatbuffers.ByteBuffer,
  pos: number,
  type: string,
  spec: OptionsTableSpec,
  where: string,
): Record<string, unknown> {
  const at = `${where} ${type}`;
  const out: Record<string, unknown> = { type };
  spec.fields.forEach((f, slot) => {
    if (f === null) return;
    const [name, kind] = f;
    const field = schemaFieldName(name);
    const off = bb.__offset(pos, 4 + 2 * slot);
    if (off === 0 && isOptionalField(f)) return;
    if (kind === "string") {
      const s = off === 0 ? null : bb.__string(pos + off);
      out[name] = typeof s === "string" ? s : null;
      return;
    }
    const elem = vectorElement(kind);
    if (elem !== null) {
      if (off === 0) {
        out[name] = null;
        return;
      }
      const start = bb.__vector(pos + off);
      const n = bb.__vector_len(pos + off);
      const size = scalarSize(elem);
      const values: number[] = [];
      for (let i = 0; i < n; i++) {
        const v = scalarValue(readScalar(bb, start + i * size, elem), elem, field, at);
        values.push(typeof v === "boolean" ? (v ? 1 : 0) : (v as number));
      }
      out[name] = values;
      return;
    }
    const scalar = kind as ScalarKind;
    const raw = off === 0 ? defaultOf(f) : readScalar(bb, pos + off, scalar);
    out[name] = scalarValue(raw, scalar, field, at);
  });
  return out;
}

/** Position of the table a union field (at vtable `slot` of the table at `pos`) points to. */
function unionTable(bb: flatbuffers.ByteBuffer, pos: number, slot: number): number | null {
  const off = bb.__offset(pos, 4 + 2 * slot);
  if (off === 0) return null;
  return pos + off + bb.readInt32(pos + off);
}

/** The minimal view of a generated table accessor the readers need. */
export interface TableView {
  bb: flatbuffers.ByteBuffer | null;
  bb_pos: number;
}

/** Operator vtable slots of the two unions (type byte, then value). */
const OPERATOR_SLOTS = {
  builtin_options: { type: 3, value: 4 },
  builtin_options_2: { type: 11, value: 12 },
} as const;

function readUnion(op: TableView, u: UnionSpec, where: string): Record<string, unknown> | null {
  const bb = op.bb;
  if (bb === null) return null;
  const slots = OPERATOR_SLOTS[u.union];
  const typeOff = bb.__offset(op.bb_pos, 4 + 2 * slots.type);
  const unionType = typeOff === 0 ? 0 : bb.readUint8(op.bb_pos + typeOff);
  if (unionType === 0) return null;
  const name = u.byValue.get(unionType);
  if (name === undefined) return { type: "UnknownOptions", unionType };
  const spec = u.tables[name];
  const pos = unionTable(bb, op.bb_pos, slots.value);
  if (spec === undefined || pos === null) {
    throw new ModelFormatError(`${where}: ${u.union} says ${name} but holds no table`);
  }
  return readTable(bb, pos, name, spec, where);
}

/**
 * Reads the `builtin_options` of a verified operator. `where` names the operator for error
 * messages. Returns `null` when the union is NONE.
 */
export function readOptions(op: TableView, where: string): BuiltinOptions | null {
  // The record is built field by field from the same description the type is derived from.
  return readUnion(op, UNION_1, where) as BuiltinOptions | null;
}

/** Reads the `builtin_options_2` of a verified operator (`null` when NONE). */
export function readOptions2(op: TableView, where: string): BuiltinOptions2 | null {
  return readUnion(op, UNION_2, where) as BuiltinOptions2 | null;
}

function scalarCode(value: unknown, kind: ScalarKind, field: string, where: string): number {
  switch (kind) {
    case "bool":
      if (typeof value !== "boolean") break;
      return value ? 1 : 0;
    case "activation": {
      const i = ACTIVATIONS.indexOf(value as Activation);
      if (i < 0) break;
      return i;
    }
    case "padding": {
      const i = PADDINGS.indexOf(value as Padding);
      if (i < 0) break;
      return i;
    }
    case "dtype": {
      const i = TENSOR_TYPES.indexOf(value as DType);
      if (i < 0) break;
      return i;
    }
    case "int8":
    case "uint8":
    case "int16":
    case "uint16":
    case "int32":
    case "uint32":
    case "int64":
    case "float32":
      if (typeof value !== "number") break;
      return value;
    default:
      return kind satisfies never;
  }
  throw new ModelFormatError(`${where}: ${field} = ${String(value)} is not a valid ${kind}`);
}

function addScalar(b: flatbuffers.Builder, slot: number, kind: ScalarKind, v: number, d: number) {
  switch (scalarSize(kind)) {
    case 1:
      b.addFieldInt8(slot, v, d);
      return;
    case 2:
      b.addFieldInt16(slot, v, d);
      return;
    case 4:
      if (kind === "float32") b.addFieldFloat32(slot, v, d);
      else b.addFieldInt32(slot, v, d);
      return;
    case 8:
      b.addFieldInt64(slot, BigInt(v), BigInt(d));
      return;
  }
}

function addElement(b: flatbuffers.Builder, kind: ScalarKind, v: number): void {
  switch (kind) {
    case "float32":
      b.addFloat32(v);
      return;
    case "int64":
      b.addInt64(BigInt(v));
      return;
    default:
      switch (scalarSize(kind)) {
        case 1:
          b.addInt8(v);
          return;
        case 2:
          b.addInt16(v);
          return;
        default:
          b.addInt32(v);
          return;
      }
  }
}

/**
 * Writes a table by its description the way TF's Python object API packs it: strings and
 * vectors first, in field order, then the table with its fields added in field order, scalars
 * equal to their default skipped.
 */
function writeTable(
  b: flatbuffers.Builder,
  options: Readonly<Record<string, unknown>>,
  spec: OptionsTableSpec,
  where: string,
): flatbuffers.Offset {
  const at = `${where} ${String(options.type)}`;
  const children = spec.fields.map((f): number => {
    if (f === null) return 0;
    const [name, kind] = f;
    const value = options[name];
    if (value === null || value === undefined) return 0;
    if (kind === "string") {
      if (typeof value !== "string") {
        throw new ModelFormatError(`${at}: ${schemaFieldName(name)} is not a string`);
      }
      return b.createString(value);
    }
    const elem = vectorElement(kind);
    if (elem === null) return 0;
    if (!Array.isArray(value)) {
      throw new ModelFormatError(`${at}: ${schemaFieldName(name)} is not an array of numbers`);
    }
    const size = scalarSize(elem);
    b.startVector(size, value.length, size);
    for (let i = value.length - 1; i >= 0; i--) {
      const v: unknown = value[i];
      if (typeof v !== "number") {
        throw new ModelFormatError(`${at}: ${schemaFieldName(name)}[${i}] is not a number`);
      }
      addElement(b, elem, v);
    }
    return b.endVector();
  });
  b.startObject(spec.fields.length);
  spec.fields.forEach((f, slot) => {
    if (f === null) return;
    const [name, kind] = f;
    const child = children[slot] ?? 0;
    if (kind === "string" || vectorElement(kind) !== null) {
      if (child !== 0) b.addFieldOffset(slot, child, 0);
      return;
    }
    const value = options[name];
    if (value === undefined && isOptionalField(f)) return;
    const scalar = kind as ScalarKind;
    addScalar(b, slot, scalar, scalarCode(value, scalar, schemaFieldName(name), at), defaultOf(f));
  });
  return b.endObject();
}

function writeUnion(
  b: flatbuffers.Builder,
  options: BuiltinOptions | BuiltinOptions2,
  u: UnionSpec,
  where: string,
): [number, flatbuffers.Offset] {
  if (options.type === "UnknownOptions") {
    const name =
      u === UNION_1 ? optionsTypeName(options.unionType) : options2TypeName(options.unionType);
    throw new UnsupportedError(
      `${where}: cannot write ${u.union} table ${name} (union type ${options.unionType}): it is newer than the schema tsquant knows`,
    );
  }
  const spec = u.tables[options.type];
  if (spec === undefined) {
    throw new ModelFormatError(`${where}: ${options.type} is not a member of ${u.union}`);
  }
  return [spec.union, writeTable(b, options as Readonly<Record<string, unknown>>, spec, where)];
}

/** Writes a `builtin_options` table and returns `[unionType, offset]`. */
export function writeOptions(
  builder: flatbuffers.Builder,
  options: BuiltinOptions,
  where: string,
): [number, flatbuffers.Offset] {
  return writeUnion(builder, options, UNION_1, where);
}

/** Writes a `builtin_options_2` table and returns `[unionType, offset]`. */
export function writeOptions2(
  builder: flatbuffers.Builder,
  options: BuiltinOptions2,
  where: string,
): [number, flatbuffers.Offset] {
  return writeUnion(builder, options, UNION_2, where);
}
