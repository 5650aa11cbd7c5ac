import { lumiqtrace, type SpanEvent } from "@lumiqtrace/sdk";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withDurableObject, withWorker } from "./index.js";

// The receiving end: test-kit's recording server (pure Node, so these run on every Node the suite runs on)
let receiver: LoopbackServer;
let before = new Set<string>();
beforeAll(async () => {
  receiver = await startLoopbackServer();
  lumiqtrace.init({ apiKey: "lqt_cf_unit", baseUrl: receiver.url, flushIntervalMs: 60_000 });
});
afterAll(() => receiver.close());
beforeEach(() => {
  before = new Set(receiver.delivered().map((e: SpanEvent) => e.id));
});
const roots = () =>
  receiver.delivered().filter((e: SpanEvent) => e.kind === "invocation" && !before.has(e.id));

/** A Workers-like ExecutionContext whose waitUntil keeps what it is given (test double: workerd runs in e2e/). */
function executionContext() {
  const kept: Promise<unknown>[] = [];
  return {
    kept,
    ctx: { waitUntil: (p: Promise<unknown>) => void kept.push(p), passThroughOnException() {} },
  };
}

describe("withWorker", () => {
  it("calls each handler with the wrapped object as this, keeps other properties, and hands the flush to waitUntil", async () => {
    const handler = {
      greeting: "hi",
      fetch(this: { greeting: string }, request: Request, _env: unknown, _ctx: unknown) {
        return new Response(`${this.greeting} ${new URL(request.url).pathname}`);
      },
    };
    const wrapped = withWorker(handler);
    expect([wrapped === handler, wrapped.greeting]).toEqual([false, "hi"]);
    const { kept, ctx } = executionContext();
    const res = await wrapped.fetch(new Request("http://w/a?b=1"), {}, ctx);
    expect(await res.text()).toBe("hi /a");
    expect(kept).toHaveLength(1); // the flush, after the body ended
    await Promise.all(kept);
    expect(roots()).toMatchObject([
      { name: "GET /a", attributes: { "url.path": "/a", "http.response.status_code": 200 } },
    ]);
    expect(withWorker(wrapped).fetch).toBe(wrapped.fetch); // already traced: not wrapped twice
  });

  it("rethrows a handler's error as the same object, recorded on its span, flushed through ctx.waitUntil", async () => {
    const error = new TypeError("kaput");
    const wrapped = withWorker({
      scheduled: (_controller: unknown, _env: unknown, _ctx: unknown) => {
        throw error;
      },
    });
    const { kept, ctx } = executionContext();
    await expect(wrapped.scheduled({ cron: "0 0 * * *" }, {}, ctx)).rejects.toBe(error);
    expect(kept).toHaveLength(1);
    await Promise.all(kept);
    expect(roots()).toMatchObject([
      { name: "scheduled 0 0 * * *", status: "error", attributes: { "faas.trigger": "timer" } },
    ]);
  });

  it("still traces an event of a shape it did not expect, and takes spanName", async () => {
    const wrapped = withWorker(
      { queue: async (_batch: unknown, _env: unknown, _ctx: unknown) => "done" },
      { spanName: (handler) => `my ${handler}` },
    );
    const { kept, ctx } = executionContext();
    expect(await wrapped.queue(null, {}, ctx)).toBe("done");
    await Promise.all(kept);
    expect(roots()).toMatchObject([{ name: "my queue", attributes: { "faas.trigger": "pubsub" } }]);
  });
});

describe("withDurableObject", () => {
  it("returns a subclass with the same name and methods, wrapped once", () => {
    class Room {
      constructor(
        readonly state: unknown,
        readonly env: unknown,
      ) {}
      fetch() {
        return new Response("room");
      }
      other() {
        return 1;
      }
    }
    const Traced = withDurableObject(Room);
    expect(withDurableObject(Traced)).toBe(Traced);
    const room = new Traced({}, {});
    expect(room).toBeInstanceOf(Room);
    expect([Traced.name, room.other(), room.env]).toEqual(["Room", 1, {}]);
  });
});
