// wrapAnthropic with the real `@anthropic-ai/sdk` client (current major 1 and previous major 0) against the
// local echo model's Messages API on loopback, every test checking what the caller received and what the
// local collector stored.
import Anthropic1 from "@anthropic-ai/sdk";
import { MessageStream as MessageStream1 } from "@anthropic-ai/sdk/lib/MessageStream";
import { Stream as Stream1 } from "@anthropic-ai/sdk/streaming";
import Anthropic0 from "anthropic-v0";
import { MessageStream as MessageStream0 } from "anthropic-v0/lib/MessageStream";
import { Stream as Stream0 } from "anthropic-v0/streaming";
import { describe, expect, it } from "vitest";
import { init } from "../global.js";
import { lumiqtrace } from "../index.js";
import { collector, echo, initSdk, items, recorded, useLlmTestBed } from "../llm/test-bed.js";
import { wrapAnthropic } from "./index.js";

useLlmTestBed();
/** Drops the per-answer ids so two runs compare equal. */
const comparable = (value: unknown) =>
  JSON.parse(JSON.stringify(value).replace(/"(msg_|toolu_|req_)echo\w+"/g, '"ID"'));

const weather = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: {
    type: "object" as const,
    properties: { city: { type: "string" } },
    required: ["city"],
  },
};
const user = (content: string) => [{ role: "user" as const, content }];
/** A long answer, streamed slowly: time to break out of it or abort it. */
const slow = { headers: { "x-echo-chunk-delay-ms": "20" } };

describe.each([
  ["@anthropic-ai/sdk 1", Anthropic1, Stream1, MessageStream1],
  ["@anthropic-ai/sdk 0", Anthropic0, Stream0, MessageStream0],
] as const)("%s", (_label, Anthropic, Stream, MessageStream) => {
  const raw = () =>
    new Anthropic({ baseURL: echo.anthropicUrl, apiKey: "echo-test", maxRetries: 0 }) as Anthropic1;
  const wrapped = () => wrapAnthropic(raw());

  it("records a message as one llm span with model, tokens, stop reason and request parameters", async () => {
    const anthropic = wrapped();
    const { result, spans, span } = await recorded(() =>
      anthropic.messages.create({
        model: "claude-echo",
        max_tokens: 50,
        stop_sequences: ["END"],
        system: "be kind",
        messages: user("hello there"),
      }),
    );
    expect(result.content).toEqual([{ type: "text", text: "Echo: hello there" }]);
    expect(spans).toHaveLength(1);
    expect(span).toMatchObject({ kind: "llm", name: "chat claude-echo", status: "ok", userId: "user-1" });
    expect(span.attributes).toMatchObject({
      "gen_ai.provider.name": "anthropic",
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "claude-echo",
      "gen_ai.request.max_tokens": 50,
      "gen_ai.request.stop_sequences": ["END"],
      "gen_ai.response.model": "echo-local/claude-echo",
      "gen_ai.response.id": result.id,
      "gen_ai.response.finish_reasons": ["end_turn"],
      "gen_ai.usage.input_tokens": 4,
      "gen_ai.usage.output_tokens": 3,
      "gen_ai.usage.cache_read.input_tokens": 0,
      "gen_ai.usage.cache_write.input_tokens": 0,
      "server.address": "127.0.0.1",
      "server.port": echo.port,
    });
    for (const absent of [
      "gen_ai.input.messages",
      "gen_ai.output.messages",
      "gen_ai.system_instructions",
      "lumiqtrace.ttft_ms",
      "lumiqtrace.stream",
      "gen_ai.usage.reasoning.output_tokens",
    ])
      expect(span.attributes[absent], absent).toBeUndefined();
  });

  it("is a child of the active span, keeps the client's class and resources, and records once when wrapped twice", async () => {
    const client = raw();
    const anthropic = wrapAnthropic(client);
    expect(anthropic).toBeInstanceOf(Anthropic);
    expect(wrapAnthropic(anthropic)).toBe(anthropic);
    const { spans } = await recorded(() =>
      lumiqtrace.span("handler", async () => {
        // countTokens is not a model call: it passes through unrecorded
        expect(await anthropic.messages.countTokens({ model: "m", messages: user("a b c") })).toEqual({
          input_tokens: 3,
        });
        return wrapAnthropic(anthropic).messages.create({ model: "m", max_tokens: 9, messages: user("x") });
      }),
    );
    const parent = spans.find((s) => s.name === "handler")!;
    const llm = spans.filter((s) => s.kind === "llm");
    expect(llm).toHaveLength(1);
    expect(llm[0]!.parentSpanId).toBe(parent.spanId);
    expect(llm[0]!.traceId).toBe(parent.traceId);
    // withOptions returns a wrapped client too
    const other = anthropic.withOptions({ timeout: 5000 });
    const { spans: more } = await recorded(() =>
      other.messages.create({ model: "m", max_tokens: 9, messages: user("y") }),
    );
    expect(more).toHaveLength(1);
  });

  it("keeps .withResponse() and .asResponse() on the returned promise", async () => {
    const anthropic = wrapped();
    const body = { model: "m", max_tokens: 20, messages: user("with response") };
    const { result, span } = await recorded(() => {
      const promise = anthropic.messages.create(body);
      expect(typeof promise.withResponse).toBe("function");
      return promise.withResponse();
    });
    expect(result.data.content).toEqual([{ type: "text", text: "Echo: with response" }]);
    expect(result.response.status).toBe(200);
    expect(result.request_id).toMatch(/^req_echo/);
    expect(span.attributes["gen_ai.usage.output_tokens"]).toBe(3);

    const { result: message, spans } = await recorded(async () => {
      const r = await anthropic.messages.create(body).asResponse();
      return (await r.json()) as { content: unknown[] };
    });
    expect(message.content).toEqual([{ type: "text", text: "Echo: with response" }]);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes["http.response.status_code"]).toBe(200);
  });

  it("streams exactly the events of the unwrapped client, input tokens from message_start and output tokens from message_delta", async () => {
    const body = {
      model: "claude-echo",
      max_tokens: 50,
      messages: user("one two three"),
      stream: true as const,
    };
    const plain = await items(await raw().messages.create(body));
    const { result, span } = await recorded(async () => {
      const stream = await wrapped().messages.create(body);
      expect(stream).toBeInstanceOf(Stream);
      expect(stream.controller).toBeInstanceOf(AbortController);
      return items(stream);
    });
    expect(comparable(result)).toEqual(comparable(plain));
    expect(result.map((e: any) => e.type)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    // message_start says output_tokens: 1; the real count comes in message_delta
    expect(span.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 3,
      "gen_ai.usage.output_tokens": 4,
      "gen_ai.response.finish_reasons": ["end_turn"],
      "gen_ai.response.model": "echo-local/claude-echo",
      "lumiqtrace.stream": true,
    });
    expect(span.attributes["gen_ai.response.id"]).toMatch(/^msg_echo/);
    expect(span.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
    expect(span.attributes["lumiqtrace.ttft_ms"]).toBeLessThanOrEqual(span.endTime - span.startTime);
  });

  it("keeps the library's Stream: tee() and toReadableStream() work and are recorded once", async () => {
    const anthropic = wrapped();
    const body = { model: "m", max_tokens: 20, messages: user("tee me"), stream: true as const };
    const { result, spans } = await recorded(async () => {
      const [left, right] = (await anthropic.messages.create(body)).tee();
      return Promise.all([items(left), items(right)]);
    });
    expect(result[0]).toHaveLength(8);
    expect(result[1]).toEqual(result[0]);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes["gen_ai.usage.output_tokens"]).toBe(3);

    const { result: lines, spans: spans2 } = await recorded(async () => {
      const readable = (await anthropic.messages.create(body)).toReadableStream();
      return (await new Response(readable as ReadableStream).text())
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).type);
    });
    expect(lines).toHaveLength(8);
    expect(spans2).toHaveLength(1);
    expect(spans2[0]!.attributes["gen_ai.usage.output_tokens"]).toBe(3);
  });

  it("marks a stream the caller left with break as cancelled, still recorded, and closes the connection", async () => {
    const { result, span } = await recorded(async () => {
      const stream = await wrapped().messages.create(
        { model: "m", max_tokens: 50, messages: user("a b c d e f g h i j"), stream: true },
        slow,
      );
      const seen: string[] = [];
      for await (const event of stream) {
        seen.push(event.type);
        if (seen.length === 3) break;
      }
      return seen;
    });
    expect(result).toEqual(["message_start", "content_block_start", "content_block_delta"]);
    expect(span.status).toBe("cancelled");
    expect(span.attributes["gen_ai.usage.input_tokens"]).toBe(10);
    expect(span.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
    expect(span.attributes["gen_ai.response.finish_reasons"]).toBeUndefined();
    await expect.poll(() => echo.log.at(-1)!.aborted).toBe(true);
  });

  it("marks a stream stopped with controller.abort() as cancelled", async () => {
    const { result, span } = await recorded(async () => {
      const stream = await wrapped().messages.create(
        { model: "m", max_tokens: 50, messages: user("a b c d e f g h i j"), stream: true },
        slow,
      );
      let n = 0;
      for await (const _ of stream) if (++n === 2) stream.controller.abort();
      return n;
    });
    expect(result).toBeLessThan(15);
    expect(span.status).toBe("cancelled");
  });

  it("records messages.stream() once: the same events and finalMessage() as unwrapped", async () => {
    const body = { model: "m", max_tokens: 50, messages: user("helper stream") };
    const run = async (client: Anthropic1) => {
      const stream = client.messages.stream(body);
      expect(stream).toBeInstanceOf(MessageStream);
      const texts: string[] = [];
      stream.on("text", (delta) => texts.push(delta));
      const events = await items(stream);
      return { events, texts, final: await stream.finalMessage() };
    };
    const plain = await run(raw());
    const { result, spans } = await recorded(() => run(wrapped()));
    expect(comparable(result)).toEqual(comparable(plain));
    expect(result.texts).toEqual(["Echo:", " helper", " stream"]);
    expect(result.final.content).toEqual([{ type: "text", text: "Echo: helper stream" }]);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 2,
      "gen_ai.usage.output_tokens": 3,
      "gen_ai.response.id": result.final.id,
      "gen_ai.response.finish_reasons": ["end_turn"],
      "lumiqtrace.stream": true,
    });
  });

  it("marks messages.stream() left with break or stopped with abort(), and a call aborted by its signal, as cancelled", async () => {
    const anthropic = wrapped();
    const { span } = await recorded(async () => {
      const stream = anthropic.messages.stream(
        { model: "m", max_tokens: 50, messages: user("a b c d e f g h i j") },
        slow,
      );
      let n = 0;
      for await (const _ of stream) if (++n === 3) break;
      return stream.done().catch((e) => e);
    });
    expect(span.status).toBe("cancelled");

    const { result, span: aborted } = await recorded(async () => {
      const stream = anthropic.messages.stream(
        { model: "m", max_tokens: 50, messages: user("a b c d e f g h i j") },
        slow,
      );
      stream.on("text", () => stream.abort());
      return stream.finalMessage().catch((e) => e);
    });
    expect(result).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(aborted.status).toBe("cancelled");

    const { result: signalled, span: bySignal } = await recorded(async () => {
      const controller = new AbortController();
      const call = anthropic.messages.create(
        { model: "m", max_tokens: 9, messages: user("x") },
        { signal: controller.signal, headers: { "x-echo-chunk-delay-ms": "0" } },
      );
      controller.abort();
      return call.catch((e) => e);
    });
    expect(signalled).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(bySignal.status).toBe("cancelled");
  });

  it("records tool use, plain and streamed: the tool names, stop reason tool_use, tools offered", async () => {
    const anthropic = wrapped();
    const body = { model: "m", max_tokens: 50, tools: [weather], messages: user("get_weather in Oslo") };
    const { result, span } = await recorded(() => anthropic.messages.create(body));
    expect(result.content[0]).toMatchObject({
      type: "tool_use",
      name: "get_weather",
      input: { city: "get_weather in Oslo" },
    });
    expect(span.attributes).toMatchObject({
      "gen_ai.response.finish_reasons": ["tool_use"],
      "lumiqtrace.tool_calls": ["get_weather"],
      "lumiqtrace.request.tools_count": 1,
    });

    const { result: json, span: streamed } = await recorded(async () => {
      let partial = "";
      for await (const event of await anthropic.messages.create({ ...body, stream: true })) {
        if (event.type === "content_block_delta" && event.delta.type === "input_json_delta")
          partial += event.delta.partial_json;
      }
      return partial;
    });
    expect(JSON.parse(json)).toEqual({ city: "get_weather in Oslo" });
    expect(streamed.attributes).toMatchObject({
      "gen_ai.response.finish_reasons": ["tool_use"],
      "lumiqtrace.tool_calls": ["get_weather"],
      "gen_ai.usage.output_tokens": Math.ceil(json.length / 8),
    });
    expect(streamed.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
  });

  it("records prompt caching and thinking tokens, plain and streamed", async () => {
    const anthropic = wrapped();
    const body = {
      model: "m",
      max_tokens: 2048,
      thinking: { type: "enabled" as const, budget_tokens: 1024 },
      messages: user("cache these five words"),
    };
    const options = { headers: { "x-echo-cached-tokens": "3", "x-echo-cache-write-tokens": "1" } };
    const { result, span } = await recorded(() => anthropic.messages.create(body, options));
    expect(result.usage).toMatchObject({
      input_tokens: 0,
      cache_read_input_tokens: 3,
      cache_creation_input_tokens: 1,
    });
    expect(result.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    const expected = {
      // input tokens count the cached ones, as the GenAI conventions have it
      "gen_ai.usage.input_tokens": 4,
      "gen_ai.usage.cache_read.input_tokens": 3,
      "gen_ai.usage.cache_write.input_tokens": 1,
      // "Thinking about: cache these five words" is 6 words, "Echo: cache these five words" 5
      "gen_ai.usage.output_tokens": 11,
      "gen_ai.usage.reasoning.output_tokens": 6,
    };
    expect(span.attributes).toMatchObject(expected);

    const { span: streamed } = await recorded(async () =>
      items(await anthropic.messages.create({ ...body, stream: true }, options)),
    );
    expect(streamed.attributes).toMatchObject(expected);
  });

  it("records API errors (529, 429) with status and type, and rethrows what the library threw", async () => {
    const anthropic = wrapped();
    const body = { model: "echo-error-529", max_tokens: 9, messages: user("x") };
    const unwrappedError = await raw()
      .messages.create(body)
      .catch((e) => e);
    const { result: error, span } = await recorded(() => anthropic.messages.create(body).catch((e) => e));
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(error.constructor).toBe(unwrappedError.constructor);
    expect(error.message).toBe(unwrappedError.message);
    expect(span.status).toBe("error");
    expect(span.error).toEqual({ type: error.constructor.name, status: 529, message: error.message });
    expect(span.attributes["error.type"]).toBe("overloaded_error");

    const { result: limited, span: span429 } = await recorded(() =>
      anthropic.messages.create({ ...body, model: "echo-error-429" }).catch((e) => e),
    );
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(span429.error).toMatchObject({ type: "RateLimitError", status: 429 });
    expect(span429.attributes["error.type"]).toBe("rate_limit_error");

    // The library's retries stay inside one span.
    const retrying = wrapAnthropic(
      new Anthropic({ baseURL: echo.anthropicUrl, apiKey: "k", maxRetries: 2 }) as Anthropic1,
    );
    const before = echo.requests.length;
    const { result: retried, spans } = await recorded(() => retrying.messages.create(body).catch((e) => e));
    expect(retried.status).toBe(529);
    expect(echo.requests.length - before).toBe(3);
    expect(spans).toHaveLength(1);
  });

  it("rejects an unawaited failing call exactly once, as unwrapped", async () => {
    const anthropic = wrapped();
    const caught: unknown[] = [];
    const onUnhandled = (reason: unknown) => caught.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const { span } = await recorded(async () => {
        void anthropic.messages.create({ model: "echo-error-400", max_tokens: 9, messages: user("x") });
        await expect.poll(() => caught.length, { timeout: 10_000 }).toBe(1);
      });
      expect(span.error?.status).toBe(400);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(caught).toHaveLength(1);
    expect(caught[0]).toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("records an error event in the middle of a stream, and the caller's loop gets it", async () => {
    const body = { model: "m", max_tokens: 50, messages: user("a b c d"), stream: true as const };
    const options = { headers: { "x-echo-error": "stream" } };
    const outcome = async (client: Anthropic1) => {
      const seen: string[] = [];
      try {
        for await (const event of await client.messages.create(body, options)) seen.push(event.type);
        return { seen, error: undefined };
      } catch (error) {
        return { seen, error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
      }
    };
    const unwrapped = await outcome(raw());
    const { result, span } = await recorded(() => outcome(wrapped()));
    expect(result).toEqual(unwrapped);
    expect(result.error).toMatch(/^APIError: .*overloaded_error/);
    expect(span.status).toBe("error");
    expect(span.error).toMatchObject({ type: "APIError" });
    expect(span.attributes["error.type"]).toBe("overloaded_error");

    // the helper rejects its finalMessage() with it, and the span has it too
    const { result: helperError, span: helperSpan } = await recorded(() =>
      wrapped()
        .messages.stream({ model: "m", max_tokens: 50, messages: user("a b c d") }, options)
        .finalMessage()
        .catch((e) => e),
    );
    expect(helperError).toBeInstanceOf(Anthropic.APIError);
    expect(helperSpan.status).toBe("error");
  });

  it("records beta.messages.create and beta.messages.stream() once each", async () => {
    const anthropic = wrapped();
    const { result, spans } = await recorded(async () => {
      const message = await anthropic.beta.messages.create({
        model: "m",
        max_tokens: 9,
        messages: user("beta"),
      });
      const final = await anthropic.beta.messages
        .stream({ model: "m", max_tokens: 9, messages: user("beta stream") })
        .finalMessage();
      return [message, final];
    });
    expect(result.map((m) => m.content)).toEqual([
      [{ type: "text", text: "Echo: beta" }],
      [{ type: "text", text: "Echo: beta stream" }],
    ]);
    expect(spans).toHaveLength(2);
    expect(spans.map((s) => s.attributes["gen_ai.usage.output_tokens"]).sort()).toEqual([2, 3]);
    expect(spans.every((s) => s.attributes["gen_ai.provider.name"] === "anthropic")).toBe(true);
  });

  it("goes straight to the client when the trace is sampled out", async () => {
    init({ apiKey: collector.apiKey, baseUrl: collector.url, flushIntervalMs: 60_000, sampleRate: 0 });
    try {
      const before = collector.events.length;
      const events = await items(
        await wrapped().messages.create({ model: "m", max_tokens: 9, messages: user("x"), stream: true }),
      );
      await lumiqtrace.flush();
      expect(events).toHaveLength(7);
      expect(collector.events.length).toBe(before);
    } finally {
      initSdk(false);
    }
  });

  it("records prompts, the system prompt and completions only with captureContent", async () => {
    initSdk(true);
    try {
      const anthropic = wrapped();
      const { span } = await recorded(async () =>
        items(
          await anthropic.messages.create({
            model: "m",
            max_tokens: 50,
            system: "be kind",
            messages: user("secret words"),
            stream: true,
          }),
        ),
      );
      expect(JSON.parse(span.attributes["gen_ai.input.messages"] as string)).toEqual([
        { role: "user", content: "secret words" },
      ]);
      expect(JSON.parse(span.attributes["gen_ai.system_instructions"] as string)).toEqual([
        { type: "text", text: "be kind" },
      ]);
      expect(JSON.parse(span.attributes["gen_ai.output.messages"] as string)).toEqual([
        { role: "assistant", content: "Echo: secret words", finish_reason: "end_turn" },
      ]);

      const { result, span: tools } = await recorded(() =>
        anthropic.messages.create({
          model: "m",
          max_tokens: 50,
          tools: [weather],
          messages: user("get_weather now"),
        }),
      );
      const call = result.content[0] as { id: string };
      expect(JSON.parse(tools.attributes["gen_ai.output.messages"] as string)).toEqual([
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: call.id, name: "get_weather", arguments: '{"city":"get_weather now"}' }],
          finish_reason: "tool_use",
        },
      ]);
      const { span: streamedTools } = await recorded(async () =>
        items(
          await anthropic.messages.create({
            model: "m",
            max_tokens: 50,
            tools: [weather],
            messages: user("get_weather now"),
            stream: true,
          }),
        ),
      );
      expect(
        JSON.parse(streamedTools.attributes["gen_ai.output.messages"] as string)[0].tool_calls[0],
      ).toMatchObject({
        name: "get_weather",
        arguments: '{"city":"get_weather now"}',
      });
    } finally {
      initSdk(false);
    }
  });
});

describe("@anthropic-ai/sdk 1 helpers", () => {
  const wrapped = () =>
    wrapAnthropic(new Anthropic1({ baseURL: echo.anthropicUrl, apiKey: "k", maxRetries: 0 }));

  it("records messages.parse once, with the parsed result unchanged", async () => {
    const { result, spans } = await recorded(() =>
      wrapped().messages.parse({ model: "m", max_tokens: 9, messages: user("parse me") }),
    );
    expect(result.content).toEqual([{ type: "text", text: "Echo: parse me" }]);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes["gen_ai.usage.output_tokens"]).toBe(3);
  });

  it("records each model call of beta.messages.toolRunner(), which reaches create through the client", async () => {
    const { betaTool } = await import("@anthropic-ai/sdk/helpers/beta/json-schema");
    const getWeather = betaTool({
      name: "get_weather",
      description: "The weather in a city",
      inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      run: () => "sunny",
    });
    const { result, spans } = await recorded(async () => {
      const runner = wrapped().beta.messages.toolRunner({
        model: "m",
        max_tokens: 50,
        tools: [getWeather],
        messages: user("get_weather in Rome"),
      });
      const messages: unknown[] = [];
      for await (const message of runner) messages.push(message);
      return messages;
    });
    expect(result).toHaveLength(2);
    expect(spans.map((s) => s.attributes["gen_ai.response.finish_reasons"])).toEqual([
      ["tool_use"],
      ["end_turn"],
    ]);
  });
});
