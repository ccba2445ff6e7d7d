/**
 * LiteRT.js (`@litertjs/core`, the WebAssembly build of LiteRT with XNNPACK) in headless Chromium,
 * as a third runtime of the peer benchmark. The package is installed once, from npm, with
 * `--ignore-scripts` into test/bench/peers/out/litertjs (git-ignored), outside the workspace's
 * package.json; its .wasm files ship in the package, so the run is offline. A local HTTP server
 * serves the package, the models and the inputs; Playwright drives Debian's Chromium.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import type { NDArray } from "../../../kernel/src/ir";

export const LITERTJS_VERSION = "2.5.3";
const PREFIX = join(__dirname, "out", "litertjs");
const CORE = join(PREFIX, "node_modules", "@litertjs", "core");
const UTILS = join(PREFIX, "node_modules", "@litertjs", "wasm-utils");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export interface JsJob {
  name: string;
  model: string;
  input: NDArray;
}

export interface JsRun {
  outputs: Float32Array;
  latencyMicros: number;
  imagesPerSecond: number;
}

function install(): void {
  if (existsSync(join(CORE, "wasm")) && existsSync(join(UTILS, "dist"))) return;
  const r = spawnSync(
    "npm",
    [
      "install",
      "--prefix",
      PREFIX,
      "--no-save",
      "--no-package-lock",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      `@litertjs/core@${LITERTJS_VERSION}`,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) {
    throw new Error(`npm install @litertjs/core failed: ${r.stderr.trim().split("\n").pop()}`);
  }
}

// The few parts of @litertjs/core's API the page uses (it runs in the browser, not here).
interface PageTensor {
  toTypedArray(): ArrayLike<number>;
  delete(): void;
}
interface PageModel {
  run(input: PageTensor): Promise<PageTensor[]> | PageTensor[];
}
interface PageLiteRt {
  loadLiteRt(wasmDir: string): Promise<unknown>;
  loadAndCompile(url: string, opts: { accelerator: "wasm" }): Promise<PageModel>;
  Tensor: new (data: ArrayLike<number>, shape: number[]) => PageTensor;
}

/**
 * Run each job's model on every sample of its input, one per `run` (batch 1), on the 'wasm' (CPU,
 * XNNPACK) accelerator, single-threaded build. Latency = median of tensor creation + run + read
 * (µs); throughput over all samples after 200 warm-up runs.
 */
export async function runLiteRTjs(jobs: readonly JsJob[]): Promise<Record<string, JsRun>> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found`);
  install();
  const files = new Map<string, Buffer>();
  jobs.forEach((j) => {
    files.set(`/model/${j.name}`, readFileSync(j.model));
    const d = j.input.data;
    files.set(`/input/${j.name}`, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  });
  const roots: Record<string, string> = { core: CORE, utils: UTILS };
  const html =
    '<!doctype html><script type="importmap">{"imports":{"@litertjs/wasm-utils":"/utils/dist/index.js"}}</script>' +
    '<script type="module">import * as L from "/core/dist/index.js"; window.L = L; window.ready = true;</script>';
  const server = createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0] ?? "/";
    const own = files.get(url);
    if (url === "/" || own !== undefined) {
      res.writeHead(200, {
        "content-type": url === "/" ? "text/html" : "application/octet-stream",
      });
      res.end(own ?? html);
      return;
    }
    const [, root, ...rest] = url.split("/");
    const base = roots[root ?? ""];
    const p = base === undefined ? "" : normalize(join(base, ...rest));
    if (base === undefined || !p.startsWith(base) || !existsSync(p)) {
      res.writeHead(404);
      res.end();
      return;
    }
    const type = { ".js": "text/javascript", ".wasm": "application/wasm" }[extname(p)];
    res.writeHead(200, { "content-type": type ?? "application/octet-stream" });
    res.end(readFileSync(p));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
    await page.evaluate(async () => {
      await (globalThis as unknown as { L: PageLiteRt }).L.loadLiteRt("/core/wasm/");
    });
    const out: Record<string, JsRun> = {};
    for (const j of jobs) {
      const r = await page.evaluate(
        async ({ name, dtype, per }) => {
          const L = (globalThis as unknown as { L: PageLiteRt }).L;
          const model = await L.loadAndCompile(`/model/${name}`, { accelerator: "wasm" });
          const buf = await (await fetch(`/input/${name}`)).arrayBuffer();
          const x =
            dtype === "float32"
              ? new Float32Array(buf)
              : dtype === "uint8"
                ? new Uint8Array(buf)
                : new Int8Array(buf);
          const n = x.length / per;
          const once = async (i: number): Promise<ArrayLike<number>> => {
            const t = new L.Tensor(x.subarray(i * per, (i + 1) * per), [1, 28, 28]);
            const res = await model.run(t);
            t.delete();
            const y = res[0]?.toTypedArray() ?? [];
            const copy = Array.from(y);
            for (const o of res) o.delete();
            return copy;
          };
          for (let i = 0; i < Math.min(200, n); i++) await once(i);
          const outputs: number[] = [];
          const lat: number[] = [];
          const start = performance.now();
          for (let i = 0; i < n; i++) {
            const t = performance.now();
            const y = await once(i);
            lat.push(performance.now() - t);
            for (let k = 0; k < y.length; k++) outputs.push(y[k] ?? NaN);
          }
          const seconds = (performance.now() - start) / 1000;
          lat.sort((a, b) => a - b);
          return { outputs, latencyMs: lat[n >> 1] ?? NaN, imagesPerSecond: n / seconds };
        },
        { name: j.name, dtype: j.input.dtype, per: 784 },
      );
      out[j.name] = {
        outputs: Float32Array.from(r.outputs),
        latencyMicros: r.latencyMs * 1000,
        imagesPerSecond: r.imagesPerSecond,
      };
    }
    return out;
  } finally {
    await browser.close();
    server.close();
  }
}
