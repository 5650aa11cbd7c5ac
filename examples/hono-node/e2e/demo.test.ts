// The example end to end: demo.mjs starts the app on Node (@hono/node-server) in its own process and sends
// it a plain and a streamed chat request (OpenAI) and a streamed one to Claude (Anthropic's Messages API),
// against the local collector and the local echo model.
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runDemoLocally } from "../../demo-env.mjs";

const DEMO = fileURLToPath(new URL("../demo.mjs", import.meta.url));

it("demo.mjs answers a plain and a streamed chat request and a streamed Claude one, and each becomes one trace", async () => {
  const { code, output, apiKey, modelRequests, traces } = await runDemoLocally(DEMO, { traces: 3 });
  expect(code, output).toBe(0);
  expect(output).toContain("POST /chat         200  Echo: What does withHono do?\n");
  // the streamed answer: one event per echoed word, then `done`
  expect(output).toContain("POST /chat/stream  200  Echo: Stream me a short answer  (7 SSE events)\n");
  expect(output).toContain("POST /chat/claude  200  Echo: Hello Claude  (4 SSE events)\n");
  expect(output).not.toContain(apiKey);

  // what the routes asked the model: the streamed one asked for the usage chunk
  expect(modelRequests).toMatchObject([
    { messages: [{ content: "What does withHono do?" }] },
    {
      messages: [{ content: "Stream me a short answer" }],
      stream: true,
      stream_options: { include_usage: true },
    },
    // messages.stream() asks for a stream; Anthropic's always carries its usage
    { model: "claude-haiku-5-5", max_tokens: 1024, messages: [{ content: "Hello Claude" }], stream: true },
  ]);
  expect(modelRequests[0]!.stream).toBeUndefined();

  // echo-model counts words: "What does withHono do?" -> "Echo: What does withHono do?"
  expect(
    traces.map(({ root, llm }) => [
      root?.name,
      llm[0]?.userId,
      llm[0]?.attributes["gen_ai.usage.input_tokens"],
      llm[0]?.attributes["gen_ai.usage.output_tokens"],
    ]),
  ).toEqual([
    ["POST /chat", "demo-user-1", 4, 5],
    ["POST /chat/stream", "demo-user-2", 5, 6],
    ["POST /chat/claude", "demo-user-3", 2, 3],
  ]);
  for (const { root, llm } of traces) {
    // no traceparent came in: the request's span is the trace's root
    expect(root).toMatchObject({
      parentSpanId: null,
      status: "ok",
      attributes: {
        "lumiqtrace.platform": "hono",
        "http.request.method": "POST",
        "http.route": root!.name.slice("POST ".length),
        "http.response.status_code": 200,
      },
    });
    expect(llm).toHaveLength(1);
    expect(llm[0]).toMatchObject({ parentSpanId: root!.spanId, status: "ok" });
  }
  expect(traces.map(({ llm }) => llm[0]?.attributes["gen_ai.request.model"])).toEqual([
    "gpt-4o-mini",
    "gpt-4o-mini",
    "claude-haiku-5-5",
  ]);
  // the Claude call, through wrapAnthropic: its input tokens came in message_start, its output in message_delta
  const claude = traces[2]!.llm[0]!;
  expect(claude).toMatchObject({ name: "chat claude-haiku-5-5", kind: "llm" });
  expect(claude.attributes).toMatchObject({
    "gen_ai.provider.name": "anthropic",
    "gen_ai.operation.name": "chat",
    "gen_ai.response.model": "echo-local/claude-haiku-5-5",
    "gen_ai.response.finish_reasons": ["end_turn"],
    "gen_ai.usage.cache_read.input_tokens": 0,
    "gen_ai.usage.cache_write.input_tokens": 0,
    "lumiqtrace.stream": true,
  });
  expect(claude.attributes["gen_ai.response.id"]).toMatch(/^msg_echo/);
  expect(claude.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
  expect(traces[2]!.root!.endTime).toBeGreaterThanOrEqual(claude.endTime);
  // the streamed request's span ends only after its last event, so after the model's stream
  const [, streamed] = traces;
  expect(streamed!.llm[0]!.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
  expect(streamed!.root!.endTime).toBeGreaterThanOrEqual(streamed!.llm[0]!.endTime);
});
