// What the real AI SDK cannot be made to do on demand: answers of unexpected shape, throws of every kind,
// tools of every shape. The module here is a test double of the AI SDK's (`fakeAi`: `generateText` /
// `streamText` / `embed` that call the model and tools as the AI SDK does), named as one; the real
// AI SDK 5, 6 and 7 are tested end to end in packages/sdk-ai-tests.
import { AsyncLocalStorage } from "node:async_hooks";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAsyncLocalStorage } from "../context.js";
import { init, resetClient } from "../global.js";
import { lumiqtrace } from "../index.js";
import { resetWarnings } from "../logger.js";
import { wrapAISDK } from "./index.js";
import { providerName } from "./provider.js";

useAsyncLocalStorage(AsyncLocalStorage);

let server: LoopbackServer;
beforeEach(async () => {
  server = await startLoopbackServer();
  init({ apiKey: "k", baseUrl: server.url, flushIntervalMs: 60_000 });
});
afterEach(async () => {
  resetClient();
  resetWarnings();
  vi.restoreAllMocks();
  await server.close();
});

/** Test double of the AI SDK's module: calls the model and each tool the way the AI SDK does. */
const fakeAi = () => ({
  async generateText(o: any) {
    const r = await o.model.doGenerate({ prompt: [{ role: "user", content: "hi" }] });
    for (const name of Object.keys(o.tools ?? {})) {
      const out = await o.tools[name].execute?.({ x: 1 }, { toolCallId: "c1" });
      if (out && typeof out[Symbol.asyncIterator] === "function") for await (const _ of out);
    }
    return r;
  },
  streamText(o: any) {
    const started = o.model.doStream({ prompt: [] });
    return {
      textStream: new ReadableStream({
        async start(c) {
          const { stream } = await started;
          for await (const part of stream) c.enqueue(part);
          c.close();
        },
      }),
    };
  },
  async embed(o: any) {
    return o.model.doEmbed({ values: [o.value] });
  },
  tool: (t: unknown) => t,
});

const delivered = async () => {
  await lumiqtrace.flush();
  return server.delivered();
};

describe("wrapAISDK", () => {
  it("returns anything that is not the AI SDK's module as it is, with one warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const v of [null, undefined, 3, "ai", {}, [], { generateText: 1 }]) expect(wrapAISDK(v)).toBe(v);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain("wrapAISDK(ai) expects the AI SDK's module");
  });

  it("hands back the model's answer as it is, whatever its shape, and records what it can read", async () => {
    const ai = wrapAISDK(fakeAi());
    const odd = [
      { content: null, usage: null, finishReason: 7 },
      {
        content: [null, 1, { type: "tool-call" }],
        usage: { inputTokens: "2", outputTokens: { total: null } },
      },
      {
        content: "text",
        finishReason: { unified: ["stop"] },
        response: { id: 5, modelId: {} },
        request: { url: "::" },
      },
      "not an object",
      undefined,
    ];
    for (const answer of odd) {
      const model = { provider: "x.chat", modelId: "m", doGenerate: async () => answer };
      expect(await ai.generateText({ model })).toBe(answer);
    }
    const spans = await delivered();
    expect(spans).toHaveLength(odd.length);
    expect(spans.every((s: any) => s.kind === "llm" && s.status === "ok")).toBe(true);
    expect(spans[1].attributes["lumiqtrace.tool_calls"]).toEqual([""]);
    expect(spans[1].attributes["gen_ai.usage.input_tokens"]).toBeUndefined();
  });

  it("rethrows the very error a model throws or rejects with, and records it", async () => {
    const ai = wrapAISDK(fakeAi());
    const boom = Object.assign(new Error("rate limited"), { statusCode: 429 });
    for (const doGenerate of [
      () => {
        throw boom;
      },
      async () => Promise.reject(boom),
    ]) {
      await expect(
        ai.generateText({ model: { provider: "openai.chat", modelId: "m", doGenerate } }),
      ).rejects.toBe(boom);
    }
    const spans = await delivered();
    expect(spans.map((s: any) => [s.status, s.error?.status])).toEqual([
      ["error", 429],
      ["error", 429],
    ]);
  });

  it("passes a model that is not one (a string no provider resolves, an object without doGenerate) on as it is", async () => {
    const seen: unknown[] = [];
    const ai = wrapAISDK({
      ...fakeAi(),
      async generateText(o: any) {
        seen.push(o.model);
        return "ok";
      },
    });
    const notAModel = { provider: "p" };
    await ai.generateText({ model: "no/such-model" });
    await ai.generateText({ model: notAModel });
    expect(seen).toEqual(["no/such-model", notAModel]);
  });

  it("keeps a tool's results: values, promises, throws and async iterables, one execute_tool span each", async () => {
    const ai = wrapAISDK(fakeAi());
    const model = { provider: "openai.chat", modelId: "m", doGenerate: async () => ({ content: [] }) };
    const outputs: unknown[] = [];
    const tools = {
      plain: {
        execute(input: unknown) {
          outputs.push(input);
          return "v";
        },
      },
      later: { execute: async () => "p" },
      gen: {
        async *execute() {
          yield 1;
          yield 2;
        },
      },
      none: { description: "no execute" },
    };
    await ai.generateText({ model, tools });
    expect(outputs).toEqual([{ x: 1 }]);
    const failing = { bad: { execute: async () => Promise.reject(new TypeError("tool broke")) } };
    await expect(ai.generateText({ model, tools: failing })).rejects.toThrow("tool broke");
    const spans = await delivered();
    const tools1 = spans.filter((s: any) => s.name.startsWith("execute_tool"));
    expect(tools1.map((s: any) => [s.name, s.status])).toEqual([
      ["execute_tool plain", "ok"],
      ["execute_tool later", "ok"],
      ["execute_tool gen", "ok"],
      ["execute_tool bad", "error"],
    ]);
    const loops = spans.filter((s: any) => s.name === "ai.generateText");
    expect(loops.map((s: any) => s.status)).toEqual(["ok", "error"]);
    expect(tools1[0].parentSpanId).toBe(loops[0].spanId);
    expect(tools.plain.execute).toBeTypeOf("function");
  });

  it("reads stream parts of any shape without changing them", async () => {
    const ai = wrapAISDK(fakeAi());
    const parts = [
      null,
      3,
      { type: "text-delta" },
      { type: "text-delta", delta: "a" },
      { type: "finish", usage: 1 },
    ];
    const model = {
      provider: "openai.chat",
      modelId: "m",
      doStream: async () => ({
        stream: new ReadableStream({
          start: (c) => {
            for (const p of parts) c.enqueue(p);
            c.close();
          },
        }),
      }),
    };
    const out: unknown[] = [];
    const reader = ai.streamText({ model }).textStream.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value);
    expect(out).toEqual(parts);
    const spans = await delivered();
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes["lumiqtrace.ttft_ms"]).toBeGreaterThanOrEqual(0);
  });

  it("records an embedding model's call with whatever usage it reports", async () => {
    const ai = wrapAISDK(fakeAi());
    const answer = { embeddings: [[0, 1, 0]], usage: { tokens: 4 } };
    const model = { provider: "openai.embedding", modelId: "e", doEmbed: async () => answer };
    expect(await ai.embed({ model, value: "v" })).toBe(answer);
    const [span] = await delivered();
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "embeddings",
      "gen_ai.embeddings.dimension.count": 3,
      "gen_ai.usage.input_tokens": 4,
    });
  });

  it("names providers as the GenAI conventions do", () => {
    expect(
      [
        "openai.chat",
        "anthropic.messages",
        "google.generative-ai",
        "google.vertex.chat",
        "amazon-bedrock",
        "azure.chat",
        "mistral.chat",
        "xai.chat",
        "groq.chat",
        "gateway",
        "",
        4,
      ].map(providerName),
    ).toEqual([
      "openai",
      "anthropic",
      "gcp.gemini",
      "gcp.vertex_ai",
      "aws.bedrock",
      "azure.ai.openai",
      "mistral_ai",
      "x_ai",
      "groq",
      "gateway",
      "unknown",
      "unknown",
    ]);
  });
});
