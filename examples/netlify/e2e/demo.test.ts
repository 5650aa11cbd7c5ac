// The example end to end: demo.mjs (netlify functions:serve --offline, then a modern, a streamed and a
// classic chat request) against the local collector and the local echo model, with the real openai client.
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

it("demo.mjs answers through each function, and each request becomes one trace with its LLM call", async () => {
  const { code, output } = await runDemo(DEMO, {
    LUMIQTRACE_BASE_URL: collector.url,
    LUMIQTRACE_API_KEY: collector.apiKey,
    OPENAI_BASE_URL: model.url,
  });
  expect(code, output).toBe(0);
  expect(output).toContain('POST /api/chat  200  {"answer":"Echo: What is a cold start?"}');
  expect(output).toContain("POST /api/chat/stream  200  Echo: Stream me a short answer");
  expect(output).toContain(
    'POST /.netlify/functions/classic-chat  200  {"answer":"Echo: Why flush before the freeze?"}',
  );
  expect(output).not.toContain(collector.apiKey);
  // the demo waited for every trace (flushed in the background by the modern functions) before stopping
  expect(output.match(/ok {2}2 spans, 1 LLM calls, user demo-user-\d/g), output).toHaveLength(3);
  expect(model.requests[1]).toMatchObject({ stream: true, stream_options: { include_usage: true } });

  const events = await collector.waitForEvents((all) => all.filter((e) => e.kind === "llm").length >= 3);
  const roots = events.filter((e) => e.kind === "invocation");
  expect(roots.map((r) => r.name).sort()).toEqual([
    "POST /.netlify/functions/classic-chat",
    "POST /api/chat",
    "POST /api/chat/stream",
  ]);
  for (const root of roots) {
    expect(root).toMatchObject({ status: "ok", attributes: { "lumiqtrace.platform": "netlify" } });
    const llm = events.filter((e) => e.kind === "llm" && e.parentSpanId === root.spanId);
    expect(llm).toHaveLength(1);
    expect(llm[0]).toMatchObject({ traceId: root.traceId, userId: expect.stringMatching(/^demo-user-/) });
  }
  // the streamed call's usage arrived in its last chunk, after the response had started
  const streamed = events.find((e) => e.kind === "llm" && e.attributes["lumiqtrace.ttft_ms"] !== undefined);
  expect(streamed?.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
});
