import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SerialTimers,
  createFixedConverter,
  expandShorthands,
  expandShorthandsMapped,
  originalPosition,
  tslabTypeScript,
} from "./converter";

const ts = tslabTypeScript();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A host like tslab's: one pending timer at most (a second throws), fired by hand. */
function singleTimerHost(): {
  set: (cb: () => void) => unknown;
  clear: (h: unknown) => void;
  fire: () => void;
  pending: () => boolean;
} {
  let timer: { callback: () => void } | null = null;
  return {
    set: (cb) => {
      if (timer !== null) throw new Error("Unexpected pending rebuildTimer");
      const t = {
        callback: () => {
          cb();
          timer = null;
        },
      };
      timer = t;
      return t;
    },
    clear: (h) => {
      if (h !== timer) throw new Error("clearing unexpected timer");
      timer = null;
    },
    fire: () => timer?.callback(),
    pending: () => timer !== null,
  };
}

describe("SerialTimers over a single-timer host", () => {
  test("two timers (program update + failed-lookup invalidation) run in order in one flush", () => {
    const host = singleTimerHost();
    const t = new SerialTimers(host.set, host.clear);
    const ran: string[] = [];
    t.setTimeout(() => ran.push("invalidate"), 250);
    t.setTimeout(() => ran.push("update"), 250); // the stock host throws here
    assert.equal(t.pending, 2);
    host.fire();
    assert.deepEqual(ran, ["invalidate", "update"]);
    assert.equal(host.pending(), false);
    assert.equal(t.pending, 0);
  });

  test("a timer set while flushing runs in the same flush; clearing removes one", () => {
    const host = singleTimerHost();
    const t = new SerialTimers(host.set, host.clear);
    const ran: string[] = [];
    const dropped = t.setTimeout(() => ran.push("dropped"));
    t.setTimeout(() => {
      ran.push("first");
      t.setTimeout((x: unknown) => ran.push(`nested ${String(x)}`), 250, 7);
    });
    t.clearTimeout(dropped);
    host.fire();
    assert.deepEqual(ran, ["first", "nested 7"]);
    assert.equal(host.pending(), false);
  });

  test("clearing the last timer clears the host's; a throwing timer leaves the rest queued", () => {
    const host = singleTimerHost();
    const t = new SerialTimers(host.set, host.clear);
    t.clearTimeout(t.setTimeout(() => assert.fail("cleared timer ran")));
    assert.equal(host.pending(), false);
    const ran: string[] = [];
    t.setTimeout(() => {
      throw new Error("boom");
    });
    t.setTimeout(() => ran.push("after"));
    assert.throws(() => host.fire(), /boom/);
    assert.equal(t.pending, 1);
    // tslab still counts its timer as pending: the next set must not ask the host for another.
    t.setTimeout(() => ran.push("later"));
    host.fire();
    assert.deepEqual(ran, ["after", "later"]);
  });
});

describe("expandShorthands", () => {
  const prev = "declare const rows: number[];\ndeclare function f(): void;\nlet n: number;\n";
  test("writes out shorthand properties naming earlier declarations only", () => {
    assert.equal(
      expandShorthands(ts, "const t = { rows, other };", prev),
      "const t = { rows: rows, other };",
    );
    assert.equal(expandShorthands(ts, "({ f, n })", prev), "({ f: f, n: n })");
  });
  test("leaves destructuring declarations, export lists and other code alone", () => {
    for (const src of [
      "const { rows } = { rows: [3] };",
      "function g({ rows }: { rows: number }) { return rows; }",
      "const x = { rows: 1 }; x.rows",
      "rows.length",
    ])
      assert.equal(expandShorthands(ts, src, prev), src);
    assert.equal(expandShorthands(ts, "const t = { rows };", ""), "const t = { rows };");
  });
  test("positions in the expanded cell map back to the cell as written", () => {
    const src = "const a = { rows, f };\nconst b = { n }; n.x";
    const { code, inserted } = expandShorthandsMapped(ts, src, prev);
    assert.equal(code, "const a = { rows: rows, f: f };\nconst b = { n: n }; n.x");
    const at = (
      needle: string,
      line: number,
    ): { offset: number; line: number; character: number } => {
      const offset = code.lastIndexOf(needle);
      return { offset, line, character: offset - code.lastIndexOf("\n", offset - 1) - 1 };
    };
    // Text after the insertions: back to where it is in src.
    for (const [needle, line] of [
      [" };\n", 0],
      [" }; n.x", 1],
      ["const b", 1],
      ["{ rows", 0],
    ] as const) {
      const o = src.lastIndexOf(needle);
      assert.deepEqual(originalPosition(src, inserted, at(needle, line)), {
        offset: o,
        line,
        character: o - src.lastIndexOf("\n", o - 1) - 1,
      });
    }
    // Inside inserted text (": rows"): where it went in, right after the shorthand's name.
    const inside = code.indexOf(": rows") + 3;
    assert.equal(
      originalPosition(src, inserted, { offset: inside, line: 0, character: inside }).offset,
      src.indexOf("rows") + 4,
    );
  });
  test("destructuring assignment targets and defaults keep their meaning", () => {
    assert.equal(expandShorthands(ts, "({ n = 2 } = {});", prev), "({ n: n = 2 } = {});");
  });
});

describe(
  "createFixedConverter (tslab's converter, real TypeScript watch program)",
  { timeout: 60_000 },
  () => {
    test("a package.json touched and a file added between two cells: the next convert works", async () => {
      const dir = mkdtempSync(join(tmpdir(), "tsquant-conv-"));
      const cwd = process.cwd();
      try {
        mkdirSync(join(dir, "pkg", "dist"), { recursive: true });
        const pkgJson = '{"name":"pkg","main":"dist/index.js","types":"dist/index.d.ts"}\n';
        writeFileSync(join(dir, "pkg", "package.json"), pkgJson);
        writeFileSync(join(dir, "pkg", "dist", "index.d.ts"), "export declare const x: number;\n");
        writeFileSync(join(dir, "pkg", "dist", "index.js"), "exports.x = 1;\n");
        process.chdir(dir);
        const c = createFixedConverter({ isJS: false, isBrowser: false });
        try {
          const r1 = c.convert("", `import * as p from ${JSON.stringify(join(dir, "pkg"))}; p.x`);
          assert.deepEqual(r1.diagnostics, []);
          // Stock tslab: the watcher schedules the failed-lookup invalidation, and the next
          // convert throws "Unexpected pending rebuildTimer".
          writeFileSync(join(dir, "pkg", "package.json"), pkgJson);
          writeFileSync(
            join(dir, "pkg", "dist", "extra.d.ts"),
            "export declare const z: number;\n",
          );
          await sleep(1500);
          const r2 = c.convert(r1.declOutput ?? "", "const rows = [p.x];");
          assert.deepEqual(r2.diagnostics, []);
          // The shorthand names the earlier cell's binding (stock tslab left `{ rows }`).
          const r3 = c.convert(r2.declOutput ?? "", "const t = { rows }; t");
          assert.deepEqual(r3.diagnostics, []);
          assert.match(r3.output ?? "", /\{ rows: exports\.rows \}/);
        } finally {
          c.close();
        }
      } finally {
        process.chdir(cwd);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
