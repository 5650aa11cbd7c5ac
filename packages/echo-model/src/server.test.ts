import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EchoModel, startEchoModel } from "./index.js";

let model: EchoModel;
let openai: OpenAI;

beforeAll(async () => {
  model = await startEchoModel({ port: 0, chunkDelayMs: 0 });
  openai = new OpenAI({ baseURL: model.url, apiKey: "echo-test", maxRetries: 0 });
});
afterAll(() => model.close());

const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, days: { type: "integer" }, unit: { enum: ["c", "f"] } },
      required: ["city", "days", "unit"],
    },
  },
};

describe("chat completions", () => {
  it("echoes the last user message, with word counts as usage, labelled as the local stand-in", async () => {
    const r = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello there" },
      ],
    });
    expect(r.choices[0]!.message.content).toBe("Echo: hello there");
    expect(r.choices[0]!.finish_reason).toBe("stop");
    expect(r.model).toBe("echo-local/gpt-4o-mini");
    expect(r.system_fingerprint).toBe("fp_echo_local_stand_in");
    expect(r.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
    expect(model.requests.at(-1)).toMatchObject({
      model: "gpt-4o-mini",
      messages: [{ role: "system" }, { role: "user" }],
    });
    expect(model.log.at(-1)).toMatchObject({ path: "/v1/chat/completions", status: 200, completed: true });
    expect(model.log.at(-1)!.headers.authorization).toBeUndefined();
  });

  it("streams one chunk per word, then finish, then the usage-only chunk and [DONE] when asked", async () => {
    const stream = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "one two three" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual([
      "",
      "Echo:",
      " one",
      " two",
      " three",
      null,
      null,
    ]);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4 });
    expect(chunks[0]!.usage).toBeNull();
  });

  it("sends no usage chunk (and no usage field) without stream_options", async () => {
    const stream = await openai.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks).toHaveLength(4);
    expect(chunks.every((c) => c.choices.length === 1 && !("usage" in c))).toBe(true);
  });

  it("calls the tools the prompt names, streamed as tool-call deltas", async () => {
    const stream = await openai.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "use get_weather for Paris" }],
      tools: [weather],
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = "";
    let name = "";
    let finish: string | null = null;
    let pieces = 0;
    let usage: unknown;
    for await (const c of stream) {
      const call = c.choices[0]?.delta.tool_calls?.[0];
      if (call?.function?.name) name = call.function.name;
      if (call?.function?.arguments) {
        args += call.function.arguments;
        pieces++;
      }
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    expect(name).toBe("get_weather");
    expect(JSON.parse(args)).toEqual({ city: "use get_weather for Paris", days: 4, unit: "c" });
    expect(finish).toBe("tool_calls");
    expect(usage).toMatchObject({ completion_tokens: pieces });
  });

  it("answers a tool result with text, and non-streamed tool calls in the message", async () => {
    const r = await openai.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "get_weather please" }],
      tools: [weather],
    });
    const call = r.choices[0]!.message.tool_calls![0]!;
    expect(call.type === "function" && call.function.name).toBe("get_weather");
    const r2 = await openai.chat.completions.create({
      model: "m",
      messages: [
        { role: "user", content: "get_weather please" },
        r.choices[0]!.message,
        { role: "tool", tool_call_id: call.id, content: "sunny" },
      ],
      tools: [weather],
    });
    expect(r2.choices[0]!.message.content).toBe("Echo: sunny");
  });

  it("stops at max_tokens with finish_reason length, and reports cached and reasoning tokens from headers", async () => {
    const r = await openai.chat.completions.create(
      { model: "m", messages: [{ role: "user", content: "a b c d e" }], max_completion_tokens: 2 },
      { headers: { "x-echo-cached-tokens": "3", "x-echo-reasoning-tokens": "7" } },
    );
    expect(r.choices[0]!.message.content).toBe("Echo: a");
    expect(r.choices[0]!.finish_reason).toBe("length");
    expect(r.usage?.prompt_tokens_details?.cached_tokens).toBe(3);
    expect(r.usage?.completion_tokens_details?.reasoning_tokens).toBe(7);
    expect(r.usage?.completion_tokens).toBe(9);
  });

  it("answers structured output with JSON that parse() accepts", async () => {
    const r = await openai.chat.completions.parse({
      model: "m",
      messages: [{ role: "user", content: "Ada Lovelace" }],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "person",
          strict: true,
          schema: { type: "object", properties: { name: { type: "string" }, age: { type: "number" } } },
        },
      },
    });
    expect(r.choices[0]!.message.parsed).toEqual({ name: "Ada Lovelace", age: 2 });
  });

  it("fails as scripted, with OpenAI's error JSON, by model name or header", async () => {
    const err = await openai.chat.completions
      .create({ model: "echo-error-429", messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.code).toBe("rate_limit_exceeded");
    const err2 = await openai.chat.completions
      .create(
        { model: "m", messages: [{ role: "user", content: "x" }] },
        { headers: { "x-echo-error": "400" } },
      )
      .catch((e) => e);
    expect(err2).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err2.error).toMatchObject({ type: "invalid_request_error", code: "invalid_value" });
  });

  it("fails in the middle of a stream with x-echo-error: stream", async () => {
    const stream = await openai.chat.completions.create(
      { model: "m", messages: [{ role: "user", content: "a b c d" }], stream: true },
      { headers: { "x-echo-error": "stream" } },
    );
    const seen: string[] = [];
    const err = await (async () => {
      for await (const c of stream) seen.push(c.choices[0]?.delta.content ?? "");
    })().catch((e) => e);
    expect(seen).toEqual(["", "Echo:", " a"]);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String(err.message)).toContain("Scripted 500");
  });

  it("records a stream the client abandoned as aborted", async () => {
    const stream = await openai.chat.completions.create(
      { model: "m", messages: [{ role: "user", content: "a b c d e f g h" }], stream: true },
      { headers: { "x-echo-chunk-delay-ms": "20" } },
    );
    for await (const _ of stream) break;
    const entry = model.log.at(-1)!;
    await expect.poll(() => entry.aborted).toBe(true);
    expect(entry.completed).toBe(false);
  });
});

describe("responses", () => {
  it("answers plainly with usage", async () => {
    const r = await openai.responses.create({ model: "gpt-4.1", input: "hi you", instructions: "be nice" });
    expect(r.output_text).toBe("Echo: hi you");
    expect(r.status).toBe("completed");
    expect(r.model).toBe("echo-local/gpt-4.1");
    expect(r.usage).toMatchObject({ input_tokens: 4, output_tokens: 3, total_tokens: 7 });
  });

  it("streams text deltas and ends with response.completed carrying usage", async () => {
    const stream = await openai.responses.create({
      model: "m",
      input: [{ role: "user", content: "a b" }],
      stream: true,
    });
    const types: string[] = [];
    let text = "";
    let usage: unknown;
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === "response.output_text.delta") text += e.delta;
      if (e.type === "response.completed") usage = e.response.usage;
    }
    expect(text).toBe("Echo: a b");
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(usage).toMatchObject({ input_tokens: 2, output_tokens: 3 });
  });

  it("makes function calls when the prompt names a tool", async () => {
    const r = await openai.responses.create({
      model: "m",
      input: "call lookup",
      tools: [
        { type: "function", name: "lookup", parameters: { type: "object", properties: {} }, strict: false },
      ],
    });
    expect(r.output[0]).toMatchObject({ type: "function_call", name: "lookup", arguments: "{}" });
  });
});

describe("embeddings", () => {
  it("embeds deterministically, also through the client's default base64 encoding", async () => {
    const a = await openai.embeddings.create({ model: "text-embedding-3-small", input: ["x y", "z"] });
    const b = await openai.embeddings.create({
      model: "text-embedding-3-small",
      input: "x y",
      encoding_format: "float",
      dimensions: 8,
    });
    expect(a.data).toHaveLength(2);
    expect(a.data[0]!.embedding).toHaveLength(8);
    expect(a.data[0]!.embedding).toEqual(b.data[0]!.embedding);
    expect(a.data[0]!.embedding).not.toEqual(a.data[1]!.embedding);
    expect(a.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });
});

describe("server", () => {
  it("answers unknown routes with OpenAI's 404 shape and closes idempotently", async () => {
    const other = await startEchoModel({ port: 0 });
    const r = await fetch(`${other.url}/nope`, { method: "POST" });
    expect(r.status).toBe(404);
    expect((await r.json()).error.type).toBe("invalid_request_error");
    await other.close();
    await other.close();
    await expect(fetch(`${other.url}/models`)).rejects.toThrow();
  });
});
