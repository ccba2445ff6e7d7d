/**
 * The cell context: which Jupyter request the running code belongs to, and whether the user has
 * interrupted it. Library code (training, calibration, evaluation, `display`, `Progress`) reads
 * it; only the kernel sets it. Nothing here loads tslab or zeromq, so the library can import it
 * anywhere — outside a kernel every lookup simply finds no cell.
 *
 * The context travels with the cell's asynchronous continuations (AsyncLocalStorage), so output
 * and interrupts of work a cell started — an awaited training loop, a timer — are attributed to
 * that cell, not to whichever cell ran last.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** A Jupyter message published on iopub, as the kernel sends it (content only). */
export type IopubPublisher = (msgType: string, content: Record<string, unknown>) => void;

/** What code running inside a kernel cell can reach. */
export interface CellContext {
  /** The execute_request's execution count (null for silent requests). */
  executionCount: number | null;
  /** Publish an iopub message whose parent is this cell's request. */
  publish: IopubPublisher;
  /** Aborted when the user interrupts the kernel (SIGINT) while this cell's work runs. */
  signal: AbortSignal;
}

/** Thrown by `checkInterrupt()` after the user interrupted the kernel. */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  constructor(message = "interrupted by the user (kernel interrupt, SIGINT)") {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

const storage = new AsyncLocalStorage<CellContext>();

/**
 * The interrupt generation. An interrupt aborts the current controller and starts a new one:
 * work begun before the interrupt stays aborted (a background loop of an interrupted cell keeps
 * failing its checks), work begun after runs normally.
 */
let generation = new AbortController();

/** The cell the calling code belongs to, or null outside a kernel cell. */
export function currentCell(): CellContext | null {
  return storage.getStore() ?? null;
}

/** Run `fn` as part of `cell`: its synchronous and asynchronous continuations see `cell`. */
export function runInCell<T>(cell: CellContext, fn: () => T): T {
  return storage.run(cell, fn);
}

/** The abort signal the next cell will get (the kernel builds its CellContext with it). */
export function nextCellSignal(): AbortSignal {
  return generation.signal;
}

/**
 * Interrupt everything running now (the kernel calls this on SIGINT): every signal handed out so
 * far is aborted; later cells get a fresh one.
 */
export function interruptAll(): void {
  const old = generation;
  generation = new AbortController();
  old.abort(new InterruptedError());
}

/**
 * The AbortSignal that long work should honour: the calling cell's, or (outside a cell) the
 * current interrupt generation's. Pass it to APIs that take a signal.
 */
export function interruptSignal(): AbortSignal {
  return currentCell()?.signal ?? generation.signal;
}

/**
 * Cooperative interrupt point for long loops (training steps, calibration samples, evaluation
 * batches): throws `InterruptedError` if the user interrupted the kernel since this work began;
 * otherwise returns at once (one property read). Outside a kernel it never throws unless
 * `interruptAll()` was called.
 */
export function checkInterrupt(): void {
  if (interruptSignal().aborted) throw new InterruptedError();
}
