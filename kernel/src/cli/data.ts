/**
 * Images and labels for the CLI from IDX (gzip or raw) or `.npy` files, as float32 samples in a
 * model input's shape: `x · scale + offset` (raw uint8 images: `--scale 0.00392156886`, or the
 * default for integer data, fl32(u8 / 255) as numpy's `x / 255.0` in float32).
 */
import { DataFormatError, ShapeError } from "../errors";
import type { NDArray } from "../ir";
import { readIdx } from "../data/idx";
import { loadNpy } from "../data/npy";

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
