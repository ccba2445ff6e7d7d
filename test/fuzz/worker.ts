// Worker thread of the pipeline fuzz test: runs cases `start …` in order, posting "start" before
// each and "done" (outcome, milliseconds) after it, so that the main thread can time every case
// and stop the worker when one hangs.
import { parentPort, workerData } from "node:worker_threads";
import { loadBases, makeCase } from "./cases";
import { runPipeline } from "./pipeline";
import type { Outcome } from "./pipeline";

export interface WorkerInput {
  root: string;
  seed: number;
  start: number;
  end: number;
  /** A case slower than this is run once more and the faster time reported (load spikes). */
  slowMs: number;
}

export type WorkerMessage =
  | { kind: "start"; c: number; what: string }
  | { kind: "done"; c: number; what: string; outcome: Outcome; ms: number; bytes: number }
  | { kind: "end" };

const port = parentPort;
if (port === null) throw new Error("worker.ts runs as a worker thread");
const input = workerData as WorkerInput;
const bases = loadBases(input.root);

for (let c = input.start; c < input.end; c++) {
  const first = makeCase(bases, input.seed, c);
  port.postMessage({ kind: "start", c, what: first.what } satisfies WorkerMessage);
  let start = performance.now();
  const outcome = runPipeline(first.bytes, first.rand);
  let ms = performance.now() - start;
  if (ms > input.slowMs) {
    const again = makeCase(bases, input.seed, c);
    start = performance.now();
    runPipeline(again.bytes, again.rand);
    ms = Math.min(ms, performance.now() - start);
  }
  const done: WorkerMessage = {
    kind: "done",
    c,
    what: first.what,
    outcome,
    ms,
    bytes: first.bytes.length,
  };
  port.postMessage(done);
}
port.postMessage({ kind: "end" } satisfies WorkerMessage);
