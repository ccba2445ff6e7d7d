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

// ---------------------------------------------------------------------------------------------
// The families (test/fixtures/families/, written by make_families.py).

export const FAMILIES_DIR = join(FIXTURES_DIR, "families");

export const FAMILY_VARIANTS = [
  "float32",
  "float16",
  "dynamic_range",
  "int8",
  "int8_only",
] as const;
export type FamilyVariant = (typeof FAMILY_VARIANTS)[number];

/** One family of the families manifest. */
export interface FamilyEntry {
  params: number;
  /** In the Keras model's order; `name` is the signature input name of the converted files. */
  inputs: { name: string; dtype: DType; shape: number[]; file: string; recipe: string }[];
  /** TF's float32 outputs, in the converted file's output order. */
  outputs: { signatureName?: string; dtype: DType; shape: number[]; file: string }[];
  /** Per variant: the file TF made, or why TF could not make it. */
  variants: Partial<
    Record<
      FamilyVariant,
      | { file: string; bytes: number; sha256: string; ops: string[]; tfSqnrDb?: number | null }
      | { error: string }
    >
  >;
  /** The inputs as one .npz (np.savez_compressed), for multi-input families. */
  npz?: string;
}

let familiesCache: Record<string, FamilyEntry> | null = null;

/** Every family of test/fixtures/families/manifest.json by name. */
export function familiesManifest(): Record<string, FamilyEntry> {
  if (familiesCache === null) {
    const text = readFileSync(join(FAMILIES_DIR, "manifest.json"), "utf8");
    familiesCache = (JSON.parse(text) as { families: Record<string, FamilyEntry> }).families;
  }
  return familiesCache;
}

/** The bytes of TF's `variant` file of `family`; a UsageError when TF could not make it. */
export function familyModel(family: string, variant: FamilyVariant = "float32"): Uint8Array {
  const entry = familiesManifest()[family];
  if (entry === undefined) {
    throw new UsageError(
      `no family '${family}'; the manifest has ${Object.keys(familiesManifest()).join(", ")}`,
    );
  }
  const v = entry.variants[variant];
  if (v === undefined || "error" in v) {
    throw new UsageError(
      `${family}: TF made no ${variant} file (${v === undefined ? "not attempted" : v.error})`,
    );
  }
  return new Uint8Array(readFileSync(join(FAMILIES_DIR, v.file)));
}

/** Family input `k` as stored (uint8 images, float32 features, int32 token ids). */
export function familyInput(family: string, k: number): NDArray {
  const file = familiesManifest()[family]?.inputs[k]?.file;
  if (file === undefined) throw new UsageError(`${family}: no input ${k} in the manifest`);
  return loadNpy(join(FAMILIES_DIR, file));
}
