/**
 * Tensor fields tsquant carries without interpreting: `sparsity` (SparsityParameters with its
 * DimensionMetadata and SparseIndexVector unions) and `variant_tensors`, read and written with
 * flatbuffers' low-level calls in TF's packing order (children in field order, then the table
 * with fields in field order, defaults skipped).
 */
import * as flatbuffers from "flatbuffers";
import { ModelFormatError } from "../errors";
import { TENSOR_TYPES, dtypeCode } from "../ir";
import type {
  DimensionMetadata,
  SparseIndexVector,
  SparsityParameters,
  VariantSubType,
} from "../ir";

/** SparseIndexVector members by union value, with their element size. */
const INDEX_VECTORS = [
  { type: "Int32Vector", size: 4 },
  { type: "Uint16Vector", size: 2 },
  { type: "Uint8Vector", size: 1 },
] as const;

/** A verified table: reads of its slots, vectors and sub-tables. */
class Raw {
  constructor(
    readonly bb: flatbuffers.ByteBuffer,
    readonly pos: number,
  ) {}

  private off(slot: number): number {
    return this.bb.__offset(this.pos, 4 + 2 * slot);
  }

  has(slot: number): boolean {
    return this.off(slot) !== 0;
  }

  uint8(slot: number): number {
    return this.has(slot) ? this.bb.readUint8(this.pos + this.off(slot)) : 0;
  }

  int32(slot: number): number {
    return this.has(slot) ? this.bb.readInt32(this.pos + this.off(slot)) : 0;
  }

  /** Vector of ints with `size`-byte elements (signed for 4, unsigned for 2 and 1). */
  ints(slot: number, size: 1 | 2 | 4): number[] | null {
    if (!this.has(slot)) return null;
    const at = this.pos + this.off(slot);
    const start = this.bb.__vector(at);
    const n = this.bb.__vector_len(at);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = start + i * size;
      out.push(
        size === 4
          ? this.bb.readInt32(p)
          : size === 2
            ? this.bb.readUint16(p)
            : this.bb.readUint8(p),
      );
    }
    return out;
  }

  table(slot: number): Raw | null {
    if (!this.has(slot)) return null;
    const at = this.pos + this.off(slot);
    return new Raw(this.bb, at + this.bb.readInt32(at));
  }

  tables(slot: number): Raw[] | null {
    if (!this.has(slot)) return null;
    const at = this.pos + this.off(slot);
    const start = this.bb.__vector(at);
    const n = this.bb.__vector_len(at);
    const out: Raw[] = [];
    for (let i = 0; i < n; i++) {
      const p = start + 4 * i;
      out.push(new Raw(this.bb, p + this.bb.readInt32(p)));
    }
    return out;
  }
}

function readIndexVector(t: Raw, typeSlot: number, at: string): SparseIndexVector | null {
  const type = t.uint8(typeSlot);
  if (type === 0) return null;
  const member = INDEX_VECTORS[type - 1];
  const table = t.table(typeSlot + 1);
  if (member === undefined || table === null) {
    throw new ModelFormatError(`${at}: sparse index vector of union type ${type} (expected 1..3)`);
  }
  return { type: member.type, values: table.ints(0, member.size) };
}

/** `Tensor.sparsity` of the tensor table at `pos`. */
export function readSparsity(bb: flatbuffers.ByteBuffer, tensorPos: number, at: string) {
  const s = new Raw(bb, tensorPos).table(6);
  if (s === null) return null;
  const dims = s.tables(2);
  const sparsity: SparsityParameters = {
    traversalOrder: s.ints(0, 4),
    blockMap: s.ints(1, 4),
    dimMetadata:
      dims === null
        ? null
        : dims.map((d): DimensionMetadata => ({
            format: d.uint8(0),
            denseSize: d.int32(1),
            arraySegments: readIndexVector(d, 2, at),
            arrayIndices: readIndexVector(d, 4, at),
          })),
  };
  return sparsity;
}

/** `Tensor.variant_tensors` of the tensor table at `pos`. */
export function readVariantTensors(
  bb: flatbuffers.ByteBuffer,
  tensorPos: number,
  at: string,
): VariantSubType[] | null {
  const list = new Raw(bb, tensorPos).tables(9);
  if (list === null) return null;
  return list.map((v) => {
    const code = v.uint8(1);
    const type = TENSOR_TYPES[code];
    if (type === undefined) {
      throw new ModelFormatError(`${at}: variant subtype has unknown type ${code}`);
    }
    return { shape: v.ints(0, 4), type, hasRank: v.uint8(2) !== 0 };
  });
}

function intVector(b: flatbuffers.Builder, values: readonly number[], size: 1 | 2 | 4): number {
  b.startVector(size, values.length, size);
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i] ?? 0;
    if (size === 4) b.addInt32(v);
    else if (size === 2) b.addInt16(v);
    else b.addInt8(v);
  }
  return b.endVector();
}

function tableVector(b: flatbuffers.Builder, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i] ?? 0);
  return b.endVector();
}

function writeIndexVector(b: flatbuffers.Builder, v: SparseIndexVector | null): [number, number] {
  if (v === null) return [0, 0];
  const k = INDEX_VECTORS.findIndex((m) => m.type === v.type);
  const member = INDEX_VECTORS[k];
  if (member === undefined) throw new ModelFormatError(`unknown sparse index vector ${v.type}`);
  const values = v.values === null ? 0 : intVector(b, v.values, member.size);
  b.startObject(1);
  if (values !== 0) b.addFieldOffset(0, values, 0);
  return [k + 1, b.endObject()];
}

/** Writes a SparsityParameters table; returns its offset. */
export function writeSparsity(b: flatbuffers.Builder, s: SparsityParameters): number {
  const traversal = s.traversalOrder === null ? 0 : intVector(b, s.traversalOrder, 4);
  const blockMap = s.blockMap === null ? 0 : intVector(b, s.blockMap, 4);
  let dims = 0;
  if (s.dimMetadata !== null) {
    const offsets = s.dimMetadata.map((d) => {
      const [segType, seg] = writeIndexVector(b, d.arraySegments);
      const [idxType, idx] = writeIndexVector(b, d.arrayIndices);
      b.startObject(6);
      b.addFieldInt8(0, d.format, 0);
      b.addFieldInt32(1, d.denseSize, 0);
      b.addFieldInt8(2, segType, 0);
      if (seg !== 0) b.addFieldOffset(3, seg, 0);
      b.addFieldInt8(4, idxType, 0);
      if (idx !== 0) b.addFieldOffset(5, idx, 0);
      return b.endObject();
    });
    dims = tableVector(b, offsets);
  }
  b.startObject(3);
  if (traversal !== 0) b.addFieldOffset(0, traversal, 0);
  if (blockMap !== 0) b.addFieldOffset(1, blockMap, 0);
  if (dims !== 0) b.addFieldOffset(2, dims, 0);
  return b.endObject();
}

/** Writes the `variant_tensors` vector; returns its offset. */
export function writeVariantTensors(b: flatbuffers.Builder, list: readonly VariantSubType[]) {
  const offsets = list.map((v) => {
    const shape = v.shape === null ? 0 : intVector(b, v.shape, 4);
    b.startObject(3);
    if (shape !== 0) b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, dtypeCode(v.type), 0);
    b.addFieldInt8(2, v.hasRank ? 1 : 0, 0);
    return b.endObject();
  });
  return tableVector(b, offsets);
}
