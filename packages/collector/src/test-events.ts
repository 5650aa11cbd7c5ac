// Builders for protocol bodies in tests (not part of the package's API).
import { randomBytes, randomUUID } from "node:crypto";
import type { Batch, SpanEvent } from "@lumiqtrace/protocol";

export const hex = (bytes: number) => randomBytes(bytes).toString("hex");

export function makeEvent(overrides: Partial<SpanEvent> = {}): SpanEvent {
  const start = 1764230400000 + Math.random() * 1000;
  return {
    id: randomUUID(),
    type: "span",
    traceId: hex(16),
    spanId: hex(8),
    parentSpanId: null,
    name: "POST /api/chat",
    kind: "invocation",
    startTime: start,
    endTime: start + 412,
    status: "ok",
    attributes: { "lumiqtrace.platform": "vercel", "http.request.method": "POST", "http.route": "/api/chat" },
    ...overrides,
  };
}

/** A root invocation span and one LLM child span of the same trace. */
export function makeTrace(traceId = hex(16)) {
  const root = makeEvent({ traceId });
  const llm = makeEvent({
    traceId,
    parentSpanId: root.spanId,
    name: "chat gpt-4o-mini",
    kind: "llm",
    startTime: root.startTime + 10,
    endTime: root.startTime + 390,
    attributes: {
      "gen_ai.provider.name": "openai",
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
      "gen_ai.usage.input_tokens": 52,
      "gen_ai.usage.output_tokens": 18,
      "lumiqtrace.ttft_ms": 120,
    },
  });
  return { root, llm };
}

export function makeBatch(events: SpanEvent[], overrides: Partial<Batch> = {}): Batch {
  return {
    sdk: { name: "@lumiqtrace/sdk", version: "0.1.0" },
    sentAt: Date.now(),
    dropped: 0,
    events,
    ...overrides,
  };
}

export function postBatch(
  url: string,
  apiKey: string | null,
  body: unknown,
  init: { headers?: Record<string, string>; raw?: BodyInit; signal?: AbortSignal } = {},
) {
  return fetch(`${url}/v1/batch`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(apiKey !== null ? { authorization: `Bearer ${apiKey}` } : {}),
      ...init.headers,
    },
    body: init.raw ?? JSON.stringify(body),
    signal: init.signal,
  });
}
