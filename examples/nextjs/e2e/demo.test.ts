// The example end to end: demo.mjs (next build when needed, next start, a plain and a streamed chat
// request) against the local collector and the local echo model, with the real openai client.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { type EchoModel, startEchoModel } from "@lumiqtrace/echo-model";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runDemo } from "../../demo-env.mjs";

const DEMO = join(dirname(fileURLToPath(import.meta.url)), "..", "demo.mjs");

let collector: Collector;
let model: EchoModel;
beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  model = await startEchoModel({ port: 0 });
});
afterAll(async () => {
  await collector?.close();
  await model?.close();
});

it("demo.mjs answers a plain and a streamed chat request, and each becomes one trace", async () => {
  const { code, output } = await runDemo(DEMO, {
    LUMIQTRACE_BASE_URL: collector.url,
    LUMIQTRACE_API_KEY: collector.apiKey,
    OPENAI_BASE_URL: model.url,
  });
  expect(code, output).toBe(0);
  expect(output).toContain("plain answer:    Echo: What is LumiqTrace?");
  expect(output).toContain("streamed answer: Echo: Stream me a short answer");
  expect(output).not.toContain(collector.apiKey);

  // what the route sent to the model: the streamed call asked for the usage chunk
  expect(model.requests.map((r) => (r as { stream?: boolean }).stream ?? false)).toEqual([false, true]);
  expect(model.requests[1]).toMatchObject({ stream_options: { include_usage: true } });

  const events = await collector.waitForEvents(
    (all) => all.filter((e) => e.kind === "invocation").length >= 2,
  );
  const roots = events.filter((e) => e.kind === "invocation");
  expect(roots).toHaveLength(2);
  for (const root of roots) {
    expect(root).toMatchObject({ name: "POST /api/chat", status: "ok" });
    expect(root.attributes).toMatchObject({
      "lumiqtrace.platform": "vercel",
      "http.response.status_code": 200,
    });
  }
  expect(new Set(roots.map((r) => r.traceId)).size).toBe(2);

  // the model call of each request: a child of its request's span, with the user set in the route
  const [plainRoot, streamedRoot] = roots.sort((a, b) => a.startTime - b.startTime);
  const llmOf = (traceId: string) => events.filter((e) => e.kind === "llm" && e.traceId === traceId);
  const [plainLlm] = llmOf(plainRoot!.traceId);
  const [streamedLlm] = llmOf(streamedRoot!.traceId);
  for (const [root, llm] of [
    [plainRoot!, plainLlm],
    [streamedRoot!, streamedLlm],
  ] as const) {
    expect(llm).toMatchObject({
      parentSpanId: root.spanId,
      userId: "demo-user",
      tags: ["chat"],
      status: "ok",
    });
  }
  // echo-model counts words: "Stream me a short answer" -> "Echo: Stream me a short answer"
  expect(streamedLlm!.attributes).toMatchObject({
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.usage.input_tokens": 5,
    "gen_ai.usage.output_tokens": 6,
  });
  expect(streamedLlm!.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
  // the request's span ends only once the streamed body (and so the model's stream) has finished
  expect(streamedRoot!.endTime).toBeGreaterThanOrEqual(streamedLlm!.endTime);
}, 180_000);
