// Runs pipeline fuzz cases in a worker thread so that a hang cannot block the test suite: the
// main thread times each case from the worker's messages and terminates the worker when one
// runs past `hangMs`, records the hang and goes on in a fresh worker from the next case.
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import type { Outcome } from "./pipeline";
import type { WorkerInput, WorkerMessage } from "./worker";

export interface CaseResult {
  c: number;
  what: string;
  outcome: Outcome | { kind: "hang" };
  ms: number;
  bytes: number;
}

export interface FuzzOptions {
  root: string;
  seed: number;
  count: number;
  /** Cases slower than this are re-run once (the faster time counts). */
  slowMs: number;
  /** A case still running after this long is a hang: the worker is terminated. */
  hangMs: number;
}

// tsx compiles the worker's TypeScript; the test runner's --import does not reach workers.
const BOOTSTRAP = `require("tsx/cjs/api").register(); require(${JSON.stringify(join(__dirname, "worker.ts"))});`;

/** Every case's result, in case order. */
export async function runFuzzCases(options: FuzzOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  let next = 0;
  while (next < options.count) {
    next = await runWorker(options, next, results);
  }
  return results;
}

/** Runs cases from `start` in one worker; resolves with the case to go on from. */
function runWorker(options: FuzzOptions, start: number, results: CaseResult[]): Promise<number> {
  const input: WorkerInput = {
    root: options.root,
    seed: options.seed,
    start,
    end: options.count,
    slowMs: options.slowMs,
  };
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: input });
  return new Promise((resolve, reject) => {
    let current: { c: number; what: string; since: number } | null = null;
    const watchdog = setInterval(() => {
      if (current === null || performance.now() - current.since < options.hangMs) return;
      const hung = current;
      results.push({
        c: hung.c,
        what: hung.what,
        outcome: { kind: "hang" },
        ms: options.hangMs,
        bytes: 0,
      });
      finish(() => resolve(hung.c + 1));
    }, 100);
    const finish = (then: () => void): void => {
      clearInterval(watchdog);
      worker.removeAllListeners();
      void worker.terminate().then(then, then);
    };
    worker.on("message", (m: WorkerMessage) => {
      if (m.kind === "start") current = { c: m.c, what: m.what, since: performance.now() };
      else if (m.kind === "done") {
        current = null;
        results.push({ c: m.c, what: m.what, outcome: m.outcome, ms: m.ms, bytes: m.bytes });
      } else finish(() => resolve(options.count));
    });
    worker.on("error", (e) => {
      const at = current;
      if (at === null) return finish(() => reject(e));
      // A crash inside a case (e.g. out of memory) is that case's failure.
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      results.push({
        c: at.c,
        what: at.what,
        outcome: { kind: "untyped", stage: "invoke", error },
        ms: performance.now() - at.since,
        bytes: 0,
      });
      finish(() => resolve(at.c + 1));
    });
  });
}
