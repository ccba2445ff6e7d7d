/**
 * Copies the README's screenshots from the browser test's output (test/browser/out/, git-ignored)
 * into test/browser/screenshots/ (committed), refusing any that is missing or 200 kB or more.
 * Run after the browser test, then look at the pictures before committing them:
 *
 *   npm run test:browser && node --import tsx test/browser/saveScreenshots.ts
 */
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";

const OUT = join(__dirname, "out");
const DEST = join(__dirname, "screenshots");
const MAX_BYTES = 200_000;

/** Test output → committed name. */
export const SCREENSHOTS: Record<string, string> = {
  "range-dragged.png": "range-plot-drag.png",
  "table.png": "comparison-table.png",
};

export function saveScreenshots(): string[] {
  mkdirSync(DEST, { recursive: true });
  const saved: string[] = [];
  for (const [from, to] of Object.entries(SCREENSHOTS)) {
    const source = join(OUT, from);
    if (!existsSync(source)) {
      throw new Error(`${source} is missing: run the browser test first (npm run test:browser)`);
    }
    const bytes = statSync(source).size;
    if (bytes >= MAX_BYTES) {
      throw new Error(`${source} has ${bytes} bytes; screenshots for the README stay under 200 kB`);
    }
    copyFileSync(source, join(DEST, to));
    saved.push(`${to} (${(bytes / 1000).toFixed(0)} kB)`);
  }
  return saved;
}

if (require.main === module) {
  console.log(`saved to ${DEST}: ${saveScreenshots().join(", ")}`);
}
