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

/**
 * Runs in the page (plain JavaScript): the model on every sample, one `run` each, after 200
 * warm-up runs; outputs, median latency (ms) and throughput.
 */
const PAGE_RUN = `async ({ name, dtype, per }) => {
  const L = window.L;
  const model = await L.loadAndCompile("/model/" + name, { accelerator: "wasm" });
  const buf = await (await fetch("/input/" + name)).arrayBuffer();
  const x = dtype === "float32" ? new Float32Array(buf) : dtype === "uint8" ? new Uint8Array(buf) : new Int8Array(buf);
  const n = x.length / per;
  const outputs = [];
  const lat = [];
  let start = 0;
  for (let i = -Math.min(200, n); i < n; i++) {
    if (i === 0) start = performance.now();
    const s = i < 0 ? i + Math.min(200, n) : i;
    const t0 = performance.now();
    const t = new L.Tensor(x.subarray(s * per, (s + 1) * per), [1, 28, 28]);
    const res = await model.run(t);
    t.delete();
    const y = res[0].toTypedArray();
    if (i >= 0) for (let k = 0; k < y.length; k++) outputs.push(y[k]);
    for (const o of res) o.delete();
    if (i >= 0) lat.push(performance.now() - t0);
  }
  const seconds = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  return { outputs, latencyMs: lat[n >> 1], imagesPerSecond: n / seconds };
}`;

/**
 * Run each job's model on every sample of its input, one per `run` (batch 1), on the 'wasm' (CPU,
 * XNNPACK) accelerator, single-threaded build. Latency = median of tensor creation + run + read
 * (µs); throughput over all samples after 200 warm-up runs.
 */
export async function runLiteRTjs(
  jobs: readonly JsJob[],
): Promise<Record<string, JsRun | { error: string }>> {
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
    await page.evaluate('window.L.loadLiteRt("/core/wasm/").then(() => true)');
    const out: Record<string, JsRun | { error: string }> = {};
    for (const j of jobs) {
      let r: { outputs: number[]; latencyMs: number; imagesPerSecond: number };
      try {
        // The page code is a string: tsx would wrap named functions in a helper the page lacks.
        r = (await page.evaluate(
          `(${PAGE_RUN})(${JSON.stringify({ name: j.name, dtype: j.input.dtype, per: 784 })})`,
        )) as typeof r;
      } catch (e) {
        const m = (e instanceof Error ? e.message : String(e)).replace(/^page\.evaluate: /, "");
        out[j.name] = { error: m.split("\n")[0] ?? m };
        continue;
      }
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
