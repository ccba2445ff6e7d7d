/**
 * The LiteRT harness: run a `.tflite` model in the official runtime (`ai_edge_litert` from the
 * project `.venv`) and get its outputs, and optionally every tensor, back as NDArrays. Parity
 * tests use it as the arbiter of correctness.
 *
 * Each call spawns `.venv/bin/python test/helpers/litert.py` once (about half a second of start-up)
 * and exchanges arrays through `.npy` files in a temporary folder that is removed afterwards.
 * Inputs hold N samples stacked on axis 0; the runtime runs them in chunks of `batch` (default:
 * the model's own batch size, 1 for TF-converted Keras models), so 10,000 MNIST images take one
 * process and a Python loop, not 10,000 processes.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNpy, writeNpy } from "../../kernel/src/data/npy";
import { UsageError } from "../../kernel/src/errors";
import { DType, NDArray, TENSOR_TYPES } from "../../kernel/src/ir";

/** Repository root: set by the test runner, else two levels above this file. */
export const REPO_ROOT = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..");
export const VENV_PYTHON = join(REPO_ROOT, ".venv", "bin", "python");
const SCRIPT = join(__dirname, "litert.py");

/**
 * `ref`: OpResolverType.BUILTIN_REF, the reference kernels (no delegate) that tsquant's int8
 * kernels match bit for bit. `default`: the optimized kernels plus the default XNNPACK delegate,
 * what users run (±1 LSB from `ref` in int8). `no-delegates`: BUILTIN_WITHOUT_DEFAULT_DELEGATES.
 */
export type LiteRTResolver = "ref" | "default" | "no-delegates";

export interface LiteRTOptions {
  /** Default `"ref"`. */
  resolver?: LiteRTResolver;
  /**
   * Keep and return every tensor (`experimental_preserve_all_tensors=True`). All samples must
   * then run in one invoke: pass inputs of the model's batch size, or `batch` = N.
   */
  allTensors?: boolean;
  /** Samples per invoke; when it differs from the model's batch size the inputs are resized. */
  batch?: number;
  /**
   * Variable tensors (an LSTM's state) carry over between the invokes of one call, as in
   * LiteRT; with `resetEvery` K, `reset_all_variables()` runs before invokes 0, K, 2K, …
   */
  resetEvery?: number;
}

/** A tensor's details as `Interpreter.get_tensor_details()` gives them, in camelCase. */
export interface LiteRTTensorDetails {
  index: number;
  name: string;
  dtype: DType;
  shape: number[];
  shapeSignature: number[];
  /** `[scale, zeroPoint]`; `[0, 0]` when the tensor is not quantized. */
  quantization: [number, number];
  quantizationParameters: { scales: number[]; zeroPoints: number[]; quantizedDimension: number };
}

export interface LiteRTTensor extends LiteRTTensorDetails {
  /**
   * The tensor's value after the invoke; `null` when LiteRT has no data for it. float16
   * tensors come as their raw bits: `dtype: "float16"` with a Uint16Array.
   */
  value: NDArray | null;
}

export interface LiteRTResult {
  /** One per model output, the chunks concatenated on axis 0. */
  outputs: NDArray[];
  inputDetails: LiteRTTensorDetails[];
  outputDetails: LiteRTTensorDetails[];
  /** Only with `allTensors`. */
  tensors?: LiteRTTensor[];
  /** Number of `invoke()` calls, and the seconds they took (Python-side, start-up excluded). */
  invocations: number;
  seconds: number;
  /** Versions of `ai-edge-litert` and `numpy` in the `.venv` that ran the model. */
  runtime: Record<string, string>;
}

/** True when the project `.venv` (with LiteRT) exists. */
export function liteRTAvailable(): boolean {
  return existsSync(VENV_PYTHON);
}

/**
 * Run `model` (a path or the file's bytes) on `inputs` (one NDArray per model input, samples on
 * axis 0, dtype equal to the input's) in LiteRT. Rejects with a `UsageError` carrying LiteRT's or
 * the harness's message when the model or the inputs do not fit.
 */
export async function runLiteRT(
  model: string | Uint8Array,
  inputs: NDArray[],
  opts: LiteRTOptions = {},
): Promise<LiteRTResult> {
  if (!liteRTAvailable()) {
    throw new UsageError(
      `LiteRT harness: ${VENV_PYTHON} not found; run npm install (its set-up creates the ` +
        `project .venv with ai-edge-litert)`,
    );
  }
  const batch = opts.batch;
  if (batch !== undefined && !(Number.isSafeInteger(batch) && batch >= 1)) {
    throw new UsageError(`LiteRT harness: batch must be a positive integer, got ${batch}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "tsquant-litert-"));
  try {
    let modelPath: string;
    if (typeof model === "string") {
      modelPath = model;
    } else {
      modelPath = join(dir, "model.tflite");
      writeFileSync(modelPath, model);
    }
    const args = [SCRIPT, "--model", modelPath, "--out", join(dir, "out")];
    inputs.forEach((x, i) => {
      const p = join(dir, `input_${i}.npy`);
      writeFileSync(p, writeNpy(x));
      args.push("--input", p);
    });
    args.push("--resolver", opts.resolver ?? "ref");
    if (batch !== undefined) args.push("--batch", String(batch));
    if (opts.allTensors) args.push("--all-tensors");
    if (opts.resetEvery !== undefined) args.push("--reset-every", String(opts.resetEvery));

    await runPython(args, typeof model === "string" ? model : "<model bytes>");

    const outDir = join(dir, "out");
    const info = parseInfo(readFileSync(join(outDir, "details.json"), "utf8"));
    const result: LiteRTResult = {
      outputs: info.outputs.map((_, i) => loadNpy(join(outDir, `output_${i}.npy`))),
      inputDetails: info.inputs,
      outputDetails: info.outputs,
      invocations: info.invocations,
      seconds: info.seconds,
      runtime: info.runtime,
    };
    if (info.tensors) {
      result.tensors = info.tensors.map(({ file, bits, ...details }) => {
        if (file === null) return { ...details, value: null };
        const a = loadNpy(join(outDir, file));
        return { ...details, value: bits === "float16" ? { ...a, dtype: "float16" } : a };
      });
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runPython(args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(VENV_PYTHON, args, {
      stdio: ["ignore", "ignore", "pipe"],
      // Quiet TF-style C++ logging; keep the harness's own messages.
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (s: string) => (stderr += s));
    child.on("error", (e) =>
      reject(new UsageError(`LiteRT harness: cannot start ${VENV_PYTHON}: ${e.message}`)),
    );
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      // The harness's own errors are one line starting "litert.py:"; show that, else the tail.
      const own = stderr.split("\n").find((l) => l.startsWith("litert.py: "));
      const why = own
        ? own.slice("litert.py: ".length)
        : stderr.trim().split("\n").slice(-5).join("\n");
      reject(
        new UsageError(
          `LiteRT harness failed on ${what} (exit ${code ?? signal}): ${why || "no message"}`,
        ),
      );
    });
  });
}

// --- details.json, checked field by field (it crosses a process boundary) ---

interface RawTensor extends LiteRTTensorDetails {
  file: string | null;
  bits?: "float16";
}

interface Info {
  inputs: LiteRTTensorDetails[];
  outputs: LiteRTTensorDetails[];
  tensors: RawTensor[] | null;
  invocations: number;
  seconds: number;
  runtime: Record<string, string>;
}

function bad(what: string): never {
  throw new UsageError(`LiteRT harness: malformed details.json: ${what}`);
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function num(v: unknown, what: string): number {
  if (typeof v !== "number") bad(`${what} is not a number`);
  return v;
}

function nums(v: unknown, what: string): number[] {
  if (!Array.isArray(v)) bad(`${what} is not an array`);
  return v.map((x, i) => num(x, `${what}[${i}]`));
}

function str(v: unknown, what: string): string {
  if (typeof v !== "string") bad(`${what} is not a string`);
  return v;
}

/** numpy's dtype names are the IR's, except numpy's `bool_` in older versions. */
function dtypeOf(v: unknown, what: string): DType {
  const s = str(v, what).replace(/_$/, "");
  const t = TENSOR_TYPES.find((d) => d === s);
  if (t === undefined) bad(`${what} '${s}' is not a known dtype`);
  return t;
}

function details(v: unknown, what: string): LiteRTTensorDetails {
  const o = obj(v, what);
  const q = nums(o.quantization, `${what}.quantization`);
  const qp = obj(o.quantizationParameters, `${what}.quantizationParameters`);
  return {
    index: num(o.index, `${what}.index`),
    name: str(o.name, `${what}.name`),
    dtype: dtypeOf(o.dtype, `${what}.dtype`),
    shape: nums(o.shape, `${what}.shape`),
    shapeSignature: nums(o.shapeSignature, `${what}.shapeSignature`),
    quantization: [q[0] ?? 0, q[1] ?? 0],
    quantizationParameters: {
      scales: nums(qp.scales, `${what}.scales`),
      zeroPoints: nums(qp.zeroPoints, `${what}.zeroPoints`),
      quantizedDimension: num(qp.quantizedDimension, `${what}.quantizedDimension`),
    },
  };
}

function list<T>(v: unknown, what: string, each: (x: unknown, what: string) => T): T[] {
  if (!Array.isArray(v)) bad(`${what} is not an array`);
  return v.map((x, i) => each(x, `${what}[${i}]`));
}

function parseInfo(text: string): Info {
  const o = obj(JSON.parse(text) as unknown, "details.json");
  return {
    inputs: list(o.inputs, "inputs", details),
    outputs: list(o.outputs, "outputs", details),
    invocations: num(o.invocations, "invocations"),
    seconds: num(o.seconds, "seconds"),
    runtime: Object.fromEntries(
      Object.entries(obj(o.runtime, "runtime")).map(([k, v]) => [k, str(v, `runtime.${k}`)]),
    ),
    tensors:
      o.tensors === null
        ? null
        : list(o.tensors, "tensors", (x, what) => {
            const t = obj(x, what);
            const raw: RawTensor = {
              ...details(x, what),
              file: t.file === null ? null : str(t.file, `${what}.file`),
            };
            if (t.bits === "float16") raw.bits = "float16";
            return raw;
          }),
  };
}
