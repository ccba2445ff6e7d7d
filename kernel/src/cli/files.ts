/** Reading a model file for a CLI command: a typed error naming the command and the path. */
import { readFileSync } from "node:fs";
import { UsageError } from "../errors";
import type { Model } from "../ir";
import { readModel } from "../tflite/reader";

export function readModelFile(command: string, path: string): { bytes: Uint8Array; model: Model } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(
      `${command}: cannot read '${path}' (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  return { bytes, model: readModel(bytes) };
}
