/**
 * test/bench/RESULTS.md holds one section per benchmark, fenced by HTML comments so each
 * benchmark rewrites its own section and leaves the others as they were.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const RESULTS_PATH = join(__dirname, "RESULTS.md");

const HEADER =
  "# Benchmark results\n\nRatios against a peer measured in the same run (this machine is noisy). Each section is rewritten by its benchmark; the command is in the section.\n";

/** Replace (or append) the section `id` of RESULTS.md with `title` and `body`. */
export function replaceSection(id: string, title: string, body: string): void {
  const text = existsSync(RESULTS_PATH) ? readFileSync(RESULTS_PATH, "utf8") : HEADER;
  const start = `<!-- ${id}:start -->`;
  const end = `<!-- ${id}:end -->`;
  const section = `${start}\n## ${title}\n\n${body}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next =
    i >= 0 && j > i
      ? text.slice(0, i) + section + text.slice(j + end.length)
      : text.trimEnd() + "\n\n" + section + "\n";
  writeFileSync(RESULTS_PATH, next);
  formatResults();
}

/**
 * Run prettier on RESULTS.md (`npm run lint` checks it): benchmarks write plain Markdown tables
 * and prettier pads them. A failure only warns — the numbers are written either way.
 */
function formatResults(): void {
  const bin = require.resolve("prettier/bin/prettier.cjs");
  const r = spawnSync(process.execPath, [bin, "--write", "--log-level", "warn", RESULTS_PATH], {
    encoding: "utf8",
  });
  if (r.status !== 0) {
    process.stderr.write(`results: prettier could not format ${RESULTS_PATH}: ${r.stderr}\n`);
  }
}
