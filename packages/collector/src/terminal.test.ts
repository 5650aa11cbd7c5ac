import { describe, expect, it } from "vitest";
import { formatTraceLine, printable, writeLines } from "./terminal.js";
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
    expect(formatTraceLine([second, root, llm])).toBe(
      "vercel  POST /api/chat  412ms  ok" +
        "  · openai gpt-4o-mini-2024-07-18 ttft 120ms 52→18 tok ok" +
        "  · openai gpt-4o-mini-2024-07-18 ttft 12.3s 52→? tok error 429 RateLimitError: Rate limit reached",
    );
  });

  it("falls back to the span name and kind without HTTP or platform attributes", () => {
    const root = makeEvent({ name: "nightly-job", attributes: {}, status: "cancelled" });
    expect(formatTraceLine([root])).toBe("invocation  nightly-job  412ms  cancelled");
  });

  it("names a trace without a root after its earliest top-most span; the duration is the whole trace's", () => {
    const { llm } = makeTrace();
    const second = makeEvent({
      ...llm,
      id: "second",
      spanId: "00000000000000bb",
      startTime: llm.startTime + 500,
      endTime: llm.startTime + 1000,
    });
    // the root's parent id is unknown here: both LLM spans are top-most, the earlier names the trace
    expect(formatTraceLine([second, llm])).toBe(
      "llm  chat gpt-4o-mini  1000ms  ok" +
        "  · openai gpt-4o-mini-2024-07-18 ttft 120ms 52→18 tok ok" +
        "  · openai gpt-4o-mini-2024-07-18 ttft 120ms 52→18 tok ok",
    );
  });
});

describe("printable", () => {
  it.each([
    ["window title (OSC)", "\u001b]0;pwned\u0007chat", "\\x1b]0;pwned\\x07chat"],
    ["clear screen (CSI)", "\u001b[2J\u001b[Hok", "\\x1b[2J\\x1b[Hok"],
    ["C1 CSI", "\u009b31mred", "\\x9b31mred"],
    ["DEL and NUL", "a\u007fb\u0000c", "a\\x7fb\\x00c"],
    ["carriage return rewriting the line", "ok\rerror", "ok error"],
    ["line breaks and tabs", "one\ntwo\tthree\u2028four", "one two three four"],
    ["bidi override", "gpt-4o\u202ecod.exe", "gpt-4o\\u202ecod.exe"],
    ["bidi isolate and marks", "\u2066a\u2069\u200f\u061c", "\\u2066a\\u2069\\u200f\\u061c"],
  ])("makes a %s inert", (_name, raw, shown) => {
    expect(printable(raw)).toBe(shown);
  });

  it("leaves printable text, including non-Latin scripts and emoji, as it is", () => {
    const text = "POST /api/chat · openai gpt-4o 52→18 tok · 日本語 · مرحبا · 🚀";
    expect(printable(text)).toBe(text);
  });

  it("writes each line made printable", () => {
    const chunks: string[] = [];
    writeLines({ write: (c: string) => chunks.push(c) }, "first \u001b[2J\nsecond");
    expect(chunks).toEqual(["first \\x1b[2J\nsecond\n"]);
  });
});
