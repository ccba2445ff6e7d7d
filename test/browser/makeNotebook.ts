/**
 * Writes test/browser/tsquant-views.ipynb: a notebook whose cells hold saved outputs of every
 * payload kind (as the tsquant kernel would have left them), plus a malformed payload and an
 * unknown kind, each with the text/plain fallback a bundle carries. The browser test opens it
 * with no kernel running. `notebook.test.ts` checks that the committed file is what this
 * module makes, so the fixture cannot drift from the payload types.
 *
 * Also test/browser/tsquant-xss.ipynb: one output per kind whose text fields carry HTML that
 * would run script if parsed (xssPayloads.ts) — a separate file, so the first notebook's strict
 * locators stay unambiguous. And, made at test time only (megabytes), a notebook with the
 * largest range payload: a million-bin histogram.
 *
 * Regenerate: node --import tsx test/browser/makeNotebook.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { TSQUANT_MIME } from "../../kernel/src/display/payload";
import { evil, xssPayloads } from "./xssPayloads";
import {
  errorPayload,
  progressPayload,
  rangePayload,
  tablePayload,
  weightsPayload,
} from "./samplePayloads";

export const NOTEBOOK_PATH = join(__dirname, "tsquant-views.ipynb");
export const XSS_NOTEBOOK_PATH = join(__dirname, "tsquant-xss.ipynb");

interface Cell {
  cell_type: "code" | "markdown";
  id: string;
  metadata: Record<string, never>;
  source: string[];
  execution_count?: number;
  outputs?: unknown[];
}

function markdown(id: string, text: string): Cell {
  return { cell_type: "markdown", id, metadata: {}, source: [text] };
}

function code(id: string, n: number, source: string, data: unknown, plain: string): Cell {
  return {
    cell_type: "code",
    id,
    metadata: {},
    execution_count: n,
    source: [source],
    outputs: [
      {
        output_type: "execute_result",
        execution_count: n,
        metadata: {},
        data: { [TSQUANT_MIME]: data, "text/plain": [plain] },
      },
    ],
  };
}

export function makeNotebook(): object {
  const cells: Cell[] = [
    markdown(
      "intro",
      "# tsquant views\n\nSaved outputs of every `application/vnd.tsquant.v1+json` kind " +
        "(synthetic data), rendered by the tsquant JupyterLab extension without a kernel.",
    ),
    code(
      "range",
      1,
      "observer.rangePlot()",
      rangePayload(),
      "RangePlot(sequential/conv2d_1/BiasAdd)",
    ),
    code("error", 2, "compare(floatModel, int8Model)", errorPayload(), "ErrorPlot(8 layers)"),
    code(
      "weights",
      3,
      "weightRanges(model, 'conv2d_1')",
      weightsPayload(),
      "WeightsPlot(16 channels)",
    ),
    code("table", 4, "comparisonTable(variants)", tablePayload(), "ComparisonTable(6 variants)"),
    code(
      "progress",
      5,
      "await model.fit(x, y, { epochs: 5 })",
      progressPayload(),
      "Progress(training 5/5)",
    ),
    code(
      "malformed",
      6,
      "// a payload with a broken histogram",
      { ...rangePayload(), histogram: { min: 0, max: 1 } },
      "RangePlot(?)",
    ),
    code(
      "unknown",
      7,
      "// a payload from a newer tsquant",
      { kind: "sparkline", values: [1, 2, 3] },
      "Sparkline",
    ),
  ];
  return notebookOf(cells);
}

function notebookOf(cells: Cell[]): object {
  return {
    cells,
    metadata: {
      kernelspec: { display_name: "TypeScript (tsquant)", language: "typescript", name: "tsquant" },
      language_info: { name: "typescript", file_extension: ".ts" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

export function makeXssNotebook(): object {
  return notebookOf([
    markdown("intro", "# tsquant views with hostile text\n\nEvery string field holds HTML."),
    ...xssPayloads().map((p, i) => code(p.kind, i + 1, `// ${p.kind}`, p, evil(p.kind))),
  ]);
}

/**
 * The range payload of `rangePayload()` with every one of its 512 bins split into k equal fine
 * bins (its count spread over them, integers summing to it): 512·1954 = 1,000,448 bins by default,
 * the "million-element histogram" a kernel could send if nothing capped it.
 */
export function largeRangePayload(k = 1954): object {
  const small = rangePayload();
  const h = small.histogram;
  const counts: number[] = [];
  for (const c of h.counts) {
    for (let j = 0; j < k; j++)
      counts.push(Math.round(((j + 1) * c) / k) - Math.round((j * c) / k));
  }
  return {
    ...small,
    title: `${counts.length.toLocaleString("en")} bins`,
    histogram: { min: h.min, max: h.max, counts },
  };
}

export function makeLargeNotebook(): object {
  return notebookOf([
    code("large", 1, "observer.rangePlot()", largeRangePayload(), "RangePlot(1,000,448 bins)"),
  ]);
}

export function notebookText(): string {
  return JSON.stringify(makeNotebook(), null, 1) + "\n";
}

export function xssNotebookText(): string {
  return JSON.stringify(makeXssNotebook(), null, 1) + "\n";
}

if (require.main === module) {
  writeFileSync(NOTEBOOK_PATH, notebookText());
  writeFileSync(XSS_NOTEBOOK_PATH, xssNotebookText());
  console.log(`wrote ${NOTEBOOK_PATH} and ${XSS_NOTEBOOK_PATH}`);
}
