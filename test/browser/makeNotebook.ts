/**
 * Writes test/browser/tsquant-views.ipynb: a notebook whose cells hold saved outputs of every
 * payload kind (as the tsquant kernel would have left them), plus a malformed payload and an
 * unknown kind, each with the text/plain fallback a bundle carries. The browser test opens it
 * with no kernel running. `tsquant-views.test.ts` checks that the committed file is what this
 * module makes, so the fixture cannot drift from the payload types.
 *
 * Regenerate: node --import tsx test/browser/makeNotebook.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { TSQUANT_MIME } from "../../kernel/src/display/payload";
import {
  errorPayload,
  progressPayload,
  rangePayload,
  tablePayload,
  weightsPayload,
} from "./samplePayloads";

export const NOTEBOOK_PATH = join(__dirname, "tsquant-views.ipynb");

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

export function notebookText(): string {
  return JSON.stringify(makeNotebook(), null, 1) + "\n";
}

if (require.main === module) {
  writeFileSync(NOTEBOOK_PATH, notebookText());
  console.log(`wrote ${NOTEBOOK_PATH}`);
}
