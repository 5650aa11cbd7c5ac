// The example end to end: demo.mjs starts the Express server in its own process (PORT, as Cloud Run sets
// it), sends it a plain and a streamed chat request, then SIGTERM, against the local collector and echo model.
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runDemoLocally } from "../../demo-env.mjs";

const DEMO = fileURLToPath(new URL("../demo.mjs", import.meta.url));

it("demo.mjs answers a plain and a streamed chat request, each one trace, and the server drains on SIGTERM", async () => {
  const { code, output, apiKey, modelRequests, traces } = await runDemoLocally(DEMO, { traces: 2 });
  expect(code, output).toBe(0);
  expect(output).toContain("POST /chat         200  Echo: What does withExpress do?\n");
  // the streamed answer: one event per echoed word, then `done`
  expect(output).toContain("POST /chat/stream  200  Echo: Stream me a short answer  (7 SSE events)\n");
  // flushOnSignals: the server drained, then ended by the signal itself, as Node would have
  expect(output).toMatch(/SIGTERM {12}the server drained and ended \(by SIGTERM\) in \d+ ms\n/);
  expect(output).not.toContain(apiKey);

  expect(modelRequests).toMatchObject([
    { messages: [{ content: "What does withExpress do?" }] },
    {
      messages: [{ content: "Stream me a short answer" }],
      stream: true,
      stream_options: { include_usage: true },
    },
  ]);

  // echo-model counts words: "What does withExpress do?" -> "Echo: What does withExpress do?"
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
  ]);
  for (const { root, llm } of traces) {
    expect(root).toMatchObject({
      parentSpanId: null,
      status: "ok",
      attributes: {
        "lumiqtrace.platform": "node",
        "http.request.method": "POST",
        "http.route": root!.name.slice("POST ".length),
        "http.response.status_code": 200,
      },
    });
    expect(llm).toHaveLength(1);
    expect(llm[0]).toMatchObject({ parentSpanId: root!.spanId, status: "ok" });
  }
  // the streamed request's span ends only when its response has finished, so after the model's stream
  const [, streamed] = traces;
  expect(streamed!.llm[0]!.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
  expect(streamed!.root!.endTime).toBeGreaterThanOrEqual(streamed!.llm[0]!.endTime);
});
