// The validator in isolation; the collector's tests send the same cases through its HTTP API.
import { describe, expect, it } from "vitest";
import type { Batch, SpanEvent } from "./event.js";
import { validateBatch } from "./validate.js";

const event = (over: Partial<SpanEvent> = {}): SpanEvent => ({
  id: "0190d6e8-0000-7000-8000-000000000001",
  type: "span",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  parentSpanId: null,
  name: "chat gpt-4o",
  kind: "llm",
  startTime: 1000,
  endTime: 1001.5,
  status: "ok",
  attributes: { "gen_ai.usage.input_tokens": 3, tags: ["a", "b"] },
  ...over,
});
const batch = (events: unknown[]): Batch =>
  ({ sdk: { name: "@lumiqtrace/sdk", version: "0.1.0" }, sentAt: 1, dropped: 0, events }) as Batch;

describe("validateBatch", () => {
  it("accepts an event with every optional field", () => {
    const full = event({
      error: { type: "APIError", message: "overloaded", status: 529 },
      status: "error",
      userId: "u",
      sessionId: "s",
      tags: ["t"],
      metadata: { plan: "pro", nested: { n: 1 } },
      environment: "production",
      release: "1.2.3",
    });
    expect(validateBatch(batch([full]))).toEqual({ ok: true, batch: batch([full]) });
  });

  it.each([
    ["an unknown event field", { ...event(), spanKind: "x" }, /^events\[1\]\.spanKind: unknown field/],
    [
      "an unknown error field",
      event({ error: { type: "E", message: "m", code: 1 } as never }),
      /error\.code: unknown field/,
    ],
    ["a kind outside the protocol", event({ kind: "server" as never }), /^events\[1\]\.kind/],
    ["a status outside the protocol", event({ status: "failed" as never }), /^events\[1\]\.status/],
    [
      "an upper-case trace id",
      event({ traceId: "4BF92F3577B34DA6A3CE929D0E0E4736" }),
      /traceId: expected 32 lowercase hex/,
    ],
    [
      "an object attribute",
      event({ attributes: { a: { b: 1 } } as never }),
      /attributes\.a: expected a string/,
    ],
    ["an end before the start", event({ startTime: 5, endTime: 4 }), /endTime: must not be before startTime/],
  ])("refuses %s, naming the field", (_what, bad, message) => {
    const result = validateBatch(batch([event(), bad]));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(message);
  });

  it("refuses an unknown sdk field and a negative dropped count", () => {
    expect(validateBatch({ ...batch([event()]), sdk: { name: "x", version: "1", extra: 1 } })).toMatchObject({
      ok: false,
      error: "sdk.extra: unknown field",
    });
    expect(validateBatch({ ...batch([event()]), dropped: -1 })).toMatchObject({
      ok: false,
      error: /^dropped/,
    });
  });
});
