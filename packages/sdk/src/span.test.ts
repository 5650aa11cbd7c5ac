import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AsyncLocalStorage } from "node:async_hooks";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import { useAsyncLocalStorage } from "./context.js";
import { init, resetClient } from "./global.js";
import { lumiqtrace, withLumiqtraceContext } from "./index.js";
import { runInvocation } from "./serverless/index.js";
import { getTraceContext } from "./span.js";
import { resetWarnings } from "./logger.js";
import { isSampled } from "./span.js";

useAsyncLocalStorage(AsyncLocalStorage);

let server: LoopbackServer;
beforeEach(async () => {
  server = await startLoopbackServer();
  init({ apiKey: "k", baseUrl: server.url, flushIntervalMs: 60_000 });
});
afterEach(async () => {
  resetClient();
  resetWarnings();
  vi.restoreAllMocks();
  await server.close();
});

describe("lumiqtrace.span", () => {
  it("returns the very promise fn returned, with its extra methods, and ends when it settles", async () => {
    const p = Object.assign(Promise.resolve(5), { extra: () => "kept" });
    const out = lumiqtrace.span("s", () => p);
    expect(out).toBe(p);
    expect(out.extra()).toBe("kept");
    await out;
    await lumiqtrace.flush();
    expect(server.delivered()[0]).toMatchObject({
      name: "s",
      kind: "custom",
      status: "ok",
      parentSpanId: null,
    });
  });

  it("records a thrown error and rethrows the same object", async () => {
    const boom = new RangeError("out");
    expect(() =>
      lumiqtrace.span("s", () => {
        throw boom;
      }),
    ).toThrow(boom);
    const rejected = lumiqtrace.span("r", async () => {
      throw Object.assign(new Error("http"), { status: 429 });
    });
    await expect(rejected).rejects.toThrow("http");
    await lumiqtrace.flush();
    const [a, b] = server.delivered();
    expect(a).toMatchObject({ name: "s", status: "error", error: { type: "RangeError", message: "out" } });
    expect(b).toMatchObject({ name: "r", status: "error", error: { message: "http", status: 429 } });
  });

  it("nests: a span inside a span is its child; times are ordered", async () => {
    await lumiqtrace.span("parent", () =>
      lumiqtrace.span("child", async () => new Promise((r) => setTimeout(r, 5))),
    );
    await lumiqtrace.flush();
    const [child, parent] = server.delivered();
    expect(child.parentSpanId).toBe(parent.spanId);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.startTime).toBeGreaterThanOrEqual(parent.startTime);
    expect(child.endTime).toBeLessThanOrEqual(parent.endTime);
    expect(child.endTime - child.startTime).toBeGreaterThanOrEqual(4);
  });

  it("ignores attributes set after the end", async () => {
    let kept: { setAttribute(k: string, v: unknown): unknown } | undefined;
    lumiqtrace.span("s", (s) => {
      s.setAttribute("a", 1);
      kept = s;
    });
    kept!.setAttribute("late", 2);
    await lumiqtrace.flush();
    expect(server.delivered()[0].attributes).toEqual({ a: 1 });
  });
});

describe("withLumiqtraceContext", () => {
  it("puts user, session, tags and metadata on every span inside, merged when nested", async () => {
    await withLumiqtraceContext(
      { userId: "u1", sessionId: "s1", tags: ["a"], metadata: { plan: "pro" } },
      async () => {
        lumiqtrace.span("outer", () => 0);
        await withLumiqtraceContext(
          { userId: 42 as never, tags: ["b"], metadata: { region: "eu" } },
          async () => {
            expect(getTraceContext()).toMatchObject({ userId: "42", sessionId: "s1" });
            lumiqtrace.span("inner", () => 0);
          },
        );
      },
    );
    lumiqtrace.span("outside", () => 0);
    await lumiqtrace.flush();
    const [outer, inner, outside] = server.delivered();
    expect(outer).toMatchObject({ userId: "u1", sessionId: "s1", tags: ["a"], metadata: { plan: "pro" } });
    expect(inner).toMatchObject({
      userId: "42",
      sessionId: "s1",
      tags: ["a", "b"],
      metadata: { plan: "pro", region: "eu" },
    });
    expect(inner.traceId).toBe(outer.traceId);
    expect(outside.userId).toBeUndefined();
    expect(outside.traceId).not.toBe(outer.traceId);
  });

  it("keeps the LLM span when its metadata is huge: the metadata is cut, model and tokens stay", async () => {
    await withLumiqtraceContext({ metadata: { transcript: "x".repeat(1_600_000), n: 1 } }, () =>
      lumiqtrace.span("chat gpt-4o", () => 1, {
        kind: "llm",
        attributes: { "gen_ai.usage.input_tokens": 9 },
      }),
    );
    await lumiqtrace.flush();
    const [llm] = server.delivered();
    expect(llm).toMatchObject({
      kind: "llm",
      attributes: { "gen_ai.usage.input_tokens": 9 },
      metadata: { n: 1 },
    });
    expect(llm.metadata.transcript).toMatch(/…\[\d+ more\]$/);
    expect(JSON.stringify(llm).length).toBeLessThan(80 * 1024);
  });

  it("warns about bad input and still runs the function", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(
      withLumiqtraceContext({ userId: {} as never, tags: "x" as never, metadata: 3 as never }, () => "ran"),
    ).toBe("ran");
    expect(withLumiqtraceContext("nope" as never, () => "ran too")).toBe("ran too");
    expect(withLumiqtraceContext({}, "not a function" as never)).toBeUndefined();
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringContaining("userId must be a string"),
      expect.stringContaining("tags must be an array"),
      expect.stringContaining("metadata must be an object"),
      expect.stringContaining("takes an object"),
      expect.stringContaining("needs a function"),
    ]);
  });
});

describe("sampling", () => {
  it("decides from the trace id alone", () => {
    const id = "4bf92f3577b34da6a3ce929d0e0e4736";
    expect(isSampled(id, 1)).toBe(true);
    expect(isSampled(id, 0)).toBe(false);
    expect(new Set(Array.from({ length: 20 }, () => isSampled(id, 0.5))).size).toBe(1);
  });

  it("keeps or drops whole traces, about sampleRate of them", async () => {
    init({
      apiKey: "k",
      baseUrl: server.url,
      flushIntervalMs: 60_000,
      sampleRate: 0.3,
      maxQueueSize: 100_000,
    });
    for (let i = 0; i < 1000; i++) {
      await runInvocation({ name: `t${i}`, platform: "test", flushTimeoutMs: 0 }, () => {
        lumiqtrace.span("a", () => 0);
        lumiqtrace.span("b", () => 0);
      });
    }
    await lumiqtrace.flush({ timeoutMs: 10_000 });
    const byTrace = new Map<string, number>();
    for (const e of server.delivered()) byTrace.set(e.traceId, (byTrace.get(e.traceId) ?? 0) + 1);
    expect([...byTrace.values()].every((n) => n === 3)).toBe(true);
    expect(byTrace.size).toBeGreaterThan(220);
    expect(byTrace.size).toBeLessThan(380);
  });
});

describe("init with an env-like object (Workers bindings)", () => {
  it("reads LUMIQTRACE_* from it, and ignores bindings that are not strings", () => {
    const client = init(
      {},
      {
        LUMIQTRACE_API_KEY: "from-bindings",
        LUMIQTRACE_BASE_URL: server.url,
        LUMIQTRACE_SAMPLE_RATE: "0.25",
        LUMIQTRACE_CAPTURE_CONTENT: "1",
        MY_KV: { get() {} },
      },
    );
    expect(client.options).toMatchObject({
      apiKey: "from-bindings",
      baseUrl: server.url,
      sampleRate: 0.25,
      captureContent: true,
      enabled: true,
    });
  });
});
