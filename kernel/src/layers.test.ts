/**
 * The import order of `kernel/src`: every relative import of a library file goes to its own unit
 * or a lower layer of the table in README.md, and no chain of imports between files comes back to
 * where it started. Test files are left out (a test may use anything to build its case).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const SRC = __dirname;

/** Layer of each unit (a top-level folder, or a file path), from the README's table. */
export function parseLayers(readme: string): Map<string, number> {
  const layers = new Map<string, number>();
  for (const line of readme.split("\n")) {
    const m = /^\|\s*(\d+)\s*\|([^|]+)\|/.exec(line);
    if (m === null) continue;
    for (const unit of (m[2] ?? "").split(",")) layers.set(unit.trim(), Number(m[1]));
  }
  return layers;
}

/** Relative specifiers a file imports: static, re-exported, side-effect and dynamic imports. */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/gms,
    /^\s*import\s+["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const p of patterns) for (const m of source.matchAll(p)) found.push(m[1] ?? "");
  return found.filter((s) => s.startsWith("."));
}

function libraryFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...libraryFiles(p));
    else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) && !e.name.endsWith(".d.ts")) {
      out.push(p);
    }
  }
  return out;
}

/** A file's path under `kernel/src`, with `/` separators. */
function rel(file: string): string {
  return relative(SRC, file).split(sep).join("/");
}

/** The unit a file belongs to: a unit named by its path, else its top-level folder or file. */
function unitOf(path: string, layers: Map<string, number>): string {
  if (layers.has(path)) return path;
  const top = path.split("/")[0] ?? path;
  return top;
}

/** Resolve a relative specifier to a library file (`x` → `x.ts` or `x/index.ts`). */
function resolveImport(from: string, spec: string, files: Set<string>): string | null {
  const base = rel(resolve(dirname(join(SRC, from)), spec)).replace(/\.js$/, "");
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    if (files.has(candidate)) return candidate;
  }
  return null;
}

/** Every import edge between library files. */
function importGraph(): Map<string, string[]> {
  const files = libraryFiles(SRC).map(rel);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const targets: string[] = [];
    for (const spec of importSpecifiers(readFileSync(join(SRC, f), "utf8"))) {
      const t = resolveImport(f, spec, known);
      if (t !== null) targets.push(t);
    }
    graph.set(f, targets);
  }
  return graph;
}

/** One import cycle in `graph` (as a path that ends where it starts), or null. */
export function findCycle(graph: Map<string, readonly string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (s === undefined) {
        const cycle = visit(next);
        if (cycle !== null) return cycle;
      }
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    if (state.get(node) === undefined) {
      const cycle = visit(node);
      if (cycle !== null) return cycle;
    }
  }
  return null;
}

describe("import layers of kernel/src", () => {
  const layers = parseLayers(readFileSync(join(SRC, "README.md"), "utf8"));
  const graph = importGraph();

  test("the README's table names every unit", () => {
    assert.ok(layers.size >= 10, `README.md layer table: ${layers.size} units`);
    const missing = [...new Set([...graph.keys()].map((f) => unitOf(f, layers)))].filter(
      (u) => !layers.has(u),
    );
    assert.deepEqual(missing, [], "units without a layer in kernel/src/README.md");
  });

  test("imports go to the same unit or a lower layer", () => {
    const wrong: string[] = [];
    for (const [from, targets] of graph) {
      const a = unitOf(from, layers);
      for (const to of targets) {
        const b = unitOf(to, layers);
        if (a === b) continue;
        const la = layers.get(a) ?? -1;
        const lb = layers.get(b) ?? Infinity;
        if (lb >= la) wrong.push(`${from} (${a}, layer ${la}) imports ${to} (${b}, layer ${lb})`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test("no library folder imports from jupyter/ or cli/", () => {
    const wrong = [...graph].flatMap(([from, targets]) =>
      /^(jupyter|cli)\//.test(from) || from === "index.ts"
        ? []
        : targets.filter((t) => /^(jupyter|cli)\//.test(t)).map((t) => `${from} imports ${t}`),
    );
    assert.deepEqual(wrong, []);
  });

  test("no import cycle between files", () => {
    assert.equal(findCycle(graph)?.join(" -> ") ?? null, null);
  });

  test("the checks see cycles and upward imports", () => {
    assert.deepEqual(
      findCycle(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
        ]),
      ),
      ["a", "b", "c", "a"],
    );
    assert.equal(
      findCycle(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
      null,
    );
    assert.deepEqual(
      importSpecifiers(
        'import type { X } from "../a";\nexport {\n  y,\n} from "./b";\nimport "./c";\nconst m = await import("../d");\nimport * as tf from "@tensorflow/tfjs";',
      ),
      ["../a", "./b", "./c", "../d"],
    );
    assert.equal(parseLayers("| 3 | a, b/c.ts | x |").get("b/c.ts"), 3);
  });
});
