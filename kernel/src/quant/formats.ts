/**
 * Integer number formats for quantized values: int8, uint8, int16, int32 (bias), int4, and any
 * signed or unsigned width from 2 to 16 bits for experiments. A format is just its integer range
 * [qmin, qmax]; `narrowRange` drops the most negative code (int8 → [-127, 127], uint8 → [1, 255])
 * so that a symmetric range has a zero point of exactly 0 (signed) or 2^(bits-1) (unsigned).
 *
 * Float formats (float16, bfloat16) live in `float16.ts`.
 */
import { UsageError } from "../errors";

export type IntegerDTypeName =
  "int2" | "int4" | "int8" | "int16" | "int32" | "uint2" | "uint4" | "uint8" | "uint16";

export interface IntegerFormat {
  /** Storage width in bits (2..16, or 32 for bias). */
  bits: number;
  signed: boolean;
  /** Smallest code used (after `narrowRange`). */
  qmin: number;
  /** Largest code used. */
  qmax: number;
  narrowRange: boolean;
}

/** How a caller names a format: a dtype name, or a bit width plus signedness. */
export interface FormatSpec {
  /** "int8" (default), "uint8", "int16", "int32", "int4", …; "int<N>" / "uint<N>" for 2 ≤ N ≤ 16. */
  dtype?: IntegerDTypeName | `int${number}` | `uint${number}`;
  /** Alternative to `dtype`: the bit width (2..16, or 32); signed unless `signed: false`. */
  bits?: number;
  signed?: boolean;
  /** Drop the most negative code: [qmin + 1, qmax]. Default false. */
  narrowRange?: boolean;
}

/**
 * Resolve a format spec to its integer range.
 *
 * signed N bits: [-2^(N-1), 2^(N-1) - 1]; unsigned: [0, 2^N - 1]; narrowRange raises qmin by one.
 * Widths outside 2..16 (and 32 for int32 bias) are a UsageError.
 */
export function integerFormat(spec: FormatSpec = {}): IntegerFormat {
  let bits = 8;
  let signed = spec.signed ?? true;
  if (spec.dtype !== undefined) {
    const m = /^(u?)int(\d+)$/.exec(spec.dtype);
    if (!m) {
      throw new UsageError(
        `integerFormat: dtype "${spec.dtype}" is not an integer format; expected int<N> or uint<N> with N in 2..16, or int32`,
      );
    }
    signed = m[1] === "";
    bits = Number(m[2]);
    if (spec.bits !== undefined && spec.bits !== bits) {
      throw new UsageError(
        `integerFormat: dtype "${spec.dtype}" has ${bits} bits but bits: ${spec.bits} was also given`,
      );
    }
  } else if (spec.bits !== undefined) {
    bits = spec.bits;
  }
  const validWidth =
    Number.isInteger(bits) && ((bits >= 2 && bits <= 16) || (bits === 32 && signed));
  if (!validWidth) {
    throw new UsageError(
      `integerFormat: ${signed ? "signed" : "unsigned"} width ${bits} bits is not supported; expected 2..16 bits (or signed 32 for bias)`,
    );
  }
  const narrowRange = spec.narrowRange ?? false;
  const qmin = (signed ? -(2 ** (bits - 1)) : 0) + (narrowRange ? 1 : 0);
  const qmax = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return { bits, signed, qmin, qmax, narrowRange };
}

/** Typed array that stores codes of a format: Int8Array for signed ≤ 8 bits, and so on. */
export type QuantizedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;

/** Allocate a typed array wide enough for `format`'s codes (int4 is stored unpacked, one per byte). */
export function allocQuantized(format: IntegerFormat, length: number): QuantizedArray {
  if (format.bits <= 8) return format.signed ? new Int8Array(length) : new Uint8Array(length);
  if (format.bits <= 16) return format.signed ? new Int16Array(length) : new Uint16Array(length);
  return new Int32Array(length);
}

/** Short name of a format for messages and tables: "int8", "uint4", "int8 narrow". */
export function formatName(format: IntegerFormat): string {
  return `${format.signed ? "" : "u"}int${format.bits}${format.narrowRange ? " narrow" : ""}`;
}
