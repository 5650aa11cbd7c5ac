// Our SDK, built, in a real Node process, exporting OTLP (both encodings) to the real local collector's
// OTLP endpoint: the trace reads back through the collector's read API as if it had come natively.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { afterEach, expect, it } from "vitest";

const sdk = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.static-als.mjs");
const serverless = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "serverless.static-als.mjs");

let collector: Collector | undefined;
afterEach(() => collector?.close());

function run(env: Record<string, string>): Promise<string> {
  const code = `import { lumiqtrace, withLumiqtraceContext } from ${JSON.stringify(sdk)};
    import { runInvocation } from ${JSON.stringify(serverless)};
    await runInvocation({ name: "POST /chat", platform: "node", attributes: { "faas.trigger": "http" } }, () =>
      withLumiqtraceContext({ userId: "u-otlp", sessionId: "s-otlp", metadata: { plan: "pro" } }, () =>
        lumiqtrace.span("chat gpt-4o-mini", (s) => { s.setAttributes({ "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 2 }); }, {
          kind: "llm", attributes: { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini", "lumiqtrace.ttft_ms": 80 } })));
    console.log(lumiqtrace.getTraceContext() === undefined ? "outside" : "inside");`;
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ["--input-type=module", "-e", code],
      { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout + stderr),
    ),
  );
}

it.each(["http/protobuf", "http/json"])(
  "sends a trace over OTLP (%s) that the collector shows as its own",
  async (protocol) => {
    collector = await startCollector({ port: 0 });
    const out = await run({
      LUMIQTRACE_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_SERVICE_NAME: "e2e-otlp",
    });
    expect(out).not.toMatch(/\[lumiqtrace\]/); // no API key needed, nothing to warn about
    const [summary] = collector.getTraces();
    expect(summary).toMatchObject({
      name: "POST /chat",
      platform: "node",
      llmCalls: 1,
      userId: "u-otlp",
      hasRoot: true,
    });
    const spans = collector.getTrace(summary!.traceId)!;
    const root = spans.find((s) => s.kind === "invocation")!;
    const llm = spans.find((s) => s.kind === "llm")!;
    expect(llm).toMatchObject({
      parentSpanId: root.spanId,
      userId: "u-otlp",
      sessionId: "s-otlp",
      metadata: { plan: "pro" },
      attributes: {
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 5,
        "gen_ai.usage.output_tokens": 2,
        "lumiqtrace.ttft_ms": 80,
        "service.name": "e2e-otlp",
      },
    });
  },
);
