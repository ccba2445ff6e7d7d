/**
 * QAT benchmark (issue 5; not a test): the tutorial's recipe, post-training int8 vs
 * quantization-aware training, on MNIST and Fashion-MNIST, over several trainings.
 *
 *   nice -n 5 node --import tsx test/bench/qat.bench.ts [mnist|fashion] [--models N] [--fine-tunes K]
 *
 * Per data set and float seed s (1..N; MNIST 4, Fashion-MNIST 2 by default): the tutorial CNN
 * trained in float as the notebooks do — 5 epochs on the 60,000 training images, batch 32, Adam
 * 1e-3, initial weights and sample order seeded by s (cached in
 * test/bench/.cache/qat-<set>-e5-s<s>/ and reused when present); then
 * - PTQ: int8 (float I/O) calibrated on the first 100 training images;
 * - QAT: quantizeModel, fine-tuned on the first 1,000 training images, batch 500, 1 epoch,
 *   validation split 0.1 (the tutorial's recipe), sample order seeded by k = 1..K (3), converted
 *   with the learned ranges;
 * and top-1 accuracy on the 10,000 test images of the float model, the QAT models' float
 * (fake-quant) forward, and every int8 file in LiteRT (default kernels, what users run) and in
 * tsquant's interpreter. MNIST s = 1, k = 1 is the notebooks' run. Writes the "qat" section of
 * test/bench/RESULTS.md: whether QAT ≥ PTQ − 0.1 point held for every fine-tuning.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { TFLiteConverter } from "../../kernel/src/converter";
import { fileSystem, loadLayersModelFromFile } from "../../kernel/src/converter/tfjs";
import { type ImageDataset, fashionMnist, mnist } from "../../kernel/src/data/datasets";
import { enableFastKernels } from "../../kernel/src/fast";
import { compileTutorial } from "../../kernel/src/train";
import { runLiteRT } from "../helpers/litert";
import {
  accuracyOf,
  argmaxRows,
  fineTuneQat,
  modelInput,
  predictClasses,
  runInterpreter,
  trainFloat,
} from "../qat/helpers";
import { replaceSection } from "./results";

tf.setBackend("cpu");
enableFastKernels();

const CACHE = join(__dirname, ".cache");
const EPOCHS = 5;

interface FineTune {
  seed: number;
  qatFloat: number;
  liteRT: number;
  tsquant: number;
  /** Top-1 agreement of the QAT float forward and the int8 file (tsquant), percent. */
  agreement: number;
}

interface Row {
  set: string;
  seed: number;
  float: number;
  ptqLiteRT: number;
  ptqTsquant: number;
  fineTunes: FineTune[];
  trainSeconds: number | null;
}

async function floatModel(
  name: string,
  data: ImageDataset,
  seed: number,
): Promise<{ model: tf.LayersModel; seconds: number | null }> {
  const dir = join(CACHE, `qat-${name}-e${EPOCHS}-s${seed}`);
  if (existsSync(join(dir, "model.json"))) {
    const model = await loadLayersModelFromFile(dir);
    compileTutorial(model);
    return { model, seconds: null };
  }
  const t = performance.now();
  const model = await trainFloat(data.train, { epochs: EPOCHS, seed });
  const seconds = (performance.now() - t) / 1000;
  mkdirSync(dir, { recursive: true });
  await model.save(fileSystem(dir));
  return { model, seconds };
}

async function int8Accuracy(
  bytes: Uint8Array,
  images: Float32Array,
  labels: Uint8Array,
): Promise<{ liteRT: number; tsquant: number; classes: Int32Array }> {
  const n = labels.length;
  const input = modelInput(bytes, images, n);
  const lite = await runLiteRT(bytes, [input], { resolver: "default", batch: 500 });
  const classes = argmaxRows(runInterpreter(bytes, input).data as Float32Array, 10);
  return {
    liteRT: accuracyOf(argmaxRows(lite.outputs[0]?.data ?? [], 10), labels),
    tsquant: accuracyOf(classes, labels),
    classes,
  };
}

async function run(
  name: string,
  data: ImageDataset,
  seed: number,
  fineTunes: number,
): Promise<Row> {
  const { model: float, seconds: trainSeconds } = await floatModel(name, data, seed);
  const images = data.test.asFloat().data;
  const labels = data.test.labels.data;
  const n = labels.length;

  const ptq = TFLiteConverter.fromLayersModel(float);
  ptq.optimizations = ["DEFAULT"];
  const calib = data.train.take(100).asFloat().data;
  ptq.representativeDataset = Array.from({ length: 100 }, (_, i) => [
    { data: calib.slice(i * 784, (i + 1) * 784), shape: [1, 28, 28], dtype: "float32" as const },
  ]);
  const ptqResult = await int8Accuracy(await ptq.convert(), images, labels);

  const tunes: FineTune[] = [];
  for (let k = 1; k <= fineTunes; k++) {
    const qat = await fineTuneQat(float, data.train.take(1000), { seed: k });
    const conv = TFLiteConverter.fromLayersModel(qat);
    conv.optimizations = ["DEFAULT"];
    const r = await int8Accuracy(await conv.convert(), images, labels);
    const qatFloat = predictClasses(qat, images, n);
    let same = 0;
    for (let i = 0; i < n; i++) if (qatFloat[i] === r.classes[i]) same++;
    tunes.push({
      seed: k,
      qatFloat: accuracyOf(qatFloat, labels),
      liteRT: r.liteRT,
      tsquant: r.tsquant,
      agreement: (100 * same) / n,
    });
  }
  return {
    set: name === "mnist" ? "MNIST" : "Fashion-MNIST",
    seed,
    float: accuracyOf(predictClasses(float, images, n), labels),
    ptqLiteRT: ptqResult.liteRT,
    ptqTsquant: ptqResult.tsquant,
    fineTunes: tunes,
    trainSeconds,
  };
}

function option(args: string[], name: string, fallback: number | undefined): number | undefined {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a positive integer`);
  return v;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.find((a) => a === "mnist" || a === "fashion");
  const models = option(args, "--models", undefined);
  const fineTunes = option(args, "--fine-tunes", 3) ?? 3;
  const sets: [string, () => ImageDataset, number][] = [
    ["mnist", mnist, models ?? 4],
    ["fashion", () => fashionMnist(), models ?? 2],
  ];
  const rows: Row[] = [];
  for (const [name, load, seeds] of sets) {
    if (only !== undefined && only !== name) continue;
    const data = load();
    for (let seed = 1; seed <= seeds; seed++) {
      const row = await run(name, data, seed, fineTunes);
      process.stdout.write(JSON.stringify(row) + "\n");
      rows.push(row);
    }
  }
  const f = (x: number) => x.toFixed(2);
  const signed = (x: number) => `${x >= 0 ? "+" : ""}${f(x)}`;
  const list = (xs: number[]) => xs.map((x) => `${f(x)} %`).join(", ");
  const table = [
    "| data set | float seed | float (tfjs) | PTQ int8 LiteRT | PTQ int8 tsquant | QAT float (fake-quant) | QAT int8 LiteRT | QAT int8 tsquant | QAT int8 = QAT float (top-1, lowest) | QAT − PTQ (LiteRT) | QAT ≥ PTQ − 0.1 |",
    "| --- | --: | --: | --: | --: | --- | --- | --- | --: | --- | --- |",
    ...rows.map((r) => {
      const d = r.fineTunes.map((t) => t.liteRT - r.ptqLiteRT);
      const held = d.filter((x) => x >= -0.1 - 1e-9).length;
      return `| ${r.set} | ${r.seed} | ${f(r.float)} % | ${f(r.ptqLiteRT)} % | ${f(r.ptqTsquant)} % | ${list(r.fineTunes.map((t) => t.qatFloat))} | ${list(r.fineTunes.map((t) => t.liteRT))} | ${list(r.fineTunes.map((t) => t.tsquant))} | ${f(Math.min(...r.fineTunes.map((t) => t.agreement)))} % | ${d.map(signed).join(", ")} | ${held === d.length ? "yes" : `**${held} of ${d.length}**`} |`;
    }),
  ].join("\n");
  const all = rows.flatMap((r) => r.fineTunes.map((t) => t.liteRT - r.ptqLiteRT));
  const mean = all.reduce((s, x) => s + x, 0) / Math.max(1, all.length);
  const trained = rows.filter((r) => r.trainSeconds !== null);
  const body = [
    `Date: ${new Date().toISOString().slice(0, 10)}. Command: \`nice -n 5 node --import tsx test/bench/qat.bench.ts${args.length > 0 ? ` ${args.join(" ")}` : ""}\`.`,
    "",
    `The tutorial CNN trained in float as the notebooks do: ${EPOCHS} epochs on the 60,000 training images, batch 32, Adam 1e-3, initial weights and sample order seeded by the float seed (\`fit(…, { seed })\`; cached in \`test/bench/.cache/\`). PTQ: int8 with float I/O, calibrated on the first 100 training images. QAT: \`quantizeModel\`, fine-tuned on the first 1,000 training images, batch 500, 1 epoch, validation split 0.1 (the tutorial's recipe) with sample-order seeds ${Array.from({ length: fineTunes }, (_, i) => i + 1).join(", ")} (listed in that order), converted with the learned ranges (no calibration). Top-1 accuracy on the 10,000 test images; LiteRT with its default kernels (XNNPACK), tsquant's interpreter (= LiteRT's reference kernels, which the notebooks report). MNIST float seed 1 with fine-tune seed 1 is the notebooks' run.`,
    "",
    table,
    "",
    `QAT − PTQ (LiteRT) over all ${all.length} fine-tunings: lowest ${signed(Math.min(...all))}, mean ${signed(mean)}, highest ${signed(Math.max(...all))} points. ${trained.length === 0 ? "Float models loaded from the cache." : `Float training: ${trained.map((r) => `${r.set} seed ${r.seed} ${r.trainSeconds?.toFixed(0)} s`).join(", ")}.`}`,
    "",
    "NOTE: with tfmot's semantics the fine-tuning's 2 Adam steps move the moving-average activation ranges from their [−6, 6] start by only 0.2 %, so the QAT file's conv output and logits use about ±6 ranges where PTQ calibrates tight ones; the input range is the data's ([0, 1], tfmot's AllValuesQuantizer starts at [0, 0]). The 2 steps also train: QAT − PTQ mixes the quantization error recovered with what 900 images at learning rate 0.001 add or take away, which is why it varies with the fine-tuning's sample order.",
    "",
    "NOTE: where QAT float and int8 agree on fewer than 99.5 % of the images (MNIST seeds 2 and 3, fine-tune 1), one conv channel's bias alone — what every background pixel's window computes — lands within 0.001 output step of a rounding tie. LiteRT's reference kernels (and tsquant's interpreter, bit-exact with them) requantize with two roundings (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT) and go up a step where the float simulation goes down, for the whole channel; XNNPACK rounds once, so there LiteRT's accuracy equals the QAT float forward's. TF's QAT files have the same property; it is LiteRT's integer arithmetic, not the conversion.",
  ].join("\n");
  replaceSection(
    "qat",
    "Quantization-aware training vs post-training int8 (tutorial recipe)",
    body,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
