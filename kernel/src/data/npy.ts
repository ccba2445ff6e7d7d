/**
 * NumPy `.npy` files: read versions 1.0, 2.0 and 3.0, write version 1.0.
 *
 * Layout: the magic `\x93NUMPY`, a major and a minor version byte, the header length (uint16
 * little-endian in 1.0, uint32 in 2.0/3.0), then the header — a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and ending in
 * `\n` so that the data starts at a multiple of 64 bytes — then the elements, row-major.
 * tsquant reads little-endian, C-order files only; anything else is a `DataFormatError`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { DataFormatError, ShapeError } from "../errors";
import { DType, NDArray, TypedArray, shapeSize } from "../ir";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** The dtypes tsquant reads and writes: `.npy` type string (without byte order) and array class. */
const NPY_TYPES = {
  float32: { kind: "f4", make: (b: ArrayBuffer) => new Float32Array(b) },
  float64: { kind: "f8", make: (b: ArrayBuffer) => new Float64Array(b) },
  uint8: { kind: "u1", make: (b: ArrayBuffer) => new Uint8Array(b) },
  int8: { kind: "i1", make: (b: ArrayBuffer) => new Int8Array(b) },
  int16: { kind: "i2", make: (b: ArrayBuffer) => new Int16Array(b) },
  uint16: { kind: "u2", make: (b: ArrayBuffer) => new Uint16Array(b) },
  int32: { kind: "i4", make: (b: ArrayBuffer) => new Int32Array(b) },
  uint32: { kind: "u4", make: (b: ArrayBuffer) => new Uint32Array(b) },
  int64: { kind: "i8", make: (b: ArrayBuffer) => new BigInt64Array(b) },
  bool: { kind: "b1", make: (b: ArrayBuffer) => new Uint8Array(b) },
} as const satisfies Partial<Record<DType, { kind: string; make: (b: ArrayBuffer) => TypedArray }>>;

type NpyDType = keyof typeof NPY_TYPES;

function isNpyDType(dtype: string): dtype is NpyDType {
  return Object.prototype.hasOwnProperty.call(NPY_TYPES, dtype);
}

const SUPPORTED = Object.keys(NPY_TYPES).join(", ");

/** Element size in bytes: the digits of the type string ("f4" → 4). */
function itemSize(dtype: NpyDType): number {
  return Number(NPY_TYPES[dtype].kind.slice(1));
}

/**
 * Map a `.npy` `descr` to a dtype. Byte order `<` (little), `|` (not applicable: 1-byte types) and
 * `=` (native; every platform Node runs on is little-endian) are accepted; `>` is rejected.
 */
function dtypeOfDescr(descr: string, file: string): NpyDType {
  const order = descr[0];
  const kind = descr.slice(1);
  if (order === ">" && kind.slice(1) !== "1") {
    throw new DataFormatError(
      `${file}: big-endian data ('descr': '${descr}') is not supported; save it little-endian, ` +
        `e.g. numpy's a.astype(a.dtype.newbyteorder('<'))`,
    );
  }
  if (order === "<" || order === "|" || order === "=" || order === ">") {
    for (const [dtype, t] of Object.entries(NPY_TYPES)) {
      if (t.kind === kind && isNpyDType(dtype)) return dtype;
    }
  }
  throw new DataFormatError(
    `${file}: unsupported dtype 'descr': '${descr}'; expected one of ${SUPPORTED} ` +
      `(e.g. '<f4', '|u1', '|i1', '<i4')`,
  );
}

// --- A parser for the header: a Python dict literal of strings, booleans, ints and tuples. ---

type PyValue = string | number | boolean | PyValue[] | { [key: string]: PyValue };

class HeaderParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  fail(what: string): never {
    throw new DataFormatError(
      `${this.file}: malformed .npy header: ${what} at character ${this.pos} of ${JSON.stringify(this.text)}`,
    );
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? "")) this.pos++;
  }

  private peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? "";
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  parseTop(): PyValue {
    const v = this.value();
    if (this.peek() !== "") this.fail("trailing characters");
    return v;
  }

  private value(): PyValue {
    const c = this.peek();
    if (c === "{") return this.dict();
    if (c === "(" || c === "[") return this.sequence(c === "(" ? ")" : "]");
    if (c === "'" || c === '"') return this.string();
    if (/[-0-9]/.test(c)) return this.int();
    for (const [word, v] of [
      ["True", true],
      ["False", false],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail("expected a value");
  }

  private dict(): { [key: string]: PyValue } {
    this.expect("{");
    const out: { [key: string]: PyValue } = {};
    while (this.peek() !== "}") {
      const key = this.string();
      this.expect(":");
      out[key] = this.value();
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== "}") this.fail("expected ',' or '}'");
    }
    this.pos++;
    return out;
  }

  private sequence(close: string): PyValue[] {
    this.pos++;
    const out: PyValue[] = [];
    while (this.peek() !== close) {
      out.push(this.value());
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== close) this.fail(`expected ',' or '${close}'`);
    }
    this.pos++;
    return out;
  }

  private string(): string {
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') this.fail("expected a string");
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail("unterminated string");
    const s = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return s;
  }

  private int(): number {
    const m = /^-?[0-9]+L?/.exec(this.text.slice(this.pos));
    if (!m) return this.fail("expected an integer");
    this.pos += m[0].length;
    return Number(m[0].replace("L", ""));
  }
}

/**
 * Parse `.npy` bytes into an NDArray (a copy: the result owns an aligned buffer).
 * `name` (a file name) is used in error messages. A 0-d array has shape `[]` and one element.
 */
export function readNpy(bytes: Uint8Array, name = "<npy bytes>"): NDArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const head = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new DataFormatError(
      `${name}: not a .npy file: expected magic 93 4e 55 4d 50 59 ("\\x93NUMPY"), found ${head || "an empty file"}`,
    );
  }
  const major = bytes[6] ?? 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLen: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataFormatError(`${name}: truncated .npy header`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DataFormatError(
      `${name}: unsupported .npy format version ${major}.${bytes[7] ?? 0}; expected 1.0, 2.0 or 3.0`,
    );
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) {
    throw new DataFormatError(
      `${name}: truncated .npy header: it declares ${headerLen} bytes, the file has ${bytes.length - headerStart} after the preamble`,
    );
  }
  // Version 3.0 allows UTF-8 in the header (field names of structured types); 1.0/2.0 are latin-1.
  const headerText = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, dataStart),
  );
  const header = new HeaderParser(headerText, name).parseTop();
  if (typeof header !== "object" || Array.isArray(header)) {
    throw new DataFormatError(
      `${name}: malformed .npy header: expected a dict, found ${headerText}`,
    );
  }
  const { descr, fortran_order: fortranOrder, shape } = header;
  if (typeof descr !== "string") {
    throw new DataFormatError(
      `${name}: unsupported dtype 'descr': ${JSON.stringify(descr)} (structured arrays are not supported); ` +
        `expected one of ${SUPPORTED}`,
    );
  }
  if (typeof fortranOrder !== "boolean") {
    throw new DataFormatError(
      `${name}: malformed .npy header: 'fortran_order' missing or not a boolean`,
    );
  }
  if (
    !Array.isArray(shape) ||
    !shape.every((d): d is number => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)
  ) {
    throw new DataFormatError(
      `${name}: malformed .npy header: 'shape' must be a tuple of non-negative integers, found ${JSON.stringify(shape)}`,
    );
  }
  const dtype = dtypeOfDescr(descr, name);
  const count = shapeSize(shape);
  if (fortranOrder && shape.filter((d) => d > 1).length > 1) {
    // A Fortran-order array with at most one non-trivial axis has the same memory as C order.
    throw new DataFormatError(
      `${name}: Fortran-order (column-major) data is not supported; save it in C order, e.g. np.save(path, np.ascontiguousarray(a))`,
    );
  }
  const expected = count * itemSize(dtype);
  const found = bytes.length - dataStart;
  if (found !== expected) {
    throw new DataFormatError(
      `${name}: ${found < expected ? "truncated" : "trailing bytes in"} .npy data: shape [${shape.join(", ")}] of ${dtype} ` +
        `needs ${expected} bytes, found ${found}`,
    );
  }
  const buffer = new ArrayBuffer(expected);
  new Uint8Array(buffer).set(bytes.subarray(dataStart));
  return { data: NPY_TYPES[dtype].make(buffer), shape: [...shape], dtype };
}

/** The typed-array class each dtype must be stored in. */
function arrayMatches(dtype: NpyDType, data: TypedArray): boolean {
  switch (dtype) {
    case "float32":
      return data instanceof Float32Array;
    case "float64":
      return data instanceof Float64Array;
    case "uint8":
    case "bool":
      return data instanceof Uint8Array;
    case "int8":
      return data instanceof Int8Array;
    case "int16":
      return data instanceof Int16Array;
    case "uint16":
      return data instanceof Uint16Array;
    case "int32":
      return data instanceof Int32Array;
    case "uint32":
      return data instanceof Uint32Array;
    case "int64":
      return data instanceof BigInt64Array;
    default:
      return dtype satisfies never;
  }
}

/**
 * Serialize an NDArray as a version 1.0 `.npy` file (little-endian, C order), the header padded
 * with spaces so that the data starts at a multiple of 64 bytes, as numpy writes it.
 */
export function writeNpy(a: NDArray): Uint8Array {
  const { dtype, shape, data } = a;
  if (!isNpyDType(dtype)) {
    throw new DataFormatError(
      `writeNpy: dtype ${dtype} cannot be written to .npy; expected one of ${SUPPORTED}`,
    );
  }
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ShapeError(
      `writeNpy: shape [${shape.join(", ")}] has a dimension that is not a non-negative integer`,
    );
  }
  if (!arrayMatches(dtype, data)) {
    throw new ShapeError(
      `writeNpy: dtype ${dtype} does not match its data, a ${data.constructor.name}`,
    );
  }
  if (shapeSize(shape) !== data.length) {
    throw new ShapeError(
      `writeNpy: shape [${shape.join(", ")}] has ${shapeSize(shape)} elements, the data has ${data.length}`,
    );
  }
  const descr = (NPY_TYPES[dtype].kind.endsWith("1") ? "|" : "<") + NPY_TYPES[dtype].kind;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // 10 preamble bytes + header + "\n" rounded up to 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  if (header.length > 0xffff) {
    throw new ShapeError(
      `writeNpy: shape [${shape.join(", ")}] makes a header too long for .npy version 1.0`,
    );
  }
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

/** Read a `.npy` file from disk; errors name the path. */
export function loadNpy(path: string): NDArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataFormatError(
      `${path}: cannot read .npy file: ${e instanceof Error ? e.message : String(e)}`,
      {
        cause: e,
      },
    );
  }
  return readNpy(bytes, path);
}

/** Write an NDArray to disk as a version 1.0 `.npy` file. */
export function saveNpy(path: string, a: NDArray): void {
  writeFileSync(path, writeNpy(a));
}
