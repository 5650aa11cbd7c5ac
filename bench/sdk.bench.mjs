// @lumiqtrace/sdk on its own: enqueue cost, flush to a loopback sink, import + init, bundled size, and
// memory while the server is down. Prints a table; targets are from the SDK core issue.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { startLoopbackServer } from "@lumiqtrace/test-kit";

const require = createRequire(import.meta.url);
const sdkDir = dirname(require.resolve("@lumiqtrace/sdk/package.json"));
const { lumiqtrace } = await import("@lumiqtrace/sdk");
const { runInvocation } = await import("@lumiqtrace/sdk/serverless");
const rows = [];
const row = (what, value, target, ok) => rows.push({ what, value, target, ok });
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sink = await startLoopbackServer({ record: false });
lumiqtrace.init({
  apiKey: "bench",
  baseUrl: sink.url,
  batchSize: 1000,
  maxQueueSize: 1_000_000,
  maxQueueBytes: 2 ** 30,
  flushIntervalMs: 3_600_000,
});
const client = lumiqtrace.getClient();

// 1. enqueue: a finished span with a few attributes, as wrapOpenAI records one
{
  const N = 200_000;
  const record = () =>
    lumiqtrace.span("chat gpt-4o-mini", (s) => {
      s.setAttributes({
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 40,
      });
    });
  for (let i = 0; i < 20_000; i++) record();
  await client.flush({ timeoutMs: 60_000 });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) record();
  const perSpan = ((performance.now() - t0) * 1000) / N;
  await client.flush({ timeoutMs: 60_000 });
  const event = {
    id: "x",
    type: "span",
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    parentSpanId: null,
    name: "chat",
    kind: "llm",
    startTime: 1,
    endTime: 2,
    status: "ok",
    attributes: { "gen_ai.request.model": "gpt-4o-mini" },
  };
  const t1 = performance.now();
  for (let i = 0; i < N; i++) client.capture(event);
  const perCapture = ((performance.now() - t1) * 1000) / N;
  await client.flush({ timeoutMs: 60_000 });
  row("enqueue one event (capture)", `${perCapture.toFixed(2)} µs`, "< 2 µs", perCapture < 2);
  row("start + end one span (ids, attributes, enqueue)", `${perSpan.toFixed(2)} µs`, "", true);
}

// 2. flush of 1 / 100 / 10,000 events to a loopback sink
for (const n of [1, 100, 10_000]) {
  const times = [];
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < n; i++) lumiqtrace.span("s", () => 0);
    const t = performance.now();
    await client.flush({ timeoutMs: 60_000 });
    times.push(performance.now() - t);
  }
  row(`flush ${n.toLocaleString("en")} events (batchSize 1000)`, `${median(times).toFixed(2)} ms`, "", true);
}

// 3. runInvocation overhead (no waitUntil, awaited flush of an empty queue)
{
  const N = 50_000;
  const t = performance.now();
  for (let i = 0; i < N; i++) await runInvocation({ name: "f", platform: "bench" }, () => i);
  await client.flush({ timeoutMs: 60_000 });
  row(
    "runInvocation: root span + awaited flush check",
    `${(((performance.now() - t) * 1000) / N).toFixed(2)} µs`,
    "",
    true,
  );
}
sink.close();

// 4. import + init time over a bare module, median of fresh processes
{
  const dir = mkdtempSync(join(tmpdir(), "lqt-bench-"));
  writeFileSync(
    join(dir, "bare.mjs"),
    "const t0 = performance.now(); await import('./empty.mjs'); console.log(performance.now() - t0);",
  );
  writeFileSync(join(dir, "empty.mjs"), "export const x = 1;");
  writeFileSync(
    join(dir, "sdk.mjs"),
    `const t0 = performance.now(); const { lumiqtrace } = await import(${JSON.stringify(join(sdkDir, "dist/index.static-als.mjs"))}); lumiqtrace.init({ apiKey: "k" }); console.log(performance.now() - t0);`,
  );
  const time = (file) => Number(execFileSync(process.execPath, [join(dir, file)], { encoding: "utf8" }));
  const bare = [],
    sdk = [];
  for (let i = 0; i < 15; i++) {
    bare.push(time("bare.mjs"));
    sdk.push(time("sdk.mjs"));
  }
  const extra = median(sdk) - median(bare);
  row(
    "import + init over a bare module (median of 15 processes)",
    `${extra.toFixed(2)} ms`,
    "< 1 ms",
    extra < 1,
  );
}

// 5. bundled size of the main entry
{
  const out = await build({
    stdin: {
      contents: `export { lumiqtrace, withLumiqtraceContext } from ${JSON.stringify(join(sdkDir, "dist/index.mjs"))};`,
      resolveDir: sdkDir,
    },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
  });
  const code = out.outputFiles[0].contents;
  const kb = code.length / 1024;
  row("main entry bundled, minified", `${kb.toFixed(1)} KB`, "< 12 KB", kb < 12);
  row("main entry bundled, minified + gzipped", `${(gzipSync(code).length / 1024).toFixed(1)} KB`, "", true);
}

// 6. memory with the server down while 1,000,000 events are recorded (default queue caps)
{
  const out = execFileSync(
    process.execPath,
    [
      "--expose-gc",
      "--input-type=module",
      "-e",
      `
    const { lumiqtrace } = await import(${JSON.stringify(join(sdkDir, "dist/index.static-als.mjs"))});
    lumiqtrace.init({ apiKey: "k", baseUrl: "http://127.0.0.1:9", maxRetries: 0, flushIntervalMs: 3600000 });
    const samples = [];
    gc(); const base = process.memoryUsage().heapUsed;
    for (let i = 1; i <= 1_000_000; i++) {
      lumiqtrace.span("chat", (s) => s.setAttribute("gen_ai.request.model", "gpt-4o-mini"));
      if (i % 200_000 === 0) { gc(); samples.push(((process.memoryUsage().heapUsed - base) / 1048576).toFixed(1)); }
    }
    const st = lumiqtrace.getClient().stats();
    console.log(JSON.stringify({ samples, queued: st.queued, dropped: st.dropped, rss: (process.memoryUsage().rss / 1048576).toFixed(0) }));
    process.exit(0);`,
    ],
    { encoding: "utf8" },
  );
  const m = JSON.parse(out);
  const flat = Math.max(...m.samples.slice(1).map(Number)) - Number(m.samples[1]) < 2;
  row(
    "heap over base at 200k/400k/…/1M events, server down",
    `${m.samples.join(" / ")} MB`,
    "flat at the 10 MiB cap",
    flat,
  );
  row("  queued / dropped after 1M events; process RSS", `${m.queued} / ${m.dropped}; ${m.rss} MB`, "", true);
}

const w = [Math.max(...rows.map((r) => r.what.length)), Math.max(...rows.map((r) => r.value.length)), 24];
console.log(`| ${"measure".padEnd(w[0])} | ${"value".padEnd(w[1])} | ${"target".padEnd(w[2])} | |`);
console.log(`|${"-".repeat(w[0] + 2)}|${"-".repeat(w[1] + 2)}|${"-".repeat(w[2] + 2)}|---|`);
for (const r of rows)
  console.log(
    `| ${r.what.padEnd(w[0])} | ${r.value.padEnd(w[1])} | ${r.target.padEnd(w[2])} | ${r.target ? (r.ok ? "ok" : "MISSED") : ""} |`,
  );
console.log(
  `\nnode ${process.version}, ${(await import("node:os")).cpus()[0]?.model ?? "cpu"} × ${(await import("node:os")).cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
);
