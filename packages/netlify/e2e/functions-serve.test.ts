import { type Collector, type SpanEvent, startCollector } from "@lumiqtrace/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkPackageIntoSite, type Served, serveFunctions } from "./serve.js";

// The real `netlify functions:serve --offline` (netlify-cli 26.2.0) runs the site in e2e/site; its
// functions send to the local collector, found through LUMIQTRACE_BASE_URL / LUMIQTRACE_API_KEY.
let collector: Collector;
let served: Served;

beforeAll(async () => {
  linkPackageIntoSite();
  collector = await startCollector({ port: 0 });
  served = await serveFunctions({ LUMIQTRACE_BASE_URL: collector.url, LUMIQTRACE_API_KEY: collector.apiKey });
}, 150_000);

afterAll(async () => {
  await served?.stop();
  await collector?.close();
});

const traceId = () => crypto.randomUUID().replaceAll("-", "");
const traceparent = (id: string) => `00-${id}-00f067aa0ba902b7-01`;

function spansOf(id: string): SpanEvent[] {
  return collector.events.filter((e) => e.traceId === id);
}

/** Waits until the trace's root span and `count` spans in all have arrived. */
async function trace(id: string, count: number): Promise<{ root: SpanEvent; spans: SpanEvent[] }> {
  await collector.waitForEvents(
    () => spansOf(id).length >= count && spansOf(id).some((e) => e.kind === "invocation"),
    {
      timeoutMs: 20_000,
    },
  );
  const spans = spansOf(id);
  return { root: spans.find((e) => e.kind === "invocation")!, spans };
}

describe("modern functions under netlify functions:serve", () => {
  it("traces a request: one trace with method, path, status, request id, geo, continued traceparent", async () => {
    const id = traceId();
    const res = await fetch(`${served.url}/api/modern?q=1`, {
      headers: { traceparent: traceparent(id), "x-nf-request-id": "01E2E-MODERN" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ word: "hello", path: "/api/modern", hasWaitUntil: "function" });

    const { root, spans } = await trace(id, 2);
    expect(spans).toHaveLength(2);
    expect(root).toMatchObject({
      name: "GET /api/modern",
      parentSpanId: "00f067aa0ba902b7",
      status: "ok",
      attributes: {
        "lumiqtrace.platform": "netlify",
        "http.request.method": "GET",
        "url.path": "/api/modern",
        "http.response.status_code": 200,
        "faas.invocation_id": "01E2E-MODERN",
        // functions:serve serves a fixed local geo (San Francisco)
        "geo.country.iso_code": "US",
        "cloud.region": "dev",
      },
    });
    const work = spans.find((e) => e.name === "work")!;
    expect(work.parentSpanId).toBe(root.spanId);
  });

  it("streams the body unchanged and flushes only after its last byte", async () => {
    const id = traceId();
    const res = await fetch(`${served.url}/api/stream`, { headers: { traceparent: traceparent(id) } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n");

    const { root, spans } = await trace(id, 2);
    const late = spans.find((e) => e.name === "after last chunk")!;
    expect(late.parentSpanId).toBe(root.spanId);
    expect(root.endTime).toBeGreaterThanOrEqual(late.endTime);
    expect(root).toMatchObject({ status: "ok", attributes: { "http.response.status_code": 200 } });
  });

  it("records a thrown error, and the function still fails as it would unwrapped", async () => {
    const id = traceId();
    const res = await fetch(`${served.url}/api/fail`, { headers: { traceparent: traceparent(id) } });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("modern boom");
    const { root } = await trace(id, 1);
    expect(root).toMatchObject({ status: "error", error: { type: "RangeError", message: "modern boom" } });
  });

  it("answers without waiting for a slow collector, then the events arrive (context.waitUntil)", async () => {
    const id = traceId();
    collector.setFaults({ delayMs: 6000, count: 1 }); // the next batch is held 6 s, then stored
    try {
      const res = await fetch(`${served.url}/api/slow`, { headers: { traceparent: traceparent(id) } });
      expect(await res.text()).toBe("fast");
      // the response is here while the collector still holds the batch: nothing of the trace is stored yet
      expect(spansOf(id)).toHaveLength(0);

      const { spans } = await trace(id, 2);
      expect(spans.map((e) => e.name).sort()).toEqual(["GET /api/slow", "work"]);
      const held = collector.requests.find((r) => r.fault === "delay");
      expect(held).toMatchObject({ status: 200, eventCount: 2 });
    } finally {
      collector.setFaults(null);
    }
  });
});

describe("classic functions under netlify functions:serve", () => {
  it("traces a request and awaits the flush before returning", async () => {
    const id = traceId();
    const res = await fetch(`${served.url}/.netlify/functions/classic`, {
      method: "POST",
      body: "{}",
      headers: { traceparent: traceparent(id), "x-nf-request-id": "01E2E-CLASSIC" },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ word: "classic", path: "/.netlify/functions/classic" });
    // awaited before the response: already stored when the response arrives
    const spans = spansOf(id);
    expect(spans).toHaveLength(2);
    const root = spans.find((e) => e.kind === "invocation")!;
    expect(root).toMatchObject({
      name: "POST /.netlify/functions/classic",
      parentSpanId: "00f067aa0ba902b7",
      attributes: {
        "lumiqtrace.platform": "netlify",
        "http.request.method": "POST",
        "url.path": "/.netlify/functions/classic",
        "http.response.status_code": 201,
        "faas.invocation_id": "01E2E-CLASSIC",
        "geo.country.iso_code": "US", // from the x-nf-geo header functions:serve sends
      },
    });
  });

  it("answers with what a callback handler passed to its callback, after the flush", async () => {
    const id = traceId();
    const res = await fetch(`${served.url}/.netlify/functions/classic-callback`, {
      headers: { traceparent: traceparent(id) },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("called back for /.netlify/functions/classic-callback");
    expect(spansOf(id)).toMatchObject([{ status: "ok", attributes: { "http.response.status_code": 200 } }]);
  });

  it("keeps a stream()-wrapped handler streaming, and flushes after the body ended", async () => {
    const id = traceId();
    const res = await fetch(`${served.url}/.netlify/functions/classic-stream`, {
      headers: { traceparent: traceparent(id) },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("part 0\npart 1\npart 2\npart 3\n");

    const { root, spans } = await trace(id, 2);
    const late = spans.find((e) => e.name === "after last part")!;
    expect(late.parentSpanId).toBe(root.spanId);
    expect(root.endTime).toBeGreaterThanOrEqual(late.endTime);
  });

  it("traces a handler wrapped inside stream() until its web stream body ended", async () => {
    const id = traceId();
    const res = await fetch(`${served.url}/.netlify/functions/stream-outside`, {
      headers: { traceparent: traceparent(id) },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("web\nstream\nbody\n");

    const { root, spans } = await trace(id, 2);
    const late = spans.find((e) => e.name === "after last word")!;
    expect(late.parentSpanId).toBe(root.spanId);
    expect(root.endTime).toBeGreaterThanOrEqual(late.endTime);
  });
});
