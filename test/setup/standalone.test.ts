/**
 * The repository stands alone: no tracked file points at documents that live beside it (a
 * clone has only what is in it). Facts the code relies on are in `kernel/docs/` and the folder
 * READMEs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "../helpers/litert";

// Written in pieces so that this file does not match itself.
const OUTSIDE = [
  "\\.\\./" + "shared",
  "shared/" + "reference",
  "tflite-" + "facts",
  "DESIGN" + "\\.md",
  "STYLE" + "\\.md",
];

test("no tracked file refers to documents outside the repository", () => {
  const r = spawnSync("git", ["grep", "-n", "-I", "-E", OUTSIDE.join("|"), "--", "."], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  assert.ok(r.status === 0 || r.status === 1, `git grep failed: ${r.stderr}`);
  assert.equal(r.stdout, "", `lines pointing outside the repository:\n${r.stdout}`);
});
