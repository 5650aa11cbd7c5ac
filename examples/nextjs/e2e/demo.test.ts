// The example end to end: demo.mjs (next build when needed, next start, a plain and a streamed chat
// request, one streamed through the Vercel AI SDK) against the local collector and the local echo model,
// with the real openai client and the real ai and @ai-sdk/openai.
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runDemoLocally } from "../../demo-env.mjs";

const DEMO = fileURLToPath(new URL("../demo.mjs", import.meta.url));

it("demo.mjs answers a plain, a streamed and an AI SDK chat request, and each becomes one trace", async () => {
  const { code, output, apiKey, modelRequests, traces: all } = await runDemoLocally(DEMO, { traces: 3 });
  expect(code, output).toBe(0);
  expect(output).toContain("plain answer:    Echo: What is LumiqTrace?");
  expect(output).toContain("streamed answer: Echo: Stream me a short answer");
  expect(output).toContain("AI SDK answer:   Echo: Stream through the AI SDK");
  expect(output).not.toContain(apiKey);

  // what the routes sent to the model: the streamed call asked for the usage chunk; the AI SDK streams
  expect(modelRequests.map((r) => r.stream ?? false)).toEqual([false, true, true]);
  expect(modelRequests[1]).toMatchObject({ stream_options: { include_usage: true } });

  expect(all).toHaveLength(3);
  const traces = all.slice(0, 2);
  for (const { root } of traces) {
    expect(root).toMatchObject({ name: "POST /api/chat", status: "ok" });
    expect(root!.attributes).toMatchObject({
      "lumiqtrace.platform": "vercel",
      "http.response.status_code": 200,
    });
  }

  // the model call of each request: a child of its request's span, with the user set in the route
  const [plain, streamed] = traces;
  for (const { root, llm } of [plain!, streamed!]) {
    expect(llm).toHaveLength(1);
    expect(llm[0]).toMatchObject({
      parentSpanId: root!.spanId,
      userId: "demo-user",
      tags: ["chat"],
      status: "ok",
    });
  }
  // echo-model counts words: "Stream me a short answer" -> "Echo: Stream me a short answer"
  const streamedLlm = streamed!.llm[0]!;
  expect(streamedLlm.attributes).toMatchObject({
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.usage.input_tokens": 5,
    "gen_ai.usage.output_tokens": 6,
  });
  expect(streamedLlm.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
  // the request's span ends only once the streamed body (and so the model's stream) has finished
  expect(streamed!.root!.endTime).toBeGreaterThanOrEqual(streamedLlm.endTime);

  // the AI SDK route: streamText answered with toTextStreamResponse(), its model call flushed after the body
  const viaAi = all[2]!;
  expect(viaAi.root).toMatchObject({ name: "POST /api/ai-chat", status: "ok" });
  expect(viaAi.llm).toHaveLength(1);
  const aiLlm = viaAi.llm[0]!;
  expect(aiLlm).toMatchObject({
    name: "chat gpt-4o-mini",
    parentSpanId: viaAi.root!.spanId,
    userId: "demo-user",
    tags: ["ai-sdk"],
    status: "ok",
  });
  expect(aiLlm.attributes).toMatchObject({
    "gen_ai.provider.name": "openai",
    "ai.model.provider": "openai.responses",
    "ai.telemetry.functionId": "ai-chat",
    "lumiqtrace.stream": true,
    "gen_ai.usage.input_tokens": 5,
    "gen_ai.usage.output_tokens": 6,
  });
  expect(aiLlm.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
  expect(viaAi.root!.endTime).toBeGreaterThanOrEqual(aiLlm.endTime);
}, 180_000);
