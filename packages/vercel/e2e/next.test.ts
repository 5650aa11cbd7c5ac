// End to end: the e2e test app built with `next build` (e2e/build-app.ts) and served by `next start`,
// Node and Edge route handlers wrapped with withVercelRoute, the local collector receiving the events.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Collector, type SpanEvent, startCollector } from "@lumiqtrace/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHUNKS } from "./app/lib/handlers.js";
import { APP_DIR, type NextServer, startNext } from "./next-server.js";

let collector: Collector;
let next: NextServer;

beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  next = await startNext({ LUMIQTRACE_BASE_URL: collector.url, LUMIQTRACE_API_KEY: collector.apiKey });
});
afterAll(async () => {
  await next?.stop();
  await collector?.close();
});

const CALLER_SPAN = "00f067aa0ba902b7";
const newTraceId = () =>
  Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join("");

/** A request that continues a trace of ours, so its events can be told apart from the others'. */
function get(path: string, init: RequestInit & { traceId?: string } = {}) {
  const traceId = init.traceId ?? newTraceId();
  const headers = new Headers(init.headers);
  headers.set("traceparent", `00-${traceId}-${CALLER_SPAN}-01`);
  return { traceId, response: fetch(`${next.url}${path}`, { ...init, headers, redirect: "manual" }) };
}

async function traceOf(traceId: string, spanCount: number): Promise<{ root: SpanEvent; spans: SpanEvent[] }> {
  const events = await collector.waitForEvents(
    (all) => all.filter((e) => e.traceId === traceId).length >= spanCount,
    { timeoutMs: 15_000 },
  );
  const spans = events.filter((e) => e.traceId === traceId);
  const roots = spans.filter((e) => e.kind === "invocation");
  expect(roots).toHaveLength(1); // one trace, one invocation span per request
  return { root: roots[0]!, spans };
}

describe.each(["node", "edge"])("next start, %s runtime", (runtime) => {
  it("traces a plain route handler: method, route, status, the caller's trace continued", async () => {
    const { traceId, response } = get(`/api/${runtime}`);
    const res = await response;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { traceId: string; path: string };
    expect(body).toEqual({ traceId, path: `/api/${runtime}` }); // the handler ran inside the trace

    const { root, spans } = await traceOf(traceId, 2);
    expect(root).toMatchObject({ name: `GET /api/${runtime}`, status: "ok", parentSpanId: CALLER_SPAN });
    expect(root.attributes).toMatchObject({
      "lumiqtrace.platform": "vercel",
      "http.request.method": "GET",
      "url.path": `/api/${runtime}`,
      "http.route": `/api/${runtime}`,
      "http.response.status_code": 200,
    });
    const work = spans.find((s) => s.name === "work")!;
    expect(work).toMatchObject({ parentSpanId: root.spanId, attributes: { "work.runtime": runtime } });
  });

  it("traces a streamed body to its end: bytes unchanged, the span ends after the last chunk", async () => {
    const { traceId, response } = get(`/api/${runtime}/stream`);
    const res = await response;
    expect(await res.text()).toBe(CHUNKS.join(""));

    const { root, spans } = await traceOf(traceId, 1 + CHUNKS.length);
    const chunks = spans.filter((s) => s.name.startsWith("chunk "));
    expect(chunks).toHaveLength(CHUNKS.length);
    for (const chunk of chunks) {
      expect(chunk.parentSpanId).toBe(root.spanId);
      expect(root.endTime).toBeGreaterThanOrEqual(chunk.endTime);
    }
    expect(root.attributes["http.response.status_code"]).toBe(200);
  });

  it("flushes after the response (Next's after() / request context): a slow collector does not delay it", async () => {
    collector.setFaults({ delayMs: 1500, count: 1 });
    const before = collector.requests.length;
    const { traceId, response } = get(`/api/${runtime}`);
    const res = await response;
    expect(res.status).toBe(200);
    await res.text();
    // the whole response arrived while the collector still held the flush request
    expect(collector.requests.length).toBe(before);
    const { root } = await traceOf(traceId, 2);
    expect(root.attributes["http.response.status_code"]).toBe(200);
  });

  it("keeps concurrent requests in their own traces", async () => {
    const requests = Array.from({ length: 8 }, () => get(`/api/${runtime}`));
    const bodies = await Promise.all(
      requests.map(async (r) => ((await (await r.response).json()) as { traceId: string }).traceId),
    );
    expect(bodies).toEqual(requests.map((r) => r.traceId)); // the handler saw its own request's trace
    for (const r of requests) {
      const { root, spans } = await traceOf(r.traceId, 2);
      expect(spans.find((s) => s.name === "work")!.parentSpanId).toBe(root.spanId);
    }
  });

  it("records Vercel's region and request id from x-vercel-id", async () => {
    const vercelId = "fra1::iad1::abcde-1764230400123-0123456789ab";
    const { traceId, response } = get(`/api/${runtime}`, { headers: { "x-vercel-id": vercelId } });
    await (await response).text();
    const { root } = await traceOf(traceId, 2);
    expect(root.attributes).toMatchObject({ "cloud.region": "iad1", "faas.invocation_id": vercelId });
  });
});

describe("next start, control flow and errors", () => {
  it("redirect() is a 307, not an error", async () => {
    const { traceId, response } = get("/api/redirect");
    const res = await response;
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toMatch(/\/api\/node$/);
    const { root } = await traceOf(traceId, 1);
    expect(root.status).toBe("ok");
    expect(root.error).toBeUndefined();
    expect(root.attributes["http.response.status_code"]).toBe(307);
  });

  it("notFound() is a 404, not an error", async () => {
    const { traceId, response } = get("/api/missing");
    expect((await response).status).toBe(404);
    const { root } = await traceOf(traceId, 1);
    expect(root.status).toBe("ok");
    expect(root.attributes["http.response.status_code"]).toBe(404);
  });

  it("a thrown error reaches Next unchanged (a 500) and is recorded", async () => {
    const { traceId, response } = get("/api/boom");
    expect((await response).status).toBe(500);
    const { root } = await traceOf(traceId, 1);
    expect(root).toMatchObject({ status: "error", error: { message: "boom from the route" } });
    expect(next.output()).toContain("boom from the route"); // Next saw and logged the very error
  });
});

describe("next build", () => {
  it("a force-static route stays static when wrapped: prerendered at build, served as it was built", async () => {
    const prerendered = join(APP_DIR, ".next", "server", "app", "api", "forced-static.body");
    expect(readFileSync(prerendered, "utf8")).toBe(JSON.stringify({ at: "forced static" }));
    const res = await fetch(`${next.url}/api/forced-static`);
    expect(await res.json()).toEqual({ at: "forced static" });
  });
});

describe("next build, prerendered routes", () => {
  it('a `dynamic = "error"` route builds and stays static when wrapped', async () => {
    const prerendered = join(APP_DIR, ".next", "server", "app", "api", "error-static.body");
    expect(readFileSync(prerendered, "utf8")).toBe(JSON.stringify({ at: "error-static" }));
  });

  it("an ISR route (revalidate = 1) is regenerated in the background and stays static", async () => {
    const first = await fetch(`${next.url}/api/isr`);
    expect(await first.json()).toEqual({ at: "isr" });
    await new Promise((r) => setTimeout(r, 1500)); // stale now: the next request regenerates it
    expect((await fetch(`${next.url}/api/isr`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    const after = await fetch(`${next.url}/api/isr`);
    expect(await after.json()).toEqual({ at: "isr" });
    expect(after.headers.get("x-nextjs-cache")).toMatch(/HIT|STALE/);
    expect(next.output()).not.toMatch(/static to dynamic|DynamicServerError|api\/isr/);
    // the regeneration ran the handler: it was traced like a request
    await collector.waitForEvents((all) =>
      all.some((e) => e.kind === "invocation" && e.attributes["url.path"] === "/api/isr"),
    );
  });
});

describe("next start, concurrency", () => {
  it("concurrent requests never share a trace", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `item-${i}`);
    const requests = ids.map((id, i) => ({
      id,
      ...get(`/api/items/${id}?delay=${(i * 37) % 60}`, { method: "POST" }),
    }));
    const answers = await Promise.all(
      requests.map(async (r) => ({
        ...r,
        body: (await (await r.response).json()) as { id: string; traceId: string },
      })),
    );
    for (const a of answers) {
      expect(a.body).toEqual({ id: a.id, traceId: a.traceId });
      const { root, spans } = await traceOf(a.traceId, 2);
      expect(root.name).toBe("POST /api/items/[id]");
      expect(root.attributes).toMatchObject({
        "http.route": "/api/items/[id]",
        "url.path": `/api/items/${a.id}`,
      });
      const item = spans.find((s) => s.name === "item")!;
      expect(item.attributes["item.id"]).toBe(a.id);
    }
  });
});

describe("next start with Vercel's request context (installed by a test double, e2e/app/instrumentation.ts)", () => {
  let onVercel: NextServer;
  beforeAll(async () => {
    onVercel = await startNext({
      LUMIQTRACE_BASE_URL: collector.url,
      LUMIQTRACE_API_KEY: collector.apiKey,
      LUMIQTRACE_E2E_FAKE_VERCEL: "1",
    });
  });
  afterAll(async () => {
    await onVercel?.stop();
  });

  it.each([
    ["node", "nodejs"],
    ["edge", "edge"],
  ])(
    "%s: the flush is handed to Vercel's waitUntil; a slow collector does not delay the response",
    async (route, runtime) => {
      collector.setFaults({ delayMs: 1500, count: 1 });
      const before = collector.requests.length;
      const traceId = newTraceId();
      const res = await fetch(`${onVercel.url}/api/${route}`, {
        headers: { traceparent: `00-${traceId}-${CALLER_SPAN}-01` },
      });
      expect(((await res.json()) as { traceId: string }).traceId).toBe(traceId);
      // the whole response arrived while the collector still held the flush request
      expect(collector.requests.length).toBe(before);
      await traceOf(traceId, 2);
      await expect
        .poll(() => onVercel.output(), { timeout: 10_000 })
        .toMatch(new RegExp(`\\[fakeVercelWaitUntil\\] ${runtime} #1 handed[\\s\\S]*${runtime} #1 settled`));
    },
  );
});
