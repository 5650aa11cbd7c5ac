import { describe, expect, it } from "vitest";
import { formatTraceLine, isRootSpan } from "./terminal.js";
import { makeEvent, makeTrace } from "./test-events.js";

describe("trace line", () => {
  it("shows platform, route, duration, status and each LLM call", () => {
    const { root, llm } = makeTrace();
    const second = {
      ...llm,
      spanId: "00000000000000aa",
      startTime: llm.startTime + 1,
      status: "error" as const,
    };
    second.error = { type: "RateLimitError", message: "Rate limit reached", status: 429 };
    second.attributes = { ...llm.attributes, "lumiqtrace.ttft_ms": 12_345 };
    delete second.attributes["gen_ai.usage.output_tokens"];
    expect(formatTraceLine(root, [root, second, llm])).toBe(
      "vercel  POST /api/chat  412ms  ok" +
        "  · openai gpt-4o-mini-2024-07-18 ttft 120ms 52→18 tok ok" +
        "  · openai gpt-4o-mini-2024-07-18 ttft 12.3s 52→? tok error 429 RateLimitError: Rate limit reached",
    );
  });

  it("falls back to the span name and kind without HTTP or platform attributes", () => {
    const root = makeEvent({ name: "nightly-job", attributes: {}, status: "cancelled" });
    expect(formatTraceLine(root, [root])).toBe("invocation  nightly-job  412ms  cancelled");
  });

  it("treats invocations and parentless spans as roots", () => {
    const { root, llm } = makeTrace();
    expect(isRootSpan(root)).toBe(true);
    expect(isRootSpan(llm)).toBe(false);
    expect(isRootSpan(makeEvent({ kind: "custom", parentSpanId: null }))).toBe(true);
  });
});
