#!/usr/bin/env node
// `npm run flatc -w tsquant`: regenerate the TypeScript bindings of kernel/schema/tflite.fbs
// into kernel/src/tflite/generated/ with flatc (Debian `flatbuffers-compiler`, 2.0.8 verified).
// The output is committed; run this only after editing the schema.
// NOTE: flatc 2.0.8's TypeScript generator ignores `force_align: 16` on Buffer.data; the writer
// (src/tflite/writer.ts) therefore starts data vectors itself instead of using createDataVector.
import { rmSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const kernel = join(fileURLToPath(import.meta.url), "..", "..");
const schema = join(kernel, "schema", "tflite.fbs");
const out = join(kernel, "src", "tflite", "generated");
const flatc = process.env.FLATC ?? "flatc";

const version = spawnSync(flatc, ["--version"], { encoding: "utf8" });
if (version.status !== 0) {
  console.error(`gen-flatbuffers: cannot run '${flatc}' (apt-get install flatbuffers-compiler)`);
  process.exit(1);
}
console.log(`gen-flatbuffers: ${version.stdout.trim()}`);

if (existsSync(out)) rmSync(out, { recursive: true });
mkdirSync(out, { recursive: true });
const r = spawnSync(flatc, ["--ts", "-o", out, schema], { stdio: "inherit" });
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`gen-flatbuffers: wrote ${out}`);
