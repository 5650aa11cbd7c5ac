import {
  msToNanos,
  type OtlpAnyValue,
  type OtlpSpan,
  type OtlpTracesRequest,
} from "@lumiqtrace/protocol/otlp";
import { describe, expect, it } from "vitest";
import { mapOtlpRequest } from "./otlp.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const value = (v: unknown): OtlpAnyValue =>
  typeof v === "string"
    ? { stringValue: v }
    : typeof v === "boolean"
      ? { boolValue: v }
      : Number.isInteger(v)
        ? { intValue: String(v) }
        : { doubleValue: v as number };
const span = (over: Partial<OtlpSpan> & { attrs?: Record<string, unknown> }): OtlpSpan => ({
  traceId: TRACE,
  spanId: "00f067aa0ba902b7",
  name: "span",
  kind: 1,
  startTimeUnixNano: msToNanos(1000),
  endTimeUnixNano: msToNanos(1250.5),
  attributes: Object.entries(over.attrs ?? {}).map(([key, v]) => ({ key, value: value(v) })),
  events: [],
  links: [],
  status: { code: 0 },
  ...over,
});
const request = (spans: OtlpSpan[], resource: Record<string, unknown> = {}): OtlpTracesRequest => ({
  resourceSpans: [
    {
      resource: { attributes: Object.entries(resource).map(([key, v]) => ({ key, value: value(v) })) },
      scopeSpans: [{ scope: { name: "test" }, spans }],
    },
  ],
});
const events = (r: OtlpTracesRequest) => mapOtlpRequest(r).batches.flatMap((b) => b.events);

describe("mapOtlpRequest", () => {
  it("reads the AI SDK's spans: the doGenerate call is the LLM call, with model, tokens, time to first chunk", () => {
    const [outer, inner] = events(
      request([
        span({
          spanId: "1111111111111111",
          name: "ai.streamText",
          attrs: { "ai.model.id": "gpt-4o-mini", "ai.model.provider": "openai.chat" },
        }),
        span({
          spanId: "2222222222222222",
          parentSpanId: "1111111111111111",
          name: "ai.streamText.doStream",
          attrs: {
            "ai.model.id": "gpt-4o-mini",
            "ai.model.provider": "openai.chat",
            "ai.usage.promptTokens": 12,
            "ai.usage.completionTokens": 7,
            "ai.response.msToFirstChunk": 42.5,
            "ai.response.finishReason": "stop",
            "ai.response.text": "hello",
            "ai.telemetry.metadata.tenant": "acme",
          },
        }),
      ]),
    );
    expect(outer).toMatchObject({ kind: "custom", name: "ai.streamText" });
    expect(inner).toMatchObject({
      kind: "llm",
      parentSpanId: "1111111111111111",
      startTime: 1000,
      endTime: 1250.5,
      metadata: { tenant: "acme" },
      attributes: {
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 7,
        "lumiqtrace.ttft_ms": 42.5,
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.output.messages": '[{"role":"assistant","content":"hello"}]',
      },
    });
  });

  it("understands the older GenAI names and OpenLLMetry's indexed prompts", () => {
    const [llm] = events(
      request([
        span({
          kind: 3,
          name: "openai.chat",
          attrs: {
            "gen_ai.system": "openai",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.prompt_tokens": 3,
            "gen_ai.usage.completion_tokens": 4,
            "gen_ai.prompt.0.role": "user",
            "gen_ai.prompt.0.content": "hi",
            "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.content": "hello",
          },
        }),
      ]),
    );
    expect(llm).toMatchObject({
      kind: "llm",
      attributes: {
        "gen_ai.provider.name": "openai",
        "gen_ai.usage.input_tokens": 3,
        "gen_ai.usage.output_tokens": 4,
        "gen_ai.input.messages": '[{"role":"user","content":"hi"}]',
        "gen_ai.output.messages": '[{"role":"assistant","content":"hello"}]',
      },
    });
  });

  it("takes back what our own export wrote: the invocation, the user context, an error, a cancel", () => {
    const [root, child, cancelled] = events(
      request(
        [
          span({
            spanId: "1111111111111111",
            kind: 2,
            name: "POST /chat",
            attrs: {
              "lumiqtrace.platform": "hono",
              "user.id": "u",
              "session.id": "s",
              "lumiqtrace.metadata.plan": "pro",
            },
          }),
          span({
            spanId: "2222222222222222",
            parentSpanId: "1111111111111111",
            name: "chat gpt-4o",
            kind: 3,
            attrs: { "gen_ai.request.model": "gpt-4o", "gen_ai.response.time_to_first_chunk": 0.25 },
            status: { code: 2, message: "overloaded" },
            events: [
              {
                timeUnixNano: msToNanos(1250),
                name: "exception",
                attributes: [{ key: "exception.type", value: { stringValue: "APIError" } }],
              },
            ],
          }),
          span({ spanId: "3333333333333333", attrs: { "lumiqtrace.status": "cancelled" } }),
        ],
        { "service.name": "api", "service.version": "1.2.3", "deployment.environment.name": "production" },
      ),
    );
    expect(root).toMatchObject({
      kind: "invocation",
      userId: "u",
      sessionId: "s",
      metadata: { plan: "pro" },
      environment: "production",
      release: "1.2.3",
    });
    expect(root!.attributes["service.name"]).toBe("api");
    expect(child).toMatchObject({
      kind: "llm",
      status: "error",
      error: { type: "APIError", message: "overloaded" },
      attributes: { "lumiqtrace.ttft_ms": 250 },
    });
    expect(cancelled).toMatchObject({ kind: "custom", status: "cancelled" });
  });

  it("names each event after its ids, so a span sent twice is stored once", () => {
    const [e] = events(request([span({})]));
    expect(e!.id).toBe(`${TRACE}00f067aa0ba902b7`);
  });

  it("refuses spans our protocol cannot hold, one by one, and says why", () => {
    const mapped = mapOtlpRequest(
      request([span({ traceId: "0".repeat(32) }), span({ spanId: "", name: "no id" }), span({})]),
    );
    expect(mapped.rejected).toBe(2);
    expect(mapped.batches.flatMap((b) => b.events)).toHaveLength(1);
    expect(mapped.error).toMatch(/traceId: must not be all zeros/);
  });
});
