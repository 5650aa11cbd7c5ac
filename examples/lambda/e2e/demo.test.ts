// The example end to end: demo.mjs runs handler.mjs in the real Lambda runtime client (aws-lambda-ric)
// under the local Runtime API, which freezes the process with SIGSTOP once each invocation is done, and
// sends two buffered chat invocations and one streamed one, against the local collector and echo model.
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runDemoLocally } from "../../demo-env.mjs";

const DEMO = fileURLToPath(new URL("../demo.mjs", import.meta.url));

it("demo.mjs answers each invocation, and each becomes one trace, sent before the runtime is frozen", async () => {
  const { code, output, apiKey, modelRequests, traces } = await runDemoLocally(DEMO, { traces: 3 });
  expect(code, output).toBe(0);
  expect(output).toMatch(
    /^chat {3}[0-9a-f]{8} {2}response {2}Echo: What is a cold start\? {2}\(frozen true\)$/m,
  );
  expect(output).toMatch(
    /^chat {3}[0-9a-f]{8} {2}response {2}Echo: Why flush before the freeze\? {2}\(frozen true\)$/m,
  );
  expect(output).toMatch(
    /^stream [0-9a-f]{8} {2}response {2}Echo: Stream me a short answer {2}\(streamed true, frozen true\)$/m,
  );
  expect(output).not.toContain(apiKey);

  // what the handlers asked the model: the streamed one asked for the usage chunk
  expect(modelRequests).toMatchObject([
    { messages: [{ content: "What is a cold start?" }] },
    { messages: [{ content: "Why flush before the freeze?" }] },
    {
      messages: [{ content: "Stream me a short answer" }],
      stream: true,
      stream_options: { include_usage: true },
    },
  ]);
  expect(modelRequests[0]!.stream).toBeUndefined();

  // Each runtime is killed while frozen after its last invocation, so the second chat's trace and the
  // stream's can only have arrived if they were sent before the freeze. In order: a cold start per function.
  expect(
    traces.map(({ root, llm }) => [
      root?.attributes["faas.name"],
      root?.attributes["faas.coldstart"],
      llm[0]?.userId,
    ]),
  ).toEqual([
    ["lumiq-demo-chat", true, "demo-user-1"],
    ["lumiq-demo-chat", false, "demo-user-2"],
    ["lumiq-demo-stream", true, "demo-user-3"],
  ]);
  for (const { root, llm } of traces) {
    expect(root).toMatchObject({
      name: "POST /",
      parentSpanId: null,
      status: "ok",
      attributes: {
        "lumiqtrace.platform": "lambda",
        "cloud.platform": "aws_lambda",
        "faas.trigger": "http",
        "aws.lambda.event_source": "function_url",
        "http.response.status_code": 200,
      },
    });
    // the invocation the demo printed, by its request id
    expect(output).toContain(`${String(root!.attributes["faas.invocation_id"]).slice(0, 8)}  response`);
    // echo-model counts words: "What is a cold start?" -> "Echo: What is a cold start?"
    expect(llm).toHaveLength(1);
    expect(llm[0]).toMatchObject({
      parentSpanId: root!.spanId,
      status: "ok",
      attributes: {
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 5,
        "gen_ai.usage.output_tokens": 6,
      },
    });
  }
  // the streamed call: its time to first token, and its usage from the last chunk
  const streamed = traces[2]!.llm[0]!;
  expect(streamed.attributes["lumiqtrace.stream"]).toBe(true);
  expect(streamed.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
  expect(traces[2]!.root!.endTime).toBeGreaterThanOrEqual(streamed.endTime);
});
