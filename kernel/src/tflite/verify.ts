/**
 * Structural verification of a .tflite FlatBuffer before any generated accessor touches it.
 *
 * flatbuffers-js does no bounds checks: an offset past the end reads as 0, and a vector that
 * claims 2^31 elements makes a reader loop (or allocate) for ever. This module walks every
 * table, vector and string the reader will later access, the way the C++ `Verifier` does, and
 * proves that each lies inside the byte array. After `verifyModelBuffer` succeeds, every access
 * the reader makes through the generated bindings stays in bounds.
 *
 * Each table kind is described once by its vtable slots (slot i is at vtable offset 4 + 2i);
 * only the fields tsquant reads (or must see to refuse) are listed.
 */
import { ModelFormatError } from "../errors";
import { scalarSize, vectorElement } from "./options";
import { BUILTIN_OPTIONS_2_TABLES, BUILTIN_OPTIONS_TABLES } from "./options-schema";
import type { OptionsTableSpec, ScalarKind } from "./options-schema";

type Field =
  | { kind: "scalar"; size: 1 | 2 | 4 | 8 }
  | { kind: "string" }
  | { kind: "vector"; elemSize: 1 | 2 | 4 | 8 }
  | { kind: "table"; spec: TableSpec }
  | { kind: "tables"; spec: TableSpec }
  /** Union value; `typeSlot` holds its type byte, `specOf` maps a type to a table spec. */
  | { kind: "union"; typeSlot: number; specOf: (type: number) => TableSpec };

export interface TableSpec {
  name: string;
  /** Field name and kind by vtable slot. */
  fields: ReadonlyMap<number, { name: string; field: Field }>;
}

const u8: Field = { kind: "scalar", size: 1 };
const i32: Field = { kind: "scalar", size: 4 };
const i64: Field = { kind: "scalar", size: 8 };
const str: Field = { kind: "string" };
const vec = (elemSize: 1 | 2 | 4 | 8): Field => ({ kind: "vector", elemSize });
const table = (spec: TableSpec): Field => ({ kind: "table", spec });
const tables = (spec: TableSpec): Field => ({ kind: "tables", spec });

function spec(name: string, fields: [number, string, Field][]): TableSpec {
  return {
    name,
    fields: new Map(fields.map(([slot, fieldName, field]) => [slot, { name: fieldName, field }])),
  };
}

/** A table whose fields tsquant never reads: only its header and vtable are checked. */
export function opaqueSpec(name: string): TableSpec {
  return spec(name, []);
}

/** CustomQuantization (1) and BlockwiseQuantization (2); other members are only framed. */
function detailsSpec(type: number): TableSpec {
  if (type === 1) return spec("CustomQuantization", [[0, "custom", vec(1)]]);
  if (type === 2) {
    return spec("BlockwiseQuantization", [
      [0, "scales", i32],
      [1, "zero_points", i32],
      [2, "block_size", i32],
      [3, "block_shape", vec(4)],
    ]);
  }
  return opaqueSpec(`QuantizationDetails(${type})`);
}

const QUANTIZATION = spec("QuantizationParameters", [
  [0, "min", vec(4)],
  [1, "max", vec(4)],
  [2, "scale", vec(4)],
  [3, "zero_point", vec(8)],
  [4, "details_type", u8],
  [5, "details", { kind: "union", typeSlot: 4, specOf: detailsSpec }],
  [6, "quantized_dimension", i32],
]);

/** SparseIndexVector members (Int32Vector, Uint16Vector, Uint8Vector): one `values` vector. */
function indexVectorSpec(type: number): TableSpec {
  const size = ([4, 2, 1] as const)[type - 1];
  return size === undefined
    ? opaqueSpec(`SparseIndexVector(${type})`)
    : spec("SparseIndexVector", [[0, "values", vec(size)]]);
}

const DIMENSION_METADATA = spec("DimensionMetadata", [
  [0, "format", u8],
  [1, "dense_size", i32],
  [2, "array_segments_type", u8],
  [3, "array_segments", { kind: "union", typeSlot: 2, specOf: indexVectorSpec }],
  [4, "array_indices_type", u8],
  [5, "array_indices", { kind: "union", typeSlot: 4, specOf: indexVectorSpec }],
]);

const SPARSITY = spec("SparsityParameters", [
  [0, "traversal_order", vec(4)],
  [1, "block_map", vec(4)],
  [2, "dim_metadata", tables(DIMENSION_METADATA)],
]);

const VARIANT_SUB_TYPE = spec("VariantSubType", [
  [0, "shape", vec(4)],
  [1, "type", u8],
  [2, "has_rank", u8],
]);

const TENSOR = spec("Tensor", [
  [0, "shape", vec(4)],
  [1, "type", u8],
  [2, "buffer", i32],
  [3, "name", str],
  [4, "quantization", table(QUANTIZATION)],
  [5, "is_variable", u8],
  [6, "sparsity", table(SPARSITY)],
  [7, "shape_signature", vec(4)],
  [8, "has_rank", u8],
  [9, "variant_tensors", tables(VARIANT_SUB_TYPE)],
  [10, "external_buffer", i32],
]);

/** The verifier's view of an options table, from its description (options-schema.ts). */
function describedSpec(name: string, table: OptionsTableSpec): TableSpec {
  const fields: [number, string, Field][] = [];
  table.fields.forEach((f, slot) => {
    if (f === null) return;
    const [fieldName, kind] = f;
    const elem = vectorElement(kind);
    const field: Field =
      kind === "string"
        ? str
        : elem !== null
          ? vec(scalarSize(elem))
          : { kind: "scalar", size: scalarSize(kind as ScalarKind) };
    fields.push([slot, fieldName, field]);
  });
  return spec(name, fields);
}

function unionSpecs(tablesByName: Readonly<Record<string, OptionsTableSpec>>) {
  const byValue = new Map<number, TableSpec>();
  for (const [name, t] of Object.entries(tablesByName))
    byValue.set(t.union, describedSpec(name, t));
  return (type: number): TableSpec => byValue.get(type) ?? opaqueSpec(`options union type ${type}`);
}

const optionsSpec = unionSpecs(BUILTIN_OPTIONS_TABLES);
const options2Spec = unionSpecs(BUILTIN_OPTIONS_2_TABLES);

const OPERATOR = spec("Operator", [
  [0, "opcode_index", i32],
  [1, "inputs", vec(4)],
  [2, "outputs", vec(4)],
  [3, "builtin_options_type", u8],
  [4, "builtin_options", { kind: "union", typeSlot: 3, specOf: optionsSpec }],
  [5, "custom_options", vec(1)],
  [6, "custom_options_format", u8],
  [7, "mutating_variable_inputs", vec(1)],
  [8, "intermediates", vec(4)],
  [9, "large_custom_options_offset", i64],
  [10, "large_custom_options_size", i64],
  [11, "builtin_options_2_type", u8],
  [12, "builtin_options_2", { kind: "union", typeSlot: 11, specOf: options2Spec }],
  [13, "debug_metadata_index", i32],
]);

const SUBGRAPH = spec("SubGraph", [
  [0, "tensors", tables(TENSOR)],
  [1, "inputs", vec(4)],
  [2, "outputs", vec(4)],
  [3, "operators", tables(OPERATOR)],
  [4, "name", str],
  [5, "debug_metadata_index", i32],
]);

const OPERATOR_CODE = spec("OperatorCode", [
  [0, "deprecated_builtin_code", u8],
  [1, "custom_code", str],
  [2, "version", i32],
  [3, "builtin_code", i32],
]);

const BUFFER = spec("Buffer", [
  [0, "data", vec(1)],
  [1, "offset", i64],
  [2, "size", i64],
]);

const METADATA = spec("Metadata", [
  [0, "name", str],
  [1, "buffer", i32],
]);

const TENSOR_MAP = spec("TensorMap", [
  [0, "name", str],
  [1, "tensor_index", i32],
]);

const SIGNATURE_DEF = spec("SignatureDef", [
  [0, "inputs", tables(TENSOR_MAP)],
  [1, "outputs", tables(TENSOR_MAP)],
  [2, "signature_key", str],
  [4, "subgraph_index", i32],
]);

export const MODEL_SPEC = spec("Model", [
  [0, "version", i32],
  [1, "operator_codes", tables(OPERATOR_CODE)],
  [2, "subgraphs", tables(SUBGRAPH)],
  [3, "description", str],
  [4, "buffers", tables(BUFFER)],
  [5, "metadata_buffer", vec(4)],
  [6, "metadata", tables(METADATA)],
  [7, "signature_defs", tables(SIGNATURE_DEF)],
  [8, "external_buffer_groups", tables(opaqueSpec("ExternalBufferGroup"))],
  [9, "external_buffers", tables(opaqueSpec("ExternalBuffer"))],
]);

/**
 * Checks a whole .tflite file: size, identifier, and every table reachable through the fields
 * tsquant reads. Throws `ModelFormatError` naming the table path and the offending offset.
 */
export function verifyModelBuffer(bytes: Uint8Array, file = "model"): void {
  if (bytes.length < 8) {
    throw new ModelFormatError(
      `${file}: truncated .tflite file: ${bytes.length} bytes, a FlatBuffer needs at least 8`,
    );
  }
  const id = String.fromCharCode(bytes[4] ?? 0, bytes[5] ?? 0, bytes[6] ?? 0, bytes[7] ?? 0);
  if (id !== "TFL3") {
    throw new ModelFormatError(
      `${file}: not a .tflite file: file identifier is ${JSON.stringify(id)}, expected "TFL3"`,
    );
  }
  new Verifier(bytes, file).root();
}

class Verifier {
  private readonly view: DataView;
  /** Work budget: a well-formed file reaches each table and vector element once. */
  private budget: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.budget = bytes.length + 1024;
  }

  private fail(path: string, problem: string): never {
    throw new ModelFormatError(`${this.file}: malformed FlatBuffer at ${path}: ${problem}`);
  }

  private spend(n: number, path: string): void {
    this.budget -= n;
    if (this.budget < 0) {
      this.fail(path, "tables are shared or nested more than the file size allows");
    }
  }

  private inBounds(pos: number, size: number): boolean {
    return pos >= 0 && size >= 0 && pos + size <= this.bytes.length;
  }

  private u32(pos: number, path: string): number {
    if (!this.inBounds(pos, 4)) this.fail(path, `offset ${pos} is outside the file`);
    return this.view.getUint32(pos, true);
  }

  root(): void {
    const rootPos = this.u32(0, "root");
    this.table(rootPos, MODEL_SPEC, "Model");
  }

  /** Follows the uoffset stored at `pos` to the object it points to. */
  private indirect(pos: number, path: string): number {
    const target = pos + this.u32(pos, path);
    if (target >= this.bytes.length) {
      this.fail(
        path,
        `offset points to ${target}, past the end of the file (${this.bytes.length})`,
      );
    }
    return target;
  }

  private table(pos: number, tableSpec: TableSpec, path: string): void {
    this.spend(1, path);
    if (!this.inBounds(pos, 4)) this.fail(path, `table offset ${pos} is outside the file`);
    const vtable = pos - this.view.getInt32(pos, true);
    if (!this.inBounds(vtable, 4)) this.fail(path, `vtable offset ${vtable} is outside the file`);
    // NOTE: signed reads, as flatbuffers-js makes them (`readInt16`): a size or field offset of
    // 32768 or more is negative to the generated code, so it is refused here.
    const vtableSize = this.view.getInt16(vtable, true);
    const objectSize = this.view.getInt16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0 || !this.inBounds(vtable, vtableSize)) {
      this.fail(path, `bad vtable size ${vtableSize}`);
    }
    if (objectSize < 4 || !this.inBounds(pos, objectSize)) {
      this.fail(path, `table of ${objectSize} bytes at ${pos} does not fit in the file`);
    }
    const fieldOffset = (slot: number): number => {
      const at = 4 + 2 * slot;
      return at + 2 <= vtableSize ? this.view.getInt16(vtable + at, true) : 0;
    };
    for (const [slot, { name, field }] of tableSpec.fields) {
      const off = fieldOffset(slot);
      if (off === 0) continue;
      if (off < 4) this.fail(`${path}.${name}`, `field offset ${off} is inside the table header`);
      const fieldPath = `${path}.${name}`;
      const size = field.kind === "scalar" ? field.size : 4;
      if (off + size > objectSize) {
        this.fail(
          fieldPath,
          `field at +${off} (${size} bytes) overruns its ${objectSize}-byte table`,
        );
      }
      const at = pos + off;
      switch (field.kind) {
        case "scalar":
          break;
        case "string":
          this.vector(this.indirect(at, fieldPath), 1, fieldPath);
          break;
        case "vector":
          this.vector(this.indirect(at, fieldPath), field.elemSize, fieldPath);
          break;
        case "table":
          this.table(this.indirect(at, fieldPath), field.spec, fieldPath);
          break;
        case "tables": {
          const start = this.indirect(at, fieldPath);
          const n = this.vector(start, 4, fieldPath);
          this.spend(n, fieldPath);
          for (let i = 0; i < n; i++) {
            const elem = start + 4 + 4 * i;
            this.table(this.indirect(elem, fieldPath), field.spec, `${fieldPath}[${i}]`);
          }
          break;
        }
        case "union": {
          const typeOff = fieldOffset(field.typeSlot);
          const type = typeOff === 0 ? 0 : this.view.getUint8(pos + typeOff);
          if (type === 0) break;
          const unionSpec = field.specOf(type);
          this.table(this.indirect(at, fieldPath), unionSpec, `${fieldPath}<${unionSpec.name}>`);
          break;
        }
        default:
          field satisfies never;
      }
    }
  }

  /** Checks a vector header and body; returns its element count. */
  private vector(start: number, elemSize: number, path: string): number {
    const n = this.u32(start, path);
    // n * elemSize is exact in doubles (< 2^35), so a claimed 2^31 elements simply fails here.
    if (start + 4 + n * elemSize > this.bytes.length) {
      this.fail(
        path,
        `vector of ${n} × ${elemSize} bytes at ${start} runs past the end of the file (${this.bytes.length})`,
      );
    }
    return n;
  }
}
