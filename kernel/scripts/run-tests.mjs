#!/usr/bin/env node
// `npm test`: every *.test.ts under kernel/src and test/, on node's built-in test runner
// (TypeScript loaded by tsx). The summary lines ("# pass N", "# fail N") are what CI reads.
// Flags: --no-python skips the files that need the project's .venv (LiteRT parity, and the
// browser tests, which run JupyterLab from it);
// any other argument is a substring filter on test file paths.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
const args = process.argv.slice(2);
const noPython = args.includes("--no-python");
const filters = args.filter((a) => !a.startsWith("--"));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

let files = [...walk(join(root, "kernel", "src"), []), ...walk(join(root, "test"), [])]
  .map((f) => relative(root, f))
  .sort();
if (noPython) {
  files = files.filter((f) => !f.includes(".litert.test.ts") && !f.includes(".browser.test.ts"));
}
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error("run-tests: no test files matched");
  process.exit(1);
}
// The tests that run the CLI as users do (`npx tsquant`, the bin) load the built kernel/dist:
// bring it up to date first with the set-up's TypeScript step (a stamp check when nothing
// changed; an incremental tsc otherwise).
const build = spawnSync(process.execPath, [join(root, "kernel", "scripts", "setup.mjs")], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, TSQUANT_SKIP_SETUP: "1" },
});
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit", env: { ...process.env, TSQUANT_ROOT: root } },
);
process.exit(r.status ?? 1);
