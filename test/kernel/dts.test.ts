/**
 * Cells are compiled by tslab's TypeScript 5.0 fork, which must parse every declaration file of
 * the tsquant package (the prelude imports them all): syntax newer than TypeScript 5.0 in a
 * `.d.ts` (e.g. `const` type parameters in some positions, `accessor`, `using`) would break every
 * notebook. Parses kernel/dist/**\/*.d.ts (built first) with that compiler.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT, buildKernel } from "./client";

type TS = typeof import("typescript");

function declarationFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) declarationFiles(p, out);
    else if (name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

test(
  "kernel/dist declaration files parse under tslab's TypeScript 5.0",
  { timeout: 120_000 },
  () => {
    buildKernel();
    const fromTslab = createRequire(join(ROOT, "node_modules", "tslab", "package.json"));
    const ts = fromTslab("@tslab/typescript-for-tslab") as TS;
    assert.match(ts.version, /^5\.0\./);
    const files = declarationFiles(join(ROOT, "kernel", "dist"));
    assert.ok(files.some((f) => f.endsWith(join("dist", "index.d.ts"))));
    const program = ts.createProgram(files, { noEmit: true, skipLibCheck: true, types: [] });
    const problems = files.flatMap((f) => {
      const sf = program.getSourceFile(f);
      return sf === undefined
        ? [`${f}: not loaded`]
        : program
            .getSyntacticDiagnostics(sf)
            .map((d) => `${f}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    });
    assert.deepEqual(problems, []);
  },
);
