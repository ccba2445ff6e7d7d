/**
 * The `tsquant` subcommands: convert, eval, inspect, bench (here), compare (`./compare`) and
 * install, uninstall (`./install`). Each is `{ usage, about, flags, run }`, in one registry.
 */
import { writeFileSync } from "node:fs";
import { UsageError } from "../errors";
import { type Model, shapeSize } from "../ir";
import { Interpreter } from "../interpreter/interpreter";
import { summarizeModel } from "../tflite/summary";
import type { CalibrationMethod } from "../calib/calibrate";
import { TFLiteConverter, type ConversionMode } from "../converter/converter";
import type { IOType } from "../converter/integer";
import { type Command, type Parsed, choice, num, str } from "./args";
import { loadImages, loadLabels } from "./data";
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
    "int8, int8-only and int16x8 calibrate on --calibration (IDX or .npy images).",
  flags: {
    output: { alias: "o", help: "output .tflite path (required)" },
    mode: { help: MODES.join("|") + " (required)" },
    calibration: { help: "calibration images, IDX (gzip or raw) or .npy" },
    samples: { help: "calibration samples to use (default 100)" },
    method: { help: `calibration method: ${METHODS.join("|")} (default minmax)` },
    "input-type": { help: "float32|int8|uint8|int16 (default float32)" },
    "output-type": { help: "float32|int8|uint8|int16 (default float32)" },
    scale: { help: "multiply calibration values by this (default: 1/255 for integer data)" },
    offset: { help: "then add this (default 0)" },
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
    throw new UsageError(`convert: --mode ${mode} needs --calibration FILE (IDX or .npy images)`);
  if (!needsData) {
    if (file !== undefined) progress(`note: --calibration is not used in mode ${mode}`);
    return;
  }
  if (file === undefined) return;
  const samples = num("convert", p, "samples", 100) ?? 100;
  if (!Number.isInteger(samples) || samples < 1)
    throw new UsageError(`convert: --samples must be a positive integer; got ${samples}`);
  const interp = new Interpreter({ model: c.inputModel });
  interp.allocateTensors();
  const d = interp.getInputDetails()[0];
  const perSample = shapeSize(d.shape.slice(1));
  const images = loadImages(
    file,
    perSample,
    num("convert", p, "scale"),
    num("convert", p, "offset", 0),
  );
  const n = Math.min(samples, images.n);
  if (n < samples)
    throw new UsageError(`convert: --samples ${samples} but ${file} holds only ${images.n} images`);
  progress(`calibrating on ${n} samples of ${file}`);
  const shape = [1, ...d.shape.slice(1)];
  c.representativeDataset = Array.from({ length: n }, (_, i) => [
    {
      data: images.data.slice(i * perSample, (i + 1) * perSample),
      shape,
      dtype: "float32" as const,
    },
  ]);
}

const evaluate: Command = {
  usage: "tsquant eval MODEL --images FILE --labels FILE [--json]",
  about:
    "Top-1 accuracy of a .tflite classifier (float or quantized inputs) in tsquant's interpreter.",
  flags: {
    images: { help: "images, IDX or .npy (required)" },
    labels: { help: "labels, IDX or .npy (required)" },
    limit: { help: "evaluate only the first N images" },
    scale: { help: "multiply image values by this (default: 1/255 for integer data)" },
    offset: { help: "then add this (default 0)" },
    json: { boolean: true, help: "print one JSON object" },
  },
  async run(p, out, progress) {
    const path = onePositional("eval", p, "model");
    const imagesPath = str(p, "images");
    const labelsPath = str(p, "labels");
    if (imagesPath === undefined || labelsPath === undefined)
      throw new UsageError("eval: --images and --labels are required");
    const { model, bytes } = readModelFile("eval", path);
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

const inspect: Command = {
  usage: "tsquant inspect MODEL [--json]",
  about:
    "Ops, tensors, dtypes, shapes, quantization parameters and size by tensor of a .tflite file.",
  flags: { json: { boolean: true, help: "print the tensors and ops as JSON" } },
  async run(p, out) {
    const path = onePositional("inspect", p, "model");
    const { model, bytes } = readModelFile("inspect", path);
    if (p.flags.get("json") !== true) {
      out(`${path}: ${bytes.length} bytes`);
      out(summarizeModel(model));
      return 0;
    }
    const sg = model.subgraphs[0];
    const json = {
      file: path,
      bytes: bytes.length,
      inputs: sg.inputs,
      outputs: sg.outputs,
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
  usage: "tsquant bench MODEL [--runs N] [--warmup N] [--json]",
  about: "Latency of one inference in tsquant's interpreter (zero inputs, batch as in the model).",
  flags: {
    runs: { help: "timed invocations (default 50)" },
    warmup: { help: "untimed invocations first (default 5)" },
    json: { boolean: true, help: "print one JSON object" },
  },
  async run(p, out, progress) {
    const path = onePositional("bench", p, "model");
    const runs = num("bench", p, "runs", 50) ?? 50;
    const warmup = num("bench", p, "warmup", 5) ?? 5;
    if (!Number.isInteger(runs) || runs < 1)
      throw new UsageError(`bench: --runs must be a positive integer; got ${runs}`);
    const { model } = readModelFile("bench", path);
    const interp = new Interpreter({ model });
    interp.allocateTensors();
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
