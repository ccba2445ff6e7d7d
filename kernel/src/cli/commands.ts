/**
 * The `tsquant` subcommands: convert, eval, inspect, bench (here), compare (`./compare`) and
 * install, uninstall (`./install`). Each is `{ usage, about, flags, run }`, in one registry.
 */
import { existsSync, writeFileSync } from "node:fs";
import { ShapeError, UnsupportedError, UsageError } from "../errors";
import { type Model, type TypedArray, shapeSize } from "../ir";
import { quantize } from "../quant/affine";
import { integerFormat } from "../quant/formats";
import { Interpreter } from "../interpreter/interpreter";
import { summarizeModel } from "../tflite/summary";
import type { CalibrationMethod } from "../calib/calibrate";
import { TFLiteConverter, type ConversionMode } from "../converter/converter";
import type { IOType } from "../converter/integer";
import { type Command, type Parsed, all, choice, num, str } from "./args";
import {
  type TensorIO,
  assignFiles,
  ioLabel,
  loadImages,
  loadInputSet,
  loadLabels,
  modelIO,
} from "./data";
import { evaluate as evaluateModel } from "../eval/evaluate";
import { install, uninstall } from "./install";
import { compare } from "./compare";
import { readModelFile } from "./files";

export type { Command };

const MODES = ["float16", "dynamic", "int8", "int8-only", "int16x8"] as const;
const METHODS = ["minmax", "percentile", "entropy", "mse", "histogram", "movingAverage"] as const;
const IO_TYPES = ["float32", "int8", "uint8", "int16"] as const;

function onePositional(command: string, p: Parsed, what: string): string {
  if (p.positionals.length !== 1) {
    throw new UsageError(
      `${command}: expected one ${what}, got ${p.positionals.length} (see tsquant ${command} --help)`,
    );
  }
  return p.positionals[0];
}

const convert: Command = {
  usage: "tsquant convert IN -o OUT --mode float16|dynamic|int8|int8-only|int16x8 [options]",
  about:
    "Quantize a float model (.tflite, or a tfjs model.json) as TensorFlow's converter does.\n" +
    "int8, int8-only and int16x8 calibrate on --calibration: one IDX or .npy file (one-input\n" +
    "models), one .npz with an array per input (keyed by input name or position 0, 1 …), or\n" +
    "--calibration NAME=FILE once per input. Integer inputs (token ids) are fed as they are.",
  flags: {
    output: { alias: "o", help: "output .tflite path (required)" },
    mode: { help: MODES.join("|") + " (required)" },
    calibration: {
      help: "calibration data: FILE (IDX, .npy, .npz) or NAME=FILE per input (repeatable)",
    },
    samples: { help: "calibration samples to use (default: 100, or all when fewer)" },
    method: { help: `calibration method: ${METHODS.join("|")} (default minmax)` },
    "input-type": { help: "float32|int8|uint8|int16 (default float32)" },
    "output-type": { help: "float32|int8|uint8|int16 (default float32)" },
    scale: {
      help: "multiply float inputs' values by v (default 1/255 for integer data); NAME=v per input",
    },
    offset: { help: "then add v (default 0); NAME=v per input" },
    "per-tensor": { boolean: true, help: "per-tensor weights instead of per-channel" },
    denylist: { help: "comma-separated op names (e.g. MEAN) to leave in float" },
    "batch-size": {
      help: "tfjs model.json only: fix the batch at N (no -1 in shape_signature; default dynamic)",
    },
  },
  async run(p, out, progress) {
    const input = onePositional("convert", p, "input model");
    const batchSize = num("convert", p, "batch-size");
    if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize >= 1)) {
      throw new UsageError(`convert: --batch-size must be a positive integer; got ${batchSize}`);
    }
    const output = str(p, "output");
    if (output === undefined) throw new UsageError("convert: -o OUT is required");
    const mode = choice("convert", p, "mode", MODES);
    if (mode === undefined)
      throw new UsageError(`convert: --mode is required (${MODES.join("|")})`);
    let converter: TFLiteConverter;
    if (/\.json$/i.test(input)) {
      progress(`loading tfjs model ${input}`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const tfjs = require("../converter/tfjs") as {
        modelJsonToFloatModel: (path: string, opts?: { batchSize?: number }) => Promise<Model>;
      };
      converter = TFLiteConverter.fromModel(
        await tfjs.modelJsonToFloatModel(input, batchSize === undefined ? {} : { batchSize }),
      );
    } else {
      if (batchSize !== undefined) {
        throw new UsageError(
          `convert: --batch-size applies to tfjs model.json inputs; ${input} is a .tflite file ` +
            `whose shapes are kept as they are`,
        );
      }
      converter = TFLiteConverter.fromBuffer(readModelFile("convert", input).bytes);
    }
    configure(converter, mode, p, progress);
    const started = performance.now();
    progress(`converting (${mode})…`);
    const bytes = await converter.convert();
    writeFileSync(output, bytes);
    out(
      `wrote ${output}: ${bytes.length} bytes, mode ${mode}, ${((performance.now() - started) / 1000).toFixed(2)} s`,
    );
    return 0;
  },
};

function configure(
  c: TFLiteConverter,
  mode: ConversionMode,
  p: Parsed,
  progress: (s: string) => void,
): void {
  c.setMode(mode);
  c.perChannel = p.flags.get("per-tensor") !== true;
  c.denylistedOps = (str(p, "denylist") ?? "").split(",").filter((s) => s !== "");
  c.inferenceInputType = choice("convert", p, "input-type", IO_TYPES, "float32") as IOType;
  c.inferenceOutputType = choice("convert", p, "output-type", IO_TYPES, "float32") as IOType;
  c.calibrationMethod = (choice("convert", p, "method", METHODS, "minmax") ??
    "minmax") as CalibrationMethod;
  const needsData = mode === "int8" || mode === "int8-only" || mode === "int16x8";
  const file = str(p, "calibration");
  if (needsData && file === undefined)
    throw new UsageError(
      `convert: --mode ${mode} needs --calibration FILE (IDX, .npy or .npz) or NAME=FILE per input`,
    );
  if (!needsData) {
    if (file !== undefined) progress(`note: --calibration is not used in mode ${mode}`);
    return;
  }
  if (file === undefined) return;
  const samples = num("convert", p, "samples", 100) ?? 100;
  if (!Number.isInteger(samples) || samples < 1)
    throw new UsageError(`convert: --samples must be a positive integer; got ${samples}`);
  const files = all(p, "calibration");
  const set = loadInputSet(
    "convert",
    "calibration",
    files,
    c.inputModel,
    all(p, "scale"),
    all(p, "offset"),
  );
  const n = Math.min(samples, set.n);
  if (n < samples && str(p, "samples") !== undefined)
    throw new UsageError(
      `convert: --samples ${samples} but ${files.join(", ")} holds only ${set.n} samples`,
    );
  progress(`calibrating on ${n} samples of ${files.join(", ")}`);
  c.representativeDataset = Array.from({ length: n }, (_, i) => set.sample(i));
}

const evaluate: Command = {
  usage:
    "tsquant eval MODEL (--images FILE | --data FILE|NAME=FILE …) --labels FILE|NAME=FILE … [--json]",
  about:
    "Top-1 accuracy of a .tflite classifier (float or quantized inputs) in tsquant's interpreter.\n" +
    "Several inputs: --data data.npz or --data NAME=FILE per input (as convert --calibration);\n" +
    "several outputs: --labels NAME=FILE per labelled output (or a .npz keyed by output name).",
  flags: {
    images: { help: "images, IDX or .npy (one-input models)" },
    data: { help: "inputs: FILE (IDX, .npy, .npz) or NAME=FILE per input (repeatable)" },
    labels: { help: "labels, IDX, .npy or .npz; NAME=FILE per output (repeatable)" },
    limit: { help: "evaluate only the first N images" },
    scale: { help: "multiply float inputs' values by v (default 1/255 for integer data); NAME=v" },
    offset: { help: "then add v (default 0); NAME=v per input" },
    json: { boolean: true, help: "print one JSON object" },
  },
  async run(p, out, progress) {
    const path = onePositional("eval", p, "model");
    const imagesPath = str(p, "images");
    const labelsPath = str(p, "labels");
    const data = all(p, "data");
    if ((imagesPath === undefined && data.length === 0) || labelsPath === undefined)
      throw new UsageError(
        "eval: --images and --labels are required (--data instead of --images for several inputs)",
      );
    if (imagesPath !== undefined && data.length > 0)
      throw new UsageError("eval: give --images or --data, not both");
    const { model, bytes } = readModelFile("eval", path);
    const labelFiles = all(p, "labels");
    const several =
      data.length > 0 ||
      labelFiles.length > 1 ||
      /\.npz$/i.test(labelsPath) ||
      (labelsPath.includes("=") && !existsSync(labelsPath));
    if (several || imagesPath === undefined) {
      const inputs = imagesPath === undefined ? data : [imagesPath];
      return evaluateSeveral(p, path, model, bytes.length, inputs, out, progress);
    }
    const interp = new Interpreter({ model });
    interp.allocateTensors();
    const d = interp.getInputDetails()[0];
    const perSample = shapeSize(d.shape.slice(1));
    const images = loadImages(
      imagesPath,
      perSample,
      num("eval", p, "scale"),
      num("eval", p, "offset", 0),
    );
    const labels = loadLabels(labelsPath, images.n);
    const started = performance.now();
    const result = await evaluateModel(interp, images.data, labels, {
      limit: num("eval", p, "limit", images.n) ?? images.n,
      progress: false,
      onProgress: (done, total, correct) => {
        if (done < total)
          progress(
            `${done}/${total} images, accuracy so far ${((100 * correct) / done).toFixed(2)} %`,
          );
      },
    });
    const { accuracy, correct: hits, total: n } = result;
    const seconds = (performance.now() - started) / 1000;
    if (p.flags.get("json") === true)
      out(
        JSON.stringify({
          model: path,
          bytes: bytes.length,
          images: n,
          correct: hits,
          accuracy,
          seconds,
        }),
      );
    else
      out(
        `${path}: accuracy ${(100 * accuracy).toFixed(2)} % (${hits}/${n}), ${bytes.length} bytes, ${seconds.toFixed(2)} s`,
      );
    return 0;
  },
};

/** `eval` with `--data` (any number of inputs) and labels for one or several outputs. */
async function evaluateSeveral(
  p: Parsed,
  path: string,
  model: Model,
  size: number,
  data: string[],
  out: (line: string) => void,
  progress: (line: string) => void,
): Promise<number> {
  const set = loadInputSet("eval", "data", data, model, all(p, "scale"), all(p, "offset"));
  const outputs = modelIO(model, "outputs");
  const labelled = [...assignFiles("eval", "labels", all(p, "labels"), outputs, "output")];
  const limit = num("eval", p, "limit", set.n) ?? set.n;
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`eval: --limit must be a positive integer; got ${limit}`);
  const n = Math.min(set.n, limit);
  const truth = labelled.map(([position, { array, source }]) => {
    if (array.data.length !== set.n)
      throw new ShapeError(`${source}: ${array.data.length} labels for ${set.n} samples`);
    return { output: outputs[position], labels: Int32Array.from(array.data, Number) };
  });
  const interp = new Interpreter({ model });
  interp.allocateTensors();
  const details = interp.getInputDetails();
  let resized = false;
  set.inputs.forEach((d, k) => {
    const current = details[k]?.shape ?? [];
    if (current.join(",") !== d.sampleShape.join(",")) {
      interp.resizeTensorInput(d.input.index, d.sampleShape);
      resized = true;
    }
  });
  if (resized) interp.allocateTensors();
  const feeds = interp.getInputDetails().map((d, k) => {
    if (d.dtype === "float32" || set.inputs[k]?.input.quantized !== true) {
      return (x: TypedArray) => interp.setTensor(d.index, x);
    }
    const [scale, zeroPoint] = d.quantization;
    const dtype = d.dtype === "uint8" ? "uint8" : d.dtype === "int16" ? "int16" : "int8";
    const params = { scale, zeroPoint, format: integerFormat({ dtype }) };
    return (x: TypedArray) => interp.setTensor(d.index, quantize(x as Float32Array, params));
  });
  const correct = truth.map(() => 0);
  const started = performance.now();
  const step = Math.max(1, Math.ceil(n / 20));
  for (let i = 0; i < n; i++) {
    set.sample(i).forEach((x, k) => feeds[k]?.(x.data));
    interp.invoke();
    truth.forEach((t, k) => {
      const y = interp.getTensor(t.output.index).data;
      let best = 0;
      for (let j = 1; j < y.length; j++) if (Number(y[j]) > Number(y[best])) best = j;
      if (best === t.labels[i]) correct[k] = (correct[k] ?? 0) + 1;
    });
    if (n >= 200 && (i + 1) % step === 0 && i + 1 < n) progress(`${i + 1}/${n} samples`);
  }
  const seconds = (performance.now() - started) / 1000;
  const results = truth.map((t, k) => ({
    output: t.output.signatureName ?? t.output.name,
    tensor: t.output.name,
    correct: correct[k] ?? 0,
    accuracy: (correct[k] ?? 0) / n,
  }));
  if (p.flags.get("json") === true) {
    out(
      JSON.stringify({
        model: path,
        bytes: size,
        images: n,
        correct: results[0]?.correct ?? 0,
        accuracy: results[0]?.accuracy ?? 0,
        outputs: results,
        seconds,
      }),
    );
  } else {
    const parts = results.map(
      (r) => `output '${r.output}' accuracy ${(100 * r.accuracy).toFixed(2)} % (${r.correct}/${n})`,
    );
    out(`${path}: ${parts.join("; ")}, ${size} bytes, ${seconds.toFixed(2)} s`);
  }
  return 0;
}

const inspect: Command = {
  usage: "tsquant inspect MODEL [--json]",
  about:
    "Ops, tensors, dtypes, shapes, quantization parameters and size by tensor of a .tflite file.",
  flags: { json: { boolean: true, help: "print the tensors and ops as JSON" } },
  async run(p, out) {
    const path = onePositional("inspect", p, "model");
    const { model, bytes } = readModelFile("inspect", path);
    const io = (t: TensorIO) => {
      const q = model.subgraphs[0]?.tensors[t.index]?.quantization;
      return {
        position: t.position,
        index: t.index,
        name: t.name,
        signatureName: t.signatureName,
        dtype: t.dtype,
        shape: t.shape,
        shapeSignature: t.shapeSignature,
        scale: q?.scale ?? null,
        zeroPoint: q?.zeroPoint ?? null,
      };
    };
    const inputDetails = modelIO(model, "inputs").map(io);
    const outputDetails = modelIO(model, "outputs").map(io);
    if (p.flags.get("json") !== true) {
      out(`${path}: ${bytes.length} bytes`);
      for (const [title, list] of [
        ["Inputs", inputDetails],
        ["Outputs", outputDetails],
      ] as const) {
        out(`${title}:`);
        for (const t of list) {
          const sig = t.signatureName !== null && t.signatureName !== t.name;
          const q = t.scale !== null && t.scale.length > 0;
          out(
            `  ${t.position}: '${t.name}'${sig ? ` (signature '${t.signatureName}')` : ""} ${t.dtype} [${t.shapeSignature.join(", ")}]${q ? ` scale ${t.scale?.[0]} zero point ${t.zeroPoint?.[0]}` : ""} (tensor #${t.index})`,
          );
        }
      }
      out(summarizeModel(model));
      return 0;
    }
    const sg = model.subgraphs[0];
    const json = {
      file: path,
      bytes: bytes.length,
      inputs: sg.inputs,
      outputs: sg.outputs,
      inputDetails,
      outputDetails,
      ops: sg.operators.map((op) => ({
        op: model.operatorCodes[op.opcodeIndex]?.builtinCode,
        version: model.operatorCodes[op.opcodeIndex]?.version,
        inputs: op.inputs,
        outputs: op.outputs,
        options: op.builtinOptions,
      })),
      tensors: sg.tensors.map((t, index) => ({
        index,
        name: t.name,
        dtype: t.type,
        shape: t.shape,
        bytes: model.buffers[t.buffer]?.data?.length ?? 0,
        scale: t.quantization?.scale ?? null,
        zeroPoint: t.quantization?.zeroPoint ?? null,
        quantizedDimension: t.quantization?.quantizedDimension ?? 0,
      })),
    };
    out(JSON.stringify(json));
    return 0;
  },
};

const bench: Command = {
  usage: "tsquant bench MODEL [--runs N] [--warmup N] [--int-max N] [--json]",
  about:
    "Latency of one inference in tsquant's interpreter (batch as in the model). Every input gets\n" +
    "seeded random values: float32 in [0, 1), quantized inputs over their integer range, other\n" +
    "integer inputs (token ids, indices) in [0, --int-max).",
  flags: {
    runs: { help: "timed invocations (default 50)" },
    "int-max": { help: "integer inputs without quantization take values in [0, N) (default 2)" },
    warmup: { help: "untimed invocations first (default 5)" },
    json: { boolean: true, help: "print one JSON object" },
  },
  async run(p, out, progress) {
    const path = onePositional("bench", p, "model");
    const runs = num("bench", p, "runs", 50) ?? 50;
    const warmup = num("bench", p, "warmup", 5) ?? 5;
    if (!Number.isInteger(runs) || runs < 1)
      throw new UsageError(`bench: --runs must be a positive integer; got ${runs}`);
    const intMax = num("bench", p, "int-max", 2) ?? 2;
    if (!Number.isInteger(intMax) || intMax < 1)
      throw new UsageError(`bench: --int-max must be a positive integer; got ${intMax}`);
    const { model } = readModelFile("bench", path);
    const interp = new Interpreter({ model });
    interp.allocateTensors();
    fillRandom(interp, modelIO(model, "inputs"), intMax);
    for (let i = 0; i < warmup; i++) interp.invoke();
    progress(`timing ${runs} runs…`);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      interp.invoke();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / runs;
    const median = times[Math.floor(runs / 2)];
    if (p.flags.get("json") === true)
      out(JSON.stringify({ model: path, runs, meanMs: mean, medianMs: median, minMs: times[0] }));
    else
      out(
        `${path}: mean ${mean.toFixed(3)} ms, median ${median.toFixed(3)} ms, min ${times[0].toFixed(3)} ms over ${runs} runs`,
      );
    return 0;
  },
};

/** Seeded random values in every input: see `bench`'s help. */
function fillRandom(interp: Interpreter, inputs: TensorIO[], intMax: number): void {
  let state = 0x2545f491;
  const next = (): number => {
    // xorshift32: a fixed sequence, so runs of bench feed the same inputs.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const details = interp.getInputDetails();
  inputs.forEach((t, k) => {
    const d = details[k];
    if (d === undefined) return;
    const count = shapeSize(d.shape);
    let data: TypedArray;
    switch (d.dtype) {
      case "float32":
        data = Float32Array.from({ length: count }, next);
        break;
      case "int8":
      case "uint8":
      case "int16":
      case "int32": {
        const Ctor = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array }[
          d.dtype
        ];
        const f = t.quantized ? integerFormat({ dtype: d.dtype }) : { qmin: 0, qmax: intMax - 1 };
        const span = f.qmax - f.qmin + 1;
        data = new Ctor(count);
        for (let i = 0; i < count; i++) data[i] = f.qmin + Math.floor(next() * span);
        break;
      }
      default:
        throw new UnsupportedError(
          `bench: input ${ioLabel(t)} is ${d.dtype}; bench fills float32, int8, uint8, int16 and int32 inputs`,
        );
    }
    interp.setTensor(d.index, data);
  });
}

/** Every subcommand by name. */
export const COMMANDS: Record<string, Command> = {
  convert,
  eval: evaluate,
  inspect,
  bench,
  compare,
  install,
  uninstall,
};
