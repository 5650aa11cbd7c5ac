// wrapOpenAI with the real `openai` client (current major 7 and previous major 6) against the local echo
// model on loopback, every test checking what the caller received and what the local collector stored.
import OpenAI7 from "openai";
import { Stream as Stream7 } from "openai/streaming";
import OpenAI6 from "openai-v6";
import { Stream as Stream6 } from "openai-v6/streaming";
import { describe, expect, it } from "vitest";
import { init } from "../global.js";
import { lumiqtrace } from "../index.js";
import { collector, echo, initSdk, items, recorded, useLlmTestBed } from "../llm/test-bed.js";
import { wrapOpenAI } from "./index.js";

useLlmTestBed();
const comparable = (chunks: unknown[]) =>
  JSON.parse(
    JSON.stringify(chunks)
      .replace(/"(chatcmpl-|call_|resp_|msg_|fc_)echo\w+"/g, '"ID"')
      .replace(/"(created|created_at)":\d+/g, '"$1":0'),
  );

const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe.each([
  ["openai 7", OpenAI7, Stream7],
  ["openai 6", OpenAI6, Stream6],
] as const)("%s", (_label, OpenAI, Stream) => {
  const raw = () => new OpenAI({ baseURL: echo.url, apiKey: "echo-test", maxRetries: 0 }) as OpenAI7;
  const wrapped = () => wrapOpenAI(raw());

  it("records a chat completion as one llm span with model, tokens, finish reason and request parameters", async () => {
    const openai = wrapped();
    const { result, spans, span } = await recorded(() =>
      openai.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "hello there" }],
        temperature: 0.2,
        max_tokens: 50,
      }),
    );
    expect(result.choices[0]!.message.content).toBe("Echo: hello there");
    expect(spans).toHaveLength(1);
    expect(span).toMatchObject({ kind: "llm", name: "chat gpt-4o-mini", status: "ok", userId: "user-1" });
    expect(span.attributes).toMatchObject({
      "gen_ai.provider.name": "openai",
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.max_tokens": 50,
      "gen_ai.response.model": "echo-local/gpt-4o-mini",
      "gen_ai.response.id": result.id,
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 2,
      "gen_ai.usage.output_tokens": 3,
      "gen_ai.usage.cache_read.input_tokens": 0,
      "openai.response.system_fingerprint": "fp_echo_local_stand_in",
      "server.address": "127.0.0.1",
      "server.port": echo.port,
    });
    expect(span.attributes["gen_ai.input.messages"]).toBeUndefined();
    expect(span.attributes["gen_ai.output.messages"]).toBeUndefined();
    expect(span.attributes["lumiqtrace.ttft_ms"]).toBeUndefined();
  });

  it("is a child of the active span and keeps the client's class, resources and private fields working", async () => {
    const client = raw();
    const openai = wrapOpenAI(client);
    expect(openai).toBeInstanceOf(OpenAI);
    expect(wrapOpenAI(openai)).toBe(openai);
    const { spans } = await recorded(() =>
      lumiqtrace.span("handler", async () => {
        const models = await openai.models.list();
        expect(models.data[0]!.id).toBe("echo");
        const twice = wrapOpenAI(openai);
        return twice.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] });
      }),
    );
    const parent = spans.find((s) => s.name === "handler")!;
    const llm = spans.filter((s) => s.kind === "llm");
    expect(llm).toHaveLength(1);
    expect(llm[0]!.parentSpanId).toBe(parent.spanId);
    expect(llm[0]!.traceId).toBe(parent.traceId);
    // withOptions returns a wrapped client too.
    const other = openai.withOptions({ timeout: 5000 });
    const { spans: more } = await recorded(() =>
      other.chat.completions.create({ model: "m", messages: [{ role: "user", content: "y" }] }),
    );
    expect(more).toHaveLength(1);
  });

  it("keeps .withResponse() and .asResponse() on the returned promise", async () => {
    const openai = wrapped();
    const body = { model: "m", messages: [{ role: "user" as const, content: "with response" }] };
    const { result, span } = await recorded(() => {
      const promise = openai.chat.completions.create(body);
      expect(typeof promise.withResponse).toBe("function");
      return promise.withResponse();
    });
    expect(result.data.choices[0]!.message.content).toBe("Echo: with response");
    expect(result.response.status).toBe(200);
    expect(result.request_id).toMatch(/^req_echo/);
    expect(span.attributes["gen_ai.usage.output_tokens"]).toBe(3);

    const { result: response, spans } = await recorded(async () => {
      const r = await openai.chat.completions.create(body).asResponse();
      return (await r.json()) as { choices: { message: { content: string } }[] };
    });
    expect(response.choices[0]!.message.content).toBe("Echo: with response");
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes["http.response.status_code"]).toBe(200);
  });

  it("streams exactly the chunks of the unwrapped client while recording the real token counts", async () => {
    const body = {
      model: "gpt-4o-mini",
      messages: [{ role: "user" as const, content: "one two three" }],
      stream: true as const,
    };
    const plain = await items(await raw().chat.completions.create(body));
    const before = echo.requests.length;
    const { result, span } = await recorded(async () => items(await wrapped().chat.completions.create(body)));
    expect(comparable(result)).toEqual(comparable(plain));
    expect(result.every((c: any) => !("usage" in c) && c.choices.length === 1)).toBe(true);
    // The model was asked for usage on the caller's behalf; the caller's params were not changed.
    expect(echo.requests[before]).toMatchObject({ stream_options: { include_usage: true } });
    expect(body).not.toHaveProperty("stream_options");
    expect(span.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 3,
      "gen_ai.usage.output_tokens": 4,
      "gen_ai.response.finish_reasons": ["stop"],
      "lumiqtrace.stream": true,
      "lumiqtrace.stream_usage_added": true,
    });
    expect(span.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
    expect(span.attributes["lumiqtrace.ttft_ms"]).toBeLessThanOrEqual(span.endTime - span.startTime);
  });

  it("leaves the usage chunk to a caller who asked for it", async () => {
    const { result, span } = await recorded(async () =>
      items(
        await wrapped().chat.completions.create({
          model: "m",
          messages: [{ role: "user", content: "a b" }],
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
    );
    const last = result.at(-1) as any;
    expect(last.choices).toEqual([]);
    expect(last.usage.completion_tokens).toBe(3);
    expect((result[0] as any).usage).toBeNull();
    expect(span.attributes["gen_ai.usage.output_tokens"]).toBe(3);
    expect(span.attributes["lumiqtrace.stream_usage_added"]).toBeUndefined();
  });

  it("keeps the library's Stream: controller, tee() and toReadableStream() work and are recorded once", async () => {
    const openai = wrapped();
    const body = {
      model: "m",
      messages: [{ role: "user" as const, content: "tee me" }],
      stream: true as const,
    };
    const { result, spans } = await recorded(async () => {
      const stream = await openai.chat.completions.create(body);
      expect(stream).toBeInstanceOf(Stream);
      expect(stream.controller).toBeInstanceOf(AbortController);
      const [left, right] = stream.tee();
      return Promise.all([items(left), items(right)]);
    });
    expect(result[0]).toHaveLength(5);
    expect(result[1]).toEqual(result[0]);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes["gen_ai.usage.output_tokens"]).toBe(3);

    const { result: lines, spans: spans2 } = await recorded(async () => {
      const readable = (await openai.chat.completions.create(body)).toReadableStream();
      const text = await new Response(readable).text();
      return text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
    });
    expect(lines.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(["", "Echo:", " tee", " me", null]);
    expect(lines.some((c) => "usage" in c)).toBe(false);
    expect(spans2).toHaveLength(1);
    expect(spans2[0]!.attributes["gen_ai.usage.output_tokens"]).toBe(3);
  });

  it("marks a stream the caller left with break as cancelled, still recorded, and closes the connection", async () => {
    const openai = wrapped();
    const { result, span } = await recorded(async () => {
      const stream = await openai.chat.completions.create(
        { model: "m", messages: [{ role: "user", content: "a b c d e f g h i j" }], stream: true },
        { headers: { "x-echo-chunk-delay-ms": "20" } },
      );
      const seen: string[] = [];
      for await (const c of stream) {
        seen.push(c.choices[0]?.delta.content ?? "");
        if (seen.length === 3) break;
      }
      return seen;
    });
    expect(result).toEqual(["", "Echo:", " a"]);
    expect(span.status).toBe("cancelled");
    expect(span.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
    await expect.poll(() => echo.log.at(-1)!.aborted).toBe(true);
  });

  it("marks a stream stopped with controller.abort() as cancelled", async () => {
    const openai = wrapped();
    const { result, span } = await recorded(async () => {
      const stream = await openai.chat.completions.create(
        { model: "m", messages: [{ role: "user", content: "a b c d e f g h i j" }], stream: true },
        { headers: { "x-echo-chunk-delay-ms": "20" } },
      );
      let n = 0;
      for await (const _ of stream) if (++n === 2) stream.controller.abort();
      return n;
    });
    expect(result).toBeLessThan(12);
    expect(span.status).toBe("cancelled");
  });

  it("aggregates streamed tool calls and records them", async () => {
    const { result, span } = await recorded(async () => {
      const stream = await wrapped().chat.completions.create({
        model: "m",
        messages: [{ role: "user", content: "get_weather in Oslo" }],
        tools: [weather],
        stream: true,
      });
      let args = "";
      for await (const c of stream) args += c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? "";
      return args;
    });
    expect(JSON.parse(result)).toEqual({ city: "get_weather in Oslo" });
    expect(span.attributes).toMatchObject({
      "gen_ai.response.finish_reasons": ["tool_calls"],
      "lumiqtrace.tool_calls": ["get_weather"],
      "lumiqtrace.request.tools_count": 1,
    });
    expect(span.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
    expect(span.attributes["gen_ai.usage.output_tokens"]).toBe(Math.ceil(result.length / 8));
  });

  it("records tool calls, cached and reasoning tokens of a plain call", async () => {
    const { result, span } = await recorded(() =>
      wrapped().chat.completions.create(
        { model: "m", messages: [{ role: "user", content: "get_weather now" }], tools: [weather] },
        { headers: { "x-echo-cached-tokens": "1", "x-echo-reasoning-tokens": "5" } },
      ),
    );
    expect(result.choices[0]!.message.tool_calls).toHaveLength(1);
    expect(span.attributes).toMatchObject({
      "lumiqtrace.tool_calls": ["get_weather"],
      "gen_ai.usage.cache_read.input_tokens": 1,
      "gen_ai.usage.reasoning.output_tokens": 5,
    });
  });

  it("records errors (status, type, message) and rethrows what the library threw", async () => {
    const openai = wrapped();
    const unwrappedError = await raw()
      .chat.completions.create({ model: "echo-error-429", messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    const { result: error, span } = await recorded(() =>
      openai.chat.completions
        .create({ model: "echo-error-429", messages: [{ role: "user", content: "x" }] })
        .catch((e) => e),
    );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.constructor).toBe(unwrappedError.constructor);
    expect(error.message).toBe(unwrappedError.message);
    expect(span.status).toBe("error");
    expect(span.error).toEqual({ type: "RateLimitError", status: 429, message: error.message });
    expect(span.attributes["error.type"]).toBe("rate_limit_exceeded");

    // The library's retries stay inside one span.
    const retrying = wrapOpenAI(new OpenAI({ baseURL: echo.url, apiKey: "k", maxRetries: 2 }));
    const before = echo.requests.length;
    const { result: e500, spans } = await recorded(() =>
      retrying.embeddings.create({ model: "echo-error-500", input: "x" }).catch((e) => e),
    );
    expect(e500).toBeInstanceOf(OpenAI.InternalServerError);
    expect(echo.requests.length - before).toBe(3);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.error).toMatchObject({ type: "InternalServerError", status: 500 });
  });

  it("rejects an unawaited failing call exactly once, as unwrapped", async () => {
    const openai = wrapped();
    const caught: unknown[] = [];
    const onUnhandled = (reason: unknown) => caught.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const { span } = await recorded(async () => {
        void openai.chat.completions.create({
          model: "echo-error-400",
          messages: [{ role: "user", content: "x" }],
        });
        await expect.poll(() => caught.length, { timeout: 10_000 }).toBe(1);
      });
      expect(span.error?.status).toBe(400);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(caught).toHaveLength(1);
    expect(caught[0]).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("records a failing helper call, and awaited failures raise no unhandled rejection", async () => {
    const openai = wrapped();
    const caught: unknown[] = [];
    const onUnhandled = (reason: unknown) => caught.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const { result, spans } = await recorded(async () => {
        const errors = await Promise.all([
          openai.chat.completions
            .parse({ model: "echo-error-400", messages: [{ role: "user", content: "x" }] })
            .catch((e) => e),
          openai.chat.completions
            .create({ model: "echo-error-404", messages: [{ role: "user", content: "x" }] })
            .withResponse()
            .catch((e) => e),
          openai.chat.completions
            .create({ model: "echo-error-500", messages: [{ role: "user", content: "x" }] })
            .asResponse()
            .catch((e) => e),
        ]);
        await new Promise((r) => setTimeout(r, 100));
        return errors;
      });
      expect(result.map((e) => e.status)).toEqual([400, 404, 500]);
      expect(spans.map((s) => s.error?.status).sort()).toEqual([400, 404, 500]);
      expect(spans.every((s) => s.status === "error")).toBe(true);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(caught).toEqual([]);
  });

  it("records an error in the middle of a stream, and the caller's loop gets it", async () => {
    const { result, span } = await recorded(async () => {
      const stream = await wrapped().chat.completions.create(
        { model: "m", messages: [{ role: "user", content: "a b c d" }], stream: true },
        { headers: { "x-echo-error": "stream" } },
      );
      return items(stream).catch((e) => e);
    });
    expect(result).toBeInstanceOf(OpenAI.APIError);
    expect(span.status).toBe("error");
    expect(span.error!.message).toContain("Scripted 500");
  });

  it("records chat.completions.parse once, with the parsed result unchanged", async () => {
    const { result, spans } = await recorded(() =>
      wrapped().chat.completions.parse({
        model: "m",
        messages: [{ role: "user", content: "Ada" }],
        response_format: {
          type: "json_schema",
          json_schema: { name: "p", schema: { type: "object", properties: { name: { type: "string" } } } },
        },
      }),
    );
    expect(result.choices[0]!.message.parsed).toEqual({ name: "Ada" });
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes["gen_ai.usage.input_tokens"]).toBe(1);
  });

  it("records the chat .stream() helper once, with exact usage hidden from its events", async () => {
    const body = { model: "m", messages: [{ role: "user" as const, content: "helper stream" }] };
    const plainRunner = raw().chat.completions.stream(body);
    const plainChunks = await items(plainRunner);
    const plainFinal = await plainRunner.finalChatCompletion();
    const { result, spans } = await recorded(async () => {
      const runner = wrapped().chat.completions.stream(body);
      const chunks = await items(runner);
      return { chunks, final: await runner.finalChatCompletion() };
    });
    expect(comparable(result.chunks)).toEqual(comparable(plainChunks));
    expect(result.final.usage).toEqual(plainFinal.usage);
    expect(result.final.choices[0]!.message.content).toBe("Echo: helper stream");
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toMatchObject({
      "gen_ai.usage.output_tokens": 3,
      "lumiqtrace.stream": true,
    });
  });

  it("marks the .stream() helper's abort() and an aborted signal as cancelled", async () => {
    const openai = wrapped();
    const { span } = await recorded(async () => {
      const runner = openai.chat.completions.stream(
        { model: "m", messages: [{ role: "user", content: "a b c d e f g h i j" }] },
        { headers: { "x-echo-chunk-delay-ms": "20" } },
      );
      let n = 0;
      runner.on("chunk", () => {
        if (++n === 2) runner.abort();
      });
      return runner.done().catch((e) => e);
    });
    expect(span.status).toBe("cancelled");

    const { result, span: aborted } = await recorded(async () => {
      const controller = new AbortController();
      const call = openai.chat.completions.create(
        { model: "m", messages: [{ role: "user", content: "x" }] },
        { signal: controller.signal, headers: { "x-echo-chunk-delay-ms": "0" } },
      );
      controller.abort();
      return call.catch((e) => e);
    });
    expect(result).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(aborted.status).toBe("cancelled");
  });

  it("records each model call of runTools, and responses.parse", async () => {
    const openai = wrapped();
    const { result, spans } = await recorded(async () => {
      const runner = (openai.chat.completions as any).runTools({
        model: "m",
        messages: [{ role: "user", content: "get_weather in Rome" }],
        tools: [
          { type: "function", function: { ...weather.function, function: () => "sunny", parse: JSON.parse } },
        ],
      });
      return runner.finalContent();
    });
    expect(result).toBe("Echo: sunny");
    expect(spans.map((s) => s.attributes["gen_ai.response.finish_reasons"])).toEqual([
      ["tool_calls"],
      ["stop"],
    ]);

    const { result: parsed, spans: one } = await recorded(() =>
      openai.responses.parse({
        model: "m",
        input: "Ada",
        text: {
          format: {
            type: "json_schema",
            name: "p",
            schema: { type: "object", properties: { name: { type: "string" } } },
          },
        },
      }),
    );
    expect(parsed.output_parsed).toEqual({ name: "Ada" });
    expect(one).toHaveLength(1);
    expect(one[0]!.attributes["gen_ai.operation.name"]).toBe("responses");
  });

  it("goes straight to the client when the trace is sampled out", async () => {
    init({ apiKey: collector.apiKey, baseUrl: collector.url, flushIntervalMs: 60_000, sampleRate: 0 });
    try {
      const before = collector.events.length;
      const requests = echo.requests.length;
      const chunks = await items(
        await wrapped().chat.completions.create({
          model: "m",
          messages: [{ role: "user", content: "x" }],
          stream: true,
        }),
      );
      await lumiqtrace.flush();
      expect(chunks).toHaveLength(4);
      expect(echo.requests[requests]).not.toHaveProperty("stream_options");
      expect(collector.events.length).toBe(before);
    } finally {
      initSdk(false);
    }
  });

  it("records responses.create, plain and streamed, with usage from response.completed", async () => {
    const openai = wrapped();
    const { result, span } = await recorded(() =>
      openai.responses.create({
        model: "gpt-4.1",
        input: "hi you",
        instructions: "be kind",
        max_output_tokens: 20,
      }),
    );
    expect(result.output_text).toBe("Echo: hi you");
    expect(span).toMatchObject({ name: "responses gpt-4.1", kind: "llm", status: "ok" });
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "responses",
      "gen_ai.request.max_tokens": 20,
      "gen_ai.response.id": result.id,
      "gen_ai.response.model": "echo-local/gpt-4.1",
      "gen_ai.usage.input_tokens": 4,
      "gen_ai.usage.output_tokens": 3,
      "gen_ai.response.finish_reasons": ["stop"],
    });

    const plain = await items(await raw().responses.create({ model: "m", input: "x y", stream: true }));
    const { result: events, span: streamed } = await recorded(async () =>
      items(await openai.responses.create({ model: "m", input: "x y", stream: true })),
    );
    expect(comparable(events)).toEqual(comparable(plain));
    expect(streamed.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 2,
      "gen_ai.usage.output_tokens": 3,
    });
    expect(streamed.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
    expect(streamed.attributes["gen_ai.response.id"]).toMatch(/^resp_echo/);
  });

  it("records responses.stream() and a failed streamed response", async () => {
    const openai = wrapped();
    const run = async (client: OpenAI7) => {
      const s = client.responses.stream({ model: "m", input: "helper" });
      const events = await items(s);
      return { events, final: await s.finalResponse() };
    };
    const plain = await run(raw());
    const { result, spans } = await recorded(() => run(openai));
    expect(comparable([result])).toEqual(comparable([plain]));
    expect(result.final.output[0]).toMatchObject({ content: [{ text: "Echo: helper" }] });
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes["gen_ai.usage.output_tokens"]).toBe(2);

    const { span } = await recorded(async () =>
      items(
        await openai.responses.create(
          { model: "m", input: "a b c d", stream: true },
          { headers: { "x-echo-error": "stream" } },
        ),
      ),
    );
    expect(span.status).toBe("error");
    expect(span.error?.message).toContain("Scripted 500");
  });

  it("records embeddings with input tokens and dimensions", async () => {
    const { result, span } = await recorded(() =>
      wrapped().embeddings.create({ model: "text-embedding-3-small", input: ["a b", "c"], dimensions: 16 }),
    );
    expect(result.data).toHaveLength(2);
    expect(result.data[0]!.embedding).toHaveLength(16);
    expect(span).toMatchObject({ name: "embeddings text-embedding-3-small", kind: "llm" });
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "embeddings",
      "gen_ai.usage.input_tokens": 3,
      "gen_ai.embeddings.dimension.count": 16,
    });
  });

  it("records prompts and completions only with captureContent, cut at 16 KiB", async () => {
    initSdk(true);
    try {
      const { span } = await recorded(async () =>
        items(
          await wrapped().chat.completions.create({
            model: "m",
            messages: [{ role: "user", content: "secret words" }],
            stream: true,
          }),
        ),
      );
      expect(JSON.parse(span.attributes["gen_ai.input.messages"] as string)).toEqual([
        { role: "user", content: "secret words" },
      ]);
      expect(JSON.parse(span.attributes["gen_ai.output.messages"] as string)).toEqual([
        { role: "assistant", content: "Echo: secret words", finish_reason: "stop" },
      ]);
      const long = "word ".repeat(5000);
      const { span: big } = await recorded(() => wrapped().responses.create({ model: "m", input: long }));
      expect((big.attributes["gen_ai.input.messages"] as string).length).toBeLessThan(16_500);
      expect(big.attributes["gen_ai.input.messages"]).toMatch(/more\]$/);
    } finally {
      initSdk(false);
    }
  });
});
