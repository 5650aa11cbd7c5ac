import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import { init, resetClient } from "../global.js";
import { lumiqtrace, withLumiqtraceContext } from "../index.js";
import { useAsyncLocalStorage } from "../context.js";
import { AsyncLocalStorage } from "node:async_hooks";
import { runInvocation } from "./invocation.js";

useAsyncLocalStorage(AsyncLocalStorage);

// A server per test: a client of an earlier test may still be retrying in the background.
let server: LoopbackServer;
beforeEach(async () => {
  server = await startLoopbackServer();
  init({ apiKey: "k", baseUrl: server.url, flushIntervalMs: 60_000 });
});
afterEach(async () => {
  resetClient();
  await server.close();
});

const delivered = () => server.delivered();

/** Collects what a test hands to waitUntil, as a platform would (a test double of the platform). */
function fakeWaitUntil() {
  const promises: Promise<unknown>[] = [];
  return { waitUntil: (p: Promise<unknown>) => void promises.push(p), promises };
}

describe("runInvocation", () => {
  it("records a root span with child spans and flushes before returning without waitUntil", async () => {
    const result = await runInvocation(
      { name: "GET /x", platform: "test", attributes: { a: 1 } },
      async () => {
        await lumiqtrace.span("child", async () => "c");
        return { statusCode: 200 };
      },
    );
    expect(result).toEqual({ statusCode: 200 });
    const events = delivered();
    expect(events.map((e) => e.name).sort()).toEqual(["GET /x", "child"]);
    const root = events.find((e) => e.kind === "invocation");
    const child = events.find((e) => e.name === "child");
    expect(root.parentSpanId).toBeNull();
    expect(root.attributes).toMatchObject({ a: 1, "lumiqtrace.platform": "test" });
    expect(child.parentSpanId).toBe(root.spanId);
    expect(child.traceId).toBe(root.traceId);
  });

  it("rethrows the very error, after recording and flushing it", async () => {
    const boom = new TypeError("boom");
    const err = await runInvocation({ name: "f", platform: "test" }, async () => {
      throw boom;
    }).catch((e) => e);
    expect(err).toBe(boom);
    const [root] = delivered();
    expect(root).toMatchObject({ status: "error", error: { type: "TypeError", message: "boom" } });
  });

  it("does not record ignored errors", async () => {
    const redirect = new Error("NEXT_REDIRECT");
    await runInvocation({ name: "f", platform: "test", isIgnoredError: (e) => e === redirect }, () => {
      throw redirect;
    }).catch(() => {});
    expect(delivered()[0].status).toBe("ok");
  });

  it("continues an incoming traceparent", async () => {
    await runInvocation(
      { name: "f", platform: "test", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
      () => 1,
    );
    expect(delivered()[0]).toMatchObject({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      parentSpanId: "00f067aa0ba902b7",
    });
  });

  it("hands the flush to waitUntil and returns before it is delivered", async () => {
    server.script({ status: 200, delayMs: 300 });
    const platform = fakeWaitUntil();
    const result = await runInvocation(
      { name: "f", platform: "test", waitUntil: platform.waitUntil },
      () => 7,
    );
    expect(result).toBe(7);
    expect(platform.promises).toHaveLength(1);
    expect(delivered()).toHaveLength(0);
    await Promise.all(platform.promises);
    expect(delivered()).toHaveLength(1);
  });

  it("records the status statusOf reads from the result; 5xx marks the invocation failed", async () => {
    const statusOf = (r: { statusCode: number }) => r.statusCode;
    await runInvocation({ name: "ok", platform: "test", statusOf }, () => ({ statusCode: 201 }));
    await runInvocation({ name: "bad", platform: "test", statusOf }, () => ({ statusCode: 502 }));
    const byName = Object.fromEntries(delivered().map((e) => [e.name, e]));
    expect(byName.ok).toMatchObject({ status: "ok", attributes: { "http.response.status_code": 201 } });
    expect(byName.bad).toMatchObject({ status: "error", attributes: { "http.response.status_code": 502 } });
  });

  it("with waitUntilFrom: flushes again after the user's own waitUntil work, so its spans arrive", async () => {
    const platform = fakeWaitUntil();
    const ctx = { waitUntil: platform.waitUntil, other: 1 }; // a platform context (test double)
    await runInvocation({ name: "root", platform: "test", waitUntilFrom: ctx }, () => {
      ctx.waitUntil(
        lumiqtrace.span("background work", () => new Promise((resolve) => setTimeout(resolve, 100))),
      );
      return "answered";
    });
    // the user's work and our flush both went to the platform's waitUntil
    expect(platform.promises).toHaveLength(2);
    await Promise.all(platform.promises);
    const names = delivered().map((e) => e.name);
    expect(names).toContain("background work");
    const root = delivered().find((e) => e.name === "root");
    expect(delivered().find((e) => e.name === "background work")).toMatchObject({
      parentSpanId: root.spanId,
    });
    // the context is put back as it was once the work is done
    expect(ctx.waitUntil).toBe(platform.waitUntil);
  });

  it("with waitUntilFrom: an object without waitUntil is not trusted, the flush is awaited", async () => {
    const result = await runInvocation(
      { name: "f", platform: "test", waitUntilFrom: { waitUntil: "no" } },
      () => 3,
    );
    expect(result).toBe(3);
    expect(delivered()).toHaveLength(1);
  });

  it("awaits the flush when waitUntil throws", async () => {
    const result = await runInvocation(
      {
        name: "f",
        platform: "test",
        waitUntil: () => {
          throw new Error("outside a request");
        },
      },
      () => "ok",
    );
    expect(result).toBe("ok");
    expect(delivered()).toHaveLength(1);
  });

  it("bounds the awaited flush by flushTimeoutMs", async () => {
    server.script({ hang: true });
    const started = Date.now();
    await runInvocation({ name: "f", platform: "test", flushTimeoutMs: 200 }, () => 1);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("traces once when nested (a handler wrapped twice)", async () => {
    await runInvocation({ name: "outer", platform: "test" }, () =>
      runInvocation({ name: "inner", platform: "test" }, () => 1),
    );
    expect(delivered().map((e) => e.name)).toEqual(["outer"]);
    expect(server.requests).toHaveLength(1);
  });

  it("keeps concurrent invocations apart", async () => {
    const users = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    await Promise.all(
      users.map((userId) =>
        runInvocation({ name: userId, platform: "test" }, () =>
          withLumiqtraceContext({ userId }, async () => {
            await new Promise((r) => setTimeout(r, Math.random() * 20));
            await lumiqtrace.span(`llm ${userId}`, async () => {
              await new Promise((r) => setTimeout(r, Math.random() * 20));
            });
          }),
        ),
      ),
    );
    const events = server.delivered();
    const roots = new Map(events.filter((e) => e.kind === "invocation").map((e) => [e.spanId, e]));
    const children = events.filter((e) => e.kind === "custom");
    expect(children).toHaveLength(50);
    for (const child of children) {
      const root = roots.get(child.parentSpanId);
      expect(child.name).toBe(`llm ${child.userId}`);
      expect(root.name).toBe(child.userId);
      expect(root.traceId).toBe(child.traceId);
    }
  });
});

describe("streamed responses", () => {
  function streamOf(chunks: string[], delayMs = 5) {
    const enc = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const c of chunks) {
          await new Promise((r) => setTimeout(r, delayMs));
          controller.enqueue(enc.encode(c));
        }
        controller.close();
      },
    });
  }

  it("flushes only after the body was read, and the bytes are unchanged", async () => {
    const res = await runInvocation(
      { name: "s", platform: "test" },
      () => new Response(streamOf(["a", "b", "c"]), { status: 201, headers: { "x-h": "1" } }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get("x-h")).toBe("1");
    expect(delivered()).toHaveLength(0);
    expect(await res.text()).toBe("abc");
    const [root] = delivered();
    expect(root).toMatchObject({ status: "ok", attributes: { "http.response.status_code": 201 } });
  });

  it("with waitUntil: hands over a flush that waits for the body", async () => {
    const platform = fakeWaitUntil();
    const res = await runInvocation(
      { name: "s", platform: "test", waitUntil: platform.waitUntil },
      () => new Response(streamOf(["x", "y"])),
    );
    expect(platform.promises).toHaveLength(1);
    let settled = false;
    void platform.promises[0]!.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    expect(await res.text()).toBe("xy");
    await platform.promises[0];
    expect(delivered()).toHaveLength(1);
  });

  it("records a cancelled stream as cancelled", async () => {
    const res = await runInvocation(
      { name: "s", platform: "test" },
      () => new Response(streamOf(["1", "2", "3", "4"], 20)),
    );
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await lumiqtrace.flush();
    expect(delivered()[0]).toMatchObject({ status: "cancelled" });
  });

  it("records a body that fails as an error", async () => {
    const res = await runInvocation(
      { name: "s", platform: "test" },
      () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              controller.error(new Error("upstream broke"));
            },
          }),
        ),
    );
    await expect(res.text()).rejects.toThrow();
    expect(delivered()[0]).toMatchObject({ status: "error", error: { message: "upstream broke" } });
  });
});
