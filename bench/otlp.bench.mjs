// The OTLP exporter, ours beside the official one (@opentelemetry/exporter-trace-otlp-proto with
// @opentelemetry/sdk-trace-base, the least a handler needs to export with it): what it adds to a handler's
// bundle, its import time in fresh processes, and the cost of encoding 1,000 spans as protobuf and as
// JSON. Prints a table; the target (issue 14): a fraction of the official exporter's size and import time.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const scratch = mkdtempSync(join(tmpdir(), "lumiq-otlp-bench-"));
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function bundle(name, contents, resolveDir = here) {
  const out = await build({
    stdin: { contents, resolveDir, loader: "js" },
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    conditions: ["node"],
    logLevel: "silent",
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  const code = out.outputFiles[0].contents;
  const file = join(scratch, `${name}.mjs`);
  writeFileSync(file, code);
  return { file, min: code.length, gz: gzipSync(code, { level: 9 }).length };
}

// A handler that exports one span; everything it needs bundled in, as a user's bundler (no splitting) would.
const ours = await bundle(
  "ours",
  `import { lumiqtrace } from "@lumiqtrace/sdk";
   lumiqtrace.init({ exporter: "otlp", otlp: { endpoint: "http://127.0.0.1:9/v1/traces" }, flushIntervalMs: 3600000 });
   export const handler = () => lumiqtrace.span("s", () => 1);`,
);
const oursNative = await bundle(
  "ours-native",
  `import { lumiqtrace } from "@lumiqtrace/sdk";
   lumiqtrace.init({ apiKey: "k", baseUrl: "http://127.0.0.1:9", flushIntervalMs: 3600000 });
   export const handler = () => lumiqtrace.span("s", () => 1);`,
);
const official = await bundle(
  "official",
  `import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
   import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
   const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: "http://127.0.0.1:9/v1/traces" }))] });
   const tracer = provider.getTracer("bench");
   export const handler = () => tracer.startSpan("s").end();`,
);

/** import + init in fresh processes: the median of 7, in ms. */
function importMs(file) {
  const times = [];
  for (let i = 0; i < 7; i++) {
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`,
      ],
      { encoding: "utf8" },
    );
    times.push(Number(out.trim()));
  }
  return median(times);
}

// Encoding 1,000 spans: ours from our events (mapping + encoder, bundled from source); the official
// serializers from the same spans as ReadableSpans of the official SDK.
const encoders = await bundle(
  "encoders",
  `export { toOtlpRequest, resourceAttributes } from "./packages/sdk/src/otlp/mapping.ts";
   export { encodeTracesRequest, encodeTracesJson } from "./packages/protocol/src/otlp/index.ts";
   export { resolveOptions } from "./packages/sdk/src/options.ts";`,
  root,
);
const { toOtlpRequest, resourceAttributes, encodeTracesRequest, encodeTracesJson, resolveOptions } =
  await import(encoders.file);
const { ProtobufTraceSerializer, JsonTraceSerializer } = await import("@opentelemetry/otlp-transformer");
const { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } = await import(
  "@opentelemetry/sdk-trace-base"
);

const N = 1000;
const attributes = (i) => ({
  "gen_ai.operation.name": "chat",
  "gen_ai.provider.name": "openai",
  "gen_ai.request.model": "gpt-4o-mini",
  "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
  "gen_ai.response.id": `chatcmpl-${i}`,
  "gen_ai.usage.input_tokens": 120 + i,
  "gen_ai.usage.output_tokens": 40,
  "gen_ai.request.temperature": 0.2,
  "gen_ai.response.finish_reasons": ["stop"],
  "server.address": "api.openai.com",
  "lumiqtrace.ttft_ms": 231.5,
});
const hex = (n, len) => n.toString(16).padStart(len, "0");
const events = Array.from({ length: N }, (_, i) => ({
  id: `e${i}`,
  type: "span",
  traceId: hex(i + 1, 32),
  spanId: hex(i + 1, 16),
  parentSpanId: hex(i + 100000, 16),
  name: "chat gpt-4o-mini",
  kind: "llm",
  startTime: 1764230400000 + i,
  endTime: 1764230400250 + i,
  status: "ok",
  attributes: attributes(i),
  userId: "user-1",
}));
const options = resolveOptions({ exporter: "otlp" }, {});
const resource = resourceAttributes(options);
const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
const tracer = provider.getTracer("bench");
for (let i = 0; i < N; i++)
  tracer.startSpan("chat gpt-4o-mini", { attributes: { ...attributes(i), "user.id": "user-1" } }).end();
const spans = memory.getFinishedSpans();

function perRun(fn, runs = 30) {
  for (let i = 0; i < 5; i++) fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}
const encode = {
  oursProto: perRun(() => encodeTracesRequest(toOtlpRequest(events, resource))),
  officialProto: perRun(() => ProtobufTraceSerializer.serializeRequest(spans)),
  oursJson: perRun(() => encodeTracesJson(toOtlpRequest(events, resource))),
  officialJson: perRun(() => JsonTraceSerializer.serializeRequest(spans)),
};
const bytes = {
  oursProto: encodeTracesRequest(toOtlpRequest(events, resource)).length,
  officialProto: ProtobufTraceSerializer.serializeRequest(spans).length,
};

const imports = {
  ours: importMs(ours.file),
  native: importMs(oursNative.file),
  official: importMs(official.file),
};

/** With code splitting (Next, Vercel, Workers): the chunk only a user who chooses OTLP loads. */
async function lazyChunk() {
  const out = await build({
    stdin: { contents: `export * from "@lumiqtrace/sdk";`, resolveDir: here, loader: "js" },
    bundle: true,
    write: false,
    splitting: true,
    outdir: join(scratch, "split"),
    metafile: true,
    minify: true,
    format: "esm",
    platform: "node",
    conditions: ["node"],
    logLevel: "silent",
  });
  const outputs = out.metafile.outputs;
  const lazy = Object.keys(outputs).filter((o) =>
    Object.values(outputs).some((x) => x.imports.some((i) => i.path === o && i.kind === "dynamic-import")),
  );
  const names = new Set(lazy.map((o) => basename(o)));
  const code = Buffer.concat(
    out.outputFiles.filter((f) => names.has(basename(f.path))).map((f) => f.contents),
  );
  return { min: code.length, gz: gzipSync(code, { level: 9 }).length };
}
const added = await lazyChunk();
const fraction = 0.5; // "a fraction": at most half
const rows = [
  [
    "handler bundle, min (gzip)",
    `${kb(ours.min)} (${kb(ours.gz)})`,
    `${kb(official.min)} (${kb(official.gz)})`,
    ours.min <= official.min * fraction,
  ],
  ["  of which the OTLP exporter, min (gzip)", `${kb(added.min)} (${kb(added.gz)})`, "", undefined],
  [
    "import + init, fresh process",
    `${imports.ours.toFixed(2)} ms`,
    `${imports.official.toFixed(2)} ms`,
    imports.ours <= imports.official * fraction,
  ],
  ["  ours without OTLP", `${imports.native.toFixed(2)} ms`, "", undefined],
  [
    "encode 1,000 spans, protobuf",
    `${encode.oursProto.toFixed(2)} ms (${kb(bytes.oursProto)})`,
    `${encode.officialProto.toFixed(2)} ms (${kb(bytes.officialProto)})`,
    undefined,
  ],
  [
    "encode 1,000 spans, JSON",
    `${encode.oursJson.toFixed(2)} ms`,
    `${encode.officialJson.toFixed(2)} ms`,
    undefined,
  ],
];
const w = [40, 26, 26];
console.log(
  `| ${"".padEnd(w[0])} | ${"ours".padEnd(w[1])} | ${"official OTLP proto exporter".padEnd(w[2])} | target: <= ${fraction * 100}% |`,
);
console.log(`|${"-".repeat(w[0] + 2)}|${"-".repeat(w[1] + 2)}|${"-".repeat(w[2] + 2)}|---|`);
for (const [what, a, b, ok] of rows)
  console.log(
    `| ${what.padEnd(w[0])} | ${a.padEnd(w[1])} | ${b.padEnd(w[2])} | ${ok === undefined ? "" : ok ? "ok" : "MISSED"} |`,
  );
console.log(
  `\nSame spans (1,000 chat calls, 12 attributes each); ours from our events, the official from ReadableSpans. Bundles: esbuild, node, minified, everything bundled (no splitting, so ours includes its lazily loaded exporter; the exporter row is that chunk, which code-splitting bundlers load only when OTLP is chosen).`,
);
