import { Readable } from "node:stream";
import type { Context, HandlerContext, HandlerEvent } from "@netlify/functions";
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { lumiqtrace } from "@lumiqtrace/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { withNetlify } from "./index.js";

// The real runtime (netlify functions:serve) is exercised in e2e/; here the platform's arguments are
// test doubles (fakeModernContext, fakeClassicContext, classicEvent), the collector is real.
let collector: Collector;
beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  lumiqtrace.init({ apiKey: collector.apiKey, baseUrl: collector.url, flushIntervalMs: 60_000 });
});
afterAll(() => collector.close());
beforeEach(async () => {
  collector.setFaults(null);
  await lumiqtrace.flush(); // what an earlier test left queued (a hung flush) is not this test's
  collector.events.length = 0;
});

const GEO = {
  city: "Lisbon",
  country: { code: "PT", name: "Portugal" },
  subdivision: { code: "11", name: "Lisboa" },
};

/** Test double of a modern function's Context: only what the adapter reads. */
function fakeModernContext(extra: Partial<Context> = {}): Context {
  return {
    requestId: "01CTXREQUEST",
    geo: GEO,
    site: { id: "site-1", name: "my-site", url: "https://my-site.netlify.app" },
    server: { region: "us-east-2" },
    deploy: { id: "deploy-1", context: "production", published: true },
    ...extra,
  } as Context;
}

function fakeWaitUntil() {
  const promises: Promise<unknown>[] = [];
  return { waitUntil: (p: Promise<unknown>) => void promises.push(p), promises };
}

/** Test double of a classic function's (Lambda) context. */
function fakeClassicContext(remainingMs = 10_000): HandlerContext {
  return {
    functionName: "classic",
    awsRequestId: "aws-req-1",
    getRemainingTimeInMillis: () => remainingMs,
  } as HandlerContext;
}

function classicEvent(headers: Record<string, string> = {}): HandlerEvent {
  return {
    rawUrl: "http://localhost/.netlify/functions/classic",
    rawQuery: "",
    path: "/.netlify/functions/classic",
    httpMethod: "POST",
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    body: "{}",
    isBase64Encoded: false,
  };
}

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async start(controller) {
      for (const c of chunks) {
        await new Promise((r) => setTimeout(r, 5));
        controller.enqueue(encoder.encode(c));
      }
      controller.close();
    },
  });
}

const rootOf = () => collector.events.find((e) => e.kind === "invocation")!;

describe("modern functions", () => {
  it("hands the flush to context.waitUntil and answers before the events are delivered", async () => {
    collector.setFaults({ delayMs: 300, count: 1 });
    const platform = fakeWaitUntil();
    const handler = withNetlify(async (_req: Request, _ctx: Context) => {
      await lumiqtrace.span("work", async () => 1);
      return new Response(null, { status: 204 });
    });
    const res = await handler(
      new Request("https://site.example/api/chat?x=1", {
        method: "POST",
        headers: {
          "x-nf-request-id": "01HEADERREQ",
          traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        },
      }),
      fakeModernContext({ waitUntil: platform.waitUntil }),
    );
    expect(res.status).toBe(204);
    expect(platform.promises).toHaveLength(1);
    expect(collector.events).toHaveLength(0);

    await Promise.all(platform.promises);
    expect(collector.events).toHaveLength(2);
    expect(rootOf()).toMatchObject({
      name: "POST /api/chat",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      parentSpanId: "00f067aa0ba902b7",
      attributes: {
        "lumiqtrace.platform": "netlify",
        "http.request.method": "POST",
        "url.path": "/api/chat",
        "http.response.status_code": 204,
        "faas.invocation_id": "01HEADERREQ",
        "cloud.region": "us-east-2",
        "geo.country.iso_code": "PT",
        "geo.locality.name": "Lisbon",
        "netlify.site.name": "my-site",
        "netlify.deploy.context": "production",
      },
    });
  });

  it("waits for the user's own context.waitUntil work, so spans recorded there arrive", async () => {
    const platform = fakeWaitUntil();
    const context = fakeModernContext({ waitUntil: platform.waitUntil });
    const handler = withNetlify(async (_req: Request, ctx: Context) => {
      ctx.waitUntil(lumiqtrace.span("after the response", () => new Promise((r) => setTimeout(r, 50))));
      return new Response("ok");
    });
    const res = await handler(new Request("http://localhost/api/later"), context);
    expect(await res.text()).toBe("ok");
    expect(platform.promises).toHaveLength(2); // the user's work, and our flush
    await Promise.all(platform.promises);
    const root = collector.events.find((e) => e.name === "GET /api/later")!;
    expect(collector.events.find((e) => e.name === "after the response")).toMatchObject({
      traceId: root.traceId,
      parentSpanId: root.spanId,
    });
  });

  it("names the root span with spanName, a string or a function of the request", async () => {
    const named = withNetlify(async (_req: Request, _ctx: Context) => new Response("a"), {
      spanName: "my function",
    });
    const computed = withNetlify(async (_req: Request, _ctx: Context) => new Response("b"), {
      spanName: (req) => `handled ${new URL((req as Request).url).pathname}`,
    });
    await (await named(new Request("http://localhost/x"), fakeModernContext())).text();
    await (await computed(new Request("http://localhost/y"), fakeModernContext())).text();
    await lumiqtrace.flush();
    expect(collector.events.map((e) => e.name).sort()).toEqual(["handled /y", "my function"]);
  });

  it("awaits the flush when the context has no waitUntil, deciding per request", async () => {
    const handler = withNetlify(async (_req: Request, _ctx: Context) => new Response("ok"));
    const platform = fakeWaitUntil();

    const withIt = await handler(new Request("https://site.example/a"), fakeModernContext(platform));
    expect(await withIt.text()).toBe("ok");
    expect(platform.promises).toHaveLength(1);
    await Promise.all(platform.promises);

    collector.events.length = 0;
    const without = await handler(new Request("https://site.example/b"), fakeModernContext());
    expect(await without.text()).toBe("ok");
    // awaited: delivered by the time the body is read, nothing handed anywhere
    expect(collector.events.map((e) => e.name)).toEqual(["GET /b"]);
    expect(platform.promises).toHaveLength(1);
    // the context's requestId stands in when the x-nf-request-id header is missing
    expect(rootOf().attributes["faas.invocation_id"]).toBe("01CTXREQUEST");
  });

  it("keeps a streamed body's bytes, status and headers, and flushes after its end", async () => {
    const platform = fakeWaitUntil();
    const handler = withNetlify(
      async (_req: Request, _ctx: Context) =>
        new Response(streamOf(["da", "ta: ", "1\n\n"]), { status: 201, headers: { "x-a": "b" } }),
    );
    const res = await handler(new Request("https://site.example/s"), fakeModernContext(platform));
    expect(res.status).toBe(201);
    expect(res.headers.get("x-a")).toBe("b");
    let settled = false;
    void platform.promises[0]!.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(settled).toBe(false);
    expect(await res.text()).toBe("data: 1\n\n");
    await platform.promises[0];
    expect(rootOf()).toMatchObject({ status: "ok", attributes: { "http.response.status_code": 201 } });
  });

  it("keeps concurrent requests in their own traces", async () => {
    const platform = fakeWaitUntil();
    const handler = withNetlify(async (req: Request, _ctx: Context) => {
      const n = new URL(req.url).searchParams.get("n");
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      await lumiqtrace.span(`work ${n}`, () => new Promise((r) => setTimeout(r, Math.random() * 20)));
      return new Response(n);
    });
    const answers = await Promise.all(
      Array.from({ length: 30 }, async (_, n) => {
        const res = await handler(new Request(`https://site.example/c?n=${n}`), fakeModernContext(platform));
        return res.text();
      }),
    );
    expect(answers).toEqual(Array.from({ length: 30 }, (_, n) => String(n)));
    await Promise.all(platform.promises);
    const roots = collector.events.filter((e) => e.kind === "invocation");
    const children = collector.events.filter((e) => e.kind === "custom");
    expect(roots).toHaveLength(30);
    expect(new Set(roots.map((r) => r.traceId)).size).toBe(30);
    for (const child of children) {
      const root = roots.find((r) => r.spanId === child.parentSpanId)!;
      expect(root.traceId).toBe(child.traceId);
    }
    expect(children).toHaveLength(30);
  });

  it("rethrows the handler's very error after recording it", async () => {
    const boom = new TypeError("bad input");
    const handler = withNetlify(async (_req: Request, _ctx: Context): Promise<Response> => {
      throw boom;
    });
    await expect(handler(new Request("https://site.example/x"), fakeModernContext())).rejects.toBe(boom);
    expect(rootOf()).toMatchObject({ status: "error", error: { type: "TypeError", message: "bad input" } });
  });
});

describe("classic functions", () => {
  it("awaits the flush and records the event's method, path, status, request id and geo", async () => {
    const handler = withNetlify(async (event, _context) => ({ statusCode: 502, body: event.httpMethod }));
    const geo = Buffer.from(JSON.stringify(GEO)).toString("base64");
    const result = await handler(
      classicEvent({ "x-nf-request-id": "01CLASSIC", "x-nf-geo": geo }),
      fakeClassicContext(),
    );
    expect(result).toEqual({ statusCode: 502, body: "POST" });
    expect(rootOf()).toMatchObject({
      name: "POST /.netlify/functions/classic",
      status: "error",
      attributes: {
        "http.request.method": "POST",
        "url.path": "/.netlify/functions/classic",
        "http.response.status_code": 502,
        "faas.invocation_id": "01CLASSIC",
        "faas.name": "classic",
        "geo.country.iso_code": "PT",
      },
    });
  });

  it("names the trace after the function for an event without an HTTP method (scheduled, event-triggered)", async () => {
    const handler = withNetlify(async (_event, _context) => ({ statusCode: 200 }));
    await handler({ body: '{"next_run":"2026-01-01T00:00:00Z"}' } as HandlerEvent, fakeClassicContext());
    expect(rootOf()).toMatchObject({ name: "classic", attributes: { "faas.trigger": "other" } });
  });

  it("bounds the flush by the time the invocation has left", async () => {
    collector.setFaults({ hang: true });
    const handler = withNetlify(async (_event, _context) => ({ statusCode: 200 }), {
      flushTimeoutMs: 10_000,
    });
    const started = Date.now();
    await handler(classicEvent(), fakeClassicContext(400));
    // 400 ms left: the flush gives up after ~300 ms instead of 10 s
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("rethrows the very error and keeps `this` and every argument", async () => {
    const boom = new Error("classic boom");
    const seen: unknown[] = [];
    const handler = withNetlify(function (this: unknown, ...args: unknown[]) {
      seen.push(this, ...args);
      return Promise.reject(boom);
    });
    const self = { name: "self" };
    const event = classicEvent();
    const context = fakeClassicContext();
    const callback = () => {};
    await expect(handler.call(self, event, context, callback)).rejects.toBe(boom);
    expect(seen).toEqual([self, event, context, callback]);
    expect(rootOf()).toMatchObject({ status: "error", error: { message: "classic boom" } });
  });

  it("takes a callback handler's result from its callback, after the flush", async () => {
    const handler = withNetlify((event: HandlerEvent, _context: HandlerContext, callback: Function) => {
      setTimeout(() => callback(null, { statusCode: 200, body: event.path }), 5);
    });
    const result = await (handler as Function)(classicEvent(), fakeClassicContext(), () => {
      throw new Error("the runtime's callback is not called: the wrapper's promise carries the result");
    });
    expect(result).toEqual({ statusCode: 200, body: "/.netlify/functions/classic" });
    expect(rootOf().attributes["http.response.status_code"]).toBe(200);

    const boom = new Error("callback boom");
    const failing = withNetlify((_e: HandlerEvent, _c: HandlerContext, callback: Function) => callback(boom));
    await expect((failing as Function)(classicEvent(), fakeClassicContext(), () => {})).rejects.toBe(boom);
  });

  it("traces a streamed body (stream()) until it ends, bytes unchanged", async () => {
    // what stream() hands on: a body to pipe (a Node Readable here), read after the handler returned
    const handler = withNetlify(async (_event: HandlerEvent, _context: HandlerContext) => {
      const body = Readable.from(
        (async function* () {
          yield Buffer.from("part 1\n");
          yield Buffer.from("part 2\n");
        })(),
      );
      return { statusCode: 200, headers: { "content-type": "text/plain" }, body };
    });
    const result = (await handler(classicEvent(), fakeClassicContext())) as unknown as {
      statusCode: number;
      headers: Record<string, string>;
      body: Readable;
    };
    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ "content-type": "text/plain" });
    expect(result.body).toBeInstanceOf(Readable);
    expect(collector.events).toHaveLength(0);
    let text = "";
    for await (const chunk of result.body) text += Buffer.from(chunk).toString();
    expect(text).toBe("part 1\npart 2\n");
    await collector.waitForEvents((events) => events.length === 1);
    expect(rootOf()).toMatchObject({ status: "ok", attributes: { "http.response.status_code": 200 } });
  });

  it("keeps Lambda's streaming marker and passes the response stream through", async () => {
    const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
    const seen: unknown[] = [];
    const streaming = Object.assign(
      async (event: unknown, responseStream: unknown, context: unknown) =>
        void seen.push(event, responseStream, context),
      { [STREAMING]: "response" },
    );
    const handler = withNetlify(streaming);
    expect((handler as unknown as Record<symbol, unknown>)[STREAMING]).toBe("response");
    const event = classicEvent();
    const responseStream = { write() {} };
    await (handler as Function)(event, responseStream, fakeClassicContext());
    expect(seen).toEqual([event, responseStream, expect.objectContaining({ functionName: "classic" })]);
    expect(rootOf().attributes["faas.name"]).toBe("classic");
  });
});

describe("wrapping", () => {
  it("has the type of the handler it wraps (checked by tsc)", () => {
    const modern = withNetlify(
      async (req: Request, context: Context) => new Response(req.url + context.requestId),
    );
    expectTypeOf(modern).toEqualTypeOf<(req: Request, context: Context) => Promise<Response>>();
    // an unannotated (event, context) handler is typed from @netlify/functions' Handler
    const classic = withNetlify(async (event, context) => ({
      statusCode: 200,
      body: event.path + context.functionName,
    }));
    expectTypeOf(classic).parameter(0).toEqualTypeOf<HandlerEvent>();
    expectTypeOf(classic).parameter(1).toEqualTypeOf<HandlerContext>();
  });

  it("keeps the handler's name, length and own properties", () => {
    async function chat(_req: Request, _ctx: Context) {
      return new Response("x");
    }
    const wrapped = withNetlify(Object.assign(chat, { version: "2" }));
    expect(wrapped.name).toBe("chat");
    expect(wrapped.length).toBe(2);
    expect(wrapped.version).toBe("2");
  });

  it("returns an already wrapped handler as it is, so it traces and flushes once", async () => {
    const once = withNetlify(async (_req: Request, _ctx: Context) => new Response("x"));
    const twice = withNetlify(once);
    expect(twice).toBe(once);
    const requestsBefore = collector.requests.length;
    await (await twice(new Request("https://site.example/w"), fakeModernContext())).text();
    expect(collector.events.filter((e) => e.kind === "invocation")).toHaveLength(1);
    expect(collector.requests.length - requestsBefore).toBe(1);
  });
});
