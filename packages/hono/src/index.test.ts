import { type Collector, startCollector } from "@lumiqtrace/collector";
import { lumiqtrace, withLumiqtraceContext } from "@lumiqtrace/sdk";
import { runInvocation } from "@lumiqtrace/sdk/serverless";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { stream } from "hono/streaming";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withHono } from "./index.js";

let collector: Collector;

beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  lumiqtrace.init({ apiKey: collector.apiKey, baseUrl: collector.url, flushIntervalMs: 60_000 });
});
afterAll(async () => {
  await collector.close();
});
beforeEach(() => {
  collector.setFaults(null);
});

const invocations = (path: string) =>
  collector.events.filter((e) => e.kind === "invocation" && e.attributes["url.path"] === path);

/** A Workers-like ExecutionContext whose waitUntil keeps what it is given (test double: no Workers runtime here). */
function fakeExecutionContext() {
  const kept: Promise<unknown>[] = [];
  return {
    kept,
    ctx: { waitUntil: (p: Promise<unknown>) => void kept.push(p), passThroughOnException() {} },
  };
}

// A traced response's span ends when its body has been read (as a platform does), so every test reads it.
describe("withHono", () => {
  it("records one root span per request: method, route pattern, status, and downstream spans in its trace", async () => {
    const app = new Hono();
    app.use(withHono());
    app.get("/posts/:id", (c) =>
      lumiqtrace.span("load post", () =>
        withLumiqtraceContext({ userId: "u1" }, () => c.json({ id: c.req.param("id") })),
      ),
    );
    const res = await app.request("/posts/42");
    expect(await res.json()).toEqual({ id: "42" });
    // No waitUntil on this request: the flush was awaited before the response left the middleware.
    const [root] = invocations("/posts/42");
    expect(root).toMatchObject({
      name: "GET /posts/:id",
      parentSpanId: null,
      status: "ok",
      attributes: {
        "http.request.method": "GET",
        "http.route": "/posts/:id",
        "http.response.status_code": 200,
        "lumiqtrace.platform": "hono",
      },
    });
    const child = collector.events.find((e) => e.name === "load post");
    expect(child).toMatchObject({ traceId: root!.traceId, parentSpanId: root!.spanId });
  });

  it("continues an incoming traceparent", async () => {
    const app = new Hono().use(withHono()).get("/tp", (c) => c.text("ok"));
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await (
      await app.request("/tp", { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })
    ).text();
    expect(invocations("/tp")[0]).toMatchObject({ traceId, parentSpanId: "00f067aa0ba902b7" });
  });

  it("records an error app.onError handled, and keeps onError's response", async () => {
    const app = new Hono();
    app.use(withHono());
    app.get("/boom", () => {
      throw new TypeError("kaput");
    });
    app.onError((err, c) => c.text(`handled: ${err.message}`, 502));
    const res = await app.request("/boom");
    expect(res.status).toBe(502);
    expect(await res.text()).toBe("handled: kaput");
    expect(invocations("/boom")[0]).toMatchObject({
      status: "error",
      error: { type: "TypeError", message: "kaput" },
      attributes: { "http.response.status_code": 502, "http.route": "/boom" },
    });
  });

  it("rethrows an error nothing handled (the same object), after recording and flushing it", async () => {
    const app = new Hono();
    const thrown = new RangeError("unhandled");
    app.use(withHono());
    app.get("/rethrow", () => {
      throw thrown;
    });
    app.onError((err) => {
      throw err;
    });
    await expect(app.request("/rethrow")).rejects.toBe(thrown);
    expect(invocations("/rethrow")[0]).toMatchObject({ status: "error", error: { message: "unhandled" } });
  });

  it("records an HTTPException (it reaches c.error) with its status", async () => {
    const app = new Hono().use(withHono());
    app.get("/denied", () => {
      throw new HTTPException(401, { message: "no" });
    });
    const res = await app.request("/denied");
    expect(res.status).toBe(401);
    await res.text();
    expect(invocations("/denied")[0]).toMatchObject({
      status: "error",
      error: { status: 401, message: "no" },
      attributes: { "http.response.status_code": 401 },
    });
  });

  it("names a request no route answered by its method, without a route", async () => {
    const app = new Hono().use(withHono());
    const res = await app.request("/nowhere");
    expect(res.status).toBe(404);
    await res.text();
    const [root] = invocations("/nowhere");
    expect(root?.name).toBe("GET");
    expect(root?.attributes["http.route"]).toBeUndefined();
  });

  it("flushes a streamed body only after its last byte, with the bytes unchanged", async () => {
    const app = new Hono().use(withHono());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    app.get("/stream", (c) =>
      stream(c, async (s) => {
        await s.write("one,");
        await gate;
        await s.write("two");
      }),
    );
    const res = await app.request("/stream");
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("one,");
    // The response has left the middleware, but the stream is still open: its span has not ended.
    expect(invocations("/stream")).toHaveLength(0);
    release();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    expect(rest).toBe("two");
    // Without waitUntil the body's close waited for the flush: the event is already stored.
    expect(invocations("/stream")).toHaveLength(1);
  });

  it("records a stream the client cancelled as cancelled, and flushes it", async () => {
    const app = new Hono().use(withHono());
    let aborted = false;
    app.get("/cancel", (c) =>
      stream(c, async (s) => {
        const abort = new Promise<void>((resolve) =>
          s.onAbort(() => {
            aborted = true;
            resolve();
          }),
        );
        await s.write("first");
        await abort; // the stream stays open until the client goes away
      }),
    );
    const res = await app.request("/cancel");
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(aborted).toBe(true);
    expect(invocations("/cancel")[0]).toMatchObject({ status: "cancelled" });
  });

  it("hands the flush to executionCtx.waitUntil: the response does not wait for a slow collector", async () => {
    const app = new Hono().use(withHono()).get("/bg", (c) => c.text("fast"));
    const { kept, ctx } = fakeExecutionContext();
    collector.setFaults({ delayMs: 1500 });
    const before = collector.requests.length;
    const res = await app.request("/bg", {}, {}, ctx as never);
    expect(await res.text()).toBe("fast");
    // The response is here while the collector has not answered the flush yet.
    expect(collector.requests.length).toBe(before);
    expect(invocations("/bg")).toHaveLength(0);
    expect(kept.length).toBeGreaterThan(0);
    await Promise.all(kept);
    expect(invocations("/bg")).toHaveLength(1);
  });

  it("waits for the user's own executionCtx.waitUntil work before the last flush, so its spans arrive", async () => {
    const app = new Hono().use(withHono());
    app.get("/user-work", (c) => {
      c.executionCtx.waitUntil(
        new Promise((r) => setTimeout(r, 300)).then(() => lumiqtrace.span("after response", () => "done")),
      );
      return c.text("ok");
    });
    const { kept, ctx } = fakeExecutionContext();
    const res = await app.request("/user-work", {}, {}, ctx as never);
    await res.text();
    await Promise.all(kept);
    const [root] = invocations("/user-work");
    const late = collector.events.find((e) => e.name === "after response");
    expect(late).toMatchObject({ traceId: root!.traceId });
    // The context's waitUntil is put back once the request's work is done.
    expect(Object.hasOwn(ctx, "waitUntil")).toBe(true);
    expect(ctx.waitUntil.name).toBe("waitUntil");
  });

  it("uses Netlify's context.waitUntil (hono/netlify passes it as c.env.context)", async () => {
    const app = new Hono().use(withHono()).get("/netlify", (c) => c.text("ok"));
    const { kept, ctx } = fakeExecutionContext();
    await (await app.request("/netlify", {}, { context: { waitUntil: ctx.waitUntil } })).text();
    expect(kept).toHaveLength(1);
    await Promise.all(kept);
    expect(invocations("/netlify")).toHaveLength(1);
  });

  it("uses Vercel's request-context waitUntil", async () => {
    const app = new Hono().use(withHono()).get("/vercel", (c) => c.text("ok"));
    const { kept, ctx } = fakeExecutionContext();
    const key = Symbol.for("@vercel/request-context");
    const g = globalThis as Record<symbol, unknown>;
    g[key] = { get: () => ({ waitUntil: ctx.waitUntil }) };
    try {
      await (await app.request("/vercel")).text();
    } finally {
      delete g[key];
    }
    expect(kept).toHaveLength(1);
    await Promise.all(kept);
    expect(invocations("/vercel")).toHaveLength(1);
  });

  it("traces once when registered twice, and not at all where the filter says no", async () => {
    const app = new Hono();
    app.use(withHono({ filter: (c) => c.req.path !== "/health" }));
    app.use(withHono({ spanName: (_c, route) => `second ${route}` }));
    app.get("/twice", (c) => c.text("ok"));
    app.get("/health", (c) => c.text("ok"));
    await (await app.request("/twice")).text();
    await (await app.request("/health")).text();
    const twice = invocations("/twice");
    expect(twice).toHaveLength(1);
    expect(twice[0]!.name).toBe("GET /twice");
    await lumiqtrace.flush();
    // /health ran through the second middleware only: traced by it, with its name.
    expect(invocations("/health").map((e) => e.name)).toEqual(["second /health"]);
  });

  it("joins an outer adapter's invocation (withLambda(handle(app))) instead of tracing twice", async () => {
    const app = new Hono().use(withHono()).get("/nested", (c) => c.text("ok"));
    const body = await runInvocation({ name: "outer", platform: "lambda" }, async () => {
      const res = await app.request("/nested");
      return res.text();
    });
    expect(body).toBe("ok");
    // One root span: the outer one, with the request's facts.
    expect(invocations("/nested")).toEqual([
      expect.objectContaining({
        name: "GET /nested",
        attributes: expect.objectContaining({ "lumiqtrace.platform": "lambda", "http.route": "/nested" }),
      }),
    ]);
  });

  it("falls back to the default name when spanName throws, and the request still succeeds", async () => {
    const spanName = () => {
      throw new Error("naming bug");
    };
    const app = new Hono().use(withHono({ spanName })).get("/named", (c) => c.text("ok"));
    const res = await app.request("/named");
    expect(await res.text()).toBe("ok");
    expect(invocations("/named")[0]).toMatchObject({ name: "GET /named", status: "ok" });
  });

  it("initialises from Workers bindings when no client has an API key", async () => {
    const key = Symbol.for("@lumiqtrace/sdk.client");
    const g = globalThis as Record<symbol, unknown>;
    const before = g[key];
    delete g[key];
    try {
      const app = new Hono<{ Bindings: Record<string, string> }>()
        .use(withHono())
        .get("/env", (c) => c.text("ok"));
      const env = { LUMIQTRACE_API_KEY: collector.apiKey, LUMIQTRACE_BASE_URL: collector.url };
      await (await app.request("/env", {}, env)).text();
      expect(invocations("/env")).toHaveLength(1);
    } finally {
      g[key] = before;
    }
  });
});
