import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type CellContext,
  InterruptedError,
  checkInterrupt,
  currentCell,
  interruptAll,
  interruptSignal,
  nextCellSignal,
  runInCell,
} from "./context";

function cell(): CellContext {
  return { executionCount: 1, publish: () => undefined, signal: nextCellSignal() };
}

describe("cell context and interrupts", () => {
  test("the cell is visible across awaits and timers started inside it, and not outside", async () => {
    const c = cell();
    assert.equal(currentCell(), null);
    const seen = await runInCell(c, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return currentCell();
    });
    assert.equal(seen, c);
    assert.equal(currentCell(), null);
  });

  test("an interrupt aborts work begun before it, not work begun after", async () => {
    const before = cell();
    let caught: unknown = null;
    const loop = runInCell(before, async () => {
      try {
        for (let step = 0; step < 1000; step++) {
          checkInterrupt();
          await new Promise((r) => setImmediate(r));
        }
      } catch (e) {
        caught = e;
      }
    });
    await new Promise((r) => setImmediate(r));
    interruptAll();
    await loop;
    assert.ok(caught instanceof InterruptedError);
    assert.equal(before.signal.aborted, true);
    // A cell started after the interrupt runs normally, and keeps failing nothing.
    const after = cell();
    runInCell(after, () => checkInterrupt());
    assert.equal(after.signal.aborted, false);
    // Outside a cell, the current generation is not aborted.
    assert.equal(interruptSignal().aborted, false);
    // The old cell stays aborted (a background loop of an interrupted cell keeps stopping).
    assert.throws(() => runInCell(before, () => checkInterrupt()), InterruptedError);
  });
});
