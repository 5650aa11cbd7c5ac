// The Node end-to-end cases (node.test.ts) under Bun and Deno: each runtime, from the `bun` and `deno` npm
// packages, serves fixtures/server.mjs (a Hono app on the built packages, with Bun.serve or Deno.serve);
// the test drives it over HTTP and reads the traces from the collector in this process.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { type EchoModel, startEchoModel } from "@lumiqtrace/echo-model";
import type { SpanEvent } from "@lumiqtrace/sdk";
import { freePort, type StartedProcess, startProcess } from "@lumiqtrace/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const SERVER = fileURLToPath(new URL("./fixtures/server.mjs", import.meta.url));
const RUNTIMES = [
  {
    name: "bun",
    command: join(dirname(require.resolve("bun/package.json")), "bin", "bun.exe"),
    args: [SERVER],
  },
  {
    name: "deno",
    command: join(dirname(require.resolve("deno/package.json")), "deno"),
    args: ["run", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", SERVER],
  },
];

let collector: Collector;
let model: EchoModel;
beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  model = await startEchoModel({ port: 0, chunkDelayMs: 1 });
});
afterAll(async () => {
  await model?.close();
  await collector?.close();
});

describe.each(RUNTIMES)("withHono on $name", ({ name, command, args }) => {
  let server: StartedProcess;
  let base: string;
  // Both runtimes report to one collector: their events are told apart by the users each test sends.
  const ofUser = (prefix: string) => (e: SpanEvent) =>
    typeof e.userId === "string" && e.userId.startsWith(prefix);

  beforeAll(async () => {
    const port = await freePort();
    server = await startProcess({
      command,
      args,
      cwd: dirname(SERVER),
      env: {
        PORT: String(port),
        LUMIQTRACE_API_KEY: collector.apiKey,
        LUMIQTRACE_BASE_URL: collector.url,
        OPENAI_BASE_URL: model.url,
        DENO_NO_UPDATE_CHECK: "1",
      },
      ready: (out) => out.includes("listening on"),
    });
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => server?.stop());

  it("runs the SDK with a context per request (AsyncLocalStorage found)", async () => {
    expect(await (await fetch(`${base}/runtime`)).json()).toEqual({
      runtime: expect.stringMatching(new RegExp(`^${name} \\d`)),
      asyncContext: true,
    });
  });

  it("keeps 500 concurrent requests apart: zero events carry another request's context", async () => {
    const n = 500;
    const users = Array.from({ length: n }, (_, i) => `${name}-user-${i}`);
    const bodies = await Promise.all(
      users.map(async (u, i) => (await fetch(`${base}/users/${i}`, { headers: { "x-user": u } })).json()),
    );
    expect(bodies).toEqual(users.map((u, i) => ({ id: String(i), seen: u })));
    // No waitUntil here: each response left only after its flush, so every event is already stored.
    const loads = collector.events.filter((e) => e.name === "load" && ofUser(`${name}-user-`)(e));
    expect(loads).toHaveLength(n);
    const roots = new Map(collector.events.filter((e) => e.kind === "invocation").map((e) => [e.spanId, e]));
    for (const load of loads) {
      const root = roots.get(load.parentSpanId!);
      expect(root?.traceId).toBe(load.traceId);
      expect(`${name}-user-${String(root?.attributes["url.path"]).split("/")[2]}`).toBe(load.userId);
    }
    expect(new Set(loads.map((e) => e.traceId)).size).toBe(n);
  });

  it("puts a wrapOpenAI call in the request's trace", async () => {
    const res = await fetch(`${base}/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user": `${name}-chatter` },
      body: JSON.stringify({ message: "hello there" }),
    });
    expect(await res.json()).toEqual({ reply: "Echo: hello there" });
    const llm = collector.events.find((e) => e.kind === "llm" && e.userId === `${name}-chatter`)!;
    const root = collector.events.find((e) => e.spanId === llm.parentSpanId)!;
    expect(root).toMatchObject({
      name: "POST /chat",
      traceId: llm.traceId,
      attributes: { "http.route": "/chat", "http.response.status_code": 200 },
    });
    expect(llm.attributes).toMatchObject({
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.output_tokens": 3,
    });
  });

  it("flushes a streamed SSE answer after its last event, with the LLM span in the trace", async () => {
    const res = await fetch(`${base}/chat/stream`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user": `${name}-streamer` },
      body: JSON.stringify({ message: "one two three" }),
    });
    const data = (await res.text())
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => l.slice(6))
      .join("");
    expect(data).toBe("Echo: one two three");
    // the body's close waited for the flush: the root and its LLM span are stored
    const llm = collector.events.find((e) => e.kind === "llm" && e.userId === `${name}-streamer`)!;
    const root = collector.events.find((e) => e.spanId === llm.parentSpanId)!;
    expect(root).toMatchObject({ name: "POST /chat/stream", status: "ok" });
    expect(llm.attributes["lumiqtrace.ttft_ms"]).toBeGreaterThan(0);
    expect(root.endTime).toBeGreaterThanOrEqual(llm.endTime);
  });
});
