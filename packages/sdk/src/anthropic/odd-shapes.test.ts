// Answers of shapes the types do not promise (a gateway, a proxy, a new API version), which the
// unwrapped client hands over as they are: wrapped, the caller must get exactly the same, and the span
// records what it can. The real @anthropic-ai/sdk clients (1 and 0) against a scripted loopback server.
import Anthropic1 from "@anthropic-ai/sdk";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import Anthropic0 from "anthropic-v0";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { init, resetClient } from "../global.js";
import { lumiqtrace } from "../index.js";
import { resetWarnings } from "../logger.js";
import { wrapAnthropic } from "./index.js";

let model: LoopbackServer; // stands in for Anthropic
let sink: LoopbackServer; // receives the SDK's batches
beforeAll(async () => {
  model = await startLoopbackServer();
  sink = await startLoopbackServer();
});
afterAll(async () => {
  await model.close();
  await sink.close();
});
afterEach(() => {
  model.reset();
  sink.reset();
  resetClient();
});

const ODD_MESSAGES = [
  { id: "m1", model: "m", content: [null], usage: null },
  { id: "m2", model: "m", content: {}, stop_reason: 7 },
  { id: "m3", model: "m", content: [{ type: "tool_use", name: 5, input: "not an object" }], usage: "lots" },
  { id: "m4", model: "m", content: [{ type: "text" }], usage: { input_tokens: "2", output_tokens: null } },
];

const sse = (events: unknown[]) =>
  events
    .map((e) => `event: ${(e as { type?: string } | null)?.type ?? "odd"}\ndata: ${JSON.stringify(e)}\n\n`)
    .join("");

describe("wrapAnthropic given something that is not a client", () => {
  it("warns once and returns it as it is", () => {
    resetWarnings();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const notAClient = { models: {} };
    expect(wrapAnthropic(null)).toBeNull();
    expect(wrapAnthropic(notAClient)).toBe(notAClient);
    expect(wrapAnthropic("anthropic")).toBe("anthropic");
    expect(wrapAnthropic(undefined)).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain("wrapAnthropic(client) expects an Anthropic client");
    warn.mockRestore();
  });
});

describe.each([
  ["@anthropic-ai/sdk 1", Anthropic1],
  ["@anthropic-ai/sdk 0", Anthropic0],
] as const)("%s", (_label, Anthropic) => {
  const clients = () => {
    const options = { baseURL: model.url, apiKey: "test", maxRetries: 0 };
    return {
      raw: new Anthropic(options) as Anthropic1,
      wrapped: wrapAnthropic(new Anthropic(options) as Anthropic1),
    };
  };
  const recorded = async () => {
    await lumiqtrace.flush();
    return sink.delivered();
  };
  const body = { model: "m", max_tokens: 9, messages: [{ role: "user" as const, content: "x" }] };

  it.each(ODD_MESSAGES)("passes an odd message through as the unwrapped client does ($id)", async (odd) => {
    init({ apiKey: "k", baseUrl: sink.url, flushIntervalMs: 60_000, captureContent: true });
    const { raw, wrapped } = clients();
    model.script({ status: 200, body: JSON.stringify(odd) }, { status: 200, body: JSON.stringify(odd) });
    const unwrapped = await raw.messages.create(body);
    const traced = await wrapped.messages.create(body);
    expect(traced).toEqual(unwrapped);
    const [span] = await recorded();
    expect(span).toMatchObject({ kind: "llm", status: "ok", attributes: { "gen_ai.response.id": odd.id } });
  });

  // Each odd event alone between normal ones: what the unwrapped client makes of it, the wrapped one must
  // make of it too, event for event, error for error.
  it.each([
    ["message: null", { type: "message_start", message: null }],
    [
      "a delta for a block never started",
      { type: "content_block_delta", index: 9, delta: { type: "text_delta", text: "?" } },
    ],
    [
      "index: a string",
      { type: "content_block_start", index: "0", content_block: { type: "text", text: "" } },
    ],
    ["delta: null", { type: "content_block_delta", index: 0, delta: null }],
    ["usage: a string", { type: "message_delta", delta: {}, usage: "lots" }],
    ["an event type of the future", { type: "message_annotation", note: { a: 1 } }],
  ])("streams an event with %s exactly as the unwrapped client does", async (_what, odd) => {
    init({ apiKey: "k", baseUrl: sink.url, flushIntervalMs: 60_000, captureContent: true });
    const { raw, wrapped } = clients();
    const events = [
      {
        type: "message_start",
        message: { id: "s1", model: "m", content: [], usage: { input_tokens: 2, output_tokens: 1 } },
      },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      odd,
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hi" } },
      { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } },
      { type: "message_stop" },
    ];
    const answer = { status: 200, headers: { "content-type": "text/event-stream" }, body: sse(events) };
    model.script(answer, answer);
    const outcome = async (client: Anthropic1) => {
      const seen: unknown[] = [];
      try {
        for await (const event of await client.messages.create({ ...body, stream: true })) seen.push(event);
        return { seen, error: undefined };
      } catch (error) {
        return { seen, error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
      }
    };
    const unwrapped = await outcome(raw);
    const traced = await outcome(wrapped);
    expect(traced).toEqual(unwrapped);
    const [span] = await recorded();
    expect(span).toMatchObject({ kind: "llm", status: "ok" });
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["end_turn"]);
    expect(span.attributes["gen_ai.usage.output_tokens"]).toBe(2);
  });
});
