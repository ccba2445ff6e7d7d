/**
 * IDX files, the format MNIST and Fashion-MNIST ship in, raw or gzip-compressed.
 *
 * Layout: a 4-byte magic `00 00 <type> <rank>`, then `rank` dimensions as big-endian uint32, then
 * the elements, row-major and big-endian. Element types: 0x08 uint8, 0x09 int8, 0x0B int16,
 * 0x0C int32, 0x0D float32, 0x0E float64. A file is valid when its length is exactly
 * 4 + 4·rank + size(type)·∏dims; anything else is a `DataFormatError` naming the file.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { DataFormatError } from "../errors";
import { DType, NDArray, TypedArray } from "../ir";

// Decoders from the body to a native-order (little-endian) typed array, each returning a copy.
// NOTE: DataView getters read big-endian when the littleEndian flag is omitted.
type Decode = (v: DataView, start: number, n: number) => TypedArray;
const decodeUint8: Decode = (v, s, n) => new Uint8Array(v.buffer, v.byteOffset + s, n).slice();
const decodeInt8: Decode = (v, s, n) => new Int8Array(v.buffer, v.byteOffset + s, n).slice();
const decodeInt16: Decode = (v, s, n) => new Int16Array(n).map((_, i) => v.getInt16(s + 2 * i));
const decodeInt32: Decode = (v, s, n) => new Int32Array(n).map((_, i) => v.getInt32(s + 4 * i));
const decodeFloat32: Decode = (v, s, n) =>
  new Float32Array(n).map((_, i) => v.getFloat32(s + 4 * i));
const decodeFloat64: Decode = (v, s, n) =>
  new Float64Array(n).map((_, i) => v.getFloat64(s + 8 * i));

/** IDX element type codes → dtype, element size in bytes, decoder. */
const IDX_TYPES = new Map<number, { dtype: DType; size: number; decode: Decode }>([
  [0x08, { dtype: "uint8", size: 1, decode: decodeUint8 }],
  [0x09, { dtype: "int8", size: 1, decode: decodeInt8 }],
  [0x0b, { dtype: "int16", size: 2, decode: decodeInt16 }],
  [0x0c, { dtype: "int32", size: 4, decode: decodeInt32 }],
  [0x0d, { dtype: "float32", size: 4, decode: decodeFloat32 }],
  [0x0e, { dtype: "float64", size: 8, decode: decodeFloat64 }],
]);

const hex = (n: number): string => "0x" + n.toString(16).padStart(2, "0");

/**
 * Decode IDX bytes (raw, or gzip when they start with 1f 8b) into an NDArray in native byte
 * order. `name` is used in error messages. A rank-0 file holds one element.
 */
export function readIdxBytes(bytes: Uint8Array, name = "<idx bytes>"): NDArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DataFormatError(
        `${name}: corrupt gzip data: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }
  if (bytes.length < 4) {
    throw new DataFormatError(
      `${name}: truncated IDX file: ${bytes.length} bytes, shorter than the 4-byte magic`,
    );
  }
  const [z0, z1, typeCode = 0, rank = 0] = bytes;
  if (z0 !== 0 || z1 !== 0) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0"));
    throw new DataFormatError(
      `${name}: not an IDX file: expected magic 00 00 <type> <rank>, found ${head.join(" ")}`,
    );
  }
  const type = IDX_TYPES.get(typeCode);
  if (type === undefined) {
    throw new DataFormatError(
      `${name}: unknown IDX element type ${hex(typeCode)}; expected one of ` +
        [...IDX_TYPES].map(([c, t]) => `${hex(c)} (${t.dtype})`).join(", "),
    );
  }
  const dataStart = 4 + 4 * rank;
  if (bytes.length < dataStart) {
    throw new DataFormatError(
      `${name}: truncated IDX header: rank ${rank} needs ${dataStart} header bytes, the file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  // Each dimension < 2^32 but the product may not be; keep the arithmetic exact.
  const count = shape.reduce((n, d) => n * BigInt(d), 1n);
  const expected = count * BigInt(type.size);
  const found = BigInt(bytes.length - dataStart);
  if (found !== expected) {
    throw new DataFormatError(
      `${name}: IDX dims [${shape.join(", ")}] of ${type.dtype} need ${expected} data bytes, ` +
        `the file has ${found}` +
        (found < expected ? " (truncated)" : " (trailing bytes, or dims that do not match)"),
    );
  }
  return { data: type.decode(view, dataStart, Number(count)), shape, dtype: type.dtype };
}

/** Read an IDX file (raw or gzip) from disk; errors name the path. */
export function readIdx(path: string): NDArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataFormatError(
      `${path}: cannot read IDX file: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  return readIdxBytes(bytes, path);
}
