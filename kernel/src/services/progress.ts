/**
 * `Progress`: one live-updating progress output for long work (training, calibration,
 * evaluation, conversion). In a Jupyter cell it is a single output — `display_data` with a
 * display id, then `update_display_data` in place — carrying the "progress" payload (percent,
 * elapsed time, ETA, metrics; the training curve), an HTML bar and a text line. Outside Jupyter
 * it is one line of text: redrawn with `\r` on a terminal, or printed every `plainIntervalMs`
 * when the output is a file or pipe. Either way updates are throttled, so a loop may call
 * `update` every step without flooding the notebook or the log.
 */
import { randomBytes } from "node:crypto";
import { UsageError } from "../errors";
import { type CurvePoint, type ProgressPayload, TSQUANT_MIME } from "../display/payload";
import { type CellContext, currentCell } from "./context";
import { DISPLAY_SYMBOL, type MimeBundle, escapeHtml } from "./mime";

export interface ProgressOptions {
  /** Units of work in all (samples, batches, epochs); >= 1. */
  total: number;
  /** Default "training". */
  task?: ProgressPayload["task"];
  title?: string;
  /** e.g. "batch", "sample", "epoch". */
  unit?: string;
  /** Least time between two redraws in Jupyter and on a terminal (default 200 ms). */
  minIntervalMs?: number;
  /** Least time between two printed lines when the output is not a terminal (default 5000 ms). */
  plainIntervalMs?: number;
  /** Plain-text output outside Jupyter (default process.stderr, as progress bars do). */
  output?: { write(text: string): unknown; isTTY?: boolean };
  /** Clock in milliseconds (default Date.now; tests pass their own). */
  now?: () => number;
  /** Force Jupyter output on (true) or off (false); default: on inside a kernel cell. */
  jupyter?: boolean;
}

export interface ProgressUpdate {
  /** Status text shown after the numbers, e.g. "epoch 2/5". */
  message?: string;
  /** Metrics shown as `name value` pairs after the message, e.g. { loss: 0.213 }. */
  metrics?: Record<string, number>;
}

function metricsText(metrics: Record<string, number> | undefined): string {
  if (metrics === undefined) return "";
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join(" ");
}

export class Progress {
  readonly displayId = `tsquant-progress-${randomBytes(8).toString("hex")}`;
  private readonly total: number;
  private readonly task: ProgressPayload["task"];
  private readonly title: string | undefined;
  private readonly unit: string | undefined;
  private readonly minIntervalMs: number;
  private readonly plainIntervalMs: number;
  private readonly output: { write(text: string): unknown; isTTY?: boolean };
  private readonly now: () => number;
  private readonly cell: CellContext | null;
  private readonly start: number;
  private doneCount = 0;
  private message = "";
  private status: ProgressPayload["status"] = "running";
  private readonly curve: CurvePoint[] = [];
  private lastRender = Number.NEGATIVE_INFINITY;
  private rendered = false;
  private lastLineLength = 0;
  /** Number of outputs sent (display/update messages or text writes); for tests and debugging. */
  renders = 0;

  constructor(options: ProgressOptions) {
    if (!Number.isFinite(options.total) || options.total < 1) {
      throw new UsageError(`Progress: total must be a finite number >= 1, found ${options.total}`);
    }
    this.total = options.total;
    this.task = options.task ?? "training";
    this.title = options.title;
    this.unit = options.unit;
    this.minIntervalMs = options.minIntervalMs ?? 200;
    this.plainIntervalMs = options.plainIntervalMs ?? 5000;
    this.output = options.output ?? process.stderr;
    this.now = options.now ?? Date.now;
    const cell = currentCell();
    this.cell = options.jupyter === false ? null : cell;
    if (options.jupyter === true && cell === null) {
      throw new UsageError("Progress: jupyter: true, but this code does not run in a kernel cell");
    }
    this.start = this.now();
  }

  /** The current state as a "progress" payload. */
  get payload(): ProgressPayload {
    const p: ProgressPayload = {
      kind: "progress",
      task: this.task,
      done: this.doneCount,
      total: this.total,
      elapsedSeconds: (this.now() - this.start) / 1000,
      status: this.status,
    };
    if (this.title !== undefined) p.title = this.title;
    if (this.unit !== undefined) p.unit = this.unit;
    if (this.message !== "") p.message = this.message;
    if (this.curve.length > 0) p.curve = [...this.curve];
    return p;
  }

  /** Seconds left by linear extrapolation (null before any work is done). */
  get etaSeconds(): number | null {
    return etaSeconds(this.doneCount, this.total, (this.now() - this.start) / 1000);
  }

  /** Set the units done (clamped to [0, total]) and the status text; redraws if due. */
  update(done: number, info: ProgressUpdate = {}): void {
    this.doneCount = Math.min(Math.max(done, 0), this.total);
    this.setMessage(info);
    this.render(false);
  }

  /** Advance by `n` units (default 1). */
  tick(n = 1, info: ProgressUpdate = {}): void {
    this.update(this.doneCount + n, info);
  }

  /** Add a point to the training curve (shown by the JupyterLab renderer). */
  addPoint(point: CurvePoint): void {
    this.curve.push(point);
  }

  /** Mark the task finished (done = total) and draw the final state. */
  done(info: ProgressUpdate = {}): void {
    this.doneCount = this.total;
    this.status = "done";
    this.setMessage(info);
    this.render(true);
  }

  /** Mark the task failed (e.g. interrupted) and draw the final state. */
  fail(info: ProgressUpdate = {}): void {
    this.status = "failed";
    this.setMessage(info);
    this.render(true);
  }

  [DISPLAY_SYMBOL](): MimeBundle {
    return progressBundle(this.payload);
  }

  /** The one-line text form, e.g. for logs. */
  toString(): string {
    return progressLine(this.payload);
  }

  private setMessage(info: ProgressUpdate): void {
    const parts = [info.message ?? "", metricsText(info.metrics)].filter((s) => s !== "");
    if (parts.length > 0) this.message = parts.join(" ");
  }

  private render(final: boolean): void {
    const t = this.now();
    const tty = this.cell === null && this.output.isTTY === true;
    const interval = this.cell !== null || tty ? this.minIntervalMs : this.plainIntervalMs;
    if (!final && this.rendered && t - this.lastRender < interval) return;
    this.lastRender = t;
    this.renders++;
    if (this.cell !== null) {
      this.cell.publish(this.rendered ? "update_display_data" : "display_data", {
        data: progressBundle(this.payload),
        metadata: {},
        transient: { display_id: this.displayId },
      });
    } else {
      const line = progressLine(this.payload);
      if (tty) {
        // Pad over the previous line's tail: `\r` returns the cursor but does not erase.
        const pad = " ".repeat(Math.max(this.lastLineLength - line.length, 0));
        this.output.write(`\r${line}${pad}${final ? "\n" : ""}`);
        this.lastLineLength = line.length;
      } else {
        this.output.write(`${line}\n`);
      }
    }
    this.rendered = true;
  }
}

/** Seconds as `1.2 s`, `3 min 05 s` or `1 h 02 min`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${String(Math.floor(seconds % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/**
 * ETA by linear extrapolation: elapsed · (total − done) / done. Degenerate case: nothing done
 * yet (done ≤ 0) → null (unknown).
 */
export function etaSeconds(done: number, total: number, elapsedSeconds: number): number | null {
  if (done <= 0 || elapsedSeconds < 0) return null;
  return (elapsedSeconds * Math.max(total - done, 0)) / done;
}

/** `training [#####.....] 50% 5/10 epoch, 2.0 s, ETA 2.0 s, loss 0.213`: one line. */
export function progressLine(p: ProgressPayload, width = 20): string {
  const fraction = p.total > 0 ? Math.min(Math.max(p.done / p.total, 0), 1) : 0;
  const filled = Math.round(fraction * width);
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  const parts = [
    `${p.title === undefined || p.title === "" ? p.task : p.title} ${bar} ${Math.floor(fraction * 100)}% ${p.done}/${p.total}${p.unit === undefined ? "" : ` ${p.unit}`}`,
  ];
  if (p.elapsedSeconds !== undefined) {
    parts.push(formatDuration(p.elapsedSeconds));
    const eta = p.status === "running" ? etaSeconds(p.done, p.total, p.elapsedSeconds) : null;
    if (eta !== null) parts.push(`ETA ${formatDuration(eta)}`);
  }
  if (p.status !== "running") parts.push(p.status);
  if (p.message !== undefined && p.message !== "") parts.push(p.message);
  return parts.join(", ");
}

/** The progress bundle: payload (live bar and curve in JupyterLab), an HTML bar, one text line. */
export function progressBundle(p: ProgressPayload): MimeBundle {
  const fraction = p.total > 0 ? Math.min(Math.max(p.done / p.total, 0), 1) : 0;
  const line = progressLine(p);
  const html =
    `<div class="tsquant-progress"><progress max="1" value="${fraction.toFixed(4)}" style="width:20em"></progress> ` +
    `<span>${escapeHtml(line)}</span></div>`;
  return { [TSQUANT_MIME]: p, "text/plain": line, "text/html": html };
}
