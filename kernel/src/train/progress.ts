/**
 * Training progress as plain data: a tfjs callback turns `model.fit`'s batch and epoch logs into
 * `ProgressInfo` records and hands them to a reporter with one method, `onProgress(info)`. The
 * default reporter writes one line of text; a notebook display can implement the same interface.
 */
import type * as tf from "@tensorflow/tfjs";
import { Progress, type ProgressOptions } from "../services/progress";

export interface ProgressInfo {
  /** 1-based epoch and total epochs. */
  epoch: number;
  epochs: number;
  /** 1-based step (batch) within the epoch and steps per epoch. */
  step: number;
  steps: number;
  /** Running mean of the batch losses in this epoch. */
  loss: number;
  /** Running mean of the batch accuracies in this epoch (when the model reports one). */
  accuracy?: number;
  /** Validation metrics, at the end of an epoch that ran validation. */
  valLoss?: number;
  valAccuracy?: number;
  /** Training samples per second since `fit` began. */
  samplesPerSecond: number;
  /** Seconds left at the current rate (0 when done). */
  etaSeconds: number;
  /** True on the record that closes an epoch. */
  epochEnd: boolean;
  /** True when training stopped early (interrupt or a callback's stopTraining). */
  stopped?: boolean;
}

export interface ProgressReporter {
  onProgress(info: ProgressInfo): void;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  const r = Math.round(s - 60 * m);
  return m > 0 ? `${m}m${String(r).padStart(2, "0")}s` : `${r}s`;
}

/** One line per record, e.g. `epoch 1/5 step 120/1875 loss 0.4123 acc 0.8811 1520 samples/s ETA 5m02s`. */
export function formatProgress(info: ProgressInfo): string {
  const parts = [
    `epoch ${info.epoch}/${info.epochs}`,
    `step ${info.step}/${info.steps}`,
    `loss ${info.loss.toFixed(4)}`,
  ];
  if (info.accuracy !== undefined) parts.push(`acc ${info.accuracy.toFixed(4)}`);
  if (info.valLoss !== undefined) parts.push(`val_loss ${info.valLoss.toFixed(4)}`);
  if (info.valAccuracy !== undefined) parts.push(`val_acc ${info.valAccuracy.toFixed(4)}`);
  parts.push(`${Math.round(info.samplesPerSecond)} samples/s`);
  parts.push(info.stopped ? "stopped" : `ETA ${fmtTime(info.etaSeconds)}`);
  return parts.join(" ");
}

/**
 * Plain-text reporter: epoch-end records (and stops) always, other records at most every
 * `intervalMs` (default 1000) — so a notebook cell's output stays short.
 */
export function textProgress(
  write: (line: string) => void = (line) => console.log(line),
  intervalMs = 1000,
): ProgressReporter {
  let last = -Infinity;
  return {
    onProgress(info) {
      const now = Date.now();
      if (!info.epochEnd && !info.stopped && now - last < intervalMs) return;
      last = now;
      write(formatProgress(info));
    },
  };
}

export interface ProgressCallbackOptions {
  epochs: number;
  /** Steps (batches) per epoch: ceil(samples / batchSize), minus validation samples. */
  steps: number;
  batchSize: number;
  /** Samples in the last, possibly short, batch of an epoch (default batchSize). */
  lastBatchSize?: number;
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
}

/** tfjs's log keys for accuracy vary with the metric spelling. */
function metric(logs: tf.Logs | undefined, keys: readonly string[]): number | undefined {
  if (logs === undefined) return undefined;
  for (const k of keys) {
    const v = logs[k];
    if (typeof v === "number") return v;
  }
  return undefined;
}

const ACC = ["acc", "accuracy", "sparseCategoricalAccuracy", "categoricalAccuracy"];
const VAL_ACC = ACC.map((k) => `val_${k}`);

/**
 * A `model.fit` callback (tfjs's `CustomCallbackArgs`) that reports progress after every batch
 * and epoch. ETA = remaining samples ÷ samples per second so far.
 */
export function progressCallback(
  reporter: ProgressReporter,
  options: ProgressCallbackOptions,
): tf.CustomCallbackArgs & { stopped: () => void } {
  const now = options.now ?? (() => performance.now());
  const { epochs, steps, batchSize } = options;
  const lastBatch = options.lastBatchSize ?? batchSize;
  const perEpoch = (steps - 1) * batchSize + lastBatch;
  let start = 0;
  let epoch = 0;
  let seen = 0;
  let lossSum = 0;
  let accSum = 0;
  let accCount = 0;
  let step = 0;
  let lastInfo: ProgressInfo | undefined;
  const info = (epochEnd: boolean, logs?: tf.Logs): ProgressInfo => {
    const elapsed = Math.max(1e-9, (now() - start) / 1000);
    const rate = seen / elapsed;
    const remaining = Math.max(0, epochs * perEpoch - seen);
    return {
      epoch: epoch + 1,
      epochs,
      step,
      steps,
      loss: step > 0 ? lossSum / step : NaN,
      accuracy: accCount > 0 ? accSum / accCount : undefined,
      valLoss: epochEnd ? metric(logs, ["val_loss"]) : undefined,
      valAccuracy: epochEnd ? metric(logs, VAL_ACC) : undefined,
      samplesPerSecond: rate,
      etaSeconds: rate > 0 ? remaining / rate : Infinity,
      epochEnd,
    };
  };
  return {
    onTrainBegin: async () => {
      start = now();
    },
    onEpochBegin: async (e: number) => {
      epoch = e;
      step = 0;
      lossSum = 0;
      accSum = 0;
      accCount = 0;
    },
    onBatchEnd: async (_batch: number, logs?: tf.Logs) => {
      step++;
      const size = metric(logs, ["size"]) ?? batchSize;
      seen += size;
      lossSum += metric(logs, ["loss"]) ?? NaN;
      const acc = metric(logs, ACC);
      if (acc !== undefined) {
        accSum += acc;
        accCount++;
      }
      lastInfo = info(false, logs);
      reporter.onProgress(lastInfo);
    },
    onEpochEnd: async (_e: number, logs?: tf.Logs) => {
      lastInfo = info(true, logs);
      reporter.onProgress(lastInfo);
    },
    /** Report that training stopped early (called by `fit` after an interrupt). */
    stopped: () => {
      reporter.onProgress({ ...(lastInfo ?? info(false)), stopped: true });
    },
  };
}

/**
 * A training `ProgressReporter` (the `progress` option of tsquant's `fit`) drawing one live
 * `Progress` output: units are steps over all epochs, metrics are the running loss and accuracy,
 * and each epoch end adds a point to the training curve. Stopped training marks it failed.
 */
export function trainingProgress(
  options: Omit<ProgressOptions, "total" | "task"> = {},
): ProgressReporter {
  let progress: Progress | null = null;
  return {
    onProgress(info: ProgressInfo): void {
      const total = Math.max(info.epochs * info.steps, 1);
      progress ??= new Progress({ unit: "step", ...options, total, task: "training" });
      const done = (info.epoch - 1) * info.steps + info.step;
      const metrics: Record<string, number> = { loss: info.loss };
      if (info.accuracy !== undefined) metrics["acc"] = info.accuracy;
      if (info.valLoss !== undefined) metrics["val_loss"] = info.valLoss;
      if (info.valAccuracy !== undefined) metrics["val_acc"] = info.valAccuracy;
      const message = `epoch ${info.epoch}/${info.epochs}`;
      if (info.epochEnd) {
        progress.addPoint({
          step: done,
          loss: info.loss,
          ...(info.accuracy === undefined ? {} : { accuracy: info.accuracy }),
          ...(info.valLoss === undefined ? {} : { valLoss: info.valLoss }),
          ...(info.valAccuracy === undefined ? {} : { valAccuracy: info.valAccuracy }),
        });
      }
      if (info.stopped === true) {
        progress.update(done, {});
        progress.fail({ message: `stopped at ${message}`, metrics });
      } else if (info.epochEnd && info.epoch >= info.epochs) {
        progress.done({ message, metrics });
      } else {
        progress.update(done, { message, metrics });
      }
    },
  };
}
