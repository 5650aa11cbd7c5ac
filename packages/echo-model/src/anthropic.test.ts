// POST /v1/messages with the real @anthropic-ai/sdk client, and its raw server-sent events read with fetch.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EchoModel, startEchoModel } from "./index.js";

let model: EchoModel;
let anthropic: Anthropic;

beforeAll(async () => {
  model = await startEchoModel({ port: 0, chunkDelayMs: 0 });
  anthropic = new Anthropic({ baseURL: model.anthropicUrl, apiKey: "echo-test-key", maxRetries: 0 });
});
afterAll(() => model.close());

const weather = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: {
    type: "object" as const,
    properties: { city: { type: "string" }, days: { type: "integer" } },
    required: ["city", "days"],
  },
};

/** The raw SSE answer: event names in order, and each event's data. */
async function rawEvents(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${model.anthropicUrl}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "k", ...headers },
    body: JSON.stringify({ max_tokens: 100, ...body, stream: true }),
  });
  const text = await res.text();
  return text
    .trim()
    .split("\n\n")
    .map((raw) => ({
      event: /^event: (.*)$/m.exec(raw)?.[1],
      data: JSON.parse(/^data: (.*)$/m.exec(raw)?.[1] ?? "null"),
    }));
}

describe("messages", () => {
  it("echoes the last user message as a text block, with word counts as usage, labelled as the stand-in", async () => {
    const { data: message, response } = await anthropic.messages
      .create({
        model: "claude-echo",
        max_tokens: 100,
        system: "be brief",
        messages: [
          { role: "user", content: "first" },
          { role: "assistant", content: "ok" },
          { role: "user", content: [{ type: "text", text: "hello there" }] },
        ],
      })
      .withResponse();
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: "echo-local/claude-echo",
      content: [{ type: "text", text: "Echo: hello there" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: 6,
        output_tokens: 3,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
        output_tokens_details: null,
      },
    });
    expect(message.id).toMatch(/^msg_echo/);
    expect(response.headers.get("request-id")).toMatch(/^req_echo/);
    expect(model.log.at(-1)).toMatchObject({ path: "/v1/messages", status: 200, completed: true });
    // the key never lands in the log, whichever header carries it
    expect(model.log.at(-1)!.headers["x-api-key"]).toBeUndefined();
    expect(JSON.stringify(model.log.at(-1))).not.toContain("echo-test-key");
  });

  it("streams message_start, a ping, one text delta per word, message_delta with the output usage, message_stop", async () => {
    const events = await rawEvents({ model: "m", messages: [{ role: "user", content: "one two" }] });
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events.every((e) => e.data.type === e.event)).toBe(true);
    expect(events[0]!.data.message).toMatchObject({
      content: [],
      stop_reason: null,
      usage: { input_tokens: 2, output_tokens: 1 },
    });
    expect(events.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta)).toEqual([
      { type: "text_delta", text: "Echo:" },
      { type: "text_delta", text: " one" },
      { type: "text_delta", text: " two" },
    ]);
    expect(events[7]!.data).toMatchObject({
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 3 },
    });
  });

  it("is what the SDK's messages.stream() accumulates into the same message as a plain call", async () => {
    const body = {
      model: "m",
      max_tokens: 100,
      messages: [{ role: "user" as const, content: "same answer" }],
    };
    const plain = await anthropic.messages.create(body);
    const streamed = await anthropic.messages.stream(body).finalMessage();
    expect({ ...streamed, id: "" }).toMatchObject({ ...plain, id: "" });
  });

  it("calls the tool the prompt names, with input from its schema, streamed as input_json_delta pieces", async () => {
    const message = await anthropic.messages.create({
      model: "m",
      max_tokens: 100,
      tools: [weather],
      messages: [{ role: "user", content: "get_weather for Oslo" }],
    });
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toHaveLength(1);
    const call = message.content[0]!;
    expect(call).toMatchObject({
      type: "tool_use",
      name: "get_weather",
      input: { city: "get_weather for Oslo", days: 3 },
    });
    // one output token per 8-character piece of the input JSON, as on the OpenAI side
    expect(message.usage.output_tokens).toBe(Math.ceil(JSON.stringify((call as any).input).length / 8));

    const events = await rawEvents({
      model: "m",
      tools: [weather],
      messages: [{ role: "user", content: "get_weather for Oslo" }],
    });
    expect(events[1]!.data.content_block).toMatchObject({ type: "tool_use", name: "get_weather", input: {} });
    const json = events
      .filter((e) => e.event === "content_block_delta")
      .map((e) => e.data.delta.partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual({ city: "get_weather for Oslo", days: 3 });
    expect(events.at(-2)!.data.delta.stop_reason).toBe("tool_use");

    const answer = await anthropic.messages.create({
      model: "m",
      max_tokens: 100,
      tools: [weather],
      messages: [
        { role: "user", content: "get_weather for Oslo" },
        { role: "assistant", content: message.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: (call as any).id, content: "sunny" }] },
      ],
    });
    expect(answer.content).toEqual([{ type: "text", text: "Echo: sunny" }]);
  });

  it("follows tool_choice: any calls the first tool, tool calls the named one, none calls none", async () => {
    const other = { ...weather, name: "get_time" };
    const ask = (tool_choice: Anthropic.Messages.ToolChoice) =>
      anthropic.messages.create({
        model: "m",
        max_tokens: 100,
        tools: [weather, other],
        tool_choice,
        messages: [{ role: "user", content: "no tool named here" }],
      });
    expect((await ask({ type: "any" })).content[0]).toMatchObject({ type: "tool_use", name: "get_weather" });
    expect((await ask({ type: "tool", name: "get_time" })).content[0]).toMatchObject({ name: "get_time" });
    expect((await ask({ type: "none" })).content[0]).toMatchObject({ type: "text" });
    expect((await ask({ type: "auto" })).stop_reason).toBe("end_turn");
  });

  it("stops at max_tokens, and reports cache reads and writes (left out of input_tokens) and thinking tokens from headers", async () => {
    const message = await anthropic.messages.create(
      { model: "m", max_tokens: 2, messages: [{ role: "user", content: "a b c d e f" }] },
      {
        headers: {
          "x-echo-cached-tokens": "3",
          "x-echo-cache-write-tokens": "2",
          "x-echo-reasoning-tokens": "4",
        },
      },
    );
    expect(message.content).toEqual([{ type: "text", text: "Echo: a" }]);
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage).toMatchObject({
      input_tokens: 1,
      cache_read_input_tokens: 3,
      cache_creation_input_tokens: 2,
      output_tokens: 6,
      output_tokens_details: { thinking_tokens: 4 },
    });
  });

  it("thinks first when asked: a thinking block with its signature, counted in output_tokens_details", async () => {
    const message = await anthropic.messages.create({
      model: "m",
      max_tokens: 100,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "why" }],
    });
    expect(message.content).toEqual([
      { type: "thinking", thinking: "Thinking about: why", signature: "echo-local-signature" },
      { type: "text", text: "Echo: why" },
    ]);
    expect(message.usage).toMatchObject({ output_tokens: 5, output_tokens_details: { thinking_tokens: 3 } });
    const events = await rawEvents({
      model: "m",
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "why" }],
    });
    expect(events.slice(1, 5).map((e) => e.data.delta?.type ?? e.event)).toEqual([
      "content_block_start",
      "ping",
      "thinking_delta",
      "signature_delta",
    ]);
  });

  it("counts a request's input tokens at /v1/messages/count_tokens as /v1/messages does", async () => {
    const body = {
      model: "m",
      system: "be brief",
      messages: [{ role: "user" as const, content: "count these words" }],
    };
    const counted = await anthropic.messages.countTokens(body);
    const message = await anthropic.messages.create({ ...body, max_tokens: 10 });
    expect(counted).toEqual({ input_tokens: 5 });
    expect(message.usage.input_tokens).toBe(5);
  });
});

describe("scripted failures", () => {
  it("answers echo-error-529 with Anthropic's overloaded_error body, which the SDK throws as an APIError", async () => {
    const error = await anthropic.messages
      .create({ model: "echo-error-529", max_tokens: 10, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error.status).toBe(529);
    expect(error.error).toEqual({
      type: "error",
      error: {
        type: "overloaded_error",
        message: "Scripted 529 overloaded_error from the local echo model.",
      },
    });
    const limited = await anthropic.messages
      .create(
        { model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] },
        { headers: { "x-echo-error": "429" } },
      )
      .catch((e) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(limited.error.error.type).toBe("rate_limit_error");
  });

  it("retries quickly: 5xx and 429 carry retry-after-ms, so the client's own retries take milliseconds", async () => {
    const retrying = new Anthropic({ baseURL: model.anthropicUrl, apiKey: "k", maxRetries: 2 });
    const before = model.log.length;
    const started = Date.now();
    const error = await retrying.messages
      .create({ model: "echo-error-529", max_tokens: 10, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(error.status).toBe(529);
    expect(model.log.length - before).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("sends an error event in the middle of a stream with x-echo-error: stream, which the SDK's loop throws", async () => {
    const events = await rawEvents(
      { model: "m", messages: [{ role: "user", content: "a b c d" }] },
      { "x-echo-error": "stream" },
    );
    expect(events.map((e) => e.event)).toEqual(["message_start", "content_block_start", "ping", "error"]);
    expect(events[3]!.data.error.type).toBe("overloaded_error");

    const stream = await anthropic.messages.create(
      { model: "m", max_tokens: 10, messages: [{ role: "user", content: "a b c d" }], stream: true },
      { headers: { "x-echo-error": "stream" } },
    );
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((e) => e);
    expect(seen).toEqual(["message_start", "content_block_start"]);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error.error.error.type).toBe("overloaded_error");
  });
});
