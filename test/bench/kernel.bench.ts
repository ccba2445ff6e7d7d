/**
 * Kernel benchmark (issue 6; not a test): time from spawning the kernel to its first
 * kernel_info_reply, to its first cell result (the kernel is usable: TypeScript compiler built,
 * prelude run), and the round trip of a trivial cell (`1 + 1`: execute_request → execute_reply
 * and idle), for tsquant's kernel (with and without the prelude) and for stock tslab started the
 * same way (`tslab kernel --config-path …`), in one run so the ratios are meaningful.
 *
 *   node --import tsx test/bench/kernel.bench.ts
 *
 * Writes the "kernel" section of test/bench/RESULTS.md.
 */
import { join } from "node:path";
import { KernelClient, MAIN, ROOT, buildKernel } from "../kernel/client";
import { replaceSection } from "./results";

const STARTS = 2;
const ROUND_TRIPS = 30;

interface Measure {
  name: string;
  kernelInfoMs: number[];
  firstResultMs: number[];
  roundTripMs: number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

async function measure(
  name: string,
  command: string[],
  args: string[],
  firstCell = "1 + 1",
): Promise<Measure> {
  const m: Measure = { name, kernelInfoMs: [], firstResultMs: [], roundTripMs: [] };
  for (let i = 0; i < STARTS; i++) {
    const k = new KernelClient(command);
    const t0 = performance.now();
    m.kernelInfoMs.push(await k.start(args, 180_000));
    const first = await k.execute(firstCell, { timeoutMs: 180_000 });
    if (first.reply.content["status"] !== "ok") throw new Error(`${name}: first cell failed`);
    m.firstResultMs.push(performance.now() - t0);
    for (let j = 0; j < ROUND_TRIPS; j++) {
      const t = performance.now();
      await k.execute("1 + 1");
      m.roundTripMs.push(performance.now() - t);
    }
    await k.shutdown();
    console.log(
      `${name} #${i + 1}: kernel_info ${m.kernelInfoMs.at(-1)?.toFixed(0)} ms, first result ${m.firstResultMs.at(-1)?.toFixed(0)} ms`,
    );
  }
  return m;
}

async function main(): Promise<void> {
  buildKernel();
  const tslabBin = join(ROOT, "node_modules", "tslab", "bin", "tslab");
  const runs = [
    await measure("tsquant", [process.execPath, MAIN], []),
    await measure("tsquant --no-prelude", [process.execPath, MAIN], ["--no-prelude"]),
    // As tslab's own kernelspec starts it: `tslab kernel --config-path <file>`.
    await measure("stock tslab 1.0.22", [process.execPath, tslabBin, "kernel"], []),
    // A first cell that uses tq waits for the (lazy) prelude.
    await measure(
      "tsquant, first cell uses tq",
      [process.execPath, MAIN],
      [],
      "tq.chooseQuantParams(-1, 1).scale",
    ),
  ];
  const stock = runs[2];
  const f = (x: number): string => x.toFixed(x < 10 ? 2 : 0);
  const rows = runs.map((r) => {
    const ratio = (a: number, b: number): string => (stock === undefined ? "" : (a / b).toFixed(2));
    const ki = median(r.kernelInfoMs);
    const fr = median(r.firstResultMs);
    const rt = median(r.roundTripMs);
    return `| ${r.name} | ${f(ki)} | ${f(fr)} | ${f(rt)} | ${ratio(ki, median(stock?.kernelInfoMs ?? []))} | ${ratio(fr, median(stock?.firstResultMs ?? []))} | ${ratio(rt, median(stock?.roundTripMs ?? []))} |`;
  });
  const body = [
    `Date: ${new Date().toISOString().slice(0, 10)}. Command: \`node --import tsx test/bench/kernel.bench.ts\`. Machine: 2 cores shared with other jobs, Node ${process.version}.`,
    "",
    `Medians of ${STARTS} kernel starts (spawn → first kernel_info_reply; spawn → first cell's reply, i.e. the TypeScript compiler built and, for tsquant, the prelude importing tq and tf run) and of ${STARTS}×${ROUND_TRIPS} round trips of \`1 + 1\` (execute_request → execute_reply and idle on iopub), over real zeromq sockets from a Node client. Ratio = kernel ÷ stock tslab (lower is better).`,
    "",
    "| kernel | start → kernel_info_reply (ms) | start → first result (ms) | `1 + 1` round trip (ms) | kernel_info ratio | first result ratio | round trip ratio |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    "tsquant binds its sockets before building the TypeScript compiler and answers kernel_info meanwhile (execute waits); stock tslab builds the compiler first. The prelude (`tq`, `tf`: loading their type declarations dominates) is lazy: it runs before the first request whose code names `tq`, `tf` or `display`, or after one idle second; the first row's first cell (`1 + 1`) does not wait for it, the last row's (`tq.chooseQuantParams(-1, 1).scale`) does.",
  ].join("\n");
  replaceSection(
    "kernel",
    "Kernel start and cell round trip: tsquant vs stock tslab (issue 6)",
    body,
  );
  console.log(body);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
