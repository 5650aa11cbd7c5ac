// @lumiqtrace/lambda with and without the LumiqTrace extension (the layer from @lumiqtrace/lambda-extension),
// in the real Lambda runtime client (aws-lambda-ric) under the e2e harness's Runtime and Extensions APIs,
// against the local collector answering after 0, 50 and 300 ms (a backend's round trip). Prints, per delay:
//   response: from the invocation reaching the runtime to the runtime posting the response (what the caller waits)
//   billed:   from the invocation reaching the runtime to the freeze (the runtime and the extension waiting for
//             their next event), what Lambda bills
// medians of warm invocations; then the init (cold start) with and without the layer, and the memory of
// the extension's process. The handler records 10 spans.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startCollector } from "@lumiqtrace/collector";
import { freePort } from "@lumiqtrace/test-kit";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { startRuntime } = await import(join(root, "packages/lambda/e2e/runtime-api.mjs"));
const { buildLayer } = await import(join(root, "packages/lambda-extension/dist/layer.mjs"));
const FUNCTION_DIR = join(root, "packages/lambda/e2e/function");
const ROUNDS = 15;
const DELAYS = [0, 50, 300];

// the layer, unpacked as Lambda unpacks it into /opt (modes kept)
const opt = mkdtempSync(join(tmpdir(), "lqt-bench-opt-"));
const zip = buildLayer(join(tmpdir(), `${opt.split("/").pop()}.zip`));
execFileSync("python3", [
  "-c",
  `import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for i in z.infolist():
    p = os.path.join(sys.argv[2], i.filename)
    if i.filename.endswith("/"): os.makedirs(p, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(p), exist_ok=True); open(p, "wb").write(z.read(i))
    os.chmod(p, (i.external_attr >> 16) & 0o7777)`,
  zip,
  opt,
]);

const collector = await startCollector({ port: 0, retainEvents: false });
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const SETUPS = [
  { name: "unwrapped handler", handler: "app.manyRaw", layer: false },
  { name: "withLambda, no extension (awaited flush)", handler: "app.many", layer: false },
  { name: "withLambda + extension layer", handler: "app.many", layer: true },
];

const rows = [];
for (const delayMs of DELAYS) {
  for (const setup of SETUPS) {
    collector.setFaults(delayMs ? { delayMs } : null);
    const runtime = await startRuntime({
      cwd: FUNCTION_DIR,
      handler: setup.handler,
      extensionsDir: setup.layer ? join(opt, "extensions") : undefined,
      env: {
        LUMIQTRACE_BASE_URL: collector.url,
        LUMIQTRACE_API_KEY: collector.apiKey,
        LUMIQTRACE_EXTENSION_PORT: String(await freePort()),
      },
    });
    const response = [];
    const billed = [];
    await runtime.invoke({ spans: 10 }); // the first (cold) invocation is not counted
    for (let i = 0; i < ROUNDS; i++) {
      const out = await runtime.invoke({ spans: 10 });
      if (out.kind !== "response") throw new Error(`${setup.name}: ${JSON.stringify(out.error)}`);
      response.push(out.respondedAt - out.deliveredAt);
      billed.push(out.frozenAt - out.deliveredAt);
    }
    await runtime.close();
    rows.push({ delayMs, ...setup, response: median(response), billed: median(billed) });
  }
}
collector.setFaults(null);

// cold starts: init of the same function with and without the layer, and the extension's memory
const INITS = 7;
const cold = [];
for (const layer of [false, true]) {
  const inits = [];
  let rssMb;
  for (let i = 0; i < INITS; i++) {
    const t = performance.now();
    const runtime = await startRuntime({
      cwd: FUNCTION_DIR,
      handler: "app.many",
      extensionsDir: layer ? join(opt, "extensions") : undefined,
      env: {
        LUMIQTRACE_BASE_URL: collector.url,
        LUMIQTRACE_API_KEY: collector.apiKey,
        LUMIQTRACE_EXTENSION_PORT: String(await freePort()),
      },
    });
    inits.push(performance.now() - t);
    await runtime.invoke({ spans: 10 });
    const pid = runtime.extension("lumiqtrace")?.pid;
    if (pid) {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    }
    await runtime.close();
  }
  cold.push({ layer, init: median(inits), rssMb });
}
await collector.close();

function table(cols, cells) {
  const w = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(w[i])).join(" | ")} |`;
  console.log(line(cols));
  console.log(`|${w.map((n) => "-".repeat(n + 2)).join("|")}|`);
  for (const r of cells) console.log(line(r));
}
table(
  ["collector delay", "setup", "response (median)", "billed (median)"],
  rows.map((r) => [`${r.delayMs} ms`, r.name, `${r.response.toFixed(2)} ms`, `${r.billed.toFixed(2)} ms`]),
);
console.log(`\n${ROUNDS} warm invocations per row, after one cold one.\n`);
table(
  ["withLambda", "init (median)", "extension's memory (RSS)"],
  cold.map((c) => [
    c.layer ? "+ extension layer" : "no extension",
    `${c.init.toFixed(0)} ms`,
    c.rssMb ? `${c.rssMb.toFixed(0)} MB` : "",
  ]),
);
console.log(
  `\ninit: from starting the extensions and the runtime to all of them waiting for their first event, median of ${INITS} cold starts.`,
);
