/**
 * Payload text is shown as text. The views build their DOM with `h()` (labextension/src/dom.ts),
 * which appends strings as text nodes and sets attributes with setAttribute; the one other place
 * payload text goes is plotly's text fields, which parse a small HTML subset — there it passes
 * through `plotlyText`. The browser test (tsquant-xss.ipynb) proves the whole chain in Chromium;
 * this file checks the pieces under Node, where there is no DOM: the escaping, and that no
 * source file of the renderer uses an HTML-parsing sink.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { plotlyText } from "../../labextension/src/format";
import { XSS_IMG, XSS_SCRIPT } from "../browser/xssPayloads";

test("plotlyText: <, > and & become entities, so plotly draws the characters", () => {
  assert.equal(plotlyText("a<b>c</b>&d"), "a&lt;b&gt;c&lt;/b&gt;&amp;d");
  // Already-escaped text stays as typed (the & is escaped too): "&lt;" shows as "&lt;".
  assert.equal(plotlyText("&lt;"), "&amp;lt;");
  const escaped = plotlyText(`${XSS_IMG}${XSS_SCRIPT}`);
  assert.doesNotMatch(escaped, /[<>]/);
  assert.equal(plotlyText("sequential/conv2d_1/Relu"), "sequential/conv2d_1/Relu");
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

test("no renderer source parses strings as HTML (innerHTML, insertAdjacentHTML, …)", () => {
  const files = sources(join(__dirname, "..", "..", "labextension", "src"));
  assert.ok(files.length >= 10, `found the sources: ${files.length}`);
  const sinks =
    /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|srcdoc/;
  const offenders = files.filter((f) => sinks.test(readFileSync(f, "utf8")));
  assert.deepEqual(offenders, []);
});

test("payload text given to plotly goes through plotlyText", () => {
  // The views that put payload strings into plotly traces: error (op names in the legend, layer
  // names in hover text), table (variant labels), progress (the unit in an axis title).
  const views = join(__dirname, "..", "..", "labextension", "src", "views");
  const read = (name: string): string => readFileSync(join(views, name), "utf8");
  assert.match(read("error.ts"), /name: plotlyText\(op\)/);
  assert.match(read("error.ts"), /plotlyText\(l\.name\)/);
  assert.match(read("table.ts"), /text: this\.rows\.map\(\(r\) => plotlyText\(r\.variant\)\)/);
  assert.match(read("progress.ts"), /plotlyText\(this\.payload\.unit/);
});
