/**
 * The narrow slice of tfjs's CPU backend the fast kernels use: read an input's values, and wrap
 * a result array as a new tensor. Kept structural (no import of tfjs-backend-cpu's class) so the
 * kernels depend only on what they touch.
 */
import type * as tf from "@tensorflow/tfjs";
import { UsageError } from "../errors";

export type TensorInfo = tf.TensorInfo;
export type NamedAttrMap = tf.NamedAttrMap;

/** What `backend.data.get(dataId)` holds on the CPU backend. */
interface CpuTensorData {
  values?: unknown;
}

export interface CpuBackend {
  data: { get(dataId: object): CpuTensorData };
  makeTensorInfo(
    shape: number[],
    dtype: tf.DataType,
    values?: Float32Array | Int32Array,
  ): TensorInfo;
}

/** The arguments tfjs passes every kernel function. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: NamedAttrMap;
}

export function isCpuBackend(backend: object): backend is CpuBackend {
  return "data" in backend && "makeTensorInfo" in backend;
}

export function cpuBackend(args: KernelArgs, op: string): CpuBackend {
  if (!isCpuBackend(args.backend)) {
    throw new UsageError(`fast kernel ${op}: expected tfjs's "cpu" backend`);
  }
  return args.backend;
}

export function input(args: KernelArgs, name: string, op: string): TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new UsageError(`fast kernel ${op}: missing input "${name}"`);
  return t;
}

/** A float32 input's values (null for any other dtype or a non-CPU layout, so the caller falls back). */
export function floatValues(backend: CpuBackend, t: TensorInfo): Float32Array | null {
  if (t.dtype !== "float32") return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

/** Values of a float32 or int32 input as stored (null otherwise). */
export function numericValues(
  backend: CpuBackend,
  t: TensorInfo,
): Float32Array | Int32Array | null {
  const v = backend.data.get(t.dataId).values;
  if (t.dtype === "float32" && v instanceof Float32Array) return v;
  if (t.dtype === "int32" && v instanceof Int32Array) return v;
  return null;
}

export function attrs(args: KernelArgs): NamedAttrMap {
  return args.attrs ?? {};
}

export function numberAttr(a: NamedAttrMap, name: string): number | undefined {
  const v = a[name];
  return typeof v === "number" ? v : undefined;
}

export function stringAttr(a: NamedAttrMap, name: string): string | undefined {
  const v = a[name];
  return typeof v === "string" ? v : undefined;
}

export function boolAttr(a: NamedAttrMap, name: string): boolean | undefined {
  const v = a[name];
  return typeof v === "boolean" ? v : undefined;
}

export function numbersAttr(a: NamedAttrMap, name: string): number[] | undefined {
  const v = a[name];
  if (!Array.isArray(v)) return undefined;
  const out: number[] = [];
  for (const e of v) {
    if (typeof e !== "number") return undefined;
    out.push(e);
  }
  return out;
}

/** `number | [number, number]`, as tfjs's stride, dilation and filter-size attributes. */
export function pairAttr(a: NamedAttrMap, name: string): number | [number, number] | undefined {
  const n = numberAttr(a, name);
  if (n !== undefined) return n;
  const arr = numbersAttr(a, name);
  return arr !== undefined && arr.length === 2 ? [arr[0], arr[1]] : undefined;
}

export type Pad = "same" | "valid" | number;

/** Padding as a name or a number; explicit per-side padding returns undefined (fall back to stock). */
export function padAttr(a: NamedAttrMap): Pad | undefined {
  const v = a["pad"];
  if (typeof v === "number") return v;
  if (typeof v !== "string") return undefined;
  return v === "same" || v === "valid" ? v : undefined;
}

export function roundingAttr(a: NamedAttrMap): "floor" | "round" | "ceil" | undefined {
  const v = a["dimRoundingMode"];
  if (typeof v !== "string") return undefined;
  return v === "floor" || v === "round" || v === "ceil" ? v : undefined;
}

/** Only NHWC is handled by the fast kernels; "NCHW" falls back to stock. */
export function isChannelsLast(a: NamedAttrMap): boolean {
  const f = a["dataFormat"];
  return f === undefined || f === "NHWC" || f === "channelsLast";
}

export function shape4(t: TensorInfo): [number, number, number, number] | null {
  const s = t.shape;
  return s.length === 4 ? [s[0], s[1], s[2], s[3]] : null;
}
