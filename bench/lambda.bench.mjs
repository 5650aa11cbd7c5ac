// @lumiqtrace/lambda: what withLambda costs a minimal handler, side by side with the same handler unwrapped:
// time per invocation, bundled size (esbuild, minified, gzipped) and import time (median of fresh processes).
// Prints a table; the targets are from the Lambda issue (+1 ms import, < 15 KB minified).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { startLoopbackServer } from "@lumiqtrace/test-kit";

const lambdaDir = join(dirname(fileURLToPath(import.meta.url)), "..", "packages", "lambda");
const { withLambda } = await import(join(lambdaDir, "dist/index.mjs"));
const { lumiqtrace } = await import("@lumiqtrace/sdk");

const rows = [];
const row = (what, unwrapped, wrapped, target = "", ok = true) =>
  rows.push({ what, unwrapped, wrapped, target, ok });
const ROUNDS = 31;
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. time per invocation: a fake Lambda context (a test double: no runtime here) and an API Gateway v2 event
{
  const sink = await startLoopbackServer({ record: false });
  const event = {
    version: "2.0",
    routeKey: "POST /chat",
    rawPath: "/chat",
    headers: {},
    requestContext: {
      http: { method: "POST", path: "/chat" },
      domainName: "x.execute-api.us-east-1.amazonaws.com",
    },
  };
  const context = () => ({
    functionName: "bench",
    functionVersion: "1",
    awsRequestId: "r",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:1:function:bench",
    memoryLimitInMB: "128",
    getRemainingTimeInMillis: () => 30_000,
  });
  const handler = async () => ({ statusCode: 200, body: "ok" });
  const perCall = async (fn, n) => {
    for (let i = 0; i < Math.min(n, 500); i++) await fn(event, context());
    const t = performance.now();
    for (let i = 0; i < n; i++) await fn(event, context());
    return ((performance.now() - t) * 1000) / n;
  };
  const bare = await perCall(handler, 50_000);

  lumiqtrace.init({ apiKey: "bench", baseUrl: sink.url, sampleRate: 0, flushIntervalMs: 3_600_000 });
  const sampledOut = await perCall(withLambda(handler), 50_000);
  row(
    "per invocation, trace sampled out (wrapper CPU)",
    `${bare.toFixed(2)} µs`,
    `${sampledOut.toFixed(2)} µs`,
  );

  lumiqtrace.init({ apiKey: "bench", baseUrl: sink.url, flushIntervalMs: 3_600_000 });
  const traced = await perCall(withLambda(handler), 2_000);
  row(
    "per invocation, traced + flushed to a loopback sink",
    `${bare.toFixed(2)} µs`,
    `${(traced / 1000).toFixed(3)} ms`,
    "",
  );
  row("  (the flush is one HTTP request, awaited: Lambda freezes after)", "", "", "");
  await lumiqtrace.flush({ timeoutMs: 5000 });
  sink.close();
}

// 2. bundled size and 3. import time of a minimal handler, as one deploys it (one bundled .mjs file)
{
  const dir = mkdtempSync(join(tmpdir(), "lqt-lambda-bench-"));
  const variants = [
    ["unwrapped", "export const handler = async (event) => ({ statusCode: 200, body: 'ok' });"],
    [
      "withLambda (README's lines: key from the environment)",
      [
        `import { withLambda } from "@lumiqtrace/lambda";`,
        "export const handler = withLambda(async (event) => ({ statusCode: 200, body: 'ok' }));",
      ].join("\n"),
    ],
    [
      "the SDK alone (what withLambda uses of it), for reference",
      [
        `import { lumiqtrace } from "@lumiqtrace/sdk";`,
        `import { runInvocation } from "@lumiqtrace/sdk/serverless";`,
        "export const handler = (e) => runInvocation({ name: 'f', platform: 'x' }, () => lumiqtrace.getClient());",
      ].join("\n"),
    ],
    [
      "withLambda + lumiqtrace.init()",
      [
        `import { lumiqtrace } from "@lumiqtrace/sdk";`,
        `import { withLambda } from "@lumiqtrace/lambda";`,
        `lumiqtrace.init({ apiKey: process.env.LUMIQTRACE_API_KEY ?? "k" });`,
        "export const handler = withLambda(async (event) => ({ statusCode: 200, body: 'ok' }));",
      ].join("\n"),
    ],
  ];
  const results = [];
  for (const [i, [name, contents]] of variants.entries()) {
    const out = await build({
      stdin: { contents, resolveDir: lambdaDir, loader: "js" },
      alias: { "@lumiqtrace/lambda": join(lambdaDir, "dist/index.mjs") },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "node",
      target: "node20",
      write: false,
    });
    const code = out.outputFiles[0].contents;
    writeFileSync(join(dir, `h${i}.mjs`), code);
    writeFileSync(
      join(dir, `t${i}.mjs`),
      `const t0 = performance.now(); await import("./h${i}.mjs"); console.log(performance.now() - t0);`,
    );
    results.push({ name, min: code.length / 1024, gz: gzipSync(code).length / 1024, times: [] });
  }
  // interleaved, so that a busy moment of the machine hits every variant alike
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, r] of results.entries()) {
      r.times.push(Number(execFileSync(process.execPath, [join(dir, `t${i}.mjs`)], { encoding: "utf8" })));
    }
  }
  const [bare, ...wrapped] = results;
  for (const r of wrapped) {
    const extra = median(r.times) - median(bare.times);
    const targeted = !r.name.startsWith("the SDK alone");
    row(
      `${r.name}: bundled, minified`,
      `${bare.min.toFixed(2)} KB`,
      `${r.min.toFixed(1)} KB`,
      targeted ? "< 15 KB" : "",
      r.min < 15,
    );
    row("  minified + gzipped", `${bare.gz.toFixed(2)} KB`, `${r.gz.toFixed(1)} KB`);
    row(
      `  import of the bundle, median of ${ROUNDS} fresh processes`,
      `${median(bare.times).toFixed(2)} ms`,
      `${median(r.times).toFixed(2)} ms (+${extra.toFixed(2)})`,
      targeted ? "+1 ms at most" : "",
      extra <= 1,
    );
  }
  // what of that is this package (the SDK is shared by every adapter)
  const adapter = await build({
    stdin: { contents: `export { withLambda } from "./dist/index.mjs";`, resolveDir: lambdaDir },
    external: ["@lumiqtrace/sdk"],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    write: false,
  });
  const a = adapter.outputFiles[0].contents;
  row(
    "  of which @lumiqtrace/lambda itself (SDK external)",
    "",
    `${(a.length / 1024).toFixed(1)} KB (${(gzipSync(a).length / 1024).toFixed(1)} KB gz)`,
  );
}

const cols = ["measure", "unwrapped", "withLambda", "target"];
const cells = rows.map((r) => [r.what, r.unwrapped, r.wrapped, r.target]);
const w = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
const line = (r, end) => `| ${r.map((c, i) => c.padEnd(w[i])).join(" | ")} | ${end} |`;
console.log(line(cols, "  "));
console.log(`|${w.map((n) => "-".repeat(n + 2)).join("|")}|----|`);
for (const [i, r] of rows.entries()) console.log(line(cells[i], r.target ? (r.ok ? "ok" : "MISSED") : "  "));
