// Answers of shapes the types do not promise (a gateway, a proxy, a new API version), which the
// unwrapped client hands over as they are: wrapped, the caller must get exactly the same, and the span
// records what it can. The real openai clients (7 and 6) against a scripted loopback server.
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import OpenAI7 from "openai";
import OpenAI6 from "openai-v6";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { init, resetClient } from "../global.js";
import { resetWarnings } from "../logger.js";
import { lumiqtrace } from "../index.js";
import { wrapOpenAI } from "./index.js";

let model: LoopbackServer; // stands in for OpenAI
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

const ODD_COMPLETIONS = [
  { id: "c1", model: "m", choices: [null] },
  { id: "c2", model: "m", choices: {} },
  {
    id: "c3",
    model: "m",
    choices: [{ index: 0, message: { role: "assistant", content: "hi", tool_calls: {} } }],
  },
  { id: "c4", model: "m", choices: [{ index: 0, message: null, finish_reason: 7 }], usage: "lots" },
];

const sse = (chunks: unknown[]) =>
  `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("")}data: [DONE]\n\n`;

describe("wrapOpenAI given something that is not a client", () => {
  it("warns once and returns it as it is", () => {
    resetWarnings();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const notAClient = { models: {} };
    expect(wrapOpenAI(null)).toBeNull();
    expect(wrapOpenAI(notAClient)).toBe(notAClient);
    expect(wrapOpenAI(undefined)).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain("wrapOpenAI(client) expects an OpenAI client");
    warn.mockRestore();
  });
});

describe.each([
  ["openai 7", OpenAI7],
  ["openai 6", OpenAI6],
] as const)("%s", (_label, OpenAI) => {
  const clients = () => {
    const options = { baseURL: `${model.url}/v1`, apiKey: "test", maxRetries: 0 };
    return { raw: new OpenAI(options) as OpenAI7, wrapped: wrapOpenAI(new OpenAI(options) as OpenAI7) };
  };
  const recorded = async () => {
    await lumiqtrace.flush();
    return sink.delivered();
  };

  it.each(ODD_COMPLETIONS)(
    "passes an odd completion through as the unwrapped client does ($id)",
    async (odd) => {
      init({ apiKey: "k", baseUrl: sink.url, flushIntervalMs: 60_000 });
      const { raw, wrapped } = clients();
      model.script({ status: 200, body: JSON.stringify(odd) }, { status: 200, body: JSON.stringify(odd) });
      const body = { model: "m", messages: [{ role: "user" as const, content: "x" }] };
      const unwrapped = await raw.chat.completions.create(body);
      const traced = await wrapped.chat.completions.create(body);
      expect(traced).toEqual(unwrapped);
      const [span] = await recorded();
      expect(span).toMatchObject({ kind: "llm", status: "ok", attributes: { "gen_ai.response.id": odd.id } });
    },
  );

  // Each odd chunk alone between two normal ones: what the unwrapped client makes of it (some it throws
  // on: openai 7 normalises chunks), the wrapped one must make of it too, chunk for chunk, error for error.
  it.each([
    ["choices: [null]", { choices: [null] }],
    ["choices: {}", { choices: {} }],
    ["tool_calls: {}", { choices: [{ index: 0, delta: { content: "he", tool_calls: {} } }] }],
    ["delta: null", { choices: [{ index: 0, delta: null }] }],
    ["usage: a string", { choices: [], usage: "lots" }],
  ])("streams a chunk with %s exactly as the unwrapped client does", async (_what, odd) => {
    init({ apiKey: "k", baseUrl: sink.url, flushIntervalMs: 60_000 });
    const { raw, wrapped } = clients();
    const chunks = [
      { id: "s1", model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "" } }] },
      { id: "s1", model: "m", ...odd },
      { id: "s1", model: "m", choices: [{ index: 0, delta: { content: "llo" }, finish_reason: "stop" }] },
    ];
    const answer = { status: 200, headers: { "content-type": "text/event-stream" }, body: sse(chunks) };
    model.script(answer, answer);
    const body = { model: "m", messages: [{ role: "user" as const, content: "x" }], stream: true as const };
    const outcome = async (client: OpenAI7) => {
      const seen: unknown[] = [];
      try {
        for await (const chunk of await client.chat.completions.create(body)) seen.push(chunk);
        return { seen, error: undefined };
      } catch (error) {
        return { seen, error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
      }
    };
    const unwrapped = await outcome(raw);
    const traced = await outcome(wrapped);
    expect(traced).toEqual(unwrapped);
    const [span] = await recorded();
    // When the client's own chunk handling throws (openai 7), it closes our iterator: seen as the stream
    // stopping early, so recorded as cancelled, never as ok.
    expect(span.kind).toBe("llm");
    expect(span.status).toBe(unwrapped.error ? "cancelled" : "ok");
    if (!unwrapped.error) expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
  });
});
