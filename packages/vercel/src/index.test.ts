import { type Collector, startCollector } from "@lumiqtrace/collector";
import { lumiqtrace } from "@lumiqtrace/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { routeFromParams } from "./functions.js";
import { nextControlFlowStatus, withVercel, withVercelRoute } from "./index.js";

const VERCEL_CONTEXT = Symbol.for("@vercel/request-context");
const globals = globalThis as unknown as Record<symbol, unknown>;

let collector: Collector;
beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  lumiqtrace.init({ apiKey: collector.apiKey, baseUrl: collector.url, flushIntervalMs: 60_000 });
});
afterAll(async () => {
  await lumiqtrace.flush();
  await collector.close();
});
afterEach(async () => {
  delete globals[VERCEL_CONTEXT];
  collector.setFaults(null);
  await lumiqtrace.flush(); // nothing of this test is left to land in the next one
  collector.events.length = 0;
  collector.requests.length = 0;
});

const invocations = () => collector.events.filter((e) => e.kind === "invocation");

/**
 * Test double of Vercel's runtime: it installs the request context on globalThis exactly where Vercel
 * does (what `@vercel/functions` reads), and keeps every promise handed to its `waitUntil`.
 */
function installFakeVercelRequestContext() {
  const handed: Promise<unknown>[] = [];
  globals[VERCEL_CONTEXT] = { get: () => ({ waitUntil: (p: Promise<unknown>) => handed.push(p) }) };
  return handed;
}

function settled(p: Promise<unknown>): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
}

describe("on Vercel (request context installed by a test double)", () => {
  it("waits for work the route hands to @vercel/functions' waitUntil, so its spans arrive", async () => {
    const handed: Promise<unknown>[] = [];
    const requestContext = { waitUntil: (p: Promise<unknown>) => void handed.push(p) }; // one per request
    globals[VERCEL_CONTEXT] = { get: () => requestContext };
    // what `waitUntil` from @vercel/functions does: the request context's waitUntil, read at call time
    const vercelWaitUntil = (p: Promise<unknown>) =>
      (globals[VERCEL_CONTEXT] as { get: () => typeof requestContext }).get().waitUntil(p);
    const handler = withVercelRoute(async () => {
      vercelWaitUntil(lumiqtrace.span("after the response", () => new Promise((r) => setTimeout(r, 50))));
      return Response.json({ ok: true });
    });
    const res = await handler(new Request("http://localhost/api/later", { method: "POST" }));
    expect(await res.json()).toEqual({ ok: true });
    await Promise.all(handed);
    const root = invocations()[0]!;
    expect(collector.events.find((e) => e.name === "after the response")).toMatchObject({
      traceId: root.traceId,
      parentSpanId: root.spanId,
    });
  });

  it("names the root span with spanName", async () => {
    installFakeVercelRequestContext();
    const handler = withVercelRoute(async () => new Response("x"), {
      spanName: (req) => `route ${new URL(req.url).pathname}`,
    });
    await (await handler(new Request("http://localhost/api/named"))).text();
    await lumiqtrace.flush();
    expect(invocations().map((e) => e.name)).toEqual(["route /api/named"]);
  });

  it("hands the flush to waitUntil: the response is not delayed by a slow collector", async () => {
    const handed = installFakeVercelRequestContext();
    collector.setFaults({ delayMs: 1500 });
    const handler = withVercelRoute(async () => Response.json({ ok: true }), { flushTimeoutMs: 8000 });

    const res = await handler(new Request("http://localhost/api/chat", { method: "POST" }));
    expect(await res.json()).toEqual({ ok: true });
    // the response is complete while the collector still holds the flush request
    expect(handed).toHaveLength(1);
    expect(await settled(handed[0]!)).toBe(false);
    expect(collector.requests).toHaveLength(0);

    await handed[0];
    const [span] = invocations();
    expect(span).toMatchObject({ name: "POST /api/chat", status: "ok", parentSpanId: null });
    expect(span!.attributes).toMatchObject({
      "lumiqtrace.platform": "vercel",
      "http.response.status_code": 200,
    });
  });

  it("flushes a streamed body in waitUntil only after the body was read, bytes unchanged", async () => {
    const handed = installFakeVercelRequestContext();
    const chunks = ["one ", "two ", "three"];
    const handler = withVercelRoute(
      async () =>
        new Response(
          new ReadableStream({
            start(c) {
              for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
              c.close();
            },
          }),
          { status: 201, headers: { "x-kept": "yes" } },
        ),
    );
    const res = await handler(new Request("http://localhost/api/stream"));
    expect(res.status).toBe(201);
    expect(res.headers.get("x-kept")).toBe("yes");
    expect(handed).toHaveLength(1);
    expect(await settled(handed[0]!)).toBe(false); // body not read yet: nothing flushed
    expect(await res.text()).toBe(chunks.join(""));
    await handed[0];
    expect(invocations()).toHaveLength(1);
    expect(invocations()[0]!.attributes["http.response.status_code"]).toBe(201);
  });

  it("flushes a cancelled stream too, marking the span cancelled", async () => {
    const handed = installFakeVercelRequestContext();
    const handler = withVercelRoute(
      async () =>
        new Response(
          new ReadableStream({
            pull(c) {
              c.enqueue(new TextEncoder().encode("tick "));
            },
          }),
        ),
    );
    const res = await handler(new Request("http://localhost/api/endless"));
    const reader = res.body!.getReader();
    await reader.read();
    expect(await settled(handed[0]!)).toBe(false);
    await reader.cancel();
    await handed[0];
    expect(invocations()[0]).toMatchObject({ name: "GET /api/endless", status: "cancelled" });
  });

  it("does not trust a request context that has no request (get() returns undefined): awaits the flush", async () => {
    globals[VERCEL_CONTEXT] = { get: () => undefined };
    const handler = withVercel(async () => new Response(null, { status: 204 }));
    await handler(new Request("http://localhost/api/x"));
    expect(invocations()).toHaveLength(1); // already delivered when the handler returned
  });

  it("records the Vercel region and request id from x-vercel-id", async () => {
    installFakeVercelRequestContext();
    const handler = withVercelRoute(async () => new Response("ok"));
    const res = await handler(
      new Request("http://localhost/api/r", {
        headers: { "x-vercel-id": "cdg1::iad1::abc12-1764230400123-0f0f" },
      }),
    );
    await res.text();
    await lumiqtrace.flush();
    expect(invocations()[0]!.attributes).toMatchObject({
      "cloud.region": "iad1",
      "faas.invocation_id": "cdg1::iad1::abc12-1764230400123-0f0f",
    });
  });
});

describe("off Vercel, outside a Next request (plain Node)", () => {
  it("awaits the flush before returning (after() throws here, so it is not trusted)", async () => {
    const handler = withVercelRoute(async () => Response.json({ a: 1 }));
    const res = await handler(new Request("http://localhost/api/a"));
    // a Response with a body: the flush runs when the body ends, before it closes
    expect(await res.json()).toEqual({ a: 1 });
    expect(invocations()).toHaveLength(1);
  });

  it("continues an incoming traceparent", async () => {
    const handler = withVercelRoute(async () => {
      await lumiqtrace.span("child", async () => {});
      return new Response(null);
    });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await handler(
      new Request("http://localhost/api/t", {
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      }),
    );
    const root = invocations()[0]!;
    expect(root).toMatchObject({ traceId, parentSpanId: "00f067aa0ba902b7" });
    const child = collector.events.find((e) => e.name === "child")!;
    expect(child).toMatchObject({ traceId, parentSpanId: root.spanId });
  });

  it("keeps concurrent requests apart", async () => {
    const handler = withVercelRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
      const { id } = await params;
      await lumiqtrace.span("item", async (s) => {
        s.setAttribute("item.id", id);
        await new Promise((r) => setTimeout(r, Number(id) % 7));
      });
      return Response.json({ id, traceId: lumiqtrace.getTraceContext()?.traceId, method: req.method });
    });
    const ids = Array.from({ length: 20 }, (_, i) => String(i));
    const answers = await Promise.all(
      ids.map(async (id) => {
        const res = await handler(new Request(`http://localhost/api/items/${id}`), {
          params: Promise.resolve({ id }),
        });
        return (await res.json()) as { id: string; traceId: string };
      }),
    );
    expect(new Set(answers.map((a) => a.traceId)).size).toBe(20);
    for (const a of answers) {
      const root = invocations().find((e) => e.traceId === a.traceId)!;
      expect(root.attributes).toMatchObject({
        "http.route": "/api/items/[id]",
        "url.path": `/api/items/${a.id}`,
      });
      expect(root.name).toBe("GET /api/items/[id]");
      const item = collector.events.find((e) => e.name === "item" && e.traceId === a.traceId)!;
      expect(item.attributes["item.id"]).toBe(a.id);
      expect(item.parentSpanId).toBe(root.spanId);
    }
  });

  it("does not record redirect() / notFound() as errors, and rethrows them as they were", async () => {
    const redirect = Object.assign(new Error("NEXT_REDIRECT"), {
      digest: "NEXT_REDIRECT;replace;/login;307;",
    });
    const notFound = Object.assign(new Error("NEXT_HTTP_ERROR_FALLBACK;404"), {
      digest: "NEXT_HTTP_ERROR_FALLBACK;404",
    });
    for (const error of [redirect, notFound]) {
      const handler = withVercelRoute(async () => {
        throw error;
      });
      await expect(handler(new Request("http://localhost/api/cf"))).rejects.toBe(error);
    }
    const spans = invocations();
    expect(spans.map((s) => [s.status, s.attributes["http.response.status_code"], s.error])).toEqual([
      ["ok", 307, undefined],
      ["ok", 404, undefined],
    ]);
  });

  it("rethrows other errors unchanged and records them", async () => {
    class AppError extends Error {}
    const error = new AppError("db down");
    const handler = withVercelRoute(async () => {
      throw error;
    });
    await expect(handler(new Request("http://localhost/api/e"))).rejects.toBe(error);
    expect(invocations()[0]).toMatchObject({ status: "error", error: { message: "db down" } });
  });

  it("traces once when wrapped twice", async () => {
    const once = withVercelRoute(async () => new Response(null));
    expect(withVercelRoute(once)).toBe(once);
    await withVercelRoute(withVercel(async () => new Response(null)))(new Request("http://localhost/api/2"));
    expect(invocations()).toHaveLength(1);
  });

  it("withVercel wraps an `export default { fetch }` object, keeping its other members and `this`", async () => {
    const app = withVercel({
      greeting: "hi",
      async fetch(this: { greeting: string }, _req: Request) {
        return new Response(null, { headers: { "x-greeting": this.greeting } });
      },
    });
    expect(app.greeting).toBe("hi");
    const res = await app.fetch(new Request("http://localhost/api/f"));
    expect(res.headers.get("x-greeting")).toBe("hi");
    expect(invocations()[0]!.name).toBe("GET /api/f");
  });
});

describe("helpers", () => {
  it("puts dynamic params back into the route", () => {
    expect(routeFromParams("/api/items/42", { id: "42" })).toBe("/api/items/[id]");
    expect(routeFromParams("/docs/a/b/c", { slug: ["a", "b", "c"] })).toBe("/docs/[...slug]");
    expect(routeFromParams("/u/j%20d/posts", { user: "j d" })).toBe("/u/[user]/posts");
    expect(routeFromParams("/api/chat", {})).toBe("/api/chat");
  });

  it("knows Next's control-flow digests", () => {
    expect(nextControlFlowStatus({ digest: "NEXT_REDIRECT;push;/a;b;308;" })).toBe(308);
    expect(nextControlFlowStatus({ digest: "NEXT_HTTP_ERROR_FALLBACK;403" })).toBe(403);
    expect(nextControlFlowStatus({ digest: "NEXT_NOT_FOUND" })).toBe(404);
    expect(nextControlFlowStatus({ digest: "DYNAMIC_SERVER_USAGE" })).toBeUndefined();
    expect(nextControlFlowStatus(new Error("x"))).toBeUndefined();
    expect(nextControlFlowStatus(null)).toBeUndefined();
  });
});
