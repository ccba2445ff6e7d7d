/**
 * tfjs models on the local file system, without tfjs-node: `fileSystem(path)` is an IOHandler
 * (load and save) for `tf.loadLayersModel` / `model.save`, in the layout tfjs-node's `file://`
 * handler uses — a directory with `model.json` (topology + weights manifest) and `weights.bin`.
 * `modelJsonToFloatModel(path)` loads a `model.json` and converts it to the float IR.
 *
 * tfjs itself is loaded lazily (`import()`), so importing tsquant does not load it.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { LayersModel, io } from "@tensorflow/tfjs";
import { DataFormatError, UsageError } from "../../errors";
import type { Model } from "../../ir";
import type { LayersModelConversionOptions } from "./convert";
import { layersModelToFloatModel } from "./convert";

/** `file:///a/b` and `file://a/b` → a path; anything else is returned as is. */
function stripScheme(path: string): string {
  return path.startsWith("file://") ? path.slice("file://".length) : path;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Bytes of one stored element of a weight (after tfjs-converter's optional quantization). */
function bytesPerElement(entry: io.WeightsManifestEntry): number | null {
  const q = entry.quantization?.dtype;
  if (q !== undefined) return q === "uint8" ? 1 : 2;
  switch (entry.dtype) {
    case "float32":
    case "int32":
      return 4;
    case "bool":
      return 1;
    case "complex64":
      return 8;
    default:
      return null; // strings: length-prefixed, variable
  }
}

function readJson(path: string): io.ModelJSON {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read '${path}': ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(`'${path}' is not JSON: ${(e as Error).message}`);
  }
  const o = json as Partial<io.ModelJSON> | null;
  if (typeof o !== "object" || o === null || typeof o.modelTopology !== "object") {
    throw new DataFormatError(`'${path}' is not a tfjs model.json: it has no 'modelTopology'`);
  }
  if (!Array.isArray(o.weightsManifest)) {
    throw new DataFormatError(`'${path}' is not a tfjs model.json: it has no 'weightsManifest'`);
  }
  return o as io.ModelJSON;
}

/** Reads every weight shard named in the manifest (relative to model.json), in order. */
function readShards(
  jsonPath: string,
  manifest: io.WeightsManifestConfig,
): [io.WeightsManifestEntry[], ArrayBuffer] {
  const specs: io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const shard of group.paths) {
      const p = join(dirname(jsonPath), shard);
      try {
        parts.push(readFileSync(p));
      } catch (e) {
        throw new DataFormatError(
          `'${jsonPath}': weight file '${shard}' cannot be read: ${(e as Error).message}`,
        );
      }
    }
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const sizes = specs.map((s) => {
    const per = bytesPerElement(s);
    return per === null ? null : s.shape.reduce((a, d) => a * d, 1) * per;
  });
  if (sizes.every((s) => s !== null)) {
    const expected = sizes.reduce((a: number, s) => a + (s ?? 0), 0);
    if (expected !== total) {
      throw new DataFormatError(
        `'${jsonPath}': the manifest's ${specs.length} weights need ${expected} bytes, the ` +
          `weight files hold ${total}`,
      );
    }
  }
  const data = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.byteLength;
  }
  return [specs, data.buffer];
}

/**
 * An IOHandler for a tfjs model on disk. Load: `path` is a `model.json` (or a directory holding
 * one); shards are read relative to it. Save: `path` is a directory (created if needed) or a
 * `.json` path; writes `model.json` and one `weights.bin`. A `file://` prefix is accepted.
 */
export function fileSystem(path: string): io.IOHandler {
  const target = resolve(stripScheme(path));
  const jsonPath = () =>
    target.endsWith(".json") && !isDirectory(target) ? target : join(target, "model.json");
  return {
    async load(): Promise<io.ModelArtifacts> {
      const tf = await import("@tensorflow/tfjs");
      const file = jsonPath();
      const json = readJson(file);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => readShards(file, manifest));
    },
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const tf = await import("@tensorflow/tfjs");
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new UsageError(`fileSystem('${path}'): binary (GraphDef) topologies are not saved`);
      }
      const file = target.endsWith(".json") ? target : join(target, "model.json");
      mkdirSync(dirname(file), { recursive: true });
      const weights =
        artifacts.weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      writeFileSync(join(dirname(file), "weights.bin"), new Uint8Array(weights));
      const json: io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) {
        json.userDefinedMetadata = artifacts.userDefinedMetadata;
      }
      writeFileSync(file, JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(json) };
    },
  };
}

/** `tf.loadLayersModel` from a `model.json` path (or its directory) on disk. */
export async function loadLayersModelFromFile(path: string): Promise<LayersModel> {
  const tf = await import("@tensorflow/tfjs");
  return tf.loadLayersModel(fileSystem(path));
}

/** Loads a tfjs `model.json` and converts it with `layersModelToFloatModel`; frees the tfjs model. */
export async function modelJsonToFloatModel(
  path: string,
  opts: LayersModelConversionOptions = {},
): Promise<Model> {
  const model = await loadLayersModelFromFile(path);
  try {
    return layersModelToFloatModel(model, opts);
  } finally {
    model.dispose();
  }
}
