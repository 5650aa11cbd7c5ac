import type { AddressInfo } from "node:net";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { type EchoModel, startEchoModel } from "@lumiqtrace/echo-model";
import { serve, type ServerType } from "@hono/node-server";
import { lumiqtrace, withLumiqtraceContext } from "@lumiqtrace/sdk";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withHono } from "../src/index.js";

let collector: Collector;
let model: EchoModel;
let server: ServerType;
let base: string;

beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  model = await startEchoModel({ port: 0, chunkDelayMs: 1 });
  lumiqtrace.init({ apiKey: collector.apiKey, baseUrl: collector.url });
  const openai = lumiqtrace.wrapOpenAI(new OpenAI({ baseURL: model.url, apiKey: "echo-local" }));

  const app = new Hono();
  app.use(withHono());
  // Each request's user, set by the app's own middleware below withHono.
  app.use((c, next) => withLumiqtraceContext({ userId: c.req.header("x-user") }, next));
  app.get("/users/:id", async (c) => {
    await lumiqtrace.span("load", () => new Promise((r) => setTimeout(r, Math.random() * 10)));
    await new Promise((r) => setImmediate(r));
    return c.json({ id: c.req.param("id"), seen: lumiqtrace.getTraceContext()?.userId });
  });
  app.post("/chat", async (c) => {
    const { message } = await c.req.json<{ message: string }>();
    const r = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: message }],
    });
    return c.json({ reply: r.choices[0]!.message.content });
  });
  app.post("/chat/stream", (c) =>
    streamSSE(c, async (s) => {
      const { message } = await c.req.json<{ message: string }>();
      const chunks = await openai.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: message }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of chunks) {
        const text = chunk.choices[0]?.delta.content;
        if (text) await s.writeSSE({ data: text });
      }
    }),
  );

  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await model?.close();
  await collector?.close();
});

describe("withHono on Node (@hono/node-server)", () => {
  it("keeps 1,000 concurrent requests apart: zero events carry another request's context", async () => {
    const n = 1000;
    const users = Array.from({ length: n }, (_, i) => `user-${i}`);
    const bodies = await Promise.all(
      users.map(async (u, i) => (await fetch(`${base}/users/${i}`, { headers: { "x-user": u } })).json()),
    );
    expect(bodies).toEqual(users.map((u, i) => ({ id: String(i), seen: u })));

    // No waitUntil on Node: each response left only after its flush, so every event is already stored.
    const roots = collector.events.filter((e) => e.kind === "invocation" && e.name === "GET /users/:id");
    expect(roots).toHaveLength(n);
    expect(new Set(roots.map((e) => e.traceId)).size).toBe(n);
    const userOfTrace = new Map(
      roots.map((e) => [e.traceId, `user-${String(e.attributes["url.path"]).split("/")[2]}`]),
    );
    const loads = collector.events.filter((e) => e.name === "load");
    expect(loads).toHaveLength(n);
    const mixed = loads.filter((e) => e.userId !== userOfTrace.get(e.traceId));
    expect(mixed).toEqual([]);
    const rootIds = new Set(roots.map((e) => e.spanId));
    expect(loads.every((e) => rootIds.has(e.parentSpanId!))).toBe(true);
  });

  it("puts a wrapOpenAI call in the request's trace", async () => {
    const res = await fetch(`${base}/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user": "chatter" },
      body: JSON.stringify({ message: "hello there" }),
    });
    expect(await res.json()).toEqual({ reply: "Echo: hello there" });
    const root = collector.events.find((e) => e.name === "POST /chat")!;
    const llm = collector.events.find((e) => e.kind === "llm" && e.traceId === root.traceId);
    expect(llm).toMatchObject({ userId: "chatter", attributes: { "gen_ai.request.model": "gpt-4o-mini" } });
  });

  it("flushes a streamed SSE answer after its last event, with the LLM span in the trace", async () => {
    const res = await fetch(`${base}/chat/stream`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user": "streamer" },
      body: JSON.stringify({ message: "one two three" }),
    });
    const text = await res.text();
    const data = text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => l.slice(6))
      .join("");
    expect(data).toBe("Echo: one two three");
    // The body's close waited for the flush: the root and its LLM span are stored.
    const root = collector.events.find((e) => e.name === "POST /chat/stream")!;
    expect(root).toMatchObject({ status: "ok", attributes: { "http.response.status_code": 200 } });
    const llm = collector.events.find((e) => e.kind === "llm" && e.traceId === root.traceId);
    expect(llm).toMatchObject({ userId: "streamer" });
    expect(root.endTime).toBeGreaterThanOrEqual(llm!.endTime);
  });
});
