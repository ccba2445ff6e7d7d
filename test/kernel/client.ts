/**
 * A small Jupyter client for the kernel tests: starts a kernel process on a connection file of
 * its own and talks to it over the real zeromq sockets (shell and control as DEALER, iopub as
 * SUB), signing with tsquant's protocol module. Also sends raw, wrongly signed frames.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zmq from "zeromq";
import {
  type Message,
  type MessageHeader,
  parseMessage,
  serializeMessage,
} from "../../kernel/src/jupyter/protocol";

export const ROOT = join(__dirname, "..", "..");
export const MAIN = join(ROOT, "kernel", "dist", "jupyter", "main.js");

/** Build kernel/dist (incremental; seconds when up to date) so the kernel under test is current. */
export function buildKernel(): void {
  const buildInfo = join(ROOT, "kernel", "dist", ".tsbuildinfo");
  const sources = [join(ROOT, "kernel", "src"), join(ROOT, "kernel", "tsconfig.json")];
  // Fast path: nothing changed since the last build (tsc needs seconds even to find that out).
  if (existsSync(buildInfo) && statSync(buildInfo).mtimeMs > Math.max(...sources.map(newestMtime)))
    return;
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  // The same incremental build as the set-up's (its build info lives in dist/).
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      "-p",
      join(ROOT, "kernel", "tsconfig.json"),
      "--incremental",
      "--tsBuildInfoFile",
      join(ROOT, "kernel", "dist", ".tsbuildinfo"),
    ],
    { encoding: "utf8" },
  );
  // Other modules' type errors do not stop the emit; the kernel's own must not exist.
  const own = `${r.stdout}${r.stderr}`
    .split("\n")
    .filter((l) => /src\/(jupyter|display)\//.test(l));
  if (own.length > 0) throw new Error(`kernel build failed:\n${own.join("\n")}`);
}

/** Newest modification time (ms) of a file, or of the files under a folder. */
function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Executed {
  reply: Message;
  /** iopub messages of this request between busy and idle (status messages excluded). */
  outputs: Message[];
}

export class KernelClient {
  readonly key = randomBytes(16).toString("hex");
  readonly session = randomUUID();
  /** The kernel's stderr (its log). */
  stderr = "";
  private proc: ChildProcess | null = null;
  private readonly shell = new zmq.Dealer();
  private readonly control = new zmq.Dealer();
  private readonly iopub = new zmq.Subscriber();
  /** The kernel's working directory (a fresh temp dir): the notebook folder it compiles in. */
  readonly dir = mkdtempSync(join(tmpdir(), "tsquant-kernel-"));
  private readonly iopubLog: Message[] = [];
  private readonly iopubWaiters: (() => void)[] = [];
  private readonly replies = new Map<string, Message>();
  private readonly replyWaiters: (() => void)[] = [];
  private ports: Record<string, number> = {};

  /** `command`: the kernel's argv before `--config-path <file>` (default: tsquant's launcher). */
  constructor(private readonly command: string[] = [process.execPath, MAIN]) {}

  /** Start the kernel (cwd: a temp dir) and wait until it answers kernel_info. */
  async start(args: string[] = [], timeoutMs = 90_000): Promise<number> {
    const names = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"];
    for (const n of names) this.ports[n] = await freePort();
    const connection = join(this.dir, "connection.json");
    writeFileSync(
      connection,
      JSON.stringify({
        ...this.ports,
        ip: "127.0.0.1",
        key: this.key,
        transport: "tcp",
        signature_scheme: "hmac-sha256",
        kernel_name: "tsquant",
      }),
    );
    const t0 = performance.now();
    const [exe = process.execPath, ...pre] = this.command;
    this.proc = spawn(exe, [...pre, "--config-path", connection, ...args], {
      cwd: this.dir,
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.proc.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
    const addr = (p: string): string => `tcp://127.0.0.1:${this.ports[p] ?? 0}`;
    this.shell.connect(addr("shell_port"));
    this.control.connect(addr("control_port"));
    this.iopub.connect(addr("iopub_port"));
    this.iopub.subscribe();
    void this.readLoop(this.shell);
    void this.readLoop(this.control);
    void this.iopubLoop();
    await this.request("kernel_info_request", {}, "shell", timeoutMs);
    return performance.now() - t0;
  }

  get pid(): number {
    return this.proc?.pid ?? -1;
  }

  get exited(): Promise<number | null> {
    const p = this.proc;
    if (p === null || p.exitCode !== null || p.signalCode !== null) {
      return Promise.resolve(p?.exitCode ?? null);
    }
    return new Promise((resolve) => p.on("exit", (code) => resolve(code)));
  }

  private async readLoop(sock: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of sock) {
        const r = parseMessage(this.key, frames);
        if (!r.ok) continue;
        const parent = r.message.parent as Partial<MessageHeader>;
        if (parent.msg_id !== undefined) this.replies.set(parent.msg_id, r.message);
        this.replyWaiters.splice(0).forEach((w) => w());
      }
    } catch {
      // socket closed
    }
  }

  private async iopubLoop(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const r = parseMessage(this.key, frames);
        if (!r.ok) continue;
        this.iopubLog.push(r.message);
        this.iopubWaiters.splice(0).forEach((w) => w());
      }
    } catch {
      // socket closed
    }
  }

  private header(msgType: string): MessageHeader {
    return {
      msg_id: randomUUID(),
      session: this.session,
      username: "test",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: "5.3",
    };
  }

  /** Send a request; returns its msg_id. */
  async send(
    msgType: string,
    content: Record<string, unknown>,
    channel: "shell" | "control" = "shell",
  ): Promise<string> {
    const h = this.header(msgType);
    const frames = serializeMessage(this.key, [], h, {}, content);
    await (channel === "shell" ? this.shell : this.control).send(frames);
    return h.msg_id;
  }

  /** Send frames as they are (e.g. with a wrong or missing signature). */
  async sendRaw(frames: (Buffer | string)[]): Promise<void> {
    await this.shell.send(frames);
  }

  /** A signed request's frames, signed with `key` instead of the connection's key. */
  framesSignedWith(
    key: string,
    msgType: string,
    content: Record<string, unknown>,
  ): (Buffer | string)[] {
    return serializeMessage(key, [], this.header(msgType), {}, content);
  }

  async waitReply(msgId: string, timeoutMs = 30_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.replies.get(msgId);
      if (m !== undefined) return m;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply to ${msgId} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.replyWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async request(
    msgType: string,
    content: Record<string, unknown>,
    channel: "shell" | "control" = "shell",
    timeoutMs = 30_000,
  ): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    // Before the sockets connect a request may be lost (as jupyter_client, retry kernel_info).
    for (;;) {
      const id = await this.send(msgType, content, channel);
      try {
        return await this.waitReply(id, msgType === "kernel_info_request" ? 1000 : timeoutMs);
      } catch (e) {
        if (msgType !== "kernel_info_request" || Date.now() > deadline) throw e;
      }
    }
  }

  /** iopub messages whose parent is `msgId`, once its idle status arrived. */
  async outputsOf(msgId: string, timeoutMs = 30_000): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mine = this.iopubLog.filter(
        (m) => (m.parent as Partial<MessageHeader>).msg_id === msgId,
      );
      if (
        mine.some((m) => m.header.msg_type === "status" && m.content["execution_state"] === "idle")
      ) {
        return mine.filter((m) => m.header.msg_type !== "status");
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no idle for ${msgId} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.iopubWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** All iopub messages seen so far whose parent is `msgId`. */
  iopubOf(msgId: string): Message[] {
    return this.iopubLog.filter((m) => (m.parent as Partial<MessageHeader>).msg_id === msgId);
  }

  async execute(
    code: string,
    options: { stopOnError?: boolean; silent?: boolean; timeoutMs?: number } = {},
  ): Promise<Executed> {
    const id = await this.send("execute_request", {
      code,
      silent: options.silent ?? false,
      store_history: !(options.silent ?? false),
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: options.stopOnError ?? true,
    });
    const reply = await this.waitReply(id, options.timeoutMs ?? 30_000);
    const outputs = await this.outputsOf(id, options.timeoutMs ?? 30_000);
    return { reply, outputs };
  }

  /** SIGINT, as jupyter_client interrupts a kernel with interrupt_mode "signal". */
  interrupt(): void {
    this.proc?.kill("SIGINT");
  }

  /** shutdown_request on control; kills the process if it has not exited 10 s later. */
  async shutdown(): Promise<Message | null> {
    let reply: Message | null = null;
    try {
      if (this.proc !== null && this.proc.exitCode === null) {
        reply = await this.request("shutdown_request", { restart: false }, "control", 5000);
      }
    } catch {
      // fall through to kill
    }
    const exited = this.exited;
    const killer = setTimeout(() => this.proc?.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
    this.shell.close();
    this.control.close();
    this.iopub.close();
    rmSync(this.dir, { recursive: true, force: true });
    return reply;
  }
}
