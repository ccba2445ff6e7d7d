/**
 * `fit`: tfjs's `model.fit` with tsquant's fast kernels on, progress reported through a
 * `ProgressReporter`, and an `AbortSignal` that stops training between steps. Stopping sets
 * `model.stopTraining`, which tfjs checks after each batch, so the weights are those of the
 * last completed step and the model stays usable (predict, evaluate, fit again, convert).
 */
import * as tf from "@tensorflow/tfjs";
import { ShapeError, UsageError } from "../errors";
import { enableFastKernels } from "../fast";
import { type ProgressReporter, progressCallback, textProgress } from "./progress";
import { withSeededShuffle } from "./shuffle";

export interface FitOptions extends Omit<tf.ModelFitArgs, "callbacks"> {
  /** Abort to stop after the current step. */
  signal?: AbortSignal;
  /** Where progress goes: a reporter, or false for none. Default: `textProgress()`. */
  progress?: ProgressReporter | false;
  /** Register tsquant's fast CPU kernels first (default true). */
  fastKernels?: boolean;
  /** Extra tfjs callbacks, run after the progress callback. */
  callbacks?: tf.CustomCallbackArgs[];
  /**
   * Seed for the order of the training samples (`shuffle: true`, tfjs's default). Without it
   * tfjs shuffles with Math.random and every run differs; with it the batches, and so the
   * trained weights, are the same on every run (`shuffle.ts`).
   */
  seed?: number;
}

export interface FitResult {
  history: tf.History;
  /** True when training ended early because `signal` was aborted. */
  interrupted: boolean;
}

function firstDim(x: tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor }): number {
  const t = x instanceof tf.Tensor ? x : Array.isArray(x) ? x[0] : Object.values(x)[0];
  if (t === undefined || t.shape.length === 0) {
    throw new ShapeError("fit: expected inputs with a batch dimension; found none");
  }
  return t.shape[0];
}

export async function fit(
  model: tf.LayersModel,
  x: tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor },
  y: tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor },
  options: FitOptions = {},
): Promise<FitResult> {
  const { signal, progress, fastKernels, callbacks, seed, ...fitArgs } = options;
  if (fastKernels !== false) enableFastKernels();
  const batchSize = fitArgs.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new UsageError(`fit: batchSize must be a positive integer; found ${batchSize}`);
  }
  const epochs = (fitArgs.epochs ?? 1) - (fitArgs.initialEpoch ?? 0);
  const n = firstDim(x);
  // tfjs takes the validation split from the end of the data before batching.
  const train = fitArgs.validationSplit ? Math.floor(n * (1 - fitArgs.validationSplit)) : n;
  const steps = Math.max(1, Math.ceil(train / batchSize));
  const reporter = progress === undefined ? textProgress() : progress;
  const cb = reporter
    ? progressCallback(reporter, {
        epochs,
        steps,
        batchSize,
        lastBatchSize: train - (steps - 1) * batchSize,
      })
    : undefined;
  let interrupted = false;
  const stop = (): void => {
    interrupted = true;
    model.stopTraining = true;
  };
  if (signal?.aborted) stop();
  signal?.addEventListener("abort", stop, { once: true });
  try {
    if (interrupted) {
      return { history: new tf.History(), interrupted };
    }
    const run = (): Promise<tf.History> =>
      model.fit(x, y, {
        ...fitArgs,
        batchSize,
        callbacks: [...(cb ? [cb] : []), ...(callbacks ?? [])],
      });
    const history = await (seed === undefined ? run() : withSeededShuffle(seed, run));
    if (interrupted) cb?.stopped();
    return { history, interrupted };
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}
