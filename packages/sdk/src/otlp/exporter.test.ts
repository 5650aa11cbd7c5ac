// The OTLP exporter through the real client, to a real HTTP server on loopback; protobuf bodies decoded
// with the official definitions (opentelemetry-proto as generated into @opentelemetry/otlp-transformer).
import { createRequire } from "node:module";
import { encodeTracesResponse } from "@lumiqtrace/protocol/otlp";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { init, resetClient } from "../global.js";
import { lumiqtrace, withLumiqtraceContext } from "../index.js";
import { resetWarnings } from "../logger.js";
import type { LumiqtraceOptions } from "../options.js";

const root = createRequire(import.meta.url)("@opentelemetry/otlp-transformer/build/src/generated/root.js");
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const asObject = { longs: String, bytes: String, defaults: false, enums: Number };
const hex = (b64: string) => Buffer.from(b64, "base64").toString("hex");

let server: LoopbackServer;
beforeEach(async () => {
  server = await startLoopbackServer();
  resetWarnings();
});
afterEach(async () => {
  resetClient();
  vi.restoreAllMocks();
  await server.close();
});

function otlp(options: LumiqtraceOptions = {}, env: Record<string, string> = {}) {
  return init(
    { exporter: "otlp", otlp: { endpoint: `${server.url}/v1/traces` }, flushIntervalMs: 60_000, ...options },
    env,
  );
}

/** The spans of every request the server got, decoded with the official definitions. */
function receivedSpans() {
  return server.requests.flatMap((r) => {
    const decoded = Request.toObject(Request.decode(r.body as Uint8Array), asObject);
    return decoded.resourceSpans.flatMap((rs: any) =>
      rs.scopeSpans.flatMap((ss: any) =>
        ss.spans.map((s: any) => ({ ...s, resource: rs.resource, scope: ss.scope })),
      ),
    );
  });
}
const attrs = (span: { attributes: { key: string; value: Record<string, unknown> }[] }) =>
  Object.fromEntries(span.attributes.map((a) => [a.key, Object.values(a.value)[0]]));

async function recordTrace() {
  await withLumiqtraceContext(
    { userId: "u-1", sessionId: "s-1", tags: ["beta"], metadata: { plan: "pro", n: { a: 1 } } },
    () =>
      lumiqtrace.span("handler", () =>
        lumiqtrace
          .span(
            "chat gpt-4o",
            async () => {
              throw Object.assign(new Error("overloaded"), { status: 529 });
            },
            {
              kind: "llm",
              attributes: {
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": "gpt-4o",
                "gen_ai.usage.input_tokens": 12,
                "lumiqtrace.ttft_ms": 250,
              },
            },
          )
          .catch(() => {}),
      ),
  );
  await lumiqtrace.flush();
}

describe("OTLP export", () => {
  it("sends protobuf the official definitions decode, with our ids, GenAI names and the user context", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    otlp({ serviceName: "checkout", release: "1.2.3", environment: "production" });
    await recordTrace();
    expect(warn).not.toHaveBeenCalled(); // no API key needed, no "no API key" warning
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.path).toBe("/v1/traces");
    expect(server.requests[0]!.headers["content-type"]).toBe("application/x-protobuf");
    const spans = receivedSpans();
    const llm = spans.find((s) => s.name === "chat gpt-4o")!;
    const handler = spans.find((s) => s.name === "handler")!;
    expect(hex(llm.parentSpanId)).toBe(hex(handler.spanId));
    expect(hex(llm.traceId)).toBe(hex(handler.traceId));
    expect(llm.kind).toBe(3); // CLIENT
    expect(handler.kind).toBe(1); // INTERNAL
    expect(llm.status).toEqual({ code: 2, message: "overloaded" });
    expect(llm.events[0]).toMatchObject({ name: "exception" });
    expect(attrs(llm.events[0])).toEqual({ "exception.type": "Error", "exception.message": "overloaded" });
    expect(attrs(llm)).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.usage.input_tokens": "12",
      "gen_ai.response.time_to_first_chunk": 0.25,
      "user.id": "u-1",
      "session.id": "s-1",
      "gen_ai.conversation.id": "s-1",
      "lumiqtrace.metadata.plan": "pro",
      "lumiqtrace.metadata.n": '{"a":1}',
      "error.type": "Error",
    });
    expect(attrs(llm)["lumiqtrace.tags"]).toEqual({ values: [{ stringValue: "beta" }] });
    expect(attrs(llm.resource)).toMatchObject({
      "service.name": "checkout",
      "service.version": "1.2.3",
      "deployment.environment.name": "production",
      "telemetry.sdk.name": "@lumiqtrace/sdk",
      "telemetry.sdk.language": "nodejs",
    });
    expect(llm.scope.name).toBe("@lumiqtrace/sdk");
  });

  it("sends OTLP JSON with hex ids, enums as numbers and 64-bit integers as strings", async () => {
    otlp({ otlp: { endpoint: `${server.url}/v1/traces`, protocol: "http/json" } });
    await recordTrace();
    expect(server.requests[0]!.headers["content-type"]).toBe("application/json");
    const body = server.requests[0]!.body;
    const span = body.resourceSpans[0].scopeSpans[0].spans.find((s: { kind: number }) => s.kind === 3);
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(typeof span.startTimeUnixNano).toBe("string");
    expect(span.attributes).toContainEqual({ key: "gen_ai.usage.input_tokens", value: { intValue: "12" } });
    expect(span.status.code).toBe(2);
  });

  it("takes endpoint, protocol and headers from the OTEL_* variables, with the spec's precedence", async () => {
    init(
      { exporter: "otlp", flushIntervalMs: 60_000 },
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: `${server.url}/base/`,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_HEADERS: "x-team=a%20b,authorization=Basic%20c2VjcmV0",
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-team=traces",
        OTEL_SERVICE_NAME: "from-env",
        OTEL_RESOURCE_ATTRIBUTES: "service.name=ignored,team=core",
      },
    );
    lumiqtrace.span("s", () => 1);
    await lumiqtrace.flush();
    const [req] = server.requests;
    expect(req!.path).toBe("/base/v1/traces");
    expect(req!.headers).toMatchObject({ "x-team": "traces", authorization: "Basic c2VjcmV0" });
    const resource = Object.fromEntries(
      req!.body.resourceSpans[0].resource.attributes.map(
        (a: { key: string; value: { stringValue: string } }) => [a.key, a.value.stringValue],
      ),
    );
    expect(resource).toMatchObject({ "service.name": "from-env", team: "core" });
  });

  it("uses a TRACES endpoint as it is, and warns once for gRPC, sending http/protobuf", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    init(
      { exporter: "otlp", flushIntervalMs: 60_000 },
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${server.url}/custom`,
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc",
      },
    );
    lumiqtrace.span("s", () => 1);
    await lumiqtrace.flush();
    expect(server.requests[0]!.path).toBe("/custom");
    expect(server.requests[0]!.headers["content-type"]).toBe("application/x-protobuf");
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringContaining("gRPC is not supported"),
    ]);
  });

  it("retries 429 (after Retry-After) and 503, delivers, and never retries a 500 or a 400", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    otlp();
    server.script({ status: 429, headers: { "retry-after": "0.2" } }, { status: 503 });
    lumiqtrace.span("retried", () => 1);
    await lumiqtrace.flush({ timeoutMs: 5000 });
    expect(server.requests).toHaveLength(3);
    server.reset();
    server.script({ status: 500 });
    lumiqtrace.span("refused", () => 1);
    await lumiqtrace.flush({ timeoutMs: 5000 });
    expect(server.requests).toHaveLength(1);
    expect(lumiqtrace.getClient().stats()).toMatchObject({ delivered: 1, dropped: 1 });
    expect(warn.mock.calls.at(-1)?.[0]).toMatch(
      /1 event dropped: the OTLP endpoint http:\/\/127\.0\.0\.1:\d+ refused a batch \(HTTP 500\)/,
    );
  });

  it("counts the spans a partial success refused as dropped, and says the receiver's message", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    otlp();
    const answer = Buffer.from(
      encodeTracesResponse({ partialSuccess: { rejectedSpans: "1", errorMessage: "span too old" } }),
    );
    server.script({
      status: 200,
      headers: { "content-type": "application/x-protobuf" },
      body: answer.toString("latin1"),
    });
    lumiqtrace.span("a", () => 1);
    lumiqtrace.span("b", () => 1);
    await lumiqtrace.flush();
    expect(lumiqtrace.getClient().stats()).toMatchObject({ delivered: 1, dropped: 1 });
    expect(String(warn.mock.calls.at(-1)?.[0])).toContain(
      "refused some spans (partial success): span too old",
    );
  });

  it("sends to both destinations, and resends to one only what that one did not take", async () => {
    const native = await startLoopbackServer();
    try {
      init({
        exporter: ["lumiqtrace", "otlp"],
        apiKey: "k",
        baseUrl: native.url,
        otlp: { endpoint: `${server.url}/v1/traces` },
        flushIntervalMs: 60_000,
      });
      server.script({ status: 503 }); // OTLP fails once
      lumiqtrace.span("both", () => 1);
      await lumiqtrace.flush({ timeoutMs: 5000 });
      expect(native.requests).toHaveLength(1);
      expect(server.requests).toHaveLength(2);
      expect(receivedSpans().map((s) => s.name)).toEqual(["both", "both"]);
    } finally {
      await native.close();
    }
  });

  it("warns once when credential headers would go in clear to a non-loopback host", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    init({
      exporter: "otlp",
      otlp: {
        endpoint: "http://collector.internal:4318/v1/traces",
        headers: { "x-api-key": "s3cr3t-value" },
      },
    });
    lumiqtrace.span("s", () => 1);
    return lumiqtrace.flush({ timeoutMs: 200 }).then(() => {
      const lines = warn.mock.calls.map((c) => String(c[0])).join("\n");
      expect(lines).toContain("go in clear over http to collector.internal:4318");
      expect(lines).not.toContain("s3cr3t-value");
    });
  });
});
