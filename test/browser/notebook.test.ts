import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { NOTEBOOK_PATH, notebookText } from "./makeNotebook";
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
