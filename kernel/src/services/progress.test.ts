import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type CellContext, nextCellSignal, runInCell } from "./context";
import { TSQUANT_MIME, type ProgressPayload } from "../display/payload";
import { trainingProgress } from "../train/progress";
import { Progress, etaSeconds, formatDuration, progressLine } from "./progress";

/** A clock the test moves by hand (milliseconds). */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe("progress", () => {
  test("ETA extrapolates linearly; unknown before any work", () => {
    // 25 of 100 done in 10 s → 75 left at 2.5 units/s = 30 s.
    assert.equal(etaSeconds(25, 100, 10), 30);
    assert.equal(etaSeconds(0, 100, 10), null);
    assert.equal(formatDuration(3.24), "3.2 s");
    assert.equal(formatDuration(125), "2 min 05 s");
    assert.equal(formatDuration(3720), "1 h 02 min");
  });

  test("the text line shows bar, percent, counts, elapsed, ETA and the message", () => {
    const p: ProgressPayload = {
      kind: "progress",
      task: "training",
      done: 5,
      total: 10,
      unit: "epoch",
      elapsedSeconds: 2,
      status: "running",
      message: "loss 0.2130",
    };
    assert.equal(
      progressLine(p, 10),
      "training [#####.....] 50% 5/10 epoch, 2.0 s, ETA 2.0 s, loss 0.2130",
    );
  });

  test("in a cell: one display_data with an id, then throttled update_display_data", () => {
    const c = clock();
    const sent: [string, Record<string, unknown>][] = [];
    const cell: CellContext = {
      executionCount: 1,
      signal: nextCellSignal(),
      publish: (t, content) => sent.push([t, content]),
    };
    const p = runInCell(cell, () => new Progress({ total: 100, task: "calibration", now: c.now }));
    // 100 updates 1 ms apart = 99 ms < 200 ms: only the first draws.
    for (let i = 1; i <= 100; i++) {
      p.update(i, { metrics: { mse: 1 / i } });
      c.advance(1);
    }
    assert.equal(sent.length, 1);
    c.advance(200);
    p.update(100);
    p.done({ message: "finished" });
    assert.deepEqual(
      sent.map(([t]) => t),
      ["display_data", "update_display_data", "update_display_data"],
    );
    const ids = sent.map(
      ([, content]) => (content["transient"] as { display_id: string }).display_id,
    );
    assert.ok(ids.every((id) => id === p.displayId));
    const last = (sent[2]?.[1]["data"] as Record<string, unknown>)[TSQUANT_MIME] as ProgressPayload;
    assert.equal(last.status, "done");
    assert.equal(last.done, 100);
    assert.equal(last.message, "finished");
  });

  test("on a terminal: one line redrawn with \\r, final newline", () => {
    const c = clock();
    let out = "";
    const p = new Progress({
      total: 4,
      title: "eval",
      unit: "batch",
      now: c.now,
      jupyter: false,
      output: { write: (s: string) => (out += s), isTTY: true },
    });
    p.tick();
    c.advance(500);
    p.tick();
    p.done();
    assert.equal(out.split("\r").length - 1, 3);
    assert.equal(out.split("\n").length - 1, 1);
    assert.match(out, /, done *\n$/);
  });

  test("in a log file: a line at most every plainIntervalMs, and the last state", () => {
    const c = clock();
    const lines: string[] = [];
    const p = new Progress({
      total: 1000,
      now: c.now,
      jupyter: false,
      plainIntervalMs: 5000,
      output: { write: (s: string) => lines.push(s) },
    });
    // 1000 steps of 10 ms from t = 0: the first step draws (t = 0.01 s), the next due one is at
    // t = 5.01 s, the one after would be at 10.01 s > 10 s; then done() draws the final state → 3.
    for (let i = 0; i < 1000; i++) {
      c.advance(10);
      p.tick();
    }
    p.done();
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => l.endsWith("\n") && !l.includes("\r")));
  });

  test("bad totals are usage errors", () => {
    assert.throws(() => new Progress({ total: 0 }), /total must be a finite number >= 1, found 0/);
    assert.throws(() => new Progress({ total: 3, jupyter: true }), /does not run in a kernel cell/);
  });

  test("trainingProgress: fit's records drive one live output with a curve point per epoch", () => {
    const c = clock();
    const sent: [string, Record<string, unknown>][] = [];
    const cell: CellContext = {
      executionCount: 1,
      signal: nextCellSignal(),
      publish: (t, content) => sent.push([t, content]),
    };
    const reporter = runInCell(cell, () => trainingProgress({ now: c.now, minIntervalMs: 0 }));
    runInCell(cell, () => {
      for (let epoch = 1; epoch <= 2; epoch++) {
        for (let step = 1; step <= 3; step++) {
          c.advance(100);
          reporter.onProgress({
            epoch,
            epochs: 2,
            step,
            steps: 3,
            loss: 1 / (epoch * step),
            accuracy: 0.5,
            samplesPerSecond: 10,
            etaSeconds: 1,
            epochEnd: step === 3,
          });
        }
      }
    });
    assert.equal(sent[0]?.[0], "display_data");
    assert.ok(sent.slice(1).every(([t]) => t === "update_display_data"));
    const last = (sent.at(-1)?.[1]["data"] as Record<string, unknown>)[
      TSQUANT_MIME
    ] as ProgressPayload;
    // 2 epochs × 3 steps = 6 steps; the last record closes epoch 2 → done; loss 1/(2·3) = 0.1667
    // and accuracy 0.5 at 4 significant digits.
    assert.equal(last.total, 6);
    assert.equal(last.done, 6);
    assert.equal(last.status, "done");
    assert.deepEqual(
      last.curve?.map((p) => p.step),
      [3, 6],
    );
    assert.match(last.message ?? "", /^epoch 2\/2 loss 0\.1667 acc 0\.5000$/);
  });
});
