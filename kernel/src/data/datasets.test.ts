import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DataFormatError, UsageError } from "../errors";
import { FASHION_MNIST_DEBIAN_DIR, fashionMnist, mnist, toFloat32 } from "./datasets";

/** Histogram of labels 0..9. */
function counts(labels: Uint8Array): number[] {
  const c = new Array<number>(10).fill(0);
  for (const l of labels) c[l] = (c[l] ?? 0) + 1;
  return c;
}

/** An IDX uint8 file with the given dims and body. */
function idxU8(dims: number[], body: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  out.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

function assertDataFormatError(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFormatError, `expected DataFormatError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

describe("mnist()", () => {
  test("full MNIST: 60,000 + 10,000 uint8 28x28 images, labels in the known order", () => {
    const { train, test: t } = mnist();
    assert.deepEqual(train.images.shape, [60000, 28, 28]);
    assert.deepEqual(train.labels.shape, [60000]);
    assert.deepEqual(t.images.shape, [10000, 28, 28]);
    assert.deepEqual(t.labels.shape, [10000]);
    assert.equal(train.images.dtype, "uint8");
    assert.equal(train.length, 60000);
    assert.deepEqual(train.imageShape, [28, 28]);
    assert.deepEqual([...train.labels.data.subarray(0, 5)], [5, 0, 4, 1, 9]);
    assert.deepEqual([...t.labels.data.subarray(0, 5)], [7, 2, 1, 0, 4]);
  });

  test("class counts and mean pixel match the published MNIST statistics", () => {
    const { train, test: t } = mnist();
    // Per-digit counts as published with the data set (LeCun et al.): 5923 zeros, 6742 ones, …
    assert.deepEqual(
      counts(train.labels.data),
      [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    );
    assert.deepEqual(
      counts(t.labels.data),
      [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    );
    // The widely used normalization constant: mean training pixel 0.1307 (of 1.0).
    let sum = 0;
    for (const p of train.images.data) sum += p;
    assert.ok(Math.abs(sum / 255 / train.images.data.length - 0.1307) < 5e-5);
  });

  test("is cached: a second call returns the same arrays", () => {
    assert.equal(mnist().train.images, mnist().train.images);
  });

  test("asFloat: x / 255 as float32, in [0, 1], shape kept", () => {
    const first = mnist().train.take(2);
    const f = first.asFloat();
    assert.equal(f.dtype, "float32");
    assert.deepEqual(f.shape, [2, 28, 28]);
    first.images.data.forEach((x, i) => assert.equal(f.data[i], Math.fround(x / 255)));
    assert.ok(f.data.every((v) => v >= 0 && v <= 1));
    assert.ok(f.data.includes(1), "MNIST digits have saturated (255) pixels → 1.0");
  });

  test("subset, take and batches are views in order; the last batch is short", () => {
    const { train } = mnist();
    const s = train.subset(2, 5);
    assert.deepEqual([...s.labels.data], [4, 1, 9]);
    assert.deepEqual(s.images.shape, [3, 28, 28]);
    assert.deepEqual(s.images.data, train.images.data.subarray(2 * 784, 5 * 784));
    assert.equal(s.images.data.buffer, train.images.data.buffer);
    const sizes = [...train.batches(25000)].map((b) => b.length);
    assert.deepEqual(sizes, [25000, 25000, 10000]);
    assert.equal(train.take(1e9).length, 60000);
    assert.throws(() => train.subset(5, 2), UsageError);
    assert.throws(() => train.subset(0, 60001), UsageError);
    assert.throws(() => train.batches(0).next(), UsageError);
  });

  test("oneHot puts a single 1 at each label", () => {
    const oh = mnist().test.take(3).oneHot();
    assert.deepEqual(oh.shape, [3, 10]);
    // labels 7, 2, 1 → ones at flat positions 0*10+7, 1*10+2, 2*10+1
    const ones = [...oh.data.keys()].filter((i) => oh.data[i] === 1);
    assert.deepEqual(ones, [7, 12, 21]);
    assert.equal(
      oh.data.reduce((a, b) => a + b, 0),
      3,
    );
  });

  test("toFloat32 rejects non-uint8 input", () => {
    const bad = { data: new Int8Array(1), shape: [1], dtype: "int8" as const };
    // @ts-expect-error: an Int8Array NDArray is not uint8 pixels; the runtime check catches JS callers
    assert.throws(() => toFloat32(bad), UsageError);
  });
});

describe("fashionMnist()", () => {
  const installed = existsSync(join(FASHION_MNIST_DEBIAN_DIR, "train-images-idx3-ubyte.gz"));
  test(
    "reads Debian's dataset-fashion-mnist: shapes, first labels, 6,000 per class",
    { skip: installed ? false : "dataset-fashion-mnist is not installed (.ci/run installs it)" },
    () => {
      const { train, test: t } = fashionMnist();
      assert.deepEqual(train.images.shape, [60000, 28, 28]);
      assert.deepEqual(t.images.shape, [10000, 28, 28]);
      // First labels: ankle boot, T-shirt, T-shirt, dress, T-shirt; test: ankle boot, pullover, …
      assert.deepEqual([...train.labels.data.subarray(0, 5)], [9, 0, 0, 3, 0]);
      assert.deepEqual([...t.labels.data.subarray(0, 5)], [9, 2, 1, 1, 6]);
      assert.deepEqual(counts(train.labels.data), new Array(10).fill(6000));
      assert.deepEqual(counts(t.labels.data), new Array(10).fill(1000));
      assert.equal(train.classNames[9], "Ankle boot");
    },
  );

  test("a folder without the files says how to get them", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsquant-fashion-"));
    try {
      assertDataFormatError(
        () => fashionMnist(dir),
        /Fashion-MNIST not found/,
        /has no train-images-idx3-ubyte\.gz/,
        /apt-get install dataset-fashion-mnist/,
        /fashionMnist\(folder\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a data set folder of crafted IDX files", () => {
  /** Writes the four files (labels as given) into a fresh folder; images 2x2, gzip for train. */
  function folder(trainLabels: Uint8Array, testLabelsDims = [1]): string {
    const dir = mkdtempSync(join(tmpdir(), "tsquant-ds-"));
    mkdirSync(dir, { recursive: true });
    const n = trainLabels.length;
    writeFileSync(
      join(dir, "train-images-idx3-ubyte.gz"),
      gzipSync(idxU8([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7])),
    );
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), idxU8([n], [...trainLabels]));
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), idxU8([1, 2, 2], [9, 9, 9, 9]));
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idxU8(testLabelsDims, [3]));
    return dir;
  }

  test("raw and .gz files mix; any folder can stand in for MNIST", () => {
    const dir = folder(new Uint8Array([8, 1]));
    try {
      const d = mnist(dir);
      assert.deepEqual([...d.train.labels.data], [8, 1]);
      assert.deepEqual([...d.train.images.data], [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.deepEqual(d.test.images.shape, [1, 2, 2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("label count not matching the images", () => {
    const dir = folder(new Uint8Array([1, 2, 3]));
    try {
      assertDataFormatError(
        () => fashionMnist(dir),
        /train-labels-idx1-ubyte: 3 labels for the 2 images/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("label out of range", () => {
    const dir = folder(new Uint8Array([1, 10]));
    try {
      assertDataFormatError(
        () => fashionMnist(dir),
        /label 10 at index 1 is out of range; expected 0\.\.9/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("labels of the wrong rank", () => {
    const dir = folder(new Uint8Array([1, 2]), [1, 1]);
    try {
      assertDataFormatError(
        () => fashionMnist(dir),
        /t10k-labels-idx1-ubyte: expected a rank-1 IDX file, found shape \[1, 1\]/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
