// OTLP ingest with the official OpenTelemetry JS SDK as the sender (BasicTracerProvider and the proto and
// JSON exporters), and the answers OTLP's specification asks for, read back through the read API.
import { gzipSync } from "node:zlib";
import { type Attributes, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { decodeTracesResponse, encodeTracesRequest, msToNanos } from "@lumiqtrace/protocol/otlp";
import { afterEach, describe, expect, it } from "vitest";
import { type Collector, startCollector } from "../src/index.js";

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

/** One trace from the official SDK: an invocation with a GenAI chat call inside, one failed. */
async function sendWithOfficialSdk(exporter: ProtoExporter | JsonExporter): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "official-sdk-app" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("e2e");
  const root = tracer.startSpan("POST /chat", { kind: SpanKind.SERVER });
  const traceId = root.spanContext().traceId;
  const { trace, context } = await import("@opentelemetry/api");
  const genAi: Attributes = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.usage.input_tokens": 21,
    "gen_ai.usage.output_tokens": 8,
    "gen_ai.response.time_to_first_chunk": 0.12,
    "user.id": "user-9",
  };
  const llm = tracer.startSpan(
    "chat gpt-4o-mini",
    { kind: SpanKind.CLIENT, attributes: genAi },
    trace.setSpan(context.active(), root),
  );
  llm.recordException(Object.assign(new Error("rate limited"), { name: "RateLimitError" }));
  llm.setStatus({ code: SpanStatusCode.ERROR, message: "rate limited" });
  llm.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return traceId;
}

describe("OTLP from the official OpenTelemetry JS SDK", () => {
  it.each([
    ["http/protobuf", (url: string) => new ProtoExporter({ url })],
    ["http/json", (url: string) => new JsonExporter({ url })],
  ])("takes %s and shows it with its GenAI attributes", async (_protocol, makeExporter) => {
    collector = await startCollector({ port: 0 });
    const traceId = await sendWithOfficialSdk(makeExporter(`${collector.url}/v1/traces`));
    const res = await fetch(`${collector.url}/v1/traces/${traceId}`);
    const trace = (await res.json()) as { spans: Array<Record<string, any>>; llmCalls: number; name: string };
    expect(trace).toMatchObject({ name: "POST /chat", llmCalls: 1 });
    const root = trace.spans.find((s) => s.name === "POST /chat")!;
    const llm = trace.spans.find((s) => s.kind === "llm")!;
    expect(root).toMatchObject({
      kind: "invocation",
      parentSpanId: null,
      attributes: { "service.name": "official-sdk-app" },
    });
    expect(llm).toMatchObject({
      parentSpanId: root.spanId,
      userId: "user-9",
      status: "error",
      error: { type: "RateLimitError", message: "rate limited" },
      attributes: {
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 21,
        "gen_ai.usage.output_tokens": 8,
        "lumiqtrace.ttft_ms": 120,
      },
    });
  });

  it("listens on its own OTLP port too, as an OTel SDK with default settings expects", async () => {
    collector = await startCollector({ port: 0, otlpPort: 0 });
    expect(collector.otlpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const traceId = await sendWithOfficialSdk(new ProtoExporter({ url: `${collector.otlpUrl}/v1/traces` }));
    expect(collector.getTrace(traceId)).toHaveLength(2);
    // the OTLP port takes OTLP only
    expect((await fetch(`${collector.otlpUrl}/v1/stats`)).status).toBe(404);
  });

  it("says the OTLP port is taken, and still starts", async () => {
    const first = await startCollector({ port: 0, otlpPort: 0 });
    try {
      const port = Number(first.otlpUrl!.split(":").at(-1));
      collector = await startCollector({ port: 0, otlpPort: port });
      expect(collector.otlpUrl).toBeUndefined();
      expect(collector.otlpProblem).toBe(
        `port ${port} is in use, so OTLP is taken on the main port only (/v1/traces)`,
      );
    } finally {
      await first.close();
    }
  });
});

describe("OTLP answers as the specification says", () => {
  const post = (url: string, body: BodyInit | Uint8Array, headers: Record<string, string>) =>
    fetch(`${url}/v1/traces`, { method: "POST", body: body as BodyInit, headers });
  const oneSpan = (traceId: string) =>
    encodeTracesRequest({
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              scope: { name: "t" },
              spans: [
                {
                  traceId,
                  spanId: "00f067aa0ba902b7",
                  name: "s",
                  kind: 1,
                  startTimeUnixNano: msToNanos(1000),
                  endTimeUnixNano: msToNanos(1001),
                  attributes: [],
                  events: [],
                  links: [],
                  status: { code: 0 },
                },
              ],
            },
          ],
        },
      ],
    });

  it("answers 200 with an ExportTraceServiceResponse, gzip or not, and stores a resent span once", async () => {
    collector = await startCollector({ port: 0 });
    const body = oneSpan("4bf92f3577b34da6a3ce929d0e0e4736");
    const plain = await post(collector.url, body, { "content-type": "application/x-protobuf" });
    expect([plain.status, plain.headers.get("content-type")]).toEqual([200, "application/x-protobuf"]);
    expect(decodeTracesResponse(new Uint8Array(await plain.arrayBuffer()))).toEqual({});
    const zipped = await post(collector.url, gzipSync(body), {
      "content-type": "application/x-protobuf",
      "content-encoding": "gzip",
    });
    expect(zipped.status).toBe(200);
    expect(collector.getStats()).toMatchObject({ events: 1, duplicates: 1 });
  });

  it("answers a partial success for spans it refuses, in the request's encoding", async () => {
    collector = await startCollector({ port: 0 });
    const res = await post(collector.url, oneSpan("0".repeat(32)), {
      "content-type": "application/x-protobuf",
    });
    expect(res.status).toBe(200);
    const answer = decodeTracesResponse(new Uint8Array(await res.arrayBuffer()));
    expect(answer.partialSuccess).toMatchObject({
      rejectedSpans: "1",
      errorMessage: expect.stringMatching(/traceId: must not be all zeros/),
    });
    const json = await post(
      collector.url,
      JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "f".repeat(32), spanId: "0".repeat(16) }] }] }],
      }),
      {
        "content-type": "application/json",
      },
    );
    expect(await json.json()).toMatchObject({ partialSuccess: { rejectedSpans: "1" } });
  });

  it.each([
    [
      "garbage protobuf",
      Buffer.from([0x0a, 0xff, 0xff, 0xff]),
      { "content-type": "application/x-protobuf" },
      400,
    ],
    ["bad JSON", "{", { "content-type": "application/json" }, 400],
    ["JSON of the wrong shape", '{"resourceSpans":{}}', { "content-type": "application/json" }, 400],
    ["an unknown content type", "x", { "content-type": "text/plain" }, 415],
    ["an unknown encoding", "x", { "content-type": "application/json", "content-encoding": "br" }, 415],
    [
      "a gzip bomb",
      gzipSync(Buffer.alloc(8 * 1024 * 1024)),
      { "content-type": "application/x-protobuf", "content-encoding": "gzip" },
      413,
    ],
  ])("refuses %s with a 4xx and keeps serving", async (_what, body, headers, status) => {
    collector = await startCollector({ port: 0, maxBodyBytes: 1024 * 1024 });
    expect((await post(collector.url, body as BodyInit, headers)).status).toBe(status);
    expect(collector.getStats().events).toBe(0);
    expect(
      (
        await post(collector.url, oneSpan("4bf92f3577b34da6a3ce929d0e0e4736"), {
          "content-type": "application/x-protobuf",
        })
      ).status,
    ).toBe(200);
  });

  it("needs no key on loopback, and the collector's key as a bearer token beyond it", async () => {
    collector = await startCollector({ port: 0, host: "0.0.0.0" });
    const body = oneSpan("4bf92f3577b34da6a3ce929d0e0e4736");
    expect((await post(collector.url, body, { "content-type": "application/x-protobuf" })).status).toBe(401);
    const ok = await post(collector.url, body, {
      "content-type": "application/x-protobuf",
      authorization: `Bearer ${collector.apiKey}`,
    });
    expect(ok.status).toBe(200);
  });
});
