/**
 * Typed access to the TensorFlow-made fixtures under test/fixtures/ (written by
 * `npm run fixtures`, i.e. test/fixtures/make_fixtures.py; see test/fixtures/README.md).
 *
 * Models: the TF post-training-quantization tutorial CNN (`cnn_*`) and an "every op" CNN
 * (`everyop_*`), each converted by tf.lite.TFLiteConverter. Data: the first 300 MNIST test
 * images and labels. Goldens: each model's outputs on those 300 images from TF's bundled
 * tf.lite.Interpreter with the reference (`ref`) and the default resolver, one image per invoke.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadNpy } from "../../kernel/src/data/npy";
import { DataFormatError, UsageError } from "../../kernel/src/errors";
import { DType, NDArray, shapeSize } from "../../kernel/src/ir";

export const FIXTURES_DIR = join(__dirname, "..", "fixtures");

export const FIXTURE_MODELS = [
  "cnn_float32",
  "cnn_float16",
  "cnn_dynamic_range",
  "cnn_int8",
  "cnn_int8_only_uint8_io",
  "everyop_float32",
  "everyop_dynamic_range",
  "everyop_int8",
  "everyop_int8_only_int8_io",
] as const;

export type FixtureModel = (typeof FIXTURE_MODELS)[number];

/** Which interpreter made a golden: BUILTIN_REF (reference kernels) or the default (XNNPACK). */
export type GoldenResolver = "ref" | "default";

export interface ManifestTensor {
  name: string;
  dtype: DType;
  shape: number[];
  /** Empty for float tensors. */
  scale: number[];
  zeroPoint: number[];
}

export interface ManifestModel {
  family: "cnn" | "everyop";
  variant: string;
  /** Relative to FIXTURES_DIR. */
  file: string;
  bytes: number;
  sha256: string;
  /** Builtin op names in execution order; `CONV_2D+RELU` marks a fused activation. */
  ops: string[];
  /** Number of tensors of each dtype. */
  tensorTypes: Record<string, number>;
  inputs: ManifestTensor[];
  outputs: ManifestTensor[];
  /** Shape of the array the goldens were computed from (300 samples, the model's layout). */
  inputShape: number[];
  inputFile: string;
  /** How `inputFile` was made from the images, in words. */
  inputRecipe: string;
  goldens: Record<GoldenResolver, string>;
  goldenShape: number[];
  goldenDtype: DType;
  /** How far the default resolver's goldens are from the reference ones. */
  refVsDefault: { maxAbsDiff: number; elementsDiffering: number; argmaxDiffering: number };
  accuracy300Ref: number;
  /** Top-1 accuracy on all 10,000 MNIST test images through LiteRT's default resolver. */
  accuracy10kLiteRT: number;
}

export interface Manifest {
  versions: Record<string, string>;
  seed: number;
  data: { imagesUint8: string; imagesFloat32: string; labels: string };
  models: Record<FixtureModel, ManifestModel>;
  kerasAccuracy10k: Record<"cnn" | "everyop", number>;
}

let manifestCache: Manifest | undefined;

/**
 * models/manifest.json. Checked only for the presence of every model (the file is generated,
 * committed and reviewed; the tests that use a field fail loudly if it is off).
 */
export function fixtureManifest(): Manifest {
  if (manifestCache) return manifestCache;
  const path = join(FIXTURES_DIR, "models", "manifest.json");
  const m = JSON.parse(readFileSync(path, "utf8")) as Manifest;
  for (const name of FIXTURE_MODELS) {
    if (!m.models?.[name]) {
      throw new DataFormatError(`${path}: no entry for model ${name}; rerun npm run fixtures`);
    }
  }
  manifestCache = m;
  return m;
}

function modelEntry(name: FixtureModel): ManifestModel {
  const entry = fixtureManifest().models[name];
  if (!entry) throw new UsageError(`unknown fixture model ${String(name)}`);
  return entry;
}

/** Absolute path of a fixture `.tflite`. */
export function fixtureModelPath(name: FixtureModel): string {
  return join(FIXTURES_DIR, modelEntry(name).file);
}

/** The bytes of a fixture `.tflite`. */
export function fixtureModelBytes(name: FixtureModel): Uint8Array {
  return new Uint8Array(readFileSync(fixtureModelPath(name)));
}

/** The first 300 MNIST test images, uint8 [300, 28, 28]. */
export function mnistTest300Uint8(): NDArray {
  return loadNpy(join(FIXTURES_DIR, fixtureManifest().data.imagesUint8));
}

/** The same images as float32 [300, 28, 28] in [0, 1]: fl32(u8 / 255). */
export function mnistTest300Float32(): NDArray {
  return loadNpy(join(FIXTURES_DIR, fixtureManifest().data.imagesFloat32));
}

/** Their labels, uint8 [300]. */
export function mnistTest300Labels(): NDArray {
  return loadNpy(join(FIXTURES_DIR, fixtureManifest().data.labels));
}

/**
 * The exact array the goldens of `name` were computed from, in the model's input layout
 * (`inputShape`): the float images for float-input models, the tutorial-quantized images
 * (`x / scale + zeroPoint`, truncated to the input dtype) for integer-input ones.
 */
export function fixtureInputs(name: FixtureModel): NDArray {
  const entry = modelEntry(name);
  const a = loadNpy(join(FIXTURES_DIR, entry.inputFile));
  // Same elements, maybe another layout ([300,28,28] images for a [1,28,28,1] input).
  if (shapeSize(entry.inputShape) !== a.data.length) {
    throw new DataFormatError(
      `${entry.inputFile}: ${a.data.length} elements, manifest inputShape ` +
        `[${entry.inputShape.join(", ")}] of ${name} needs ${shapeSize(entry.inputShape)}`,
    );
  }
  return { ...a, shape: [...entry.inputShape] };
}

/** The model's outputs on `fixtureInputs(name)`, from TF's interpreter with `resolver`. */
export function fixtureGolden(name: FixtureModel, resolver: GoldenResolver = "ref"): NDArray {
  return loadNpy(join(FIXTURES_DIR, modelEntry(name).goldens[resolver]));
}
