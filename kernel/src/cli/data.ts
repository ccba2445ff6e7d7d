/**
 * Images and labels for the CLI from IDX (gzip or raw), `.npy` or `.npz` files, as float32 samples
 * in a model input's shape (integer inputs such as token ids as they are): `x · scale + offset` (raw uint8 images: `--scale 0.00392156886`, or the
 * default for integer data, fl32(u8 / 255) as numpy's `x / 255.0` in float32).
 */
import { existsSync } from "node:fs";
import { DataFormatError, ShapeError, UnsupportedError, UsageError } from "../errors";
import { type DType, type Model, type NDArray, type TypedArray, shapeSize } from "../ir";
import { readIdx } from "../data/idx";
import { loadNpy } from "../data/npy";
import { loadNpz } from "../data/npz";

export function loadArray(path: string): NDArray {
  if (/\.npy$/i.test(path)) return loadNpy(path);
  return readIdx(path);
}

export interface ImageSet {
  /** n samples of `perSample` float32 values each, concatenated. */
  data: Float32Array;
  n: number;
  perSample: number;
}

/** Load images and scale them; `perSample` must equal the model input's element count. */
export function loadImages(path: string, perSample: number, scale?: number, offset = 0): ImageSet {
  const a = loadArray(path);
  const n = a.shape[0] ?? 0;
  if (a.shape.length < 1 || n === 0)
    throw new DataFormatError(`${path}: no samples (shape [${a.shape.join(", ")}])`);
  const each = a.data.length / n;
  if (each !== perSample) {
    throw new ShapeError(
      `${path}: each sample has ${each} values (shape [${a.shape.join(", ")}]) but the model input takes ${perSample}`,
    );
  }
  const out = new Float32Array(a.data.length);
  const integer = a.dtype !== "float32" && a.dtype !== "float64";
  for (let i = 0; i < out.length; i++) {
    const v = Number(a.data[i]);
    if (scale !== undefined) out[i] = v * scale + offset;
    else out[i] = integer ? Math.fround(v / 255) + offset : v + offset;
    if (!Number.isFinite(out[i]))
      throw new DataFormatError(
        `${path}: value ${out[i]} at flat index ${i}; samples must be finite`,
      );
  }
  return { data: out, n, perSample };
}

export function loadLabels(path: string, n: number): Int32Array {
  const a = loadArray(path);
  if (a.data.length !== n) throw new ShapeError(`${path}: ${a.data.length} labels for ${n} images`);
  return Int32Array.from(a.data as ArrayLike<number>, Number);
}

// ---------------------------------------------------------------------------------------------
// Several inputs and outputs: `--calibration data.npz`, `--calibration NAME=FILE` (repeated),
// `--scale v` / `--scale NAME=v`, `--labels NAME=FILE`.

/** A model input or output as the CLI names it: tensor name, signature name or position. */
export interface TensorIO {
  position: number;
  /** Tensor index in subgraph 0. */
  index: number;
  name: string;
  signatureName: string | null;
  dtype: DType;
  shape: number[];
  shapeSignature: number[];
  /** Has a (scale, zero point): an integer input the CLI feeds quantized float values. */
  quantized: boolean;
}

/** The inputs (or outputs) of subgraph 0 with their tensor and signature names. */
export function modelIO(model: Model, which: "inputs" | "outputs"): TensorIO[] {
  const sg = model.subgraphs[0];
  if (sg === undefined) throw new UsageError("the model has no subgraph");
  const signature = (model.signatureDefs ?? []).find((s) => s.subgraphIndex === 0);
  return sg[which].map((index, position) => {
    const t = sg.tensors[index];
    if (t === undefined) throw new ShapeError(`the model has no tensor #${index}`);
    return {
      position,
      index,
      name: t.name,
      signatureName: signature?.[which].find((m) => m.tensorIndex === index)?.name ?? null,
      dtype: t.type,
      shape: [...t.shape],
      shapeSignature: [...(t.shapeSignature ?? t.shape)],
      quantized: (t.quantization?.scale?.length ?? 0) > 0,
    };
  });
}

/** `'name'`, with its signature name when it has another. */
export function ioLabel(t: TensorIO): string {
  return t.signatureName !== null && t.signatureName !== t.name
    ? `'${t.name}' (signature '${t.signatureName}')`
    : `'${t.name}'`;
}

/** The input or output a key names: tensor name, signature name, position, or numpy's `arr_N`. */
export function resolveIO(list: readonly TensorIO[], key: string): TensorIO | undefined {
  const byName = list.find((t) => t.name === key) ?? list.find((t) => t.signatureName === key);
  if (byName !== undefined) return byName;
  const m = /^(?:arr_)?(\d+)$/.exec(key);
  return m === null ? undefined : list[Number(m[1])];
}

function namesOf(list: readonly TensorIO[]): string {
  return list.map((t, k) => `${k}: ${ioLabel(t)}`).join(", ");
}

/**
 * The array for each of `list` from a flag's values: one `.npz` (keys: names or positions), a
 * single IDX/.npy file (one-input or one-output models), or `NAME=FILE` entries (NAME: tensor
 * name, signature name or position).
 */
export function assignFiles(
  command: string,
  flag: string,
  values: readonly string[],
  list: readonly TensorIO[],
  what: "input" | "output",
): Map<number, { array: NDArray; source: string }> {
  const out = new Map<number, { array: NDArray; source: string }>();
  const put = (t: TensorIO, array: NDArray, source: string): void => {
    const had = out.get(t.position);
    if (had !== undefined) {
      throw new UsageError(
        `${command}: ${what} ${ioLabel(t)} is given twice (${had.source} and ${source})`,
      );
    }
    out.set(t.position, { array, source });
  };
  const plain: string[] = [];
  for (const v of values) {
    const eq = v.indexOf("=");
    const key = eq > 0 ? v.slice(0, eq) : "";
    const target = eq > 0 ? resolveIO(list, key) : undefined;
    if (target !== undefined) {
      put(target, loadArray(v.slice(eq + 1)), v.slice(eq + 1));
      continue;
    }
    if (eq > 0 && !existsSync(v)) {
      throw new UsageError(
        `${command}: --${flag} ${v}: the model has no ${what} '${key}'; its ${what}s are ${namesOf(list)}`,
      );
    }
    plain.push(v);
  }
  for (const file of plain) {
    if (/\.npz$/i.test(file)) {
      const arrays = loadNpz(file);
      if (arrays.size === 1 && list.length === 1) {
        const [first] = arrays.values();
        if (first !== undefined) put(list[0], first, file);
        continue;
      }
      for (const [key, array] of arrays) {
        const t = resolveIO(list, key);
        if (t === undefined) {
          throw new UsageError(
            `${command}: ${file} holds '${key}', which names no ${what} of the model (${namesOf(list)}); key arrays by ${what} name or position`,
          );
        }
        put(t, array, `${file}[${key}]`);
      }
      continue;
    }
    if (list.length !== 1) {
      throw new UsageError(
        `${command}: --${flag} ${file}: the model has ${list.length} ${what}s (${namesOf(list)}); give one .npz, or --${flag} NAME=FILE for each`,
      );
    }
    put(list[0], loadArray(file), file);
  }
  return out;
}

/** Per-input `--scale` / `--offset` values: `v` for every float input or `NAME=v` for one. */
function perInput(
  command: string,
  flag: string,
  values: readonly string[],
  inputs: readonly TensorIO[],
): { all: number | undefined; by: Map<number, number> } {
  let all: number | undefined;
  const by = new Map<number, number>();
  for (const v of values) {
    const eq = v.lastIndexOf("=");
    const text = eq >= 0 ? v.slice(eq + 1) : v;
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n))
      throw new UsageError(`${command}: --${flag} expects a number or NAME=number, got '${v}'`);
    if (eq < 0) {
      all = n;
      continue;
    }
    const t = resolveIO(inputs, v.slice(0, eq));
    if (t === undefined) {
      throw new UsageError(
        `${command}: --${flag} ${v}: the model has no input '${v.slice(0, eq)}'; its inputs are ${namesOf(inputs)}`,
      );
    }
    by.set(t.position, n);
  }
  return { all, by };
}

const INTEGER_ARRAYS: Partial<Record<DType, new (n: number) => TypedArray>> = {
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
};

/** One model input's samples, checked and converted. */
export interface InputData {
  input: TensorIO;
  /** `n` samples concatenated: float32 (scaled) for float and quantized inputs, else raw. */
  data: TypedArray;
  /** One sample's shape, batch 1. */
  sampleShape: number[];
  perSample: number;
}

export interface InputSet {
  n: number;
  inputs: InputData[];
  /** Sample `i` as one array per model input (a copy). */
  sample(i: number): { data: TypedArray; shape: number[]; dtype: DType }[];
}

/**
 * Every model input's samples from `--<flag>` values, scaled by `--scale`/`--offset` (float and
 * quantized inputs; default 1/255 for integer data) or passed through as they are (integer
 * inputs without quantization, e.g. token ids). All inputs must hold the same number of samples.
 */
export function loadInputSet(
  command: string,
  flag: string,
  values: readonly string[],
  model: Model,
  scaleValues: readonly string[],
  offsetValues: readonly string[],
): InputSet {
  const inputs = modelIO(model, "inputs");
  const files = assignFiles(command, flag, values, inputs, "input");
  const missing = inputs.filter((t) => !files.has(t.position));
  if (missing.length > 0) {
    throw new UsageError(
      `${command}: no --${flag} data for input ${missing.map(ioLabel).join(", ")}; the model's inputs are ${namesOf(inputs)}`,
    );
  }
  const scales = perInput(command, "scale", scaleValues, inputs);
  const offsets = perInput(command, "offset", offsetValues, inputs);
  let n = -1;
  let nFrom = "";
  const data = inputs.map((input): InputData => {
    const { array, source } = files.get(input.position) ?? { array: null, source: "" };
    if (array === null) throw new UsageError(`${command}: no data for input ${ioLabel(input)}`);
    const count = array.shape[0] ?? 0;
    if (array.shape.length < 1 || count === 0)
      throw new DataFormatError(
        `${source}: no samples (shape [${array.shape.join(", ")}]) for input ${ioLabel(input)}`,
      );
    if (n >= 0 && count !== n) {
      throw new ShapeError(
        `${command}: ${source} holds ${count} samples for input ${ioLabel(input)}, ${nFrom} holds ${n}; every input needs the same number`,
      );
    }
    n = count;
    nFrom = source;
    const rest = array.shape.slice(1);
    const modelRest = input.shape.slice(1);
    let sampleShape: number[];
    if (shapeSize(rest) === shapeSize(modelRest) && !input.shapeSignature.slice(1).includes(-1)) {
      sampleShape = [1, ...modelRest];
    } else if (
      rest.length === modelRest.length &&
      rest.every((d, k) => d === modelRest[k] || input.shapeSignature[k + 1] === -1)
    ) {
      sampleShape = [1, ...rest];
    } else {
      throw new ShapeError(
        `${source}: each sample has ${shapeSize(rest)} values (shape [${array.shape.join(", ")}]) but the model input ${ioLabel(input)} takes ${shapeSize(modelRest)} values ([${modelRest.join(", ")}], ${input.dtype})`,
      );
    }
    const perSample = shapeSize(sampleShape);
    const integerInput = !input.quantized && input.dtype !== "float32";
    if (integerInput) {
      if (scales.by.has(input.position) || offsets.by.has(input.position)) {
        throw new UsageError(
          `${command}: --scale/--offset apply to float inputs; input ${ioLabel(input)} is ${input.dtype} and is fed as it is`,
        );
      }
      const Ctor = INTEGER_ARRAYS[input.dtype];
      if (Ctor === undefined) {
        throw new UnsupportedError(
          `${command}: input ${ioLabel(input)} is ${input.dtype}; the CLI feeds float32, int32, int16, int8 and uint8 inputs`,
        );
      }
      const out = new Ctor(array.data.length);
      for (let i = 0; i < out.length; i++) {
        const v = Number(array.data[i]);
        out[i] = v;
        if (out[i] !== v) {
          throw new DataFormatError(
            `${source}: value ${v} at flat index ${i} is not a ${input.dtype} (input ${ioLabel(input)} is fed as it is)`,
          );
        }
      }
      return { input, data: out, sampleShape, perSample };
    }
    const scale = scales.by.get(input.position) ?? scales.all;
    const offset = offsets.by.get(input.position) ?? offsets.all ?? 0;
    const out = new Float32Array(array.data.length);
    const integer = array.dtype !== "float32" && array.dtype !== "float64";
    for (let i = 0; i < out.length; i++) {
      const v = Number(array.data[i]);
      if (scale !== undefined) out[i] = v * scale + offset;
      else out[i] = integer ? Math.fround(v / 255) + offset : v + offset;
      if (!Number.isFinite(out[i]))
        throw new DataFormatError(
          `${source}: value ${out[i]} at flat index ${i}; samples must be finite`,
        );
    }
    return { input, data: out, sampleShape, perSample };
  });
  return {
    n,
    inputs: data,
    sample: (i) =>
      data.map((d) => ({
        data: d.data.slice(i * d.perSample, (i + 1) * d.perSample),
        shape: d.sampleShape,
        dtype: d.data instanceof Float32Array ? ("float32" as const) : d.input.dtype,
      })),
  };
}
