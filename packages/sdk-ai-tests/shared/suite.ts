// The end-to-end suite of wrapAISDK, run once per AI SDK major by v5/, v6/ and v7/: each passes its own
// `ai`, `@ai-sdk/openai` and `zod` (and its vitest, so the tests register with the runner that runs
// them). The provider talks to the local echo model on loopback (its Responses API by default, chat
// completions through `provider.chat()`), the spans go to the local collector, and every test checks
// both what the caller received and what was stored.
import type { SpanEvent } from "@lumiqtrace/collector";
import { type EchoModel, startEchoModel } from "@lumiqtrace/echo-model";
import { type SpanStore, startSpanStore, waitForSpans } from "./collector.js";

export interface SuiteDeps {
  major: number;
  ai: any;
  createOpenAI: (options: { baseURL: string; apiKey: string }) => any;
  z: any;
  sdk: { lumiqtrace: any; withLumiqtraceContext: any };
  wrapAISDK: <T>(ai: T) => T;
  runInvocation: (options: any, fn: () => unknown) => Promise<unknown>;
  /** A Node binary to run the collector with, in its own process (see collector.ts). */
  collectorNode?: string;
  vitest: { describe: any; it: any; expect: any; beforeAll: any; afterAll: any };
}

export function aiSuite(deps: SuiteDeps) {
  const { ai, z, wrapAISDK, runInvocation } = deps;
  const { lumiqtrace, withLumiqtraceContext } = deps.sdk;
  const { describe, it, expect, beforeAll, afterAll } = deps.vitest;
  const traced = wrapAISDK(ai);
  let collector: SpanStore;
  let echo: EchoModel;
  let openai: any;

  const init = (captureContent = false) =>
    lumiqtrace.init({
      apiKey: collector.apiKey,
      baseUrl: collector.url,
      flushIntervalMs: 60_000,
      captureContent,
    });

  beforeAll(async () => {
    collector = await startSpanStore(deps.collectorNode);
    echo = await startEchoModel({ port: 0, chunkDelayMs: 0 });
    openai = deps.createOpenAI({ baseURL: echo.url, apiKey: "echo-test" });
    init();
  });
  afterAll(async () => {
    await echo?.close();
    await collector?.close();
  });

  let runs = 0;
  /** Runs `fn` inside a `lumiqtrace.span("handler")` of its own session; returns what it returned and the session's spans. */
  async function recorded<T>(fn: () => Promise<T>, settle?: (spans: SpanEvent[]) => boolean) {
    const sessionId = `ai${deps.major}-session-${++runs}`;
    const result = await withLumiqtraceContext({ sessionId, userId: "user-7" }, () =>
      lumiqtrace.span("handler", fn),
    );
    await lumiqtrace.flush();
    const mine = (es: SpanEvent[]) => es.filter((e) => e.sessionId === sessionId);
    const events = await waitForSpans(collector, (es) => {
      const spans = mine(es);
      return spans.some((s) => s.name === "handler") && (settle ? settle(spans) : true);
    });
    const spans = mine(events as SpanEvent[]).sort((a, b) => a.startTime - b.startTime);
    const handler = spans.find((s) => s.name === "handler")!;
    return { result, spans, handler, llm: spans.filter((s) => s.kind === "llm") };
  }

  const weather = () =>
    ai.tool({
      description: "The weather in a city",
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }: { city: string }) => `sunny in ${city}`,
    });

  describe(`ai ${deps.major}`, () => {
    it("keeps the module: unknown exports are the very same, wrapping twice changes nothing", () => {
      expect(traced.tool).toBe(ai.tool);
      expect(traced.stepCountIs).toBe(ai.stepCountIs);
      expect(traced.APICallError).toBe(ai.APICallError);
      expect(traced.generateText).not.toBe(ai.generateText);
      expect(wrapAISDK(traced)).toBe(traced);
      expect(Object.keys(traced).sort()).toEqual(Object.keys(ai).sort());
    });

    it("records generateText as one llm span under the active span, with the user, tokens, ids and telemetry settings", async () => {
      const plain = await ai.generateText({ model: openai("gpt-4o-mini"), prompt: "hello there" });
      const { result, llm, handler, spans } = await recorded(() =>
        traced.generateText({
          model: openai("gpt-4o-mini"),
          prompt: "hello there",
          temperature: 0.3,
          maxOutputTokens: 50,
          experimental_telemetry: { functionId: "greet", metadata: { plan: "pro", tries: 2 } },
        }),
      );
      expect(result.text).toBe("Echo: hello there");
      expect(result.text).toBe(plain.text);
      expect(result.usage).toEqual(plain.usage);
      expect(result.finishReason).toEqual(plain.finishReason);
      expect(spans).toHaveLength(2);
      expect(llm).toHaveLength(1);
      const span = llm[0]!;
      expect(span).toMatchObject({
        name: "chat gpt-4o-mini",
        parentSpanId: handler.spanId,
        traceId: handler.traceId,
        status: "ok",
        userId: "user-7",
      });
      expect(span.attributes).toMatchObject({
        "gen_ai.provider.name": "openai",
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "echo-local/gpt-4o-mini",
        "gen_ai.usage.input_tokens": 2,
        "gen_ai.usage.output_tokens": 3,
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.request.temperature": 0.3,
        "gen_ai.request.max_tokens": 50,
        "ai.model.provider": "openai.responses",
        "ai.telemetry.functionId": "greet",
        "ai.telemetry.metadata.plan": "pro",
        "ai.telemetry.metadata.tries": 2,
      });
      expect(span.attributes["gen_ai.response.id"]).toMatch(/^resp_echo/);
      expect(span.attributes["gen_ai.input.messages"]).toBeUndefined();
      expect(span.attributes["lumiqtrace.ttft_ms"]).toBeUndefined();
    });

    it("records chat completions (provider.chat) with cached and reasoning tokens", async () => {
      const { result, llm } = await recorded(() =>
        traced.generateText({
          model: openai.chat("gpt-4o-mini"),
          prompt: "count my tokens please",
          headers: { "x-echo-cached-tokens": "2", "x-echo-reasoning-tokens": "5" },
        }),
      );
      expect(result.text).toBe("Echo: count my tokens please");
      expect(llm[0]!.attributes).toMatchObject({
        "ai.model.provider": "openai.chat",
        "gen_ai.usage.input_tokens": 4,
        "gen_ai.usage.cache_read.input_tokens": 2,
        "gen_ai.usage.reasoning.output_tokens": 5,
      });
      expect(llm[0]!.attributes["gen_ai.response.id"]).toMatch(/^chatcmpl-echo/);
    });

    it("records a streamed call read to the end: same text, time to first token, tokens, ended when the stream ends", async () => {
      const plain = ai.streamText({ model: openai.chat("gpt-4o-mini"), prompt: "stream this answer" });
      const plainChunks: string[] = [];
      for await (const t of plain.textStream) plainChunks.push(t);
      const { result, llm, handler } = await recorded(async () => {
        const r = traced.streamText({ model: openai.chat("gpt-4o-mini"), prompt: "stream this answer" });
        const chunks: string[] = [];
        for await (const t of r.textStream) chunks.push(t);
        return { chunks, usage: await r.usage, steps: (await r.steps).length, text: await r.text };
      });
      expect(result.chunks).toEqual(plainChunks);
      expect(result.chunks.join("")).toBe("Echo: stream this answer");
      expect(result.usage).toEqual(await plain.usage);
      expect(result.steps).toBe(1);
      expect(llm).toHaveLength(1);
      expect(llm[0]).toMatchObject({ parentSpanId: handler.spanId, status: "ok", userId: "user-7" });
      expect(llm[0]!.attributes).toMatchObject({
        "lumiqtrace.stream": true,
        "gen_ai.usage.input_tokens": 3,
        "gen_ai.usage.output_tokens": 4,
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.response.model": "echo-local/gpt-4o-mini",
      });
      expect(llm[0]!.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
      expect(llm[0]!.endTime).toBeGreaterThanOrEqual(llm[0]!.startTime);
    });

    it("keeps the stream result's members: fullStream parts, toUIMessageStreamResponse, usage, steps", async () => {
      const { result, llm } = await recorded(async () => {
        const r = traced.streamText({ model: openai("gpt-4o-mini"), prompt: "ui stream" });
        const response: Response = r.toUIMessageStreamResponse();
        const body = await response.text();
        return {
          status: response.status,
          type: response.headers.get("content-type"),
          body,
          usage: await r.usage,
        };
      });
      expect(result.status).toBe(200);
      expect(result.type).toContain("text/event-stream");
      expect(result.body).toContain('"delta":"Echo:"');
      expect(result.usage.outputTokens).toBe(3);
      expect(llm).toHaveLength(1);
      expect(llm[0]!.status).toBe("ok");
    });

    it("ends a streamed call the consumer stops reading as cancelled, with what arrived", async () => {
      const { result, llm } = await recorded(async () => {
        const r = traced.streamText({
          model: openai.chat("gpt-4o-mini"),
          prompt: "a long answer that the reader abandons early on",
          headers: { "x-echo-chunk-delay-ms": "20" },
        });
        let first = "";
        for await (const t of r.textStream) {
          first = t;
          break;
        }
        return first;
      });
      expect(result).toBe("Echo:");
      expect(llm).toHaveLength(1);
      expect(llm[0]!.status).toBe("cancelled");
      expect(llm[0]!.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
      expect(llm[0]!.attributes["gen_ai.usage.output_tokens"]).toBeUndefined();
    });

    it("ends a streamed call whose Response body is cancelled (a client gone) as cancelled", async () => {
      const { llm } = await recorded(async () => {
        const r = traced.streamText({
          model: openai.chat("gpt-4o-mini"),
          prompt: "the client goes away",
          headers: { "x-echo-chunk-delay-ms": "20" },
        });
        const reader = r.toTextStreamResponse().body!.getReader();
        await reader.read();
        await reader.cancel();
      });
      expect(llm).toHaveLength(1);
      expect(llm[0]!.status).toBe("cancelled");
    });

    it("records a two-step tool loop as a parent span with llm, execute_tool, llm children", async () => {
      const plain = await ai.generateText({
        model: openai("gpt-4o-mini"),
        prompt: "use weather for Paris",
        tools: { weather: weather() },
        stopWhen: ai.stepCountIs(3),
      });
      const { result, spans, handler } = await recorded(() =>
        traced.generateText({
          model: openai("gpt-4o-mini"),
          prompt: "use weather for Paris",
          tools: { weather: weather() },
          stopWhen: ai.stepCountIs(3),
          experimental_telemetry: { functionId: "forecast" },
        }),
      );
      expect(result.text).toBe(plain.text);
      expect(result.steps).toHaveLength(2);
      const loop = spans.find((s) => s.name === "ai.generateText")!;
      expect(loop).toMatchObject({
        kind: "custom",
        parentSpanId: handler.spanId,
        status: "ok",
        userId: "user-7",
      });
      expect(loop.attributes).toMatchObject({
        "ai.telemetry.functionId": "forecast",
        "lumiqtrace.request.tools_count": 1,
      });
      const children = spans.filter((s) => s.parentSpanId === loop.spanId);
      expect(children.map((s) => [s.kind, s.name])).toEqual([
        ["llm", "chat gpt-4o-mini"],
        ["custom", "execute_tool weather"],
        ["llm", "chat gpt-4o-mini"],
      ]);
      const [first, tool, second] = children;
      expect(first!.attributes).toMatchObject({
        "gen_ai.response.finish_reasons": ["tool_calls"],
        "lumiqtrace.tool_calls": ["weather"],
        "lumiqtrace.request.tools_count": 1,
      });
      expect(tool!.attributes).toMatchObject({
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "weather",
      });
      expect(tool!.attributes["gen_ai.tool.call.id"]).toMatch(/^call_echo/);
      expect(tool!.attributes["gen_ai.tool.call.arguments"]).toBeUndefined();
      expect(second!.attributes).toMatchObject({ "gen_ai.response.finish_reasons": ["stop"] });
      expect(second!.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
      expect(tool!.startTime).toBeGreaterThanOrEqual(first!.endTime);
      expect(second!.startTime).toBeGreaterThanOrEqual(tool!.endTime);
      expect(loop.endTime).toBeGreaterThanOrEqual(second!.endTime);
    });

    it("records a streamed two-step tool loop the same way, the parent ended by the AI SDK's finish", async () => {
      const { result, spans, handler } = await recorded(
        async () => {
          const r = traced.streamText({
            model: openai.chat("gpt-4o-mini"),
            prompt: "use weather for Rome",
            tools: { weather: weather() },
            stopWhen: ai.stepCountIs(3),
          });
          return await r.text;
        },
        (s) => s.some((x) => x.name === "ai.streamText"),
      );
      expect(result).toBe("Echo: sunny in use weather for Rome");
      const loop = spans.find((s) => s.name === "ai.streamText")!;
      expect(loop).toMatchObject({ parentSpanId: handler.spanId, status: "ok" });
      const children = spans.filter((s) => s.parentSpanId === loop.spanId);
      expect(children.map((s) => [s.kind, s.name, s.status])).toEqual([
        ["llm", "chat gpt-4o-mini", "ok"],
        ["custom", "execute_tool weather", "ok"],
        ["llm", "chat gpt-4o-mini", "ok"],
      ]);
      expect(children.filter((s) => s.kind === "llm").every((s) => s.attributes["lumiqtrace.stream"])).toBe(
        true,
      );
      expect(children[0]!.attributes["lumiqtrace.tool_calls"]).toEqual(["weather"]);
    });

    it("records generateObject as one llm span and returns the same object", async () => {
      const schema = z.object({ city: z.string(), words: z.number() });
      const { result, llm } = await recorded(() =>
        traced.generateObject({ model: openai("gpt-4o-mini"), prompt: "make a city", schema }),
      );
      expect(result.object).toEqual({ city: "make a city", words: 3 });
      expect(llm).toHaveLength(1);
      expect(llm[0]!.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.usage.input_tokens": 3,
      });
    });

    it("records streamObject, ended when its partial objects are read to the end", async () => {
      const schema = z.object({ city: z.string() });
      const { result, llm } = await recorded(async () => {
        const r = traced.streamObject({ model: openai.chat("gpt-4o-mini"), prompt: "stream a city", schema });
        let last: unknown;
        for await (const p of r.partialObjectStream) last = p;
        return last;
      });
      expect(result).toEqual({ city: "stream a city" });
      expect(llm).toHaveLength(1);
      expect(llm[0]!.attributes).toMatchObject({
        "lumiqtrace.stream": true,
        "gen_ai.response.finish_reasons": ["stop"],
      });
    });

    it("records embed and embedMany as embeddings spans with dimensions and tokens", async () => {
      const embeddingModel = () => (openai.embedding ?? openai.textEmbedding)("text-embedding-3-small");
      const { result, llm } = await recorded(async () => {
        const one = await traced.embed({ model: embeddingModel(), value: "hi there" });
        const many = await traced.embedMany({ model: embeddingModel(), values: ["a b", "c d e"] });
        return { one: one.embedding.length, many: many.embeddings.length };
      });
      expect(result).toEqual({ one: 8, many: 2 });
      expect(llm.map((s) => s.name)).toEqual([
        "embeddings text-embedding-3-small",
        "embeddings text-embedding-3-small",
      ]);
      expect(llm[0]!.attributes).toMatchObject({
        "gen_ai.operation.name": "embeddings",
        "gen_ai.embeddings.dimension.count": 8,
        "gen_ai.usage.input_tokens": 2,
      });
      expect(llm[1]!.attributes["gen_ai.usage.input_tokens"]).toBe(5);
    });

    it("records a failed call and rethrows the AI SDK's own error", async () => {
      const call = (sdk: any) =>
        sdk
          .generateText({ model: openai.chat("echo-error-429"), prompt: "fail", maxRetries: 0 })
          .catch((e: unknown) => e);
      const plain: any = await call(ai);
      const { result, llm } = await recorded(() => call(traced));
      const error: any = result;
      expect(ai.APICallError.isInstance(error)).toBe(true);
      expect(error.constructor).toBe(plain.constructor);
      expect(error.message).toBe(plain.message);
      expect(error.statusCode).toBe(429);
      expect(llm).toHaveLength(1);
      expect(llm[0]).toMatchObject({ status: "error", error: { type: "APICallError", status: 429 } });
    });

    it("records a stream that fails in the middle as an error", async () => {
      const { llm } = await recorded(async () => {
        const r = traced.streamText({
          model: openai.chat("echo-error-stream"),
          prompt: "break",
          maxRetries: 0,
          onError() {},
        });
        for await (const _ of r.fullStream) {
          // read every part, the error part included
        }
      });
      expect(llm).toHaveLength(1);
      expect(llm[0]!.status).toBe("error");
    });

    it("records nothing for a call with isEnabled: false, which still answers", async () => {
      const { result, spans } = await recorded(() =>
        traced.generateText({
          model: openai("gpt-4o-mini"),
          prompt: "private",
          experimental_telemetry: { isEnabled: false },
          telemetry: { isEnabled: false },
        }),
      );
      expect(result.text).toBe("Echo: private");
      expect(spans.map((s) => s.name)).toEqual(["handler"]);
    });

    it("leaves the user's own telemetry working: their tracer (5, 6) or integration (7) still gets its calls", async () => {
      const seen: string[] = [];
      const span: any = {
        spanContext: () => ({ traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 }),
        setAttribute: () => span,
        setAttributes: () => span,
        addEvent: () => span,
        setStatus: () => span,
        recordException: () => span,
        updateName: () => span,
        isRecording: () => true,
        end: () => {},
      };
      // a test double of an OpenTelemetry tracer (5, 6) and a Telemetry integration (7): they only count calls
      const tracer = {
        startSpan(name: string) {
          seen.push(name);
          return span;
        },
        startActiveSpan(name: string, ...rest: any[]) {
          seen.push(name);
          return rest.at(-1)(span);
        },
      };
      const integration = { onLanguageModelCallStart: () => void seen.push("onLanguageModelCallStart") };
      const { result, llm } = await recorded(() =>
        traced.generateText({
          model: openai("gpt-4o-mini"),
          prompt: "theirs too",
          experimental_telemetry: { isEnabled: true, tracer },
          telemetry: { integrations: [integration] },
        }),
      );
      expect(result.text).toBe("Echo: theirs too");
      expect(llm).toHaveLength(1);
      if (deps.major < 7) expect(seen).toEqual(["ai.generateText", "ai.generateText.doGenerate"]);
      else expect(seen).toContain("onLanguageModelCallStart");
    });

    it("records content only with captureContent, and never what recordInputs / recordOutputs turn off", async () => {
      init(true);
      try {
        const { llm } = await recorded(async () => {
          await traced.generateText({ model: openai("gpt-4o-mini"), prompt: "secret prompt" });
          await traced.generateText({
            model: openai("gpt-4o-mini"),
            prompt: "hidden prompt",
            experimental_telemetry: { recordInputs: false },
            telemetry: { recordInputs: false },
          });
        });
        const [both, outputsOnly] = llm;
        expect(both!.attributes["gen_ai.input.messages"]).toContain("secret prompt");
        expect(both!.attributes["gen_ai.output.messages"]).toContain("Echo: secret prompt");
        expect(outputsOnly!.attributes["gen_ai.input.messages"]).toBeUndefined();
        expect(outputsOnly!.attributes["gen_ai.output.messages"]).toContain("Echo: hidden prompt");
      } finally {
        init(false);
      }
    });

    it("leaves a stream nobody reads out of the flush, which does not wait for it", async () => {
      const sessionId = `ai${deps.major}-unread`;
      await withLumiqtraceContext({ sessionId }, async () => {
        traced.streamText({ model: openai.chat("gpt-4o-mini"), prompt: "never read" });
      });
      const started = performance.now();
      await lumiqtrace.flush({ timeoutMs: 5000 });
      expect(performance.now() - started).toBeLessThan(4000);
      expect((await collector.spans()).filter((e) => e.sessionId === sessionId)).toEqual([]);
    });

    it("flushes a streamText answered with toTextStreamResponse() from an invocation after the body ends", async () => {
      const response = (await runInvocation({ name: "POST /api/chat", platform: "node" }, () =>
        traced
          .streamText({ model: openai.chat("gpt-4o-mini"), prompt: "invocation stream" })
          .toTextStreamResponse(),
      )) as Response;
      expect(await response.text()).toBe("Echo: invocation stream");
      // no flush of ours: the invocation's own flush, awaited at the end of the body, delivered the spans
      const spans = await collector.spans();
      const root = spans.find((e) => e.name === "POST /api/chat");
      expect(root).toBeDefined();
      const llm = spans.filter((e) => e.traceId === root!.traceId && e.kind === "llm");
      expect(llm).toHaveLength(1);
      expect(llm[0]).toMatchObject({ parentSpanId: root!.spanId, status: "ok" });
      expect(llm[0]!.attributes["gen_ai.usage.output_tokens"]).toBe(3);
    });
  });
}
