import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import { createClient } from "./client.js";
import { resolveOptions } from "./options.js";
import { SDK_VERSION } from "./transport.js";
import type { SpanEvent } from "./types.js";

let server: LoopbackServer;
beforeEach(async () => {
  server = await startLoopbackServer();
});
afterEach(async () => {
  await server.close();
  vi.restoreAllMocks();
});

let n = 0;
function event(extra: Partial<SpanEvent> = {}): SpanEvent {
  n++;
  return {
    id: `evt-${n}`,
    type: "span",
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    parentSpanId: null,
    name: `span ${n}`,
    kind: "custom",
    startTime: 1,
    endTime: 2,
    status: "ok",
    attributes: {},
    ...extra,
  };
}

function client(options: Record<string, unknown> = {}) {
  return createClient(
    resolveOptions({ apiKey: "lqt_test_key", baseUrl: server.url, flushIntervalMs: 60_000, ...options }, {}),
  );
}

describe("batching", () => {
  it("sends nothing until flush, then one request per batch", async () => {
    const c = client({ batchSize: 10 });
    for (let i = 0; i < 25; i++) c.capture(event());
    // 20 events filled two batches, which are sent at once; the last 5 wait for the timer or a flush
    await vi.waitFor(() => expect(server.delivered()).toHaveLength(20));
    await c.flush();
    expect(server.requests.map((r) => r.body.events.length)).toEqual([10, 10, 5]);
    expect(server.delivered().map((e) => e.id)).toEqual(
      Array.from({ length: 25 }, (_, i) => `evt-${n - 24 + i}`),
    );
  });

  it("speaks the protocol: path, bearer key, sdk header, gzip for large bodies", async () => {
    const c = client({ batchSize: 1000 });
    for (let i = 0; i < 200; i++) c.capture(event({ name: "x".repeat(200) }));
    await c.flush();
    const [req] = server.requests;
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe("/v1/batch");
    expect(req!.headers.authorization).toBe("Bearer lqt_test_key");
    expect(req!.headers["x-lumiqtrace-sdk"]).toBe(`@lumiqtrace/sdk/${SDK_VERSION}`);
    expect(req!.headers["content-encoding"]).toBe("gzip");
    expect(req!.rawBytes).toBeLessThan(JSON.stringify(req!.body).length / 2);
    expect(req!.body.sdk).toEqual({ name: "@lumiqtrace/sdk", version: SDK_VERSION });
    expect(SDK_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("sends a small batch uncompressed", async () => {
    const c = client();
    c.capture(event());
    await c.flush();
    expect(server.requests[0]!.headers["content-encoding"]).toBeUndefined();
  });

  it("sends a batch when the interval timer fires", async () => {
    const c = client({ flushIntervalMs: 20 });
    c.capture(event());
    await vi.waitFor(() => expect(server.delivered()).toHaveLength(1), { timeout: 2000 });
  });
});

describe("flush", () => {
  it("resolves at once with nothing queued, without a request", async () => {
    await client().flush();
    expect(server.requests).toHaveLength(0);
  });

  it("includes events captured while an earlier flush is sending; concurrent flushes share one send", async () => {
    const c = client({ batchSize: 100 });
    server.script({ status: 200, delayMs: 100 });
    c.capture(event());
    const first = c.flush();
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    c.capture(event());
    const second = c.flush();
    const third = c.flush();
    await Promise.all([first, second, third]);
    expect(server.delivered()).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
  });

  it("many requests' flushes during one send: the next send carries all their events, one timer per flush", async () => {
    // a busy instance (Vercel Fluid, a Worker, a Node server): every request's waitUntil flushes
    const c = client({ batchSize: 100 });
    server.script({ status: 200, delayMs: 100 }, { status: 200, delayMs: 50 });
    c.capture(event());
    const first = c.flush();
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    const timers = vi.spyOn(globalThis, "setTimeout");
    const flushes = [];
    for (let i = 0; i < 50; i++) {
      c.capture(event());
      flushes.push(c.flush());
    }
    await Promise.all([first, ...flushes]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.body.events).toHaveLength(50);
    // each flush's deadline, one shared wait per send in flight, the second send's own: not a timer per flush per send
    expect(timers.mock.calls.length).toBeLessThanOrEqual(2 * 50 + 10);
  });

  it("never rejects and gives up waiting at its deadline, keeping the events for the next flush", async () => {
    const c = client({ timeoutMs: 10_000 });
    server.script({ hang: true });
    c.capture(event());
    const started = Date.now();
    await expect(c.flush({ timeoutMs: 200 })).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.delivered()).toHaveLength(0);
  });

  it("warns once and uses the default for a bad timeout", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const c = client();
    c.capture(event());
    await c.flush({ timeoutMs: -5 });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("flush timeoutMs must be a number"));
    expect(server.delivered()).toHaveLength(1);
  });
});

describe("retries", () => {
  it("retries 503, 408, 500 and a reset connection with the same event ids", async () => {
    const c = client({ maxRetries: 5 });
    server.script({ status: 503 }, { status: 408 }, { reset: true }, { status: 500 });
    c.capture(event());
    await c.flush({ timeoutMs: 10_000 });
    expect(server.requests).toHaveLength(5);
    const ids = server.requests.map((r) => r.body.events[0].id);
    expect(new Set(ids).size).toBe(1);
    expect(server.delivered()).toHaveLength(1);
  });

  it("honours Retry-After on 429", async () => {
    const c = client();
    server.script({ status: 429, headers: { "retry-after": "1" } });
    c.capture(event());
    const started = Date.now();
    await c.flush({ timeoutMs: 10_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.delivered()).toHaveLength(1);
  });

  it("keeps the batch for later when Retry-After is past the deadline", async () => {
    const c = client();
    server.script({ status: 429, headers: { "retry-after": "2" } });
    c.capture(event());
    await c.flush({ timeoutMs: 300 });
    expect(server.requests).toHaveLength(1);
    expect(c.stats()).toMatchObject({ queued: 1, dropped: 0 });
    // a flush that cannot outlast the pause sends nothing; one that can waits for it
    await c.flush({ timeoutMs: 300 });
    expect(server.requests).toHaveLength(1);
    await c.flush({ timeoutMs: 5000 });
    expect(server.delivered()).toHaveLength(1);
  });

  it("retries a hanging server after timeoutMs", async () => {
    const c = client({ timeoutMs: 200 });
    server.script({ hang: true });
    c.capture(event());
    await c.flush({ timeoutMs: 5000 });
    expect(server.requests).toHaveLength(2);
    expect(server.delivered()).toHaveLength(1);
  });

  it("gives up after maxRetries and reports the drop in the next batch", async () => {
    const c = client({ maxRetries: 1 });
    server.script({ status: 500 }, { status: 500 });
    c.capture(event());
    await c.flush({ timeoutMs: 10_000 });
    expect(server.requests).toHaveLength(2);
    expect(c.stats().dropped).toBe(1);
    c.capture(event());
    await c.flush();
    expect(server.requests[2]!.body.dropped).toBe(1);
    c.capture(event());
    await c.flush();
    expect(server.requests[3]!.body.dropped).toBe(0);
  });

  it("counts a batch held back by Retry-After as queued while it waits", async () => {
    const c = client();
    server.script({ status: 429, headers: { "retry-after": "1" } });
    c.capture(event());
    const flushed = c.flush({ timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 300)); // answered 429, now waiting out Retry-After
    expect(server.requests).toHaveLength(1);
    expect(c.stats()).toMatchObject({ queued: 1, delivered: 0, dropped: 0 });
    await flushed;
    expect(c.stats()).toMatchObject({ queued: 0, delivered: 1 });
  });

  it("retries within the flush's deadline, not a fixed three times, and keeps what it cut short", async () => {
    const c = client();
    server.script(...Array.from({ length: 100 }, () => ({ status: 503 })));
    c.capture(event());
    await c.flush({ timeoutMs: 2500 });
    // backoff 100, 200, 400, 800 ms (with jitter): at least five attempts fit in 2.5 s
    expect(server.requests.length).toBeGreaterThanOrEqual(5);
    expect(c.stats()).toMatchObject({ queued: 1, dropped: 0 });
  });

  it("says once per cause when it gives events up: where to, why, never the key", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const c = client({ maxRetries: 1 });
    server.script(...Array.from({ length: 6 }, () => ({ status: 500 })));
    for (let i = 0; i < 3; i++) {
      c.capture(event());
      await c.flush({ timeoutMs: 10_000 });
    }
    const lines = warn.mock.calls.map((call) => String(call[0]));
    expect(lines).toEqual([
      `[lumiqtrace] 1 event dropped: ${server.url} answered HTTP 500, after 2 attempts`,
    ]);
    expect(c.stats().dropped).toBe(3);
  });

  it("names an unreachable collector when it gives events up", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const closed = await startLoopbackServer();
    await closed.close(); // nothing listens on its port any more
    const c = createClient(
      resolveOptions({ apiKey: "lqt_test_key", baseUrl: closed.url, maxRetries: 2 }, {}),
    );
    c.capture(event());
    await c.flush({ timeoutMs: 10_000 });
    const line = String(warn.mock.calls.at(-1)?.[0]);
    expect(line).toContain(`1 event dropped: collector unreachable at ${closed.url}`);
    expect(line).toContain("ECONNREFUSED");
    expect(line).not.toContain("lqt_test_key");
  });

  it("never prints the key, even when the server sends it back", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const c = client();
    server.script({ status: 400, body: JSON.stringify({ error: "bad key lqt_test_key in batch" }) });
    c.capture(event());
    await c.flush();
    const printed = warn.mock.calls.map((call) => String(call[0])).join("\n");
    expect(printed).toContain("the server refused a batch (HTTP 400): bad key [redacted] in batch");
    expect(printed).not.toContain("lqt_test_key");
  });

  it.each([400, 401, 403])("does not retry %i and warns once, without the key", async (status) => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { resetWarnings } = await import("./logger.js");
    resetWarnings();
    const c = client();
    server.script({ status, body: JSON.stringify({ error: "nope" }) }, { status, body: "{}" });
    c.capture(event());
    await c.flush();
    c.capture(event());
    await c.flush();
    expect(server.requests).toHaveLength(2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(`HTTP ${status}`);
    expect(String(warn.mock.calls[0]![0])).not.toContain("lqt_test_key");
  });

  it("splits a batch on 413 and sends each half", async () => {
    const c = client({ batchSize: 8 });
    server.script({ status: 413 }, { status: 413 });
    for (let i = 0; i < 7; i++) c.capture(event());
    await c.flush();
    // 7 → 413; 4 → 413; 2 + 2; then 3
    expect(server.requests.map((r) => r.body.events.length)).toEqual([7, 4, 2, 2, 3]);
    expect(new Set(server.delivered().map((e) => e.id)).size).toBe(7);
  });

  it("drops a single event the server finds too large", async () => {
    const c = client();
    server.script({ status: 413 });
    c.capture(event());
    await c.flush();
    expect(c.stats()).toMatchObject({ dropped: 1, queued: 0 });
  });
});

describe("bounds", () => {
  it("drops the oldest past maxQueueSize and counts them", async () => {
    const c = client({ maxQueueSize: 5, batchSize: 1000 });
    for (let i = 0; i < 8; i++) c.capture(event({ name: `e${i}` }));
    expect(c.stats()).toMatchObject({ queued: 5, dropped: 3 });
    await c.flush();
    expect(server.delivered().map((e) => e.name)).toEqual(["e3", "e4", "e5", "e6", "e7"]);
    expect(server.requests[0]!.body.dropped).toBe(3);
  });

  it("drops the oldest past maxQueueBytes", async () => {
    const c = client({ maxQueueBytes: 2048, batchSize: 1000 });
    // the byte bound is the delivery's queue's: the first event loads it (before, only maxQueueSize bounds)
    c.capture(event());
    await c.flush();
    for (let i = 0; i < 20; i++) c.capture(event({ name: "y".repeat(300) }));
    expect(c.stats().queued).toBeLessThan(8);
    expect(c.stats().dropped).toBeGreaterThan(12);
  });

  it("holds the events captured before the delivery has loaded, within maxQueueSize, and sends them", async () => {
    const c = client({ maxQueueSize: 3 });
    for (let i = 0; i < 5; i++) c.capture(event({ name: `early ${i}` }));
    expect(c.stats()).toEqual({ queued: 3, delivered: 0, dropped: 2 });
    await c.flush();
    expect(server.delivered().map((e) => e.name)).toEqual(["early 2", "early 3", "early 4"]);
    expect(server.requests[0]!.body.dropped).toBe(2);
  });

  it("keeps an event over the 1 MiB limit, its largest values cut with a marker of what was cut", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const c = client();
    const big = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`blob.${i}`, "z".repeat(16_000)]));
    c.capture(
      event({
        name: "chat gpt-4o",
        kind: "llm",
        attributes: { "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 12, ...big },
        metadata: { huge: "m".repeat(16_000) },
      }),
    );
    await c.flush();
    const [sent] = server.delivered();
    expect(sent).toMatchObject({ name: "chat gpt-4o", kind: "llm", status: "ok" });
    expect(sent.attributes).toMatchObject({
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 12,
    });
    expect(JSON.stringify(sent).length).toBeLessThanOrEqual(1024 * 1024);
    const cut: string[] = sent.attributes["lumiqtrace.truncated"];
    expect(cut.length).toBeGreaterThan(0);
    for (const key of cut)
      expect(String(sent.attributes[key] ?? sent[key]?.["…"])).toMatch(/^…\[cut: \d+ characters/);
    expect(c.stats().dropped).toBe(0);
    expect(warn.mock.calls.flat().join("\n")).toMatch(/over the 1 MiB limit: its largest values were cut/);
  });

  it("makes values JSON cannot take safe instead of throwing", async () => {
    const c = client();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    c.capture(event({ metadata: { circular, big: 10n, fn: () => 1 } as never }));
    await c.flush();
    expect(server.delivered()[0].metadata).toEqual({
      circular: { self: "[Circular]" },
      big: "10",
      fn: "[Function fn]",
    });
  });
});

describe("beforeSend and enabled", () => {
  it("lets beforeSend redact or drop", async () => {
    const c = client({
      beforeSend: (e: SpanEvent) => (e.name === "secret" ? null : { ...e, name: e.name.toUpperCase() }),
    });
    c.capture(event({ name: "secret" }));
    c.capture(event({ name: "public" }));
    await c.flush();
    expect(server.delivered().map((e) => e.name)).toEqual(["PUBLIC"]);
  });

  it("drops the event when beforeSend throws, and warns", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const c = client({
      beforeSend: () => {
        throw new Error("boom");
      },
    });
    c.capture(event());
    await c.flush();
    expect(server.requests).toHaveLength(0);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("beforeSend threw"));
  });

  it("sends nothing when disabled", async () => {
    const c = client({ enabled: false });
    c.capture(event());
    await c.flush();
    expect(server.requests).toHaveLength(0);
  });
});

describe("estimateSize", () => {
  it("is near the serialised length, so the byte bound holds without serialising on the hot path", async () => {
    const { estimateSize } = await import("./event-size.js");
    const samples: SpanEvent[] = [
      event(),
      event({
        name: "chat gpt-4o",
        attributes: {
          "gen_ai.request.model": "gpt-4o",
          "gen_ai.usage.input_tokens": 12,
          "gen_ai.response.finish_reasons": ["stop"],
        },
      }),
      event({
        attributes: { "gen_ai.input.messages": "m".repeat(10_000) },
        metadata: { plan: "pro", n: [1, 2, 3] },
        tags: ["a", "b"],
      }),
    ];
    for (const e of samples) {
      const ratio = estimateSize(e) / JSON.stringify(e).length;
      expect(ratio).toBeGreaterThan(0.9);
      expect(ratio).toBeLessThan(1.6);
    }
  });
});

describe("a send that never settles (Workers end a request's I/O with the request)", () => {
  it("is taken for dead after its deadline, and its events go again with the next flush", async () => {
    const { transportChoice } = await import("./transport.js");
    transportChoice.force = "fetch";
    const realFetch = globalThis.fetch;
    let calls = 0;
    // test double: the first request's promise never settles, as when workerd tears down its request
    vi.spyOn(globalThis, "fetch").mockImplementation((...args) => {
      calls++;
      return calls === 1 ? new Promise<Response>(() => {}) : realFetch(...args);
    });
    const c = client({ timeoutMs: 300 });
    c.capture(event({ name: "first" }));
    const started = Date.now();
    await c.flush({ timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(1000);
    c.capture(event({ name: "second" }));
    await c.flush({ timeoutMs: 5000 });
    expect(server.delivered().map((e) => e.name)).toEqual(["first", "second"]);
    expect(calls).toBe(2);
    transportChoice.force = undefined;
  });
});

describe("shutdown", () => {
  it("delivers everything queued, then leaves no timer: nothing is sent after it gave up", async () => {
    server.script(...Array.from({ length: 100 }, () => ({ status: 503 })));
    const c = client({ flushIntervalMs: 100, maxRetries: 20 });
    c.capture(event());
    await c.shutdown({ timeoutMs: 300 });
    const sent = server.requests.length;
    expect(sent).toBeGreaterThan(0);
    // a plain flush would have re-armed the 100 ms batch timer for what it kept: it would retry here
    await new Promise((r) => setTimeout(r, 600));
    expect(server.requests.length).toBe(sent);
    expect(c.stats().queued).toBe(1);
  });

  it("sends what was queued, and events recorded after it are sent as before", async () => {
    const c = client();
    c.capture(event({ name: "before" }));
    c.capture(event({ name: "also before" }));
    await c.shutdown();
    expect(server.delivered().map((e) => e.name)).toEqual(["before", "also before"]);
    c.capture(event({ name: "after" }));
    await c.flush();
    expect(server.delivered().map((e) => e.name)).toEqual(["before", "also before", "after"]);
  });
});
