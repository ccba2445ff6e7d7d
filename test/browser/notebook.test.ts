import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  NOTEBOOK_PATH,
  XSS_NOTEBOOK_PATH,
  largeRangePayload,
  notebookText,
  xssNotebookText,
} from "./makeNotebook";
import { rangePayload } from "./samplePayloads";
import { XSS_IMG, XSS_SCRIPT } from "./xssPayloads";
import { validatePayload } from "../../labextension/src/validate";
import { TSQUANT_MIME } from "../../kernel/src/display/payload";

test("the committed sample notebook is what makeNotebook() makes (regenerate if this fails)", () => {
  assert.equal(readFileSync(NOTEBOOK_PATH, "utf8"), notebookText());
});

test("sample notebook: five valid payloads, then a malformed one and an unknown kind", () => {
  const nb = JSON.parse(readFileSync(NOTEBOOK_PATH, "utf8")) as {
    cells: { outputs?: { data: Record<string, unknown> }[] }[];
  };
  const results = nb.cells
    .flatMap((c) => c.outputs ?? [])
    .map((o) => validatePayload(o.data[TSQUANT_MIME]));
  assert.deepEqual(
    results.map((r) => (r.ok ? r.payload.kind : "invalid")),
    ["range", "error", "weights", "table", "progress", "invalid", "invalid"],
  );
  const errors = results.flatMap((r) => (r.ok ? [] : [r.error]));
  assert.match(errors[0] ?? "", /payload\.histogram\.counts: expected an array/);
  assert.match(errors[1] ?? "", /payload\.kind: expected one of/);
});

test("the committed XSS notebook is what makeXssNotebook() makes; every payload is valid", () => {
  assert.equal(readFileSync(XSS_NOTEBOOK_PATH, "utf8"), xssNotebookText());
  const nb = JSON.parse(readFileSync(XSS_NOTEBOOK_PATH, "utf8")) as {
    cells: { outputs?: { data: Record<string, unknown> }[] }[];
  };
  const results = nb.cells
    .flatMap((c) => c.outputs ?? [])
    .map((o) => validatePayload(o.data[TSQUANT_MIME]));
  assert.deepEqual(
    results.map((r) => (r.ok ? r.payload.kind : r.error)),
    ["range", "error", "weights", "table", "progress", "model", "qparams", "calibration"],
  );
  // Every kind carries both attacks in its title (the views show titles as text).
  for (const r of results) {
    assert.ok(r.ok && r.payload.title?.includes(XSS_IMG) && r.payload.title.includes(XSS_SCRIPT));
  }
});

test("the large notebook's range payload: a valid million-bin histogram of the same data", () => {
  const payload = largeRangePayload();
  const r = validatePayload(payload);
  assert.ok(r.ok && r.payload.kind === "range");
  const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
  assert.equal(r.payload.histogram.counts.length, 1_000_448);
  assert.equal(sum(r.payload.histogram.counts), sum(rangePayload().histogram.counts));
});
