/**
 * The layers `quantizeModel` builds (tfmot default 8-bit scheme, docs/quantization.md, "Quantization-aware training"):
 * - `QuantizeInput`: fake-quant of the model input with the running global min/max from [0, 0]
 *   (tfmot's QuantizeLayer with AllValuesQuantizer).
 * - `QuantConv2D` / `QuantDense`: the layer's math with fake-quantized weights — symmetric,
 *   narrow range [1, 255], last-value range, per output channel for Conv2D and per tensor for Dense
 *   unless asked otherwise — and fake-quantized output: after linear/relu/relu6, before
 *   softmax/sigmoid/tanh, with a moving-average range (decay 0.999, starting at [−6, 6]).
 *   A following BatchNormalization is folded in (Jacob et al. 2018): with s = γ / √(σ² + ε),
 *   w' = w · s per output channel, b' = β + (b − μ) · s, and w' is what gets fake-quantized — the
 *   weights that will be deployed. NOTE: μ and σ² are the BN layer's moving statistics, frozen
 *   during QAT (the paper's "freeze batch norm" phase from the first step); γ and β train.
 * `quantDelay` steps of training run the float math (ranges still tracked), as TF1's
 * create_training_graph did.
 */
import * as tf from "@tensorflow/tfjs";
import { MinMaxObserver, MovingAverageMinMaxObserver } from "../calib/minmax";
import type { Observer } from "../calib/observer";
import { UsageError } from "../errors";
import { fakeQuantOp, fakeQuantPerChannelOp, lastValueSymmetricRange } from "./ops";

const WEIGHT_OPTIONS = { numBits: 8, narrowRange: true } as const;
const ACTIVATION_OPTIONS = { numBits: 8, narrowRange: false } as const;

/** Activation range tracker: observes in training, then fake-quantizes with the tracked range. */
export class ActivationQuantizer {
  constructor(readonly observer: Observer) {}

  static movingAverage(): ActivationQuantizer {
    return new ActivationQuantizer(
      new MovingAverageMinMaxObserver({ decay: 0.999, initial: { min: -6, max: 6 } }),
    );
  }

  /**
   * tfmot's AllValuesQuantizer for the model input: the running global min/max of everything
   * seen, extended to include 0. Unlike the moving averages its min/max variables start at
   * [0, 0] (tfmot 0.8 `AllValuesQuantizer.build`), so MNIST pixels in [0, 1] get the range
   * [0, 1]. NOTE: before its first training batch the range is empty; tfmot would fake-quantize
   * with [0, 0] (degenerate), tsquant passes the input through (see `apply`), and the converter
   * refuses a QAT model whose input range was never observed.
   */
  static allValues(): ActivationQuantizer {
    return new ActivationQuantizer(new MinMaxObserver());
  }

  /** True when the range has never been observed and has no initial value (allValues only). */
  isEmpty(): boolean {
    return this.observer instanceof MinMaxObserver && this.observer.count === 0;
  }

  /** The current range, extended to include 0 (FakeQuant's requirement); [0, 0] if empty. */
  range(): { min: number; max: number } {
    if (this.isEmpty()) return { min: 0, max: 0 };
    const r = this.observer.computeRange();
    return { min: Math.min(r.min, 0), max: Math.max(r.max, 0) };
  }

  apply(x: tf.Tensor, training: boolean, quantize: boolean): tf.Tensor {
    if (training) this.observer.observe(x.dataSync());
    if (!quantize || this.isEmpty()) return x;
    const { min, max } = this.range();
    return fakeQuantOp(x, min, max, ACTIVATION_OPTIONS);
  }
}

function isTraining(kwargs: tf.serialization.ConfigDict | undefined): boolean {
  return kwargs?.["training"] === true;
}

function single(inputs: tf.Tensor | tf.Tensor[], layer: string): tf.Tensor {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  if (x === undefined) throw new UsageError(`${layer}: expected one input`);
  return x;
}

/** The model input's fake-quant (tfmot QuantizeLayer). */
export class QuantizeInput extends tf.layers.Layer {
  static readonly className = "TsquantQuantizeInput";
  readonly quantizer = ActivationQuantizer.allValues();
  quantDelay: number;
  step = 0;

  constructor(args: { quantDelay?: number; name?: string; inputShape?: number[] } = {}) {
    super({ name: args.name, inputShape: args.inputShape });
    this.quantDelay = args.quantDelay ?? 0;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    const training = isTraining(kwargs);
    const x = single(inputs, this.name);
    if (training) this.step++;
    return this.quantizer.apply(x, training, this.step > this.quantDelay || !training);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), quantDelay: this.quantDelay };
  }
}

export type QatActivation = "linear" | "relu" | "relu6" | "softmax" | "sigmoid" | "tanh";

export interface FoldedBatchNorm {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  movingMean: tf.Tensor1D;
  movingVariance: tf.Tensor1D;
  epsilon: number;
}

export type QuantWeightedKind = "conv2d" | "depthwise" | "dense";

/** Output channels: the kernel's last dim; depthwise [kh, kw, cin, mult] has cin · mult. */
export function outputChannels(kind: QuantWeightedKind, shape: readonly number[]): number {
  const last = shape[shape.length - 1] ?? 1;
  return kind === "depthwise" ? (shape[2] ?? 1) * last : last;
}

/** The kernel with the output channel as its last axis (depthwise: [kh, kw, cin · mult]). */
function channelView(kind: QuantWeightedKind, kernel: tf.Tensor): tf.Tensor {
  if (kind !== "depthwise") return kernel;
  const [kh, kw, cin, mult] = kernel.shape;
  return tf.reshape(kernel, [kh ?? 1, kw ?? 1, (cin ?? 1) * (mult ?? 1)]);
}

export interface QuantWeightedArgs {
  name?: string;
  /** depthwise: kernel [kh, kw, cin, multiplier], output channel c·multiplier + m. */
  kind: QuantWeightedKind;
  kernel: tf.Tensor;
  bias: tf.Tensor1D | null;
  activation: QatActivation;
  /** Conv2D only. */
  strides?: [number, number];
  padding?: "same" | "valid";
  dilationRate?: [number, number];
  /** Per-channel weight ranges (default: true for conv2d, false for dense). */
  perChannel?: boolean;
  batchNorm?: FoldedBatchNorm;
  quantDelay?: number;
  /** Keep this layer in float: no fake-quant, no range tracking (a layer left unannotated). */
  float?: boolean;
}

function activate(x: tf.Tensor, a: QatActivation): tf.Tensor {
  switch (a) {
    case "linear":
      return x;
    case "relu":
      return tf.relu(x);
    case "relu6":
      return tf.relu6(x);
    case "softmax":
      return tf.softmax(x);
    case "sigmoid":
      return tf.sigmoid(x);
    case "tanh":
      return tf.tanh(x);
    default:
      return a satisfies never;
  }
}

/** Conv2D or Dense with fake-quantized (and optionally BN-folded) weights and output. */
export class QuantWeighted extends tf.layers.Layer {
  static readonly className = "TsquantQuantWeighted";
  readonly kind: QuantWeightedKind;
  readonly activation: QatActivation;
  readonly perChannel: boolean;
  readonly outputQuantizer = ActivationQuantizer.movingAverage();
  quantDelay: number;
  step = 0;
  private readonly args: QuantWeightedArgs;
  private kernelVar: tf.LayerVariable | null = null;
  private biasVar: tf.LayerVariable | null = null;
  private bn: {
    gamma: tf.LayerVariable;
    beta: tf.LayerVariable;
    mean: tf.LayerVariable;
    variance: tf.LayerVariable;
  } | null = null;

  constructor(args: QuantWeightedArgs) {
    super({ name: args.name });
    this.args = args;
    this.kind = args.kind;
    this.activation = args.activation;
    this.perChannel = args.perChannel ?? args.kind !== "dense";
    this.quantDelay = args.quantDelay ?? 0;
  }

  override build(): void {
    const a = this.args;
    const outC = outputChannels(a.kind, a.kernel.shape);
    // Weights start as the float model's (written right after creation).
    const weight = (name: string, value: tf.Tensor, trainable = true): tf.LayerVariable => {
      const v = this.addWeight(
        name,
        value.shape,
        "float32",
        tf.initializers.zeros(),
        undefined,
        trainable,
      );
      v.write(value);
      return v;
    };
    this.kernelVar = weight("kernel", a.kernel);
    this.biasVar = weight("bias", a.bias ?? tf.zeros([outC]));
    if (a.batchNorm) {
      const b = a.batchNorm;
      this.bn = {
        gamma: weight("gamma", b.gamma),
        beta: weight("beta", b.beta),
        mean: weight("moving_mean", b.movingMean, false),
        variance: weight("moving_variance", b.movingVariance, false),
      };
    }
    this.built = true;
  }

  /** True when the layer was left in float (not annotated). */
  get isFloat(): boolean {
    return this.args.float === true;
  }

  /** Conv2D geometry (defaults for Dense). */
  get geometry(): {
    strides: [number, number];
    padding: "same" | "valid";
    dilationRate: [number, number];
  } {
    return {
      strides: this.args.strides ?? [1, 1],
      padding: this.args.padding ?? "valid",
      dilationRate: this.args.dilationRate ?? [1, 1],
    };
  }

  /** The deployed float weights: kernel and bias with BN folded in (no fake-quant). */
  foldedWeights(): { kernel: tf.Tensor; bias: tf.Tensor1D } {
    const k = this.kernelVar;
    const b = this.biasVar;
    if (k === null || b === null) throw new UsageError(`${this.name}: layer is not built`);
    return tf.tidy(() => {
      if (this.bn === null)
        return { kernel: k.read().clone(), bias: b.read().clone() as tf.Tensor1D };
      const eps = this.args.batchNorm?.epsilon ?? 1e-3;
      const s = tf.div(this.bn.gamma.read(), tf.sqrt(tf.add(this.bn.variance.read(), eps)));
      // Depthwise: s has one value per output channel cin·multiplier, the last axis of the
      // [kh, kw, cin·multiplier] view of the kernel.
      const kernel = k.read();
      return {
        kernel: tf.reshape(tf.mul(channelView(this.kind, kernel), s), kernel.shape),
        bias: tf.add(
          this.bn.beta.read(),
          tf.mul(tf.sub(b.read(), this.bn.mean.read()), s),
        ) as tf.Tensor1D,
      };
    });
  }

  /**
   * The weights' fake-quant range now (last value, symmetric): per output channel (the last
   * axis; for depthwise, channel c·multiplier + m of [kh, kw, cin·multiplier]) or per tensor.
   */
  weightRange(): { min: Float32Array; max: Float32Array } {
    const { kernel, bias } = this.foldedWeights();
    const view = channelView(this.kind, kernel);
    const r = lastValueSymmetricRange(kernel.dataSync(), view.shape, this.perChannel);
    tf.dispose([kernel, bias, view]);
    return r;
  }

  /** `kernel` fake-quantized with its own last-value symmetric range (what the layer deploys). */
  fakeQuantWeights(kernel: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const view = channelView(this.kind, kernel);
      const r = lastValueSymmetricRange(kernel.dataSync(), view.shape, this.perChannel);
      const q = this.perChannel
        ? fakeQuantPerChannelOp(view, r.min, r.max, WEIGHT_OPTIONS)
        : fakeQuantOp(view, r.min[0] ?? 0, r.max[0] ?? 0, WEIGHT_OPTIONS);
      return tf.reshape(q, kernel.shape);
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    const training = isTraining(kwargs);
    if (training) this.step++;
    const quantize = !this.args.float && (!training || this.step > this.quantDelay);
    const x = single(inputs, this.name);
    const { kernel, bias } = this.foldedWeights();
    const w = quantize ? this.fakeQuantWeights(kernel) : kernel;
    const strides = this.args.strides ?? [1, 1];
    const padding = this.args.padding ?? "valid";
    const dilations = this.args.dilationRate ?? [1, 1];
    let y: tf.Tensor;
    switch (this.kind) {
      case "conv2d":
        y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, padding, "NHWC", dilations);
        break;
      case "depthwise":
        y = tf.depthwiseConv2d(
          x as tf.Tensor4D,
          w as tf.Tensor4D,
          strides,
          padding,
          "NHWC",
          dilations,
        );
        break;
      case "dense":
        y = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
        break;
      default:
        y = this.kind satisfies never;
    }
    y = tf.add(y, bias);
    // tfmot: softmax, sigmoid, tanh see the quantized pre-activation; linear and relu the output.
    const before =
      this.activation === "softmax" || this.activation === "sigmoid" || this.activation === "tanh";
    if (this.args.float) return activate(y, this.activation);
    if (before) return activate(this.outputQuantizer.apply(y, training, quantize), this.activation);
    y = activate(y, this.activation);
    return this.outputQuantizer.apply(y, training, quantize);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const outC = outputChannels(this.kind, this.args.kernel.shape);
    if (this.kind === "dense") return [...s.slice(0, -1), outC];
    const [kH, kW] = this.args.kernel.shape;
    // Same output geometry for depthwise (only the channel count differs).
    const info = tf.backend_util.computeConv2DInfo(
      [1, s[1] ?? 1, s[2] ?? 1, s[3] ?? 1],
      [kH ?? 1, kW ?? 1, s[3] ?? 1, outC],
      this.args.strides ?? [1, 1],
      this.args.dilationRate ?? [1, 1],
      this.args.padding ?? "valid",
    );
    return [s[0] ?? null, info.outHeight, info.outWidth, outC];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      kind: this.kind,
      activation: this.activation,
      perChannel: this.perChannel,
      quantDelay: this.quantDelay,
    };
  }
}

/**
 * Add or Concatenate with its output fake-quantized (tfmot quantizes both outputs: moving-average
 * range from [−6, 6], decay 0.999); the inputs arrive already fake-quantized by their producers.
 */
export class QuantMerge extends tf.layers.Layer {
  static readonly className = "TsquantQuantMerge";
  readonly outputQuantizer = ActivationQuantizer.movingAverage();
  readonly kind: "add" | "concatenate";
  /** Concatenate: the axis (negative counts from the end). */
  readonly axis: number;
  quantDelay: number;
  step = 0;

  constructor(args: {
    name?: string;
    kind: "add" | "concatenate";
    axis?: number;
    quantDelay?: number;
  }) {
    super({ name: args.name });
    this.kind = args.kind;
    this.axis = args.axis ?? -1;
    this.quantDelay = args.quantDelay ?? 0;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    const training = isTraining(kwargs);
    if (training) this.step++;
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    const y = this.kind === "add" ? tf.addN(xs) : tf.concat(xs, this.axis);
    return this.outputQuantizer.apply(y, training, !training || this.step > this.quantDelay);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as tf.Shape[];
    const first = shapes[0] ?? [];
    if (this.kind === "add") return first;
    const axis = this.axis < 0 ? first.length + this.axis : this.axis;
    const out = [...first];
    out[axis] = shapes.reduce((sum, sh) => (sum ?? 0) + (sh[axis] ?? 0), 0);
    return out;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kind: this.kind, axis: this.axis, quantDelay: this.quantDelay };
  }
}

export type QuantPoolKind = "averagePooling2d" | "globalAveragePooling2d";

/**
 * AveragePooling2D or GlobalAveragePooling2D with its output fake-quantized: tfmot's registry
 * quantizes both outputs (moving-average range from [−6, 6], decay 0.999), unlike MaxPooling2D,
 * which passes through. In the int8 file the GlobalAveragePooling2D's MEAN writes with that range;
 * AVERAGE_POOL_2D keeps its input's scale and a QUANTIZE op after it requantizes to the range,
 * as TF converts tfmot's model.
 */
export class QuantPool extends tf.layers.Layer {
  static readonly className = "TsquantQuantPool";
  readonly outputQuantizer = ActivationQuantizer.movingAverage();
  readonly kind: QuantPoolKind;
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: "same" | "valid";
  quantDelay: number;
  step = 0;

  constructor(args: {
    name?: string;
    kind: QuantPoolKind;
    poolSize?: [number, number];
    strides?: [number, number];
    padding?: "same" | "valid";
    quantDelay?: number;
  }) {
    super({ name: args.name });
    this.kind = args.kind;
    this.poolSize = args.poolSize ?? [2, 2];
    this.strides = args.strides ?? this.poolSize;
    this.padding = args.padding ?? "valid";
    this.quantDelay = args.quantDelay ?? 0;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    const training = isTraining(kwargs);
    if (training) this.step++;
    const x = single(inputs, this.name) as tf.Tensor4D;
    const y =
      this.kind === "averagePooling2d"
        ? tf.avgPool(x, this.poolSize, this.strides, this.padding)
        : tf.mean(x, [1, 2]);
    return this.outputQuantizer.apply(y, training, !training || this.step > this.quantDelay);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (this.kind === "globalAveragePooling2d") return [s[0] ?? null, s[3] ?? null];
    const info = tf.backend_util.computePool2DInfo(
      [1, s[1] ?? 1, s[2] ?? 1, s[3] ?? 1],
      this.poolSize,
      this.strides,
      1,
      this.padding,
    );
    return [s[0] ?? null, info.outHeight, info.outWidth, s[3] ?? null];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      kind: this.kind,
      poolSize: this.poolSize,
      strides: this.strides,
      padding: this.padding,
      quantDelay: this.quantDelay,
    };
  }
}

/** The layers quantizeModel / quantizeApply put in (each carries a fake-quant of its own). */
export type QatLayer = QuantizeInput | QuantWeighted | QuantMerge | QuantPool;

export function isQatLayer(l: tf.layers.Layer): l is QatLayer {
  return (
    l instanceof QuantizeInput ||
    l instanceof QuantWeighted ||
    l instanceof QuantMerge ||
    l instanceof QuantPool
  );
}

tf.serialization.registerClass(QuantizeInput);
tf.serialization.registerClass(QuantWeighted);
tf.serialization.registerClass(QuantMerge);
tf.serialization.registerClass(QuantPool);
