/**
 * Issue #6 over the real protocol: cells that stock tslab 1.0.22 hangs on or gets wrong, and the
 * guarantee that a request whose handling throws still gets an error reply. The tsquant kernel
 * runs without its prelude (nothing here needs tq or tf); the failure tests use
 * failing-kernel.ts, the real TsquantKernel over an executor and set-up that throw on demand.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Executed, KernelClient, ROOT, buildKernel } from "./client";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The text/plain of a cell's execute_result, after asserting the cell succeeded. */
function ok(e: Executed): string {
  const err = e.outputs.find((m) => m.header.msg_type === "error");
  assert.equal(e.reply.content["status"], "ok", JSON.stringify(err?.content ?? e.reply.content));
  const r = e.outputs.find((m) => m.header.msg_type === "execute_result");
  return (r?.content["data"] as Record<string, string> | undefined)?.["text/plain"] ?? "";
}

describe("cells stock tslab gets wrong", { timeout: 120_000 }, () => {
  let k: KernelClient;
  before(async () => {
    buildKernel();
    k = new KernelClient();
    await k.start(["--no-prelude"]);
  });
  after(async () => {
    await k.shutdown();
  });

  test("a watched package.json touched and a file added between cells: the next cell runs", async () => {
    // Stock: "Unexpected pending rebuildTimer" inside the converter and no execute_reply.
    const pkg = join(k.dir, "pkg");
    mkdirSync(join(pkg, "dist"), { recursive: true });
    const pkgJson = '{"name":"pkg","main":"dist/index.js","types":"dist/index.d.ts"}\n';
    writeFileSync(join(pkg, "package.json"), pkgJson);
    writeFileSync(join(pkg, "dist", "index.d.ts"), "export declare const x: number;\n");
    writeFileSync(join(pkg, "dist", "index.js"), "exports.x = 20;\n");
    assert.equal(ok(await k.execute(`import * as p from ${JSON.stringify(pkg)};\np.x`)), "20");
    for (let round = 0; round < 2; round++) {
      writeFileSync(join(pkg, "package.json"), pkgJson);
      writeFileSync(join(pkg, "dist", `extra${round}.d.ts`), "export declare const z: number;\n");
      // Replaced, as some builds do (unlink, then write).
      rmSync(join(pkg, "dist", "index.d.ts"));
      writeFileSync(join(pkg, "dist", "index.d.ts"), "export declare const x: number;\n");
      await sleep(1200);
      assert.equal(ok(await k.execute(`p.x + ${round + 1}`)), String(21 + round));
    }
  });

  test("shorthand properties name earlier cells' declarations; shadowing stays correct", async () => {
    // Stock: `{ rows }` → ReferenceError: rows is not defined.
    ok(await k.execute("const rows = [1, 2];\nlet pair = 0;"));
    assert.equal(ok(await k.execute("const t = { rows };\nt.rows.length")), "2");
    assert.equal(
      ok(await k.execute("function wrap() { return { rows }; }\nwrap().rows.length")),
      "2",
    );
    assert.equal(
      ok(await k.execute('function own(rows: string) { return { rows }; }\nown("abc").rows')),
      "'abc'",
    );
    assert.equal(ok(await k.execute("({ pair } = { pair: 5 });\npair")), "5");
    assert.equal(
      ok(await k.execute("const { rows: r2 } = { rows: 7 };\n({ r2, rows })")),
      "{ r2: 7, rows: [ 1, 2 ] }",
    );
  });

  test("a compile error after an expanded shorthand keeps the column the user sees", async () => {
    const code = "const t3 = { rows }; const bad: string = 1;";
    const { reply } = await k.execute(code);
    assert.equal(reply.content["ename"], "CompileError");
    assert.match(String(reply.content["evalue"]), new RegExp(`^1:${code.indexOf("bad") + 1} - `));
  });

  test("earlier cells' classes, functions and reassigned lets", async () => {
    ok(
      await k.execute(
        "class Box { v = 3; }\nfunction twice(n: number) { return 2 * n; }\nlet counter = 1;",
      ),
    );
    assert.equal(ok(await k.execute("counter = counter + 1;\nnew Box().v + twice(counter)")), "7");
    assert.equal(ok(await k.execute("counter++;\ncounter")), "3");
    assert.equal(ok(await k.execute("new Box() instanceof Box")), "true");
  });
});

describe("a request whose handling throws still gets an error reply", { timeout: 60_000 }, () => {
  let k: KernelClient;
  before(async () => {
    const tsx = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
    k = new KernelClient([process.execPath, "--import", tsx, join(__dirname, "failing-kernel.ts")]);
    await k.start();
    // iopub is a subscription: wait until it delivers (busy/idle of a kernel_info) before testing.
    for (;;) {
      const id = await k.send("kernel_info_request", {});
      await k.waitReply(id);
      try {
        await k.outputsOf(id, 300);
        break;
      } catch {
        // not subscribed yet
      }
    }
  });
  after(async () => {
    await k.shutdown();
  });

  for (const [what, code, ename, evalue] of [
    ["the set-up before the cell", "setup-throws", "RangeError", "set-up exploded"],
    ["the executor", "executor-throws", "TypeError", "executor exploded"],
  ] as const) {
    test(`${what} throws: iopub error, error reply with ename/evalue/traceback; the kernel stays`, async () => {
      const { reply, outputs } = await k.execute(code, { timeoutMs: 10_000 });
      assert.equal(reply.content["status"], "error");
      assert.equal(reply.content["ename"], ename);
      assert.equal(reply.content["evalue"], evalue);
      const traceback = reply.content["traceback"] as string[];
      assert.equal(traceback[0], `${ename}: ${evalue}`);
      const error = outputs.find((m) => m.header.msg_type === "error");
      assert.equal(error?.content["ename"], ename);
      const next = await k.execute("fine", { timeoutMs: 10_000 });
      assert.equal(next.reply.content["status"], "ok");
    });
  }

  test("complete_request whose set-up throws: complete_reply with status error", async () => {
    const r = await k.request(
      "complete_request",
      { code: "setup-throws", cursor_pos: 3 },
      "shell",
      10_000,
    );
    assert.equal(r.header.msg_type, "complete_reply");
    assert.equal(r.content["status"], "error");
    assert.equal(r.content["evalue"], "set-up exploded");
  });
});
