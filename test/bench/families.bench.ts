/**
 * Survey of the model families users bring (not a test): for each TF-made family of
 * test/fixtures/families/ (make_families.py), tsquant's CLI converts the float32 file in every
 * mode TensorFlow could convert it in; each result runs in LiteRT (BUILTIN_REF) and in tsquant's
 * interpreter on the family's 32 samples, and its outputs are compared with TF's float outputs.
 *
 *   node --import tsx test/bench/families.bench.ts [family …]
 *
 * Columns: whether TF made the variant (its size), whether `tsquant convert` succeeded (else the
 * error's first words), whether LiteRT and tsquant's interpreter run tsquant's file, the output
 * SQNR against TF's float32 outputs of TF's own variant (from the manifest, TF's interpreter) and
 * of tsquant's file (in LiteRT, and in tsquant's interpreter), and size tsquant ÷ TF. The
 * float32 row runs TF's float file itself. Prints a Markdown table, writes the "families"
 * section of test/bench/RESULTS.md and test/bench/results/families.json.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNpy } from "../../kernel/src/data/npy";
import type { NDArray, TypedArray } from "../../kernel/src/ir";
import { Interpreter } from "../../kernel/src/interpreter/interpreter";
import { readModel } from "../../kernel/src/tflite/reader";
import { modelIO } from "../../kernel/src/cli/data";
import { runLiteRT } from "../helpers/litert";
import { replaceSection } from "./results";

const ROOT = join(__dirname, "..", "..");
const DIR = join(ROOT, "test", "fixtures", "families");
const MAIN = join(ROOT, "kernel", "src", "cli", "main.ts");

interface ManifestInput {
  name: string;
  dtype: string;
  shape: number[];
  file: string;
}
interface Variant {
  file?: string;
  bytes?: number;
  error?: string;
  tfSqnrDb?: number | null;
}
interface Family {
  params: number;
  inputs: ManifestInput[];
  outputs: { file: string; shape: number[] }[];
  variants: Record<string, Variant>;
  npz?: string;
}

const MODES: [string, string][] = [
  ["float32", ""],
  ["float16", "float16"],
  ["dynamic_range", "dynamic"],
  ["int8", "int8"],
  ["int8_only", "int8-only"],
];

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** The samples as the model sees them: uint8 images → fl32(u8 / 255), the rest as stored. */
function fed(input: ManifestInput): NDArray {
  const a = loadNpy(join(DIR, input.file));
  if (a.dtype !== "uint8") return a;
  return {
    data: Float32Array.from(a.data as Uint8Array, (v) => Math.fround(v / 255)),
    shape: a.shape,
    dtype: "float32",
  };
}

function sqnr(ref: NDArray[], got: NDArray[]): number | null {
  let signal = 0;
  let noise = 0;
  ref.forEach((r, k) => {
    const g = got[k];
    if (g === undefined || g.data.length !== r.data.length)
      throw new Error(`output ${k}: ${g?.data.length} values, expected ${r.data.length}`);
    for (let i = 0; i < r.data.length; i++) {
      const x = Number(r.data[i]);
      const e = x - Number(g.data[i]);
      signal += x * x;
      noise += e * e;
    }
  });
  return noise === 0 ? null : 10 * Math.log10(signal / noise);
}

/** Dequantized float outputs of `bytes` run one sample at a time in tsquant's interpreter. */
function runTsquant(bytes: Uint8Array, inputs: NDArray[], order: number[]): NDArray[] {
  const interp = new Interpreter({ modelContent: bytes });
  interp.allocateTensors();
  const ins = interp.getInputDetails();
  const outs = interp.getOutputDetails();
  const n = inputs[0]?.shape[0] ?? 0;
  const collected = outs.map((d) => new Float32Array(n * d.shape.reduce((a, b) => a * b, 1)));
  for (let i = 0; i < n; i++) {
    ins.forEach((d, k) => {
      const x = inputs[order[k] ?? k];
      if (x === undefined) return;
      const per = x.data.length / n;
      const slice = (x.data as TypedArray).slice(i * per, (i + 1) * per);
      interp.setTensor(d.index, slice);
    });
    interp.invoke();
    outs.forEach((d, k) => {
      const y = interp.getTensor(d.index).data;
      const [scale, zp] = d.quantization;
      const per = y.length;
      const target = collected[k];
      if (target === undefined) return;
      for (let j = 0; j < per; j++) {
        const v = Number(y[j]);
        target[i * per + j] = d.dtype === "float32" ? v : scale * (v - zp);
      }
    });
  }
  return collected.map((data, k) => ({
    data,
    shape: [n, ...(outs[k]?.shape.slice(1) ?? [])],
    dtype: "float32",
  }));
}

function dequantized(r: NDArray, quantization: [number, number]): NDArray {
  if (r.dtype === "float32") return r;
  const [scale, zp] = quantization;
  return {
    data: Float32Array.from(r.data as ArrayLike<number>, (v) => scale * (Number(v) - zp)),
    shape: r.shape,
    dtype: "float32",
  };
}

const fmt = (x: number | null | undefined): string =>
  x === undefined ? "—" : x === null ? "∞" : x.toFixed(1);
const short = (s: string): string =>
  s
    .replace(/^tsquant \w+: /, "")
    .replace(/\s+/g, " ")
    .slice(0, 90);

interface Row {
  family: string;
  mode: string;
  tf: string;
  converts: string;
  litert: string;
  tsquant: string;
  tfSqnr: number | null | undefined;
  liteSqnr: number | null | undefined;
  tsSqnr: number | null | undefined;
  sizeRatio: number | undefined;
}

async function main(): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(DIR, "manifest.json"), "utf8")) as {
    families: Record<string, Family>;
  };
  const wanted = process.argv.slice(2);
  const work = mkdtempSync(join(tmpdir(), "tsquant-families-"));
  const rows: Row[] = [];
  const started = new Date();
  try {
    for (const [family, f] of Object.entries(manifest.families)) {
      if (wanted.length > 0 && !wanted.includes(family)) continue;
      const floatFile = join(DIR, `${family}_float32.tflite`);
      const inputs = f.inputs.map(fed);
      const reference = f.outputs.map((o) => loadNpy(join(DIR, o.file)));
      // Which manifest input each model input is: by signature name, else by position.
      const floatModel = readModel(new Uint8Array(readFileSync(floatFile)));
      const io = modelIO(floatModel, "inputs");
      const order = io.map((t, k) => {
        const hit = f.inputs.findIndex(
          (m) => m.name === t.signatureName || t.name.includes(`_${m.name}:`),
        );
        return hit >= 0 ? hit : k;
      });
      const calibration =
        f.npz !== undefined
          ? ["--calibration", join(DIR, f.npz)]
          : f.inputs.flatMap((m, k) => [
              "--calibration",
              io.length === 1 ? join(DIR, m.file) : `${order.indexOf(k)}=${join(DIR, m.file)}`,
            ]);
      for (const [variant, mode] of MODES) {
        const tfv = f.variants[variant] ?? {};
        const row: Row = {
          family,
          mode: variant,
          tf: tfv.error !== undefined ? `fails: ${short(tfv.error)}` : `${tfv.bytes} B`,
          converts: "—",
          litert: "—",
          tsquant: "—",
          tfSqnr: tfv.tfSqnrDb,
          liteSqnr: undefined,
          tsSqnr: undefined,
          sizeRatio: undefined,
        };
        rows.push(row);
        if (tfv.error !== undefined && variant !== "float32") continue;
        let file = floatFile;
        if (mode !== "") {
          file = join(work, `${family}_${variant}.tflite`);
          const needsData = mode === "int8" || mode === "int8-only";
          const r = await cli([
            "convert",
            floatFile,
            "-o",
            file,
            "--mode",
            mode,
            ...(needsData ? [...calibration, "--samples", String(inputs[0]?.shape[0] ?? 1)] : []),
          ]);
          if (r.code !== 0) {
            row.converts = `no: ${short(r.stderr.trim().split("\n").pop() ?? "")}`;
            process.stderr.write(`${family} ${variant}: ${row.converts}\n`);
            continue;
          }
          row.converts = "yes";
          if (tfv.bytes !== undefined) row.sizeRatio = statSync(file).size / tfv.bytes;
        }
        const bytes = new Uint8Array(readFileSync(file));
        try {
          const lr = await runLiteRT(
            bytes,
            order.map((k) => inputs[k] ?? inputs[0]).filter((x): x is NDArray => x !== undefined),
            { resolver: "ref" },
          );
          row.litert = "yes";
          row.liteSqnr = sqnr(
            reference,
            lr.outputs.map((o, k) => dequantized(o, lr.outputDetails[k]?.quantization ?? [0, 0])),
          );
        } catch (e) {
          row.litert = `no: ${short(e instanceof Error ? e.message.split("\n").slice(-2).join(" ") : String(e))}`;
        }
        try {
          const inverse = order.map((_, k) => k);
          row.tsSqnr = sqnr(reference, runTsquant(bytes, inputs, order.length ? order : inverse));
          row.tsquant = "yes";
        } catch (e) {
          row.tsquant = `no: ${short(e instanceof Error ? `${e.name}: ${e.message}` : String(e))}`;
        }
        process.stderr.write(
          `${family} ${variant}: converts ${row.converts}, LiteRT ${row.litert.slice(0, 40)}, tsquant ${row.tsquant.slice(0, 60)}, SQNR TF ${fmt(row.tfSqnr)} / tsquant ${fmt(row.liteSqnr)} dB\n`,
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const header =
    "| family | mode | TF's file | tsquant converts | LiteRT runs tsquant's | tsquant runs it | SQNR TF (dB) | SQNR tsquant in LiteRT (dB) | SQNR tsquant interpreter (dB) | size tsquant ÷ TF |\n" +
    "| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |";
  const lines = rows.map(
    (r) =>
      `| ${r.family} | ${r.mode} | ${r.tf} | ${r.converts} | ${r.litert} | ${r.tsquant} | ${fmt(r.tfSqnr)} | ${fmt(r.liteSqnr)} | ${fmt(r.tsSqnr)} | ${r.sizeRatio === undefined ? "—" : r.sizeRatio.toFixed(3)} |`,
  );
  const table = `${header}\n${lines.join("\n")}`;
  process.stdout.write(`${table}\n`);
  const converted = rows.filter((r) => r.mode !== "float32" && r.converts === "yes").length;
  const attempted = rows.filter((r) => r.mode !== "float32" && r.converts !== "—").length;
  const body =
    `Date: ${started.toISOString().slice(0, 10)}. Command: \`node --import tsx test/bench/families.bench.ts\` ` +
    `(fixtures from \`python3 test/fixtures/make_families.py\`, 32 samples per family). ` +
    `tsquant converted ${converted} of the ${attempted} variants TF made. ` +
    `The float32 row runs TF's float file; the other rows run tsquant's conversion of it in the mode of that name ` +
    `(TF's variant file is only compared by size and by its SQNR in TF's interpreter). ` +
    `SQNR is over every output element of every sample against TF's float32 outputs (∞: identical; — : not run).\n\n${table}\n`;
  replaceSection("families", "Families: TF-made models through tsquant's CLI", body);
  mkdirSync(join(__dirname, "results"), { recursive: true });
  writeFileSync(
    join(__dirname, "results", "families.json"),
    JSON.stringify({ date: started.toISOString(), rows }, null, 2) + "\n",
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
