// The example end to end: demo.mjs (netlify functions:serve --offline, then a modern, a streamed and a
// classic chat request) against the local collector and the local echo model, with the real openai client.
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runDemoLocally } from "../../demo-env.mjs";

const DEMO = fileURLToPath(new URL("../demo.mjs", import.meta.url));

it("demo.mjs answers through each function, and each request becomes one trace with its LLM call", async () => {
  const { code, output, apiKey, modelRequests, traces, ingestPaths } = await runDemoLocally(DEMO, {
    traces: 3,
  });
  expect(code, output).toBe(0);
  // this example's functions export OTLP: every trace came by the collector's OTLP endpoint
  expect(ingestPaths).toEqual(["/v1/traces"]);
  expect(output).toContain('POST /api/chat  200  {"answer":"Echo: What is a cold start?"}');
  expect(output).toContain("POST /api/chat/stream  200  Echo: Stream me a short answer");
  expect(output).toContain(
    'POST /.netlify/functions/classic-chat  200  {"answer":"Echo: Why flush before the freeze?"}',
  );
  expect(output).not.toContain(apiKey);
  // the demo waited for every trace (flushed in the background by the modern functions) before stopping
  expect(output.match(/ok {2}2 spans, 1 LLM calls, user demo-user-\d/g), output).toHaveLength(3);
  expect(modelRequests[1]).toMatchObject({ stream: true, stream_options: { include_usage: true } });

  // in the order the demo sent them; echo-model counts words: "What is a cold start?" -> "Echo: What ..."
  expect(traces.map((t) => [t.root?.name, t.llm[0]?.userId])).toEqual([
    ["POST /api/chat", "demo-user-1"],
    ["POST /api/chat/stream", "demo-user-2"],
    ["POST /.netlify/functions/classic-chat", "demo-user-3"],
  ]);
  for (const { root, llm } of traces) {
    expect(root).toMatchObject({ status: "ok", attributes: { "lumiqtrace.platform": "netlify" } });
    expect(llm).toHaveLength(1);
    expect(llm[0]).toMatchObject({
      parentSpanId: root!.spanId,
      attributes: { "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 6 },
    });
  }
  // the streamed call's usage arrived in its last chunk, after the response had started
  expect(traces[1]!.llm[0]!.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
});
