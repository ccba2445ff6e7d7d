/**
 * Progress and interrupts for a loop over a dataset that someone else iterates (`calibrate`'s
 * representative dataset): `watchDataset` wraps the dataset so that, between samples, the event
 * loop gets a turn every 50 ms (a kernel interrupt can arrive), an aborted signal stops the loop
 * with InterruptedError, and a `Progress` output advances about 20 times when the number of
 * samples is known.
 */
import { InterruptedError, currentCell, interruptSignal } from "./context";
import { Progress } from "./progress";
import type { ProgressPayload } from "../display/payload";

export interface WatchOptions {
  /** "auto" (default): in a Jupyter cell, or as text when stderr is a terminal; true; false. */
  progress?: boolean | "auto";
  /** Default: the kernel's interrupt (`tq.interruptSignal()`). */
  signal?: AbortSignal;
}

/** Progress steps per run. */
const STEPS = 20;
/** Longest stretch without giving the event loop a turn, in milliseconds. */
const YIELD_EVERY_MS = 50;

/** Whether to draw progress: explicitly, or ("auto") in a kernel cell or on a terminal. */
export function showProgress(mode: boolean | "auto" | undefined): boolean {
  const m = mode ?? "auto";
  return m === true || (m === "auto" && (currentCell() !== null || process.stderr.isTTY));
}

/**
 * The dataset, watched. An array stays an array of the same samples (callers may size chunks by
 * its length); other iterables become generators. `end(count)` draws the final state.
 *
 * NOTE: `for await` over a sync iterable awaits each value it yields, so yielding
 * `between().then(() => sample)` lets a sync iteration pause (and throw) between samples.
 */
export function watchDataset<T>(
  source: Iterable<T> | AsyncIterable<T>,
  limit: number,
  options: WatchOptions,
  task: ProgressPayload["task"],
  unit = "sample",
): { source: Iterable<T> | AsyncIterable<T>; end(count: number): void } {
  const total = Array.isArray(source) ? Math.min(source.length, limit) : limit;
  const signal = options.signal ?? interruptSignal();
  const progress =
    Number.isFinite(total) && total >= 1 && showProgress(options.progress)
      ? new Progress({ total, task, unit })
      : null;
  const step = Number.isFinite(total) ? Math.max(Math.ceil(total / STEPS), 1) : Infinity;
  let done = 0;
  let lastYield = performance.now();
  const between = async (): Promise<void> => {
    if (done > 0 && done % step === 0) progress?.update(done);
    done++;
    if (performance.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (signal.aborted) {
      progress?.fail({ message: "interrupted" });
      throw signal.reason instanceof Error ? signal.reason : new InterruptedError();
    }
  };
  let watched: Iterable<T> | AsyncIterable<T>;
  if (Symbol.asyncIterator in source) {
    const inner = source;
    watched = (async function* () {
      for await (const sample of inner) {
        await between();
        yield sample;
      }
    })();
  } else {
    const inner = source;
    const each = function* (): Generator<T> {
      for (const sample of inner) yield between().then(() => sample) as unknown as T;
    };
    if (Array.isArray(inner)) {
      const copy: T[] = [...(inner as T[])];
      Object.defineProperty(copy, Symbol.iterator, { value: each });
      watched = copy;
    } else {
      watched = { [Symbol.iterator]: each };
    }
  }
  return {
    source: watched,
    end(count: number): void {
      if (progress === null) return;
      if (count > 0) progress.done();
      else progress.fail({ message: "no samples" });
    },
  };
}
