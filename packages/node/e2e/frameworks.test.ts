// Real Express and Fastify servers on loopback, traced by our middleware and plugin, against the local
// collector in this process.
import type { AddressInfo } from "node:net";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { lumiqtrace, type SpanEvent, withLumiqtraceContext } from "@lumiqtrace/sdk";
import express from "express";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withExpress, withFastify } from "../src/index.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let collector: Collector;

beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  lumiqtrace.init({ apiKey: collector.apiKey, baseUrl: collector.url });
});
afterAll(async () => {
  await collector?.close();
});
beforeEach(() => collector.setFaults(null));

/** What each route answers: its id, and the user the trace context has after an await (and a parsed body). */
const seen = () => lumiqtrace.getTraceContext()?.userId;

async function expressApp(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(withExpress());
  // The user is set before the body parser: the parsed body's callback must still run in this context.
  app.use((req, _res, next) => withLumiqtraceContext({ userId: req.header("x-user") }, () => next()));
  app.use(express.json());
  const api = express.Router();
  api.get("/users/:id", async (req, res) => {
    await lumiqtrace.span("load", () => sleep(Math.random() * 10));
    await new Promise((r) => setImmediate(r));
    res.json({ id: req.params.id, seen: seen() });
  });
  api.post("/echo", (req, res) => {
    lumiqtrace.span("echo", () => 1);
    res.json({ body: req.body, seen: seen() });
  });
  api.get("/boom", () => {
    throw new Error("kaput");
  });
  app.use("/api", api);
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function fastifyApp(): Promise<{ url: string; close(): Promise<void> }> {
  const app: FastifyInstance = Fastify();
  // Registered at the root and not encapsulated (fastify-plugin semantics): without that, the hook would
  // stay inside the plugin's own scope and none of the routes below would be traced.
  await app.register(withFastify);
  app.addHook("onRequest", (req, _reply, done) =>
    withLumiqtraceContext({ userId: req.headers["x-user"] as string }, () => done()),
  );
  await app.register(
    async (api) => {
      api.get<{ Params: { id: string } }>("/users/:id", async (req) => {
        await lumiqtrace.span("load", () => sleep(Math.random() * 10));
        await new Promise((r) => setImmediate(r));
        return { id: req.params.id, seen: seen() };
      });
      api.post("/echo", async (req) => {
        lumiqtrace.span("echo", () => 1);
        return { body: req.body, seen: seen() };
      });
      api.get("/boom", async () => {
        throw new Error("kaput");
      });
    },
    { prefix: "/api" },
  );
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url: address, close: () => app.close() };
}

describe.each([
  { framework: "express", start: expressApp },
  { framework: "fastify", start: fastifyApp },
])("$framework", ({ framework, start }) => {
  let app: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app?.close());

  // Both servers report to one collector: each test looks only at the root spans that arrived since it began.
  let seenBefore = new Set<string>();
  beforeEach(() => {
    seenBefore = new Set(collector.events.map((e) => e.id));
  });
  const mine = (e: SpanEvent) =>
    e.kind === "invocation" && e.attributes["lumiqtrace.platform"] === "node" && !seenBefore.has(e.id);

  it("keeps 500 concurrent requests apart (GET and POST with a parsed body), and every event arrives", async () => {
    const n = 500;
    const users = Array.from({ length: n }, (_, i) => `${framework}-user-${i}`);
    const bodies = await Promise.all(
      users.map(async (u, i) => {
        const res =
          i % 2 === 0
            ? await fetch(`${app.url}/api/users/${i}`, { headers: { "x-user": u } })
            : await fetch(`${app.url}/api/echo`, {
                method: "POST",
                headers: { "x-user": u, "content-type": "application/json" },
                body: JSON.stringify({ i }),
              });
        return res.json();
      }),
    );
    expect(bodies).toEqual(
      users.map((u, i) => (i % 2 === 0 ? { id: String(i), seen: u } : { body: { i }, seen: u })),
    );

    const ofThisRun = (e: SpanEvent) =>
      typeof e.userId === "string" && e.userId.startsWith(`${framework}-user-`);
    const events = await collector.waitForEvents(
      (es) => es.filter((e) => (e.name === "load" || e.name === "echo") && ofThisRun(e)).length === n,
      { timeoutMs: 20_000 },
    );
    const children = events.filter((e) => (e.name === "load" || e.name === "echo") && ofThisRun(e));
    const roots = new Map(events.filter(mine).map((e) => [e.spanId, e]));
    // every child has its own request's root as parent, in its trace, and that request's user
    for (const child of children) {
      const root = roots.get(child.parentSpanId!);
      expect(root, `root of ${child.name} ${child.userId}`).toBeDefined();
      expect(root!.traceId).toBe(child.traceId);
      const i = Number(child.userId!.split("-").at(-1));
      expect(root!.attributes["url.path"]).toBe(i % 2 === 0 ? `/api/users/${i}` : "/api/echo");
    }
    expect(new Set(children.map((e) => e.traceId)).size).toBe(n);
  });

  it("keeps the request's context through a body that arrives in pieces, after the parser began to read", async () => {
    const json = JSON.stringify({ text: "x".repeat(64 * 1024) });
    const pieces = [json.slice(0, 10), json.slice(10, 40_000), json.slice(40_000)];
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const piece = pieces.shift();
        if (piece === undefined) return controller.close();
        await sleep(30); // each piece in its own packet, read by the socket's 'data' callbacks
        controller.enqueue(new TextEncoder().encode(piece));
      },
    });
    const res = await fetch(`${app.url}/api/echo`, {
      method: "POST",
      headers: { "x-user": "slow-body", "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    const answer = (await res.json()) as { body: { text: string }; seen: string };
    expect([answer.body.text.length, answer.seen]).toEqual([64 * 1024, "slow-body"]);
    const events = await collector.waitForEvents((es) =>
      es.some((e) => e.name === "echo" && e.userId === "slow-body" && !seenBefore.has(e.id)),
    );
    const echo = events.find((e) => e.name === "echo" && e.userId === "slow-body" && !seenBefore.has(e.id))!;
    expect(events.find((e) => e.spanId === echo.parentSpanId)).toMatchObject({ name: "POST /api/echo" });
  });

  it("names the root span for the route pattern, with method, path, route and status", async () => {
    const res = await fetch(`${app.url}/api/users/42`, { headers: { "x-user": "named" } });
    expect(res.status).toBe(200);
    await res.text();
    const [root] = await collector
      .waitForEvents((es) => es.some((e) => mine(e) && e.attributes["url.path"] === "/api/users/42"))
      .then((es) => es.filter((e) => mine(e) && e.attributes["url.path"] === "/api/users/42"));
    expect(root).toMatchObject({
      name: "GET /api/users/:id",
      status: "ok",
      parentSpanId: null,
      attributes: {
        "http.request.method": "GET",
        "http.route": "/api/users/:id",
        "http.response.status_code": 200,
        "faas.trigger": "http",
      },
    });
  });

  it("records a 500 as failed and a 404 by its method alone", async () => {
    expect((await fetch(`${app.url}/api/boom`)).status).toBe(500);
    expect((await fetch(`${app.url}/nowhere`)).status).toBe(404);
    const events = await collector.waitForEvents(
      (es) =>
        es.some((e) => mine(e) && e.attributes["url.path"] === "/api/boom") &&
        es.some((e) => mine(e) && e.attributes["url.path"] === "/nowhere"),
    );
    const boom = events.find((e) => mine(e) && e.attributes["url.path"] === "/api/boom")!;
    const missing = events.find((e) => mine(e) && e.attributes["url.path"] === "/nowhere")!;
    expect(boom).toMatchObject({
      name: "GET /api/boom",
      status: "error",
      attributes: { "http.response.status_code": 500 },
    });
    expect(missing).toMatchObject({ name: "GET", attributes: { "http.response.status_code": 404 } });
  });

  it("continues an incoming traceparent", async () => {
    const traceId =
      framework === "express" ? "4bf92f3577b34da6a3ce929d0e0e4736" : "5bf92f3577b34da6a3ce929d0e0e4736";
    await (
      await fetch(`${app.url}/api/users/7`, {
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, "x-user": "tp" },
      })
    ).text();
    const events = await collector.waitForEvents((es) => es.some((e) => mine(e) && e.traceId === traceId));
    expect(events.find((e) => mine(e) && e.traceId === traceId)).toMatchObject({
      parentSpanId: "00f067aa0ba902b7",
    });
  });

  it("answers before a slow collector does: the flush runs after the response, in the background", async () => {
    collector.setFaults({ delayMs: 2000 });
    const before = collector.requests.length;
    const started = Date.now();
    const res = await fetch(`${app.url}/api/users/slow`, { headers: { "x-user": "slow" } });
    expect(await res.json()).toEqual({ id: "slow", seen: "slow" });
    const answeredIn = Date.now() - started;
    // nothing answered by the collector yet: its first answer comes 2 s after the flush began
    expect(collector.requests.length).toBe(before);
    expect(answeredIn).toBeLessThan(2000);
    await collector.waitForEvents((es) =>
      es.some((e) => mine(e) && e.attributes["url.path"] === "/api/users/slow"),
    );
  });
});
