/**
 * The tsquant kernel over its real sockets: one kernel (with the prelude) serves every test
 * here. Each test names the stock-tslab defect it guards against, where there is one.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TSQUANT_MIME } from "../../kernel/src/display/payload";
import { DELIMITER } from "../../kernel/src/jupyter/protocol";
import { type Executed, KernelClient, ROOT, buildKernel } from "./client";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const types = (ms: { header: { msg_type: string } }[]): string[] =>
  ms.map((m) => m.header.msg_type);

let k: KernelClient;

/** The text/plain of a cell's execute_result. */
function value(e: Executed): string {
  const r = e.outputs.find((m) => m.header.msg_type === "execute_result");
  return (r?.content["data"] as Record<string, string> | undefined)?.["text/plain"] ?? "";
}

describe("tsquant kernel protocol", { timeout: 240_000 }, () => {
  before(async () => {
    buildKernel();
    k = new KernelClient();
    await k.start();
  });
  after(async () => {
    // Normally the last test shut it down; make sure on failure too.
    if ((await Promise.race([k.exited, sleep(10).then(() => "running")])) === "running")
      await k.shutdown();
  });

  test("kernel_info_reply has status ok and names the kernel and language", async () => {
    const r = await k.request("kernel_info_request", {});
    assert.equal(r.content["status"], "ok");
    assert.equal(r.content["implementation"], "tsquant");
    const lang = r.content["language_info"] as Record<string, unknown>;
    assert.equal(lang["name"], "typescript");
    assert.equal(lang["file_extension"], ".ts");
  });

  test("execute_input first, then the last value as execute_result (not stdout)", async () => {
    const { reply, outputs } = await k.execute("const kept = 41;\nkept + 1");
    assert.equal(reply.content["status"], "ok");
    const count = reply.content["execution_count"];
    assert.equal(typeof count, "number");
    assert.deepEqual(types(outputs), ["execute_input", "execute_result"]);
    assert.equal(outputs[0]?.content["execution_count"], count);
    assert.deepEqual(outputs[1]?.content["data"], { "text/plain": "42" });
    // The prelude is lazy: this first cell names neither tq, tf nor display, so it did not wait
    // for their type declarations to load (the log says when the prelude runs).
    assert.doesNotMatch(k.stderr, /prelude done/);
  });

  test("thrown errors, compile errors and rejected promises: iopub error + error reply", async () => {
    for (const [code, ename, evalue] of [
      ['throw new RangeError("boom")', "RangeError", /^boom$/],
      ["const s: number = 'text'", "CompileError", /not assignable to type 'number'/],
      ['await Promise.reject(new Error("nope"))', "Error", /^nope$/],
    ] as const) {
      const { reply, outputs } = await k.execute(code, { stopOnError: false });
      assert.equal(reply.content["status"], "error", code);
      assert.equal(reply.content["ename"], ename, code);
      assert.match(String(reply.content["evalue"]), evalue);
      assert.ok(Array.isArray(reply.content["traceback"]));
      const errors = outputs.filter((m) => m.header.msg_type === "error");
      assert.equal(errors.length, 1, code);
      assert.equal(errors[0]?.content["ename"], ename);
    }
    // The kernel lives on, variables too.
    assert.equal(value(await k.execute("kept")), "41");
  });

  test("stop_on_error: queued requests abort after a failure; with false they run", async () => {
    const failing = 'await new Promise((r) => setTimeout(r, 300)); throw new Error("first")';
    // Both sent before the first fails: the second is aborted (status "aborted").
    const a = await k.send("execute_request", {
      code: failing,
      silent: false,
      stop_on_error: true,
    });
    const b = await k.send("execute_request", {
      code: "'second'",
      silent: false,
      stop_on_error: true,
    });
    assert.equal((await k.waitReply(a)).content["status"], "error");
    assert.equal((await k.waitReply(b)).content["status"], "aborted");
    // The same with stop_on_error false: the second runs.
    const c = await k.send("execute_request", {
      code: failing,
      silent: false,
      stop_on_error: false,
    });
    const d = await k.send("execute_request", {
      code: "'second'",
      silent: false,
      stop_on_error: true,
    });
    assert.equal((await k.waitReply(c)).content["status"], "error");
    assert.equal((await k.waitReply(d)).content["status"], "ok");
    // A request sent right after an error reply runs (stock tslab aborted anything within 200 ms).
    const e = await k.execute("throw 1", { stopOnError: true });
    assert.equal(e.reply.content["status"], "error");
    assert.equal((await k.execute("'right after'")).reply.content["status"], "ok");
  });

  test("interrupt stops a busy loop and an awaited timer; the kernel and variables stay", async () => {
    for (const code of ["while (true) {}", "await new Promise((r) => setTimeout(r, 60000))"]) {
      const id = await k.send("execute_request", { code, silent: false, stop_on_error: true });
      // Interrupt once the cell runs (its execute_input is out).
      for (let i = 0; i < 100 && !types(k.iopubOf(id)).includes("execute_input"); i++)
        await sleep(50);
      await sleep(300);
      const t0 = Date.now();
      k.interrupt();
      const reply = await k.waitReply(id, 10_000);
      assert.equal(reply.content["status"], "error", code);
      assert.equal(reply.content["ename"], "InterruptedError", code);
      assert.ok(Date.now() - t0 < 5000, `${code}: interrupted within 5 s`);
    }
    assert.equal(value(await k.execute("kept * 2")), "82");
  });

  test("interrupt stops a loop polling tq.checkInterrupt(), also in the background", async () => {
    // The loop runs without being awaited, so only the cooperative check can stop it.
    await k.execute(
      "let steps = 0;\n(async () => { for (;;) { tq.checkInterrupt(); steps++; await new Promise((r) => setImmediate(r)); } })().catch(() => {});",
    );
    await sleep(200);
    assert.ok(Number(value(await k.execute("steps"))) > 0, "the loop runs");
    k.interrupt();
    await sleep(300);
    const first = value(await k.execute("steps"));
    await sleep(300);
    assert.equal(value(await k.execute("steps")), first, "the loop stopped");
    // Cells after the interrupt run normally.
    assert.equal((await k.execute("tq.checkInterrupt(); 'fine'")).reply.content["status"], "ok");
  });

  test("interrupt mid-evaluation: tq.evaluate stops with InterruptedError; model, data and kernel stay", async () => {
    const fixture = JSON.stringify(join(ROOT, "test", "fixtures", "models", "cnn_float32.tflite"));
    await k.execute(
      `const evalModel = new Uint8Array(require("fs").readFileSync(${fixture}));\nconst test10k = tq.data.mnist().test;`,
      { timeoutMs: 120_000 },
    );
    const id = await k.send("execute_request", {
      code: "const evaluated = await tq.evaluate(evalModel, test10k);",
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: false,
    });
    // Interrupt once the evaluation has drawn its progress output (it is running).
    const deadline = Date.now() + 120_000;
    while (!k.iopubOf(id).some((m) => m.header.msg_type === "display_data")) {
      assert.ok(Date.now() < deadline, "no progress output within 120 s");
      await sleep(50);
    }
    k.interrupt();
    const outputs = await k.outputsOf(id, 60_000);
    const error = outputs.find((m) => m.header.msg_type === "error");
    assert.equal(error?.content["ename"], "InterruptedError");
    // The evaluation noticed too: its progress output ends "failed" short of 10,000 images.
    await sleep(300);
    const progress = k
      .iopubOf(id)
      .filter((m) => m.header.msg_type.endsWith("display_data"))
      .map(
        (m) =>
          (m.content["data"] as Record<string, { status: string; done: number }>)[TSQUANT_MIME],
      );
    const last = progress[progress.length - 1];
    assert.equal(last?.status, "failed");
    assert.ok((last?.done ?? 10_000) < 10_000, `stopped at ${last?.done}`);
    assert.ok(progress.length <= 22, `${progress.length} progress messages`);
    // Variables, model and data are intact; the next evaluation runs normally.
    const again = await k.execute(
      "const r = await tq.evaluate(evalModel, test10k, undefined, { limit: 200 }); [evalModel.length, test10k.length, r.total]",
      { timeoutMs: 120_000 },
    );
    assert.equal(value(again), "[ 84012, 10000, 200 ]");
  });

  test("messages with a wrong or missing signature are dropped, logged and never executed", async () => {
    const code = { code: "globalThis.pwned = 1", silent: false, stop_on_error: true };
    await k.sendRaw(k.framesSignedWith("not-the-key", "execute_request", code));
    const unsigned = k.framesSignedWith(k.key, "execute_request", code);
    const at = unsigned.findIndex((f) => Buffer.isBuffer(f) && f.equals(DELIMITER));
    unsigned[at + 1] = "";
    await k.sendRaw(unsigned);
    // A signed request after them: by the time it is answered, the others were processed.
    assert.equal(value(await k.execute('typeof Reflect.get(globalThis, "pwned")')), "'undefined'");
    assert.match(k.stderr, /dropped a message on shell: invalid signature/);
    assert.match(k.stderr, /dropped a message on shell: missing signature/);
  });

  test("display(), Progress and tsquant objects give rich bundles", async () => {
    const payload = `{ kind: "range", tensor: "t", histogram: { min: 0, max: 1, counts: [1, 2] }, range: { min: 0, max: 1 }, bits: 8, symmetric: false, narrowRange: false, methods: [] }`;
    const shown = await k.execute(`display(${payload}); 'done'`);
    const dd = shown.outputs.find((m) => m.header.msg_type === "display_data");
    assert.equal(
      (dd?.content["data"] as Record<string, { kind: string }>)[TSQUANT_MIME]?.kind,
      "range",
    );

    const progress = await k.execute(
      "const p = new tq.Progress({ total: 3, task: 'evaluation', minIntervalMs: 0 }); p.tick(); p.tick(); p.done();",
    );
    const pm = progress.outputs.filter((m) => m.header.msg_type.endsWith("display_data"));
    assert.deepEqual(types(pm), ["display_data", "update_display_data", "update_display_data"]);
    const ids = new Set(
      pm.map((m) => (m.content["transient"] as { display_id: string }).display_id),
    );
    assert.equal(ids.size, 1);

    const fixture = JSON.stringify(join(ROOT, "test", "fixtures", "models", "cnn_int8.tflite"));
    const model = await k.execute(
      `tq.readModel(new Uint8Array(require("fs").readFileSync(${fixture})))`,
    );
    const data = model.outputs.find((m) => m.header.msg_type === "execute_result")?.content[
      "data"
    ] as Record<string, string>;
    assert.match(data["text/html"] ?? "", /CONV_2D/);
    assert.match(data["text/plain"] ?? "", /^Model: schema v3/);
    assert.equal(
      (data as Record<string, unknown> as Record<string, { kind: string }>)[TSQUANT_MIME]?.kind,
      "model",
    );

    const own = await k.execute(
      `({ [Symbol.for("Jupyter.display")]() { return { "${TSQUANT_MIME}": ${payload}, "text/plain": "mine" }; } })`,
    );
    const ownData = own.outputs[1]?.content["data"] as Record<string, unknown>;
    assert.equal(ownData["text/plain"], "mine");
    assert.ok(TSQUANT_MIME in ownData);
  });

  test("tf is ready in every cell, without tfjs's tfjs-node advice on stderr", async () => {
    const r = await k.execute("tf.tensor([1, 2, 3]).sum().dataSync()[0]");
    assert.equal(value(r), "6");
    assert.deepEqual(
      r.outputs.filter((m) => m.header.msg_type === "stream"),
      [],
    );
  });

  test("output of a timer goes to the cell that started it, not the latest cell", async () => {
    const a = await k.execute("setTimeout(() => console.log('late line'), 200); 1");
    await k.execute("await new Promise((r) => setTimeout(r, 500))");
    await sleep(100);
    const late = k
      .iopubOf(String(a.reply.parent.msg_id ?? ""))
      .filter((m) => m.header.msg_type === "stream");
    assert.equal(late.map((m) => m.content["text"]).join(""), "late line\n");
  });

  test("history, comm_info, is_complete, completion and inspection", async () => {
    await k.execute("'history marker'");
    const h = await k.request("history_request", {
      output: false,
      raw: true,
      hist_access_type: "tail",
      n: 1,
    });
    assert.equal(h.header.msg_type, "history_reply");
    assert.deepEqual((h.content["history"] as unknown[][])[0]?.[2], "'history marker'");

    const c = await k.request("comm_info_request", {});
    assert.equal(c.header.msg_type, "comm_info_reply"); // stock tslab: "complete_reply"
    assert.deepEqual(c.content, { status: "ok", comms: {} });

    assert.equal(
      (await k.request("is_complete_request", { code: "function f() {" })).content["status"],
      "incomplete",
    );
    assert.equal(
      (await k.request("is_complete_request", { code: "1 + 1" })).content["status"],
      "complete",
    );

    const code = "tq.chooseQuantPa";
    const comp = await k.request("complete_request", { code, cursor_pos: code.length });
    assert.ok((comp.content["matches"] as string[]).includes("chooseQuantParams"));
    const ins = await k.request("inspect_request", {
      code: "tq.chooseQuantParams",
      cursor_pos: 5,
      detail_level: 0,
    });
    assert.equal(ins.content["found"], true);
  });

  test("shutdown_reply has status ok and the kernel process exits", async () => {
    const reply = await k.shutdown();
    assert.equal(reply?.header.msg_type, "shutdown_reply");
    assert.equal(reply?.content["status"], "ok");
    assert.equal(await k.exited, 0);
  });
});
