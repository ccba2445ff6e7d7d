/**
 * The tsquant kernel's protocol layer, composed from tslab's pieces: tslab's `ZmqServer` binds
 * the five sockets and runs the heartbeat, tslab's `JupyterHandlerImpl` answers completion,
 * inspection and is_complete from its TypeScript language service, and tslab's executor runs
 * cells. Everything else is here, because stock tslab 1.0.22 gets it wrong:
 *
 * - every message's HMAC-SHA256 signature is checked in constant time; a bad one is dropped
 *   and logged (tslab compared with `==` and threw inside its socket loop);
 * - kernel_info_reply, shutdown_reply and every other reply carry `status`;
 * - execute: `execute_input` first (nbclient takes the execution count from it), the cell's
 *   last value as `execute_result` through the display hook (tslab printed it to stdout),
 *   errors as an iopub `error` plus an error reply with ename / evalue / traceback;
 * - stop_on_error: after a failed cell, only the execute requests already queued are aborted,
 *   and only when the failed request asked for it (tslab aborted anything arriving within
 *   200 ms, whatever the request said);
 * - comm_info_reply has its own msg_type (tslab sent "complete_reply"); history_request is
 *   answered (tslab never replied); unknown comms are closed;
 * - a request whose handling throws still gets its reply (status "error", ename / evalue /
 *   traceback; an iopub `error` for an execute): tslab logged the exception and never replied.
 *
 * Shell requests run one at a time in arrival order, as in ipykernel, so busy/idle on iopub
 * describes the kernel truthfully. kernel_info is answered at once when no cell runs, so the
 * kernel is reachable while the prelude still compiles.
 */
import { inspect } from "node:util";
import { JupyterHandlerImpl, ZmqServer } from "tslab/dist/jupyter";
import type { Executor } from "tslab/dist/executor";
import { mimeBundle } from "../display/display";
import {
  type CellContext,
  InterruptedError,
  currentCell,
  interruptAll,
  nextCellSignal,
  runInCell,
} from "../services/context";
import { History } from "./history";
import {
  type Message,
  type MessageHeader,
  parseMessage,
  replyHeader,
  serializeMessage,
} from "./protocol";

type Socket = ZmqServer["shell"];
type Content = Record<string, unknown>;

/** What the kernel says about itself in kernel_info_reply. */
export interface KernelIdentity {
  implementationVersion: string;
  /** The TypeScript version of tslab's compiler. */
  languageVersion: string;
  banner: string;
}

/** The error fields of an error reply and of the iopub `error` message. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** The console the executor reports to: `log` gets a cell's last value, `error` its errors. */
export interface ExecutorConsole {
  log(value?: unknown, ...rest: unknown[]): void;
  error(value?: unknown, ...rest: unknown[]): void;
}

const NO_VALUE: unique symbol = Symbol("no value");

/** Frames of an error stack that belong to the kernel or tslab, not to the user's code. */
function internalFrame(line: string): boolean {
  return /\/tslab\/dist\/|\/jupyter\/(kernel|context|main)\.js|node:internal\/|node:async_hooks|\(node:vm/.test(
    line,
  );
}

/** ename / evalue / traceback of what a cell threw (or of tslab's compile diagnostics). */
export function errorContent(reported: unknown[][]): ErrorContent {
  const diagnostics = reported.filter(
    (args) => typeof args[0] === "string" && args[0].startsWith("%s%d:%d"),
  );
  if (diagnostics.length > 0) {
    // tslab prints each TypeScript diagnostic as ("%s%d:%d - %s", file, line, column, text).
    const lines = diagnostics.map(
      ([, file, line, col, text]) =>
        `${String(file)}${String(line)}:${String(col)} - ${String(text)}`,
    );
    return {
      ename: "CompileError",
      evalue: lines.join("\n"),
      traceback: [`CompileError: ${lines.length} TypeScript error(s)`, ...lines],
    };
  }
  const thrown: unknown = reported[0]?.[0];
  if (thrown instanceof Error) {
    const interrupted =
      thrown instanceof InterruptedError ||
      /Script execution was interrupted by `SIGINT`|^Interrupted asynchronously$/.test(
        thrown.message,
      );
    const ename = interrupted ? "InterruptedError" : thrown.name || "Error";
    const evalue = interrupted
      ? "interrupted by the user (kernel interrupt, SIGINT)"
      : thrown.message;
    const frames = (thrown.stack ?? "")
      .split("\n")
      .filter((l) => /^\s+at /.test(l) && !internalFrame(l));
    return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames] };
  }
  if (reported.length === 0) {
    return { ename: "Error", evalue: "the cell failed", traceback: ["Error: the cell failed"] };
  }
  // A thrown non-Error (`throw "x"`, a rejected promise with a plain value).
  const evalue = inspect(thrown, { depth: 3 });
  return { ename: "Uncaught", evalue, traceback: [`Uncaught ${evalue}`] };
}

/** A cell's stdout/stderr, coalesced until the event loop turns or another message goes out. */
class StreamBuffer {
  private text: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
  private scheduled = false;
  constructor(private readonly send: (msgType: string, content: Content) => void) {}

  write(name: "stdout" | "stderr", text: string): void {
    if (text === "") return;
    this.text[name] += text;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    for (const name of ["stdout", "stderr"] as const) {
      const text = this.text[name];
      if (text !== "") {
        this.text[name] = "";
        this.send("stream", { name, text });
      }
    }
  }
}

interface LiveCell extends CellContext {
  streams: StreamBuffer;
}

export class TsquantKernel extends ZmqServer {
  private readonly executor: Executor;
  private readonly identity: KernelIdentity;
  private readonly log: (line: string) => void;
  private readonly history = new History();
  private executionCount = 0;
  /** Shell requests waiting their turn (arrival order). */
  private readonly queue: { socket: Socket; message: Message }[] = [];
  private pumping = false;
  /** msg_ids of queued execute requests to answer with status "aborted". */
  private readonly aborted = new Set<string>();
  /** True while a cell runs (not during start-up: kernel_info is answered then). */
  private running = false;
  /** The latest cell: output written outside any cell context (e.g. timers of old code) goes here. */
  private latestCell: LiveCell | null = null;
  /** What the executor reported for the running cell. */
  private lastValue: unknown = NO_VALUE;
  private reported: unknown[][] = [];
  private readonly sendChains = new Map<Socket, Promise<void>>();
  /** Requests already answered (`failed` must not send a second reply). */
  private readonly answered = new WeakSet<Message>();
  private prelude: Promise<void> = Promise.resolve();
  /** Lazy set-up: run before a request whose code may need it (see `lazySetup`). */
  private prepare: (code: string) => Promise<void> = () => Promise.resolve();
  /** Lazy set-up to run once the kernel has been idle a while (null when done or none). */
  private warmUp: (() => Promise<void>) | null = null;
  private warmUpIdleMs = 1000;
  private warmUpTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private heardFrom: () => void = () => undefined;
  /** Resolves when the first validly signed message has been answered or queued. */
  readonly firstMessage = new Promise<void>((resolve) => (this.heardFrom = resolve));

  constructor(
    handler: JupyterHandlerImpl,
    configPath: string,
    executor: Executor,
    identity: KernelIdentity,
    log: (line: string) => void,
  ) {
    super(handler, configPath);
    this.executor = executor;
    this.identity = identity;
    this.log = log;
  }

  /** The console to hand to tslab's `createExecutor`: the display and error hooks. */
  static console(kernel: () => TsquantKernel | null): ExecutorConsole {
    return {
      log: (value: unknown) => {
        const k = kernel();
        if (k !== null) k.lastValue = value;
      },
      error: (...args: unknown[]) => {
        const k = kernel();
        if (k !== null) k.reported.push(args);
      },
    };
  }

  /**
   * Run `setup` (building the executor, the prelude) before any queued request; kernel_info is
   * answered meanwhile. A failing setup is logged and the kernel carries on.
   */
  startUp(setup: () => Promise<void>): void {
    this.prelude = (async () => {
      try {
        await setup();
      } catch (e) {
        this.log(`start-up failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    })();
    void this.pump();
  }

  /**
   * Set-up that runs when needed instead of at start: `prepare(code)` is awaited before an
   * execute, complete or inspect request with that code (it decides whether the code needs the
   * set-up), and `warmUp()` runs once after the kernel has been idle for `idleMs`, so the set-up
   * is usually done before the user asks for it. Requests arriving meanwhile wait their turn.
   */
  lazySetup(
    prepare: (code: string) => Promise<void>,
    warmUp: () => Promise<void>,
    idleMs = 1000,
  ): void {
    this.prepare = prepare;
    this.warmUp = warmUp;
    this.warmUpIdleMs = idleMs;
  }

  /** (Re)arm the idle timer of the warm-up; any shell request postpones it. */
  private armWarmUp(): void {
    if (this.warmUpTimer !== null) clearTimeout(this.warmUpTimer);
    this.warmUpTimer = null;
    if (this.warmUp === null || this.closed) return;
    this.warmUpTimer = setTimeout(() => {
      this.warmUpTimer = null;
      const task = this.warmUp;
      if (task === null || this.pumping || this.queue.length > 0) return;
      this.warmUp = null;
      this.pumping = true;
      void (async () => {
        try {
          await task();
        } catch (e) {
          this.log(`warm-up failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        } finally {
          this.pumping = false;
          void this.pump();
        }
      })();
    }, this.warmUpIdleMs);
    this.warmUpTimer.unref();
  }

  /** Run set-up code (the prelude) as a silent cell; false (and a log line) if it fails. */
  async runSetupCode(code: string): Promise<boolean> {
    this.lastValue = NO_VALUE;
    this.reported = [];
    const ok = await this.executor.execute(code);
    const reported = this.reported;
    this.lastValue = NO_VALUE;
    this.reported = [];
    if (!ok || reported.length > 0) {
      this.log(`set-up code failed: ${errorContent(reported).traceback.join("\n")}`);
      return false;
    }
    return true;
  }

  /** Redirect process.stdout / process.stderr to the cell that writes (or the latest cell). */
  captureStdio(): void {
    const capture = (name: "stdout" | "stderr") =>
      ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        const cell = (currentCell() as LiveCell | null) ?? this.latestCell;
        if (cell !== null && "streams" in cell) cell.streams.write(name, text);
        else this.log(`(${name} outside any cell) ${text.trimEnd()}`);
        const cb = typeof encoding === "function" ? encoding : callback;
        if (typeof cb === "function") (cb as () => void)();
        return true;
      }) as typeof process.stdout.write;
    process.stdout.write = capture("stdout");
    process.stderr.write = capture("stderr");
  }

  /** Interrupt the running cell and every loop polling `checkInterrupt()` (SIGINT, interrupt_request). */
  interrupt(): void {
    interruptAll();
    this.executor.interrupt();
  }

  // ---- messages in ------------------------------------------------------------------------

  /** Replaces tslab's handler: verify, then route (control at once, shell in order). */
  override async handleShellMessage(socket: Socket, ...frames: Buffer[]): Promise<void> {
    const channel = socket === this.control ? "control" : "shell";
    const parsed = parseMessage(this.connInfo.key, frames);
    if (!parsed.ok) {
      this.log(`dropped a message on ${channel}: ${parsed.reason}`);
      return;
    }
    const message = parsed.message;
    try {
      setImmediate(this.heardFrom);
      if (channel === "control") {
        await this.withStatus(socket, message, () => this.handleControl(socket, message));
      } else if (message.header.msg_type === "kernel_info_request" && !this.running) {
        await this.withStatus(socket, message, async () =>
          this.reply(socket, message, "kernel_info_reply", this.kernelInfo()),
        );
      } else {
        this.queue.push({ socket, message });
        void this.pump();
      }
    } catch (e) {
      await this.failed(socket, message, e);
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      await this.prelude;
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        const { socket, message } = next;
        if (this.warmUpTimer !== null) clearTimeout(this.warmUpTimer);
        await this.withStatus(socket, message, () => this.handleShell(socket, message));
      }
    } finally {
      this.pumping = false;
    }
    this.armWarmUp();
  }

  /**
   * The guarantee of issue #6: a request whose handling threw still gets its reply, so no client
   * waits forever. `<x>_request` not yet answered → iopub `error` (for an execute) and
   * `<x>_reply` with status "error", ename, evalue and traceback. Logged either way.
   */
  private async failed(socket: Socket, message: Message, e: unknown): Promise<void> {
    const type = message.header.msg_type;
    this.log(`error handling ${type}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (!type.endsWith("_request") || this.answered.has(message)) return;
    try {
      const error = errorContent([[e]]);
      const content: Content = { status: "error", ...error };
      if (type === "execute_request") {
        if (message.content["silent"] !== true) this.iopub_(message, "error", { ...error });
        content["execution_count"] = this.executionCount;
      }
      await this.reply(socket, message, type.replace(/_request$/, "_reply"), content);
    } catch (e2) {
      this.log(`could not send the error reply: ${String(e2)}`);
    }
  }

  /** busy, `fn` (a throw becomes the error reply: `failed`), idle. */
  private async withStatus(
    socket: Socket,
    message: Message,
    fn: () => Promise<void>,
  ): Promise<void> {
    this.iopub_(message, "status", { execution_state: "busy" });
    try {
      await fn();
    } catch (e) {
      await this.failed(socket, message, e);
    } finally {
      this.iopub_(message, "status", { execution_state: "idle" });
    }
  }

  private async handleControl(socket: Socket, message: Message): Promise<void> {
    switch (message.header.msg_type) {
      case "kernel_info_request":
        await this.reply(socket, message, "kernel_info_reply", this.kernelInfo());
        return;
      case "interrupt_request":
        this.interrupt();
        await this.reply(socket, message, "interrupt_reply", { status: "ok" });
        return;
      case "shutdown_request":
        await this.shutdown(socket, message);
        return;
      default:
        this.log(`unsupported control message ${message.header.msg_type}`);
    }
  }

  private async handleShell(socket: Socket, message: Message): Promise<void> {
    const handler = this.handler as JupyterHandlerImpl;
    const c = message.content;
    const type = message.header.msg_type;
    if (type === "execute_request" || type === "complete_request" || type === "inspect_request") {
      await this.prepare(String(c["code"] ?? ""));
    }
    switch (message.header.msg_type) {
      case "execute_request":
        await this.execute(socket, message);
        return;
      case "kernel_info_request":
        await this.reply(socket, message, "kernel_info_reply", this.kernelInfo());
        return;
      case "is_complete_request":
        await this.replyGuarded(socket, message, "is_complete_reply", () => ({
          ...handler.handleIsComplete({ code: String(c["code"] ?? "") }),
        }));
        return;
      case "complete_request":
        await this.replyGuarded(socket, message, "complete_reply", () => ({
          ...handler.handleComplete({
            code: String(c["code"] ?? ""),
            cursor_pos: Number(c["cursor_pos"] ?? 0),
          }),
        }));
        return;
      case "inspect_request":
        await this.replyGuarded(socket, message, "inspect_reply", () => ({
          ...handler.handleInspect({
            code: String(c["code"] ?? ""),
            cursor_pos: Number(c["cursor_pos"] ?? 0),
            detail_level: c["detail_level"] === 1 ? 1 : 0,
          }),
        }));
        return;
      case "history_request":
        await this.reply(socket, message, "history_reply", {
          status: "ok",
          history: this.history.query(c),
        });
        return;
      case "comm_info_request":
        await this.reply(socket, message, "comm_info_reply", { status: "ok", comms: {} });
        return;
      case "comm_open":
        // No comm targets: say so by closing the comm, as ipykernel does for unknown targets.
        this.iopub_(message, "comm_close", { comm_id: c["comm_id"] ?? "", data: {} });
        return;
      case "comm_msg":
      case "comm_close":
        return;
      case "shutdown_request":
        await this.shutdown(socket, message);
        return;
      default:
        this.log(`unsupported shell message ${message.header.msg_type}`);
    }
  }

  // ---- execute ----------------------------------------------------------------------------

  private async execute(socket: Socket, message: Message): Promise<void> {
    const c = message.content;
    const code = typeof c["code"] === "string" ? c["code"] : "";
    const silent = c["silent"] === true;
    const storeHistory = !silent && c["store_history"] !== false;
    const stopOnError = c["stop_on_error"] !== false;
    if (this.aborted.delete(message.header.msg_id)) {
      await this.reply(socket, message, "execute_reply", {
        status: "aborted",
        execution_count: this.executionCount,
      });
      return;
    }
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    const send = (msgType: string, content: Content): void => {
      if (!silent) this.iopub_(message, msgType, content);
    };
    const streams = new StreamBuffer(send);
    const cell: LiveCell = {
      executionCount: storeHistory ? count : null,
      signal: nextCellSignal(),
      streams,
      publish: (msgType, content) => {
        streams.flush();
        send(msgType, content);
      },
    };
    this.latestCell = cell;
    send("execute_input", { code, execution_count: count });

    this.lastValue = NO_VALUE;
    this.reported = [];
    this.running = true;
    let ok: boolean;
    try {
      ok = await runInCell(cell, () => this.executor.execute(code));
    } catch (e) {
      // tslab's executor throws (instead of reporting) when its converter fails.
      ok = false;
      this.reported.push([e]);
    } finally {
      this.running = false;
    }
    const value = this.lastValue;
    const reported = this.reported;
    this.lastValue = NO_VALUE;
    this.reported = [];

    let error: ErrorContent | null = null;
    let output: string | null = null;
    if (!ok) {
      error = errorContent(reported);
    } else {
      // A successful cell may still report (diagnostics of a `//%module` cell): show them.
      for (const args of reported)
        streams.write(
          "stderr",
          `${args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" ")}\n`,
        );
      if (value !== NO_VALUE && !silent) {
        try {
          const data = await runInCell(cell, () => mimeBundle(value));
          cell.publish("execute_result", { execution_count: count, data, metadata: {} });
          output = typeof data["text/plain"] === "string" ? data["text/plain"] : null;
        } catch (e) {
          error = errorContent([[e]]);
        }
      }
    }
    streams.flush();
    if (storeHistory) this.history.add(count, code, output);

    if (error === null) {
      await this.reply(socket, message, "execute_reply", {
        status: "ok",
        execution_count: count,
        payload: [],
        user_expressions: {},
      });
      return;
    }
    send("error", { ...error });
    if (stopOnError) await this.abortQueued();
    await this.reply(socket, message, "execute_reply", {
      status: "error",
      execution_count: count,
      ...error,
    });
  }

  /**
   * stop_on_error: abort the execute requests that were sent before this failure was reported.
   * Let the socket loop take in what has already arrived first (it runs between event-loop turns).
   */
  private async abortQueued(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    for (const { message } of this.queue) {
      if (message.header.msg_type === "execute_request") this.aborted.add(message.header.msg_id);
    }
  }

  // ---- messages out -----------------------------------------------------------------------

  private kernelInfo(): Content {
    return {
      status: "ok",
      protocol_version: "5.3",
      implementation: "tsquant",
      implementation_version: this.identity.implementationVersion,
      language_info: {
        name: "typescript",
        version: this.identity.languageVersion,
        mimetype: "text/typescript",
        file_extension: ".ts",
        pygments_lexer: "typescript",
        // JupyterLab reads `mode`; the classic notebook reads name + typescript (as tslab does).
        codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
      },
      banner: this.identity.banner,
      help_links: [],
    };
  }

  private async replyGuarded(
    socket: Socket,
    message: Message,
    msgType: string,
    content: () => Content,
  ): Promise<void> {
    let body: Content;
    try {
      body = { status: "ok", ...content() };
    } catch (e) {
      body = { status: "error", ...errorContent([[e]]) };
    }
    await this.reply(socket, message, msgType, body);
  }

  /** Send on `socket`, after everything already sent on it and on iopub (outputs before the reply). */
  private async reply(
    socket: Socket,
    message: Message,
    msgType: string,
    content: Content,
  ): Promise<void> {
    this.answered.add(message);
    await this.sendChains.get(this.iopub as unknown as Socket);
    const frames = serializeMessage(
      this.connInfo.key,
      message.identities,
      replyHeader(message.header, msgType),
      message.header,
      content,
    );
    await this.send(socket, frames);
  }

  /** Publish on iopub with `message` as parent (not awaited: iopub never blocks; order is kept). */
  private iopub_(message: Message, msgType: string, content: Content): void {
    if (this.closed) return;
    const topic = msgType === "status" ? "kernel.status" : `kernel.${msgType}`;
    const frames = serializeMessage(
      this.connInfo.key,
      [Buffer.from(topic)],
      replyHeader(message.header as MessageHeader, msgType),
      message.header,
      content,
    );
    void this.send(this.iopub as unknown as Socket, frames);
  }

  /** zeromq allows one send in flight per socket: chain them. */
  private send(socket: Socket, frames: (Buffer | string)[]): Promise<void> {
    const previous = this.sendChains.get(socket) ?? Promise.resolve();
    const next = previous
      .then(() => (this.closed ? undefined : socket.send(frames)))
      .catch((e: unknown) => this.log(`send failed: ${String(e)}`));
    this.sendChains.set(socket, next);
    return next;
  }

  private async shutdown(socket: Socket, message: Message): Promise<void> {
    const restart = message.content["restart"] === true;
    await this.reply(socket, message, "shutdown_reply", { status: "ok", restart });
    this.iopub_(message, "status", { execution_state: "idle" });
    await this.sendChains.get(this.iopub as unknown as Socket);
    this.closed = true;
    this.log(`shutdown requested (restart: ${restart})`);
    // Exit even if user code left timers or sockets open; give zeromq a moment to flush. The
    // TypeScript watchers need no closing: the process ends.
    setTimeout(() => {
      try {
        for (const socket of [this.iopub, this.shell, this.control, this.stdin, this.hb])
          socket.close();
      } finally {
        process.exit(0);
      }
    }, 50);
  }
}
