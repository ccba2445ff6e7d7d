/**
 * Browser test of the JupyterLab extension: starts JupyterLab from the project's .venv with the
 * prebuilt extension made visible through JUPYTER_PATH, opens the saved sample notebook (no
 * kernel), and drives Debian's Chromium with playwright-core to check every view: plotly SVG
 * drawn, the table sorts, a bits change and a drag on the range plot update the readout, a click
 * on an error bar shows the detail plots, malformed payloads show an error box, and the plots
 * follow the dark theme and a narrower window. Then, on the same server: the XSS notebook (hostile
 * text in every view shows as text, no script runs), a million-bin range payload (drawn, and a
 * drag still updates the readout), the sample notebook in Notebook 7 (/tree → /notebooks/…), and
 * a new notebook whose cells run on the tsquant kernel (range plot, comparison table, a live
 * Progress output updated in place). Screenshots go to test/browser/out/.
 *
 * Needs: .venv (JupyterLab 4.6.4, Notebook 7.6.3, the tsquant kernelspec), /usr/bin/chromium, and
 * the built extension (`npm run build:labextension`; built here if missing). Skips, saying why,
 * when one is absent (fails under CI=true). Bounded: ~1.5 min when warm, at most 6 minutes.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { NOTEBOOK_PATH, XSS_NOTEBOOK_PATH, makeLargeNotebook } from "./makeNotebook";
import { progressPayload } from "./samplePayloads";
import { XSS_IMG, XSS_SCRIPT } from "./xssPayloads";
import { TSQUANT_MIME } from "../../kernel/src/display/payload";

// The functions given to page.evaluate / waitForFunction run in the browser. The test tsconfig has
// no DOM lib (the kernel must not use one), so declare, for this module only, the little they use.
interface PageElement {
  textContent: string | null;
  value?: string;
  getBoundingClientRect(): { width: number };
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  body: { dataset: Record<string, string | undefined> };
};
declare function getComputedStyle(element: unknown): { fill: string };
declare const window: unknown;
declare function requestAnimationFrame(callback: () => void): number;

const ROOT = join(__dirname, "..", "..");
const JUPYTER_LAB = join(ROOT, ".venv", "bin", "jupyter-lab");
const CHROMIUM = "/usr/bin/chromium";
const EXTENSION = join(ROOT, "labextension", "dist", "labextension");
const OUT = join(__dirname, "out");
const NAME = "tsquant-views.ipynb";
const XSS_NAME = "tsquant-xss.ipynb";
const LARGE_NAME = "tsquant-large.ipynb";
/** Selectors of the five views, in the order of the sample notebook's outputs. */
const VIEWS = [
  ".jp-tsquant-RangePlot",
  ".jp-tsquant-ErrorPlot",
  ".jp-tsquant-WeightsPlot",
  ".jp-tsquant-TableView",
  ".jp-tsquant-ProgressView",
];

const JUPYTER_NOTEBOOK = join(ROOT, ".venv", "bin", "jupyter-notebook");

function missing(): string | null {
  if (!existsSync(JUPYTER_LAB)) return `no ${JUPYTER_LAB} (run the set-up to create .venv)`;
  if (!existsSync(JUPYTER_NOTEBOOK)) {
    return `no Notebook 7 in .venv (${JUPYTER_NOTEBOOK}); \`npm run setup\` installs the lock's notebook==7.6.3`;
  }
  if (!existsSync(CHROMIUM)) return `no ${CHROMIUM} (apt-get install chromium)`;
  return null;
}
// In CI (CI=true) a missing browser or JupyterLab is a failure, never a skip; on a developer's
// machine the suite says loudly what it skipped and how to install it.
const skip = missing();
if (skip && process.env.CI === "true") {
  throw new Error(`browser tests cannot run in CI: ${skip}`);
}
if (skip) console.warn(`SKIPPED the JupyterLab extension browser tests: ${skip}`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(
  url: string,
  server: ChildProcess,
  log: () => string,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (server.exitCode !== null)
      throw new Error(`jupyter lab exited with ${server.exitCode}:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter lab did not answer ${url} within ${ms} ms:\n${log()}`);
}

/** Text of a readout item of the range plot ("SQNR 35.2 dB" → "35.2 dB"). */
async function readout(page: Page, key: string): Promise<string> {
  const text = await page
    .locator(`.jp-tsquant-RangePlot .jp-tsquant-readout-item[data-key="${key}"]`)
    .innerText();
  return text.replace(/^\S+( point)?\s+/, "").trim();
}

type App = {
  jupyterapp?: { shell: { currentWidget?: { sessionContext?: { isReady: boolean } } } };
};

/**
 * Go to a notebook URL of JupyterLab and wait until it can be used. No kernel is needed to render
 * saved outputs. Where the notebook's kernel is not installed, Lab asks which kernel to start once
 * the session is set up: decline (and return the dialog's text); otherwise the kernel starts and
 * the session gets ready without asking.
 */
async function openInLab(page: Page, url: string): Promise<string> {
  await page.goto(url);
  await page.waitForSelector(".jp-Notebook");
  const dialog = page.locator(".jp-Dialog");
  const sessionReady = page.waitForFunction(
    () =>
      (window as unknown as App).jupyterapp?.shell.currentWidget?.sessionContext?.isReady === true,
    undefined,
    { timeout: 20_000 },
  );
  // (Both waits settle either way, so the loser of the race leaves no unhandled rejection.)
  const asked = await Promise.race([
    dialog.waitFor({ timeout: 20_000 }).then(
      () => true,
      () => false,
    ),
    sessionReady.then(
      () => false,
      () => false,
    ),
  ]);
  if (!asked) return "";
  const text = await dialog.innerText();
  const decline = dialog.locator("button", { hasText: /No Kernel|Cancel/ });
  await (
    (await decline.count()) > 0 ? decline.first() : dialog.locator("button.jp-mod-reject").first()
  ).click();
  await dialog.waitFor({ state: "detached" });
  return text;
}

/**
 * Drag the range plot's max line (shape 1; plotly lays a wide drag handle over it) left by
 * `fraction` of the plot width in 10 steps; returns the max input's value and the clipped readout
 * while the button is still down (the readout follows the pointer), then releases.
 */
async function dragMaxLine(
  page: Page,
  scope: string,
  fraction: number,
): Promise<{ maxWhileDragging: number; clippedWhileDragging: string }> {
  const line = page.locator(`${scope} .shapelayer path[data-index="1"]`);
  const box = await line.boundingBox();
  const plotBox = await page.locator(`${scope} .nsewdrag`).first().boundingBox();
  assert.ok(box && plotBox, "the max line and the plot area are on screen");
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x - (fraction * plotBox.width * i) / 10, y);
  const maxWhileDragging = Number(await page.locator(`${scope} input[name=max]`).inputValue());
  const clippedWhileDragging = await page
    .locator(`${scope} .jp-tsquant-readout-item[data-key="clipped"]`)
    .innerText();
  await page.mouse.up();
  return { maxWhileDragging, clippedWhileDragging };
}

describe("JupyterLab extension in Chromium", { skip: skip ?? false, timeout: 360_000 }, () => {
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let tmp = "";
  let serverLog = "";
  let dialogText = "";
  let base = "";
  const requests: string[] = [];

  before(async () => {
    if (!existsSync(join(EXTENSION, "package.json"))) {
      const build = spawnSync("npm", ["run", "build", "-w", "tsquant-labextension"], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
      });
      assert.equal(
        build.status,
        0,
        `building the extension failed:\n${build.stdout}\n${build.stderr}`,
      );
    }
    tmp = mkdtempSync(join(tmpdir(), "tsquant-browser-"));
    // JupyterLab finds prebuilt extensions in <data dir>/labextensions/<npm package name>.
    const dataPath = join(tmp, "jupyter-path");
    mkdirSync(join(dataPath, "labextensions"), { recursive: true });
    symlinkSync(EXTENSION, join(dataPath, "labextensions", "tsquant-labextension"));
    const notebooks = join(tmp, "notebooks");
    mkdirSync(notebooks);
    copyFileSync(NOTEBOOK_PATH, join(notebooks, NAME));
    // These two only hold saved outputs: without a kernelspec in their metadata Lab starts the
    // cheap default (Python) kernel instead of a tsquant kernel that no cell would use.
    const withoutKernel = (nb: object): string => {
      const copy = nb as { metadata?: { kernelspec?: unknown } };
      if (copy.metadata) delete copy.metadata.kernelspec;
      return JSON.stringify(copy);
    };
    writeFileSync(
      join(notebooks, XSS_NAME),
      withoutKernel(JSON.parse(readFileSync(XSS_NOTEBOOK_PATH, "utf8")) as object),
    );
    writeFileSync(join(notebooks, LARGE_NAME), withoutKernel(makeLargeNotebook()));
    for (const d of ["config", "data", "runtime"]) mkdirSync(join(tmp, d));
    // No "get notified about Jupyter news?" toast over the outputs (it would also ask the network).
    mkdirSync(join(tmp, "config", "labconfig"));
    writeFileSync(
      join(tmp, "config", "labconfig", "page_config.json"),
      JSON.stringify({
        disabledExtensions: { "@jupyterlab/apputils-extension:announcements": true },
      }),
    );
    mkdirSync(OUT, { recursive: true });

    const port = await freePort();
    server = spawn(
      JUPYTER_LAB,
      [
        "--no-browser",
        `--port=${port}`,
        "--ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        "--ServerApp.allow_root=True",
        `--ServerApp.root_dir=${notebooks}`,
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.extension_manager=readonly",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        // Notebook 7 is served by the same server (its jupyter_server extension).
        "--JupyterNotebookApp.expose_app_in_browser=True",
      ],
      {
        cwd: notebooks,
        env: {
          ...process.env,
          JUPYTER_PATH: dataPath,
          JUPYTER_CONFIG_DIR: join(tmp, "config"),
          JUPYTER_DATA_DIR: join(tmp, "data"),
          JUPYTER_RUNTIME_DIR: join(tmp, "runtime"),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    server.stdout?.on("data", (d: Buffer) => (serverLog += d.toString()));
    server.stderr?.on("data", (d: Buffer) => (serverLog += d.toString()));
    base = `http://127.0.0.1:${port}`;
    await waitForServer(`${base}/api/status`, server, () => serverLog, 60_000);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(30_000);
    page.on("request", (r) => requests.push(r.url()));
    dialogText = await openInLab(page, `${base}/lab/tree/${NAME}`);
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server?.kill("SIGKILL");
          resolve();
        }, 5000);
        server?.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Scroll an output into view (the notebook renders lazily) and wait for its plot. */
  async function showView(selector: string): Promise<void> {
    const view = page.locator(selector).first();
    await view.scrollIntoViewIfNeeded();
    await view.locator(".main-svg").first().waitFor();
  }

  test("the extension is loaded and the range plot draws with plotly", async () => {
    if (dialogText) console.log(`declined JupyterLab's dialog: ${dialogText.replace(/\s+/g, " ")}`);
    await showView(".jp-tsquant-RangePlot");
    assert.equal(
      (await page.locator(".jp-tsquant-RangePlot .jp-tsquant-RangePlot-plot .bars path").count()) >
        100,
      true,
    );
    await page.locator(".jp-tsquant-RangePlot").screenshot({ path: join(OUT, "range.png") });
  });

  test("range plot: changing bits, symmetric and a calibration method updates the readout", async () => {
    const sqnr8 = await readout(page, "sqnr");
    assert.match(sqnr8, /^\d+(\.\d)? dB$/);
    const bits = page.locator(".jp-tsquant-RangePlot input[name=bits]");
    await bits.fill("4");
    await page.waitForFunction(
      (before) =>
        document
          .querySelector('.jp-tsquant-RangePlot [data-key="sqnr"]')
          ?.textContent?.includes(before) === false,
      sqnr8,
    );
    const sqnr4 = await readout(page, "sqnr");
    // 4 fewer bits on the same range: the grid step grows 17x, SQNR drops by ~20·log10(17) ≈ 25 dB
    assert.ok(parseFloat(sqnr8) - parseFloat(sqnr4) > 15, `${sqnr8} → ${sqnr4}`);
    // With 4 bits the grid (16 values) is drawn.
    assert.ok((await page.locator(".jp-tsquant-RangePlot .scatterlayer .trace").count()) >= 1);
    await page.locator(".jp-tsquant-RangePlot").screenshot({ path: join(OUT, "range-4bit.png") });
    await bits.fill("8");
    assert.equal(await readout(page, "clipped"), "0 %");
    await page.locator('.jp-tsquant-RangePlot button[data-method="entropy"]').click();
    assert.notEqual(await readout(page, "clipped"), "0 %");
    assert.equal(await page.locator(".jp-tsquant-RangePlot input[name=max]").inputValue(), "2.6");
    await page.locator(".jp-tsquant-RangePlot input[name=symmetric]").check();
    assert.equal(await readout(page, "zeroPoint"), "0");
    // Log scale: the count axis gets decade ticks (a linear 0..~370 axis has no "10").
    const yTicks = page.locator(".jp-tsquant-RangePlot .ytick text");
    assert.ok(!(await yTicks.allInnerTexts()).includes("10"));
    await page.locator(".jp-tsquant-RangePlot input[name=logScale]").check();
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".jp-tsquant-RangePlot .ytick text")].some(
        (t) => t.textContent === "10",
      ),
    );
    await page.locator(".jp-tsquant-RangePlot").screenshot({ path: join(OUT, "range-log.png") });
    await page.locator(".jp-tsquant-RangePlot input[name=logScale]").uncheck();
  });

  test("range plot: dragging the max line moves the range and updates the readout", async () => {
    await page.locator('.jp-tsquant-RangePlot button[data-method="minmax"]').click();
    await page.locator(".jp-tsquant-RangePlot input[name=symmetric]").uncheck();
    const maxBefore = Number(
      await page.locator(".jp-tsquant-RangePlot input[name=max]").inputValue(),
    );
    const clippedBefore = await readout(page, "clipped");
    // The max line is shape 1 (plotly lays a wide drag handle over it). Drag it by 40 % of the
    // plot width to the left.
    const line = page.locator('.jp-tsquant-RangePlot .shapelayer path[data-index="1"]');
    const box = await line.boundingBox();
    const plotBox = await page.locator(".jp-tsquant-RangePlot .nsewdrag").first().boundingBox();
    assert.ok(box && plotBox, "the max line and the plot area are on screen");
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(x - (0.4 * plotBox.width * i) / 10, y);
    // The readout follows the pointer before the button is released.
    const maxWhileDragging = Number(
      await page.locator(".jp-tsquant-RangePlot input[name=max]").inputValue(),
    );
    assert.ok(
      maxWhileDragging < maxBefore * 0.8,
      `while dragging: max ${maxBefore} → ${maxWhileDragging}`,
    );
    assert.notEqual(await readout(page, "clipped"), clippedBefore);
    await page.mouse.up();
    await page.waitForFunction(
      (m) => Number(document.querySelector(".jp-tsquant-RangePlot input[name=max]")?.value) < m,
      maxBefore,
    );
    const maxAfter = Number(
      await page.locator(".jp-tsquant-RangePlot input[name=max]").inputValue(),
    );
    // On release plotly reports the line's final position; it agrees with the pointer's.
    assert.ok(
      Math.abs(maxAfter - maxWhileDragging) < 0.02 * maxBefore,
      `${maxWhileDragging} vs ${maxAfter}`,
    );
    assert.notEqual(await readout(page, "clipped"), clippedBefore);
    await page
      .locator(".jp-tsquant-RangePlot")
      .screenshot({ path: join(OUT, "range-dragged.png") });
  });

  test("error plot: bars per layer; clicking one shows its scatter and error histogram", async () => {
    await showView(".jp-tsquant-ErrorPlot");
    const bars = page.locator(".jp-tsquant-ErrorPlot-bars .bars path");
    assert.equal(await bars.count(), 8);
    // Legend: one entry per op type (CONV_2D, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX).
    assert.equal(await page.locator(".jp-tsquant-ErrorPlot-bars .legend .traces").count(), 5);
    await bars.nth(6).click({ force: true });
    await page.locator(".jp-tsquant-ErrorPlot-detail .main-svg").first().waitFor();
    assert.match(
      await page.locator(".jp-tsquant-ErrorPlot .jp-tsquant-subtitle").innerText(),
      /^Layer \d+: sequential\//,
    );
    assert.ok(
      (await page.locator(".jp-tsquant-ErrorPlot-detail .scatterlayer .point").count()) >= 400,
    );
    assert.ok((await page.locator(".jp-tsquant-ErrorPlot-detail .bars path").count()) > 10);
    await page.locator(".jp-tsquant-ErrorPlot").screenshot({ path: join(OUT, "error.png") });
  });

  test("weights plot: a whisker per channel and the per-tensor band", async () => {
    await showView(".jp-tsquant-WeightsPlot");
    assert.equal(await page.locator(".jp-tsquant-WeightsPlot .bars path").count(), 16);
    assert.match(
      await page.locator(".jp-tsquant-WeightsPlot .jp-tsquant-readout").innerText(),
      /16 channels along axis 0/,
    );
    await page.locator(".jp-tsquant-WeightsPlot").screenshot({ path: join(OUT, "weights.png") });
  });

  test("comparison table: sortable, best values marked, with the accuracy-vs-size scatter", async () => {
    await showView(".jp-tsquant-TableView");
    const variants = (): Promise<string[]> =>
      page.locator(".jp-tsquant-TableView tbody td[data-key=variant]").allInnerTexts();
    assert.deepEqual((await variants()).slice(0, 2), ["float32", "float16"]);
    await page.locator(".jp-tsquant-TableView th[data-key=sizeBytes]").click();
    assert.deepEqual((await variants())[0], "dynamic range");
    await page.locator(".jp-tsquant-TableView th[data-key=sizeBytes]").click();
    assert.deepEqual((await variants())[0], "float32");
    await page.locator(".jp-tsquant-TableView th[data-key=accuracy]").click();
    assert.deepEqual((await variants())[0], "int8 (QAT)");
    assert.equal(
      await page.locator(".jp-tsquant-TableView td.jp-tsquant-best[data-key=accuracy]").innerText(),
      "99.14 %",
    );
    assert.equal(
      await page
        .locator(".jp-tsquant-TableView td.jp-tsquant-best[data-key=latencyMs]")
        .innerText(),
      "0.39 ms",
    );
    assert.equal(await page.locator(".jp-tsquant-TableView .scatterlayer .point").count(), 6);
    await page.locator(".jp-tsquant-TableView").screenshot({ path: join(OUT, "table.png") });
  });

  test("progress: bar, status line and the training curve", async () => {
    await showView(".jp-tsquant-ProgressView");
    assert.match(
      await page.locator(".jp-tsquant-ProgressView .jp-tsquant-readout").innerText(),
      /5 \/ 5 epochs \(100 %\)/,
    );
    assert.equal(await page.locator(".jp-tsquant-ProgressView .scatterlayer .trace").count(), 4);
    await page.locator(".jp-tsquant-ProgressView").screenshot({ path: join(OUT, "progress.png") });
  });

  test("progress: replacing the output's data (as update_display_data does) re-renders it", async () => {
    // Cell 5 holds the progress output; replace it with a running state, 2 of 5 epochs done.
    const running = {
      ...progressPayload(),
      done: 2,
      status: "running",
      curve: progressPayload().curve?.slice(0, 2),
    };
    await page.evaluate(
      ([mime, data]) => {
        type Outputs = { set(i: number, o: object): void };
        const app = window as unknown as {
          jupyterapp: {
            shell: {
              currentWidget: {
                content: { model: { cells: { get(i: number): { outputs: Outputs } } } };
              };
            };
          };
        };
        app.jupyterapp.shell.currentWidget.content.model.cells.get(5).outputs.set(0, {
          output_type: "display_data",
          metadata: {},
          data: { [mime as string]: data, "text/plain": "Progress" },
        });
      },
      [TSQUANT_MIME, running] as const,
    );
    await page.waitForFunction(() =>
      document
        .querySelector(".jp-tsquant-ProgressView .jp-tsquant-readout")
        ?.textContent?.startsWith("2 / 5 epochs (40 %)"),
    );
    assert.equal(
      await page.locator(".jp-tsquant-ProgressView .jp-tsquant-status-running").count(),
      1,
    );
  });

  test("plotly comes lazily from the extension's own chunk; nothing leaves localhost", () => {
    const statics = readdirSync(join(EXTENSION, "static")).filter((f) => f.endsWith(".js"));
    const withText = (text: string): string[] =>
      statics.filter((f) => readFileSync(join(EXTENSION, "static", f), "utf8").includes(text));
    const plotlyChunks = withText("js-plotly-plot");
    const rendererChunks = withText("jp-tsquant-RangePlot");
    assert.equal(plotlyChunks.length, 1, `plotly in ${plotlyChunks.join(", ")}`);
    assert.equal(rendererChunks.length, 1, `renderer in ${rendererChunks.join(", ")}`);
    // The renderer's chunk does not carry plotly: it is fetched on first render, from Lab's server.
    assert.notEqual(plotlyChunks[0], rendererChunks[0]);
    assert.ok(
      requests.some((u) =>
        u.includes(`/lab/extensions/tsquant-labextension/static/${plotlyChunks[0]}`),
      ),
    );
    const outside = requests.filter(
      (u) => !u.startsWith(base) && !u.startsWith("data:") && !u.startsWith("blob:"),
    );
    assert.deepEqual(outside, []);
  });

  test("a malformed payload and an unknown kind show readable error boxes", async () => {
    const boxes = page.locator(".jp-tsquant-error");
    await boxes.nth(1).scrollIntoViewIfNeeded();
    assert.equal(await boxes.count(), 2);
    assert.match(
      await boxes.nth(0).innerText(),
      /payload\.histogram\.counts: expected an array, found undefined/,
    );
    assert.match(
      await boxes.nth(1).innerText(),
      // (the list grows as kinds are added; the five views' kinds come first)
      /payload\.kind: expected one of range, error, weights, table, progress(, \w+)*, found "sparkline"/,
    );
    await boxes.nth(1).screenshot({ path: join(OUT, "unknown-kind.png") });
  });

  test("plots follow the dark theme and fit a narrower window", async () => {
    const fontColor = (): Promise<string> =>
      page
        .locator(".jp-tsquant-TableView .xtick text")
        .first()
        .evaluate((t) => getComputedStyle(t).fill);
    const light = await fontColor();
    await page.evaluate(() =>
      (
        window as unknown as {
          jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } };
        }
      ).jupyterapp.commands.execute("apputils:change-theme", { theme: "JupyterLab Dark" }),
    );
    await page.waitForFunction(() => document.body.dataset["jpThemeLight"] === "false");
    await page.waitForFunction((before) => {
      const t = document.querySelector(".jp-tsquant-TableView .xtick text");
      return t !== null && getComputedStyle(t).fill !== before;
    }, light);
    await page.locator(".jp-tsquant-TableView").screenshot({ path: join(OUT, "table-dark.png") });
    const range = page.locator(".jp-tsquant-RangePlot").first();
    await range.scrollIntoViewIfNeeded();
    await range.screenshot({ path: join(OUT, "range-dark.png") });

    const svgWidth = (): Promise<number> =>
      page
        .locator(".jp-tsquant-RangePlot .main-svg")
        .first()
        .evaluate((s) => s.getBoundingClientRect().width);
    const wide = await svgWidth();
    await page.setViewportSize({ width: 900, height: 1000 });
    await page.waitForFunction((w) => {
      const s = document.querySelector(".jp-tsquant-RangePlot .main-svg");
      return s !== null && s.getBoundingClientRect().width < w - 200;
    }, wide);
    await range.screenshot({ path: join(OUT, "range-narrow.png") });
  });
  /** Another page (tests open their notebook on their own Lab workspace: no restored tabs). */
  async function freshPage(): Promise<Page> {
    assert.ok(browser, "the browser is running");
    const p = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    p.setDefaultTimeout(30_000);
    return p;
  }

  /** Shut down the kernels of sessions on `path` (saved-output notebooks need none). */
  async function shutDownKernels(path: string): Promise<void> {
    const sessions = (await (await fetch(`${base}/api/sessions`)).json()) as {
      id: string;
      path: string;
    }[];
    for (const session of sessions.filter((x) => x.path === path)) {
      await fetch(`${base}/api/sessions/${session.id}`, { method: "DELETE" });
    }
  }

  test("XSS: hostile text in every view is shown as text and nothing runs", async () => {
    const p = await freshPage();
    try {
      await openInLab(p, `${base}/lab/workspaces/xss/tree/${XSS_NAME}`);
      for (const view of VIEWS) {
        const v = p.locator(view).first();
        await v.scrollIntoViewIfNeeded();
        await v.locator(".main-svg").first().waitFor();
      }
      // The DOM views of models, quantization parameters (with its per-channel SVG bars) and
      // calibration results.
      for (const view of [
        ".jp-tsquant-ModelView",
        ".jp-tsquant-QParamsView svg",
        ".jp-tsquant-CalibrationView",
      ]) {
        const v = p.locator(view).first();
        await v.scrollIntoViewIfNeeded();
        await v.waitFor();
      }
      // Hover a bar of the error plot: its hover label shows the layer name (plotly text).
      const bar = p.locator(".jp-tsquant-ErrorPlot-bars .bars path").first();
      await bar.scrollIntoViewIfNeeded();
      await bar.hover({ force: true });
      await p.locator(".jp-tsquant-ErrorPlot .hovertext").first().waitFor();
      const hover = await p.locator(".jp-tsquant-ErrorPlot .hovertext").first().textContent();
      await bar.click({ force: true });
      await p.locator(".jp-tsquant-ErrorPlot-detail .main-svg").first().waitFor();
      const outputs = p.locator(".jp-OutputArea-output");
      // Nothing ran: the attacks would have set window.__xss.
      assert.equal(await p.evaluate(() => (window as { __xss?: number }).__xss), undefined);
      // No element was made from the payload's markup.
      assert.equal(await outputs.locator("img").count(), 0);
      assert.equal(await outputs.locator("script").count(), 0);
      assert.equal(await p.locator(".jp-tsquant-error").count(), 0);
      // The literal text is on screen: titles (DOM text), table cells, the detail title, and
      // plotly's legend, point labels and hover label.
      const literal = `${XSS_IMG}${XSS_SCRIPT}`;
      // (textContent: an output scrolled out of view may not be laid out, so has no innerText)
      const titles = await p.locator(".jp-tsquant-title").allTextContents();
      assert.equal(titles.length, 8);
      for (const t of titles) assert.ok(t.includes(literal), `title shows the text: ${t}`);
      for (const t of await p.locator(".jp-tsquant-TableView td[data-key=variant]").allInnerTexts())
        assert.ok(t.includes(literal), t);
      assert.ok(
        (await p.locator(".jp-tsquant-ErrorPlot .jp-tsquant-subtitle").innerText()).includes(
          literal,
        ),
      );
      const legend = await p.locator(".jp-tsquant-ErrorPlot-bars .legendtext").allTextContents();
      assert.ok(legend.length > 0 && legend.every((t) => t.includes(literal)), legend.join(" | "));
      const labels = await p.locator(".jp-tsquant-TableView .textpoint").allTextContents();
      assert.ok(
        labels.length === 6 && labels.every((t) => t.includes(literal)),
        labels.join(" | "),
      );
      assert.ok(hover?.includes(literal), `hover label: ${hover}`);
      for (const view of [".jp-tsquant-ModelView", ".jp-tsquant-CalibrationView"]) {
        const text = (await p.locator(view).textContent()) ?? "";
        // names, op types, dtypes, the method and the note: each shows the attack as text
        const shown = text.split(literal).length - 1;
        assert.ok(shown >= 3, `${view} shows the literal text ${shown} times`);
      }
      const ranges = p.locator(".jp-tsquant-RangePlot button.jp-tsquant-button");
      assert.ok((await ranges.first().innerText()).includes(literal));
      await p
        .locator(".jp-tsquant-TableView")
        .first()
        .screenshot({ path: join(OUT, "xss-table.png") });
    } finally {
      await p.close();
      await shutDownKernels(XSS_NAME);
    }
  });

  test("a million-bin range payload renders coarsened and a drag still updates the readout", async () => {
    const p = await freshPage();
    try {
      const scope = ".jp-tsquant-RangePlot";
      const t0 = Date.now();
      // Timed from navigation (Lab's own start-up included) to the drawn plot; the kernel the
      // notebook names starts meanwhile, and openInLab waits for it too.
      const opened = openInLab(p, `${base}/lab/workspaces/large/tree/${LARGE_NAME}`);
      await p.locator(`${scope} .main-svg`).first().waitFor({ timeout: 60_000 });
      const shownMs = Date.now() - t0;
      await opened;
      // Drawn with at most 1000 bars per trace (2 traces: in range and clipped).
      const bars = await p.locator(`${scope} .jp-tsquant-RangePlot-plot .bars path`).count();
      assert.ok(bars > 100 && bars <= 2000, `${bars} bars`);
      const maxBefore = Number(await p.locator(`${scope} input[name=max]`).inputValue());
      const clippedBefore = await p
        .locator(`${scope} .jp-tsquant-readout-item[data-key="clipped"]`)
        .innerText();
      const t1 = Date.now();
      const drag = await dragMaxLine(p, scope, 0.4);
      const dragMs = Date.now() - t1;
      assert.ok(
        drag.maxWhileDragging < maxBefore * 0.8,
        `max ${maxBefore} → ${drag.maxWhileDragging}`,
      );
      assert.notEqual(drag.clippedWhileDragging, clippedBefore);
      // Still responsive: a frame comes promptly after the drag (the page is not busy).
      const frameMs = await p.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const start = performance.now();
            requestAnimationFrame(() => resolve(performance.now() - start));
          }),
      );
      // The peer in the same run: the same steps on the 512-bin sample notebook.
      const q = await freshPage();
      let peerShownMs = 0;
      try {
        const t2 = Date.now();
        const peerOpened = openInLab(q, `${base}/lab/workspaces/peer/tree/${NAME}`);
        await q.locator(`${scope} .main-svg`).first().waitFor({ timeout: 60_000 });
        peerShownMs = Date.now() - t2;
        await peerOpened;
      } finally {
        await q.close();
      }
      console.log(
        `million-bin payload: drawn ${shownMs} ms after navigation (512-bin sample notebook: ` +
          `${peerShownMs} ms), 10-step drag ${dragMs} ms, ` +
          `next frame ${frameMs.toFixed(0)} ms; ${bars} bars drawn`,
      );
      await p
        .locator(scope)
        .first()
        .screenshot({ path: join(OUT, "range-million-bins.png") });
    } finally {
      await p.close();
      await shutDownKernels(LARGE_NAME);
    }
  });

  test("Notebook 7: /tree lists the sample notebook; /notebooks/… renders every view", async () => {
    const p = await freshPage();
    try {
      await p.goto(`${base}/tree`);
      const item = p.locator(".jp-DirListing-item", { hasText: NAME });
      await item.waitFor();
      // Opening from the tree goes to /notebooks/<path> (in a new tab in Notebook 7).
      const opened = p.context().waitForEvent("page", { timeout: 15_000 });
      await item.dblclick();
      const nb = await opened;
      nb.setDefaultTimeout(30_000);
      try {
        await nb.waitForURL(/\/notebooks\/tsquant-views\.ipynb/);
        await nb.waitForSelector(".jp-Notebook");
        for (const view of VIEWS) {
          const v = nb.locator(view).first();
          await v.scrollIntoViewIfNeeded();
          await v.locator(".main-svg").first().waitFor();
        }
        // The two deliberately broken outputs show their boxes; the five views none.
        const boxes = nb.locator(".jp-tsquant-error");
        await boxes.nth(1).scrollIntoViewIfNeeded();
        assert.equal(await boxes.count(), 2);
        for (const view of VIEWS)
          assert.equal(await nb.locator(`${view} .jp-tsquant-error`).count(), 0);
        // Interactive there too: 4 bits instead of 8 lowers the SQNR.
        const sqnr = nb.locator('.jp-tsquant-RangePlot [data-key="sqnr"]');
        await sqnr.scrollIntoViewIfNeeded();
        const before = await sqnr.innerText();
        await nb.locator(".jp-tsquant-RangePlot input[name=bits]").fill("4");
        await nb.waitForFunction(
          (b) =>
            document.querySelector('.jp-tsquant-RangePlot [data-key="sqnr"]')?.textContent !== b,
          before,
        );
        await nb
          .locator(".jp-tsquant-RangePlot")
          .first()
          .screenshot({ path: join(OUT, "notebook7-range.png") });
      } finally {
        await nb.close();
      }
    } finally {
      await p.close();
    }
  });

  test("tsquant kernel: cells run in a new notebook draw a range plot, a table and live progress", async () => {
    const p = await freshPage();
    const cells = [
      [
        "const test = tq.data.mnist().test.take(500);",
        "// Pixels normalised as a model's input layer sees them: (x − mean) / std.",
        "const x = test.asFloat().data.map((v) => (v - 0.1307) / 0.3081);",
        'const observer = new tq.HistogramObserver({ name: "input" });',
        "observer.observe(x);",
        "const p99 = new tq.PercentileObserver({ percentile: 99 });",
        "p99.observe(x);",
        "const minmax = observer.computeRange();",
        "const clipped = p99.computeRange();",
        "({",
        '  kind: "range",',
        '  tensor: "normalized MNIST pixels",',
        "  histogram: tq.histogramPayload(observer.histogram.toJSON()),",
        "  range: minmax,",
        "  bits: 8,",
        "  symmetric: false,",
        "  narrowRange: false,",
        "  methods: [",
        '    { method: "minmax", ...minmax },',
        '    { method: "percentile", label: "percentile 99", ...clipped },',
        "  ],",
        "})",
      ].join("\n"),
      [
        "tq.displayable(",
        "  tq.comparisonBundle({",
        '    baseline: "float32",',
        "    rows: [",
        '      { variant: "float32", accuracy: 0.9871, sizeBytes: 84_420, latencyMs: 0.91, inputType: "float32", outputType: "float32" },',
        '      { variant: "dynamic range", accuracy: 0.9869, sizeBytes: 24_120, latencyMs: 0.74, inputType: "float32", outputType: "float32" },',
        '      { variant: "int8", accuracy: 0.9866, sizeBytes: 24_680, latencyMs: 0.42, inputType: "int8", outputType: "int8" },',
        "    ],",
        "  }),",
        ")",
      ].join("\n"),
      [
        'const progress = new tq.Progress({ total: 6, task: "evaluation", unit: "batch", minIntervalMs: 0 });',
        "for (let i = 1; i <= 6; i++) {",
        "  await new Promise((resolve) => setTimeout(resolve, 500));",
        "  progress.update(i, { message: `batch ${i}` });",
        "}",
        "progress.done();",
      ].join("\n"),
    ];
    try {
      await p.goto(`${base}/lab/workspaces/kernel`);
      await p.waitForSelector("#jp-main-dock-panel");
      // A new notebook on the tsquant kernel; the cells are written into its model, then run.
      await p.evaluate(async (sources) => {
        type Panel = {
          sessionContext: { ready: Promise<void> };
          content: {
            model: {
              sharedModel: {
                insertCell(i: number, c: { cell_type: string; source: string }): void;
                deleteCell(i: number): void;
              };
            };
          };
        };
        const app = (
          window as unknown as {
            jupyterapp: { commands: { execute(id: string, args?: object): Promise<unknown> } };
          }
        ).jupyterapp;
        const panel = (await app.commands.execute("notebook:create-new", {
          kernelName: "tsquant",
        })) as Panel;
        await panel.sessionContext.ready;
        const model = panel.content.model.sharedModel;
        sources.forEach((source, i) => model.insertCell(i, { cell_type: "code", source }));
        model.deleteCell(sources.length); // the empty cell a new notebook starts with
      }, cells);
      const kernelStarted = Date.now();
      await p.waitForSelector("#jp-main-statusbar >> text=Idle", { timeout: 120_000 });
      const idleMs = Date.now() - kernelStarted;
      // Not awaited in the page: the command resolves only when every cell has run.
      await p.evaluate(() => {
        void (
          window as unknown as {
            jupyterapp: { commands: { execute(id: string): Promise<unknown> } };
          }
        ).jupyterapp.commands.execute("notebook:run-all-cells");
      });
      const t0 = Date.now();
      const cell = (i: number): string => `.jp-Notebook .jp-Cell:nth-child(${i + 1})`;
      // The progress cell: one output, updated in place while the loop runs. Watched in the
      // notebook's model (what update_display_data changes; the DOM of an off-screen cell may be
      // drawn late), then on screen.
      const outputsOfCell2 = (): Promise<string[]> =>
        p.evaluate((mime) => {
          type Output = { type: string; data: Record<string, unknown> };
          const nb = (
            window as unknown as {
              jupyterapp: {
                shell: {
                  currentWidget: {
                    content: {
                      model: {
                        cells: {
                          length: number;
                          get(i: number): {
                            outputs: { length: number; get(i: number): Output };
                          };
                        };
                      };
                    };
                  };
                };
              };
            }
          ).jupyterapp.shell.currentWidget.content.model;
          const outputs = nb.cells.get(2).outputs;
          const states: string[] = [];
          for (let i = 0; i < outputs.length; i++) {
            const d = outputs.get(i).data[mime] as
              { done: number; total: number; status: string } | undefined;
            states.push(d ? `${d.done}/${d.total} ${d.status}` : outputs.get(i).type);
          }
          return states;
        }, TSQUANT_MIME);
      const seen = new Set<string>();
      let most = 0;
      const deadline = Date.now() + 180_000;
      for (;;) {
        const states = await outputsOfCell2();
        most = Math.max(most, states.length);
        for (const x of states) seen.add(x);
        if (states.includes("6/6 done")) break;
        assert.ok(Date.now() < deadline, `progress did not finish: ${states.join(", ")}`);
        await p.waitForTimeout(100);
      }
      assert.equal(most, 1, `one progress output, replaced in place; seen ${[...seen].join(", ")}`);
      assert.ok(seen.size >= 3, `the output went through several states: ${[...seen].join(", ")}`);
      const progressView = p.locator(`${cell(2)} .jp-tsquant-ProgressView`);
      await progressView.scrollIntoViewIfNeeded();
      await progressView.locator(".jp-tsquant-status-done").waitFor();
      assert.equal(await p.locator(`${cell(2)} .jp-OutputArea-child`).count(), 1);
      assert.match(await progressView.locator(".jp-tsquant-readout").innerText(), /^6 \/ 6 batch/);
      const runMs = Date.now() - t0;

      const range = p.locator(`${cell(0)} .jp-tsquant-RangePlot`);
      await range.scrollIntoViewIfNeeded();
      await range.locator(".main-svg").first().waitFor();
      assert.match(
        (await range.locator(".jp-tsquant-title").textContent()) ?? "",
        /normalized MNIST pixels/,
      );
      assert.equal(await range.locator("button.jp-tsquant-button").count(), 2);
      const table = p.locator(`${cell(1)} .jp-tsquant-TableView`);
      await table.scrollIntoViewIfNeeded();
      await table.locator(".main-svg").first().waitFor();
      assert.deepEqual(await table.locator("td[data-key=variant]").allInnerTexts(), [
        "float32",
        "dynamic range",
        "int8",
      ]);
      assert.equal(await table.locator(".scatterlayer .point").count(), 3);
      assert.equal(await p.locator(".jp-tsquant-error").count(), 0);
      console.log(
        `tsquant kernel: idle ${idleMs} ms after creation; three cells ran in ${runMs} ms`,
      );
      await range.screenshot({ path: join(OUT, "kernel-range.png") });
      await table.screenshot({ path: join(OUT, "kernel-table.png") });
    } finally {
      await p.close();
    }
  });
});
