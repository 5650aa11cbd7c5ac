// forwardTo: the client sends to a forwarder on loopback (here a test-kit loopback server standing in for
// the Lambda extension, which has its own end-to-end tests) and falls back to the backend when it fails.
import { type LoopbackServer, freePort, startLoopbackServer } from "@lumiqtrace/test-kit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { init, resetClient } from "../global.js";
import { resetWarnings } from "../logger.js";
import { startSpan } from "../span.js";
import { forwardTo, forwarderAnswers } from "./forward.js";

let backend: LoopbackServer;
let forwarder: LoopbackServer;
beforeEach(async () => {
  [backend, forwarder] = await Promise.all([startLoopbackServer(), startLoopbackServer()]);
  resetWarnings();
});
afterEach(async () => {
  resetClient();
  vi.restoreAllMocks();
  await Promise.all([backend.close(), forwarder.close()]);
});

const client = () => init({ apiKey: "lqt_test_key", baseUrl: backend.url, flushIntervalMs: 60_000 }, {});
const record = (name: string) => startSpan({ name }).end();
const names = (events: { name: string }[]) => events.map((e) => e.name);

describe("forwardTo", () => {
  it("sends the batches to the forwarder, not the backend, and says when an invocation is done", async () => {
    const c = client();
    const f = forwardTo(forwarder.url)!;
    record("a");
    record("b");
    await c.flush();
    await f.done("req-1");
    expect(names(forwarder.delivered())).toEqual(["a", "b"]);
    expect(backend.requests).toHaveLength(0);
    const [batch, done] = forwarder.requests;
    expect(batch).toMatchObject({
      path: "/v1/batch",
      body: { sdk: { name: "@lumiqtrace/sdk" }, dropped: 0 },
    });
    // the key stays with the function: the extension has it from the same environment
    expect(batch!.headers.authorization).toBeUndefined();
    expect(done).toMatchObject({ method: "POST", path: "/v1/done", body: { invocationId: "req-1" } });
    expect(c.stats()).toMatchObject({ queued: 0, delivered: 2, dropped: 0 });
  });

  it("sends large batches to the forwarder uncompressed (gzip costs the function time, loopback gains nothing)", async () => {
    const c = client();
    forwardTo(forwarder.url);
    for (let i = 0; i < 200; i++) startSpan({ name: "x".repeat(300) }).end();
    await c.flush();
    expect(forwarder.requests[0]!.rawBytes).toBeGreaterThan(32 * 1024);
    expect(forwarder.requests.map((r) => r.headers["content-encoding"])).toEqual([undefined, undefined]);
    expect(forwarder.delivered()).toHaveLength(200);
  });

  it("is idempotent per client, and a new client starts without a forwarder", async () => {
    client();
    expect(forwardTo(forwarder.url)).toBe(forwardTo(forwarder.url));
    const second = client();
    record("after init");
    await second.flush();
    expect(names(backend.delivered())).toEqual(["after init"]);
    expect(forwarder.requests).toHaveLength(0);
  });

  it("does nothing while tracing is off", () => {
    init({ enabled: false }, {});
    expect(forwardTo(forwarder.url)).toBeUndefined();
  });
});

describe("when the forwarder fails, the backend gets the events within the same flush", () => {
  it("a forwarder that is not there (connection refused): said once, then straight to the backend", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const c = client();
    const f = forwardTo(`http://127.0.0.1:${await freePort()}`)!;
    record("first");
    await c.flush();
    expect(names(backend.delivered())).toEqual(["first"]);
    await f.done("req-1"); // never rejects
    record("second");
    await c.flush();
    expect(names(backend.delivered())).toEqual(["first", "second"]);
    expect(
      warn.mock.calls.filter(([m]) => String(m).includes("sending to the backend directly")),
    ).toHaveLength(1);
    expect(c.stats()).toMatchObject({ queued: 0, delivered: 2, dropped: 0 });
  });

  it("a forwarder that answers 500 or refuses the batch", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const status of [500, 400]) {
      resetWarnings();
      backend.reset();
      forwarder.reset();
      const c = client();
      forwardTo(forwarder.url);
      forwarder.script({ status });
      record(`refused ${status}`);
      await c.flush();
      expect(names(backend.delivered())).toEqual([`refused ${status}`]);
      expect(forwarder.requests).toHaveLength(1); // no retry against a forwarder: the backend is the retry
    }
  });

  it("a forwarder that hangs costs at most its 1 s loopback bound, not the flush's", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const c = client();
    forwardTo(forwarder.url);
    forwarder.script({ hang: true });
    record("held");
    await c.flush({ timeoutMs: 8000 });
    expect(names(backend.delivered())).toEqual(["held"]);
  });

  it("events queued for the backend before forwarding began are still flushed", async () => {
    const c = client();
    record("before");
    forwardTo(forwarder.url);
    record("after");
    await c.flush();
    expect(names(backend.delivered())).toEqual(["before"]);
    expect(names(forwarder.delivered())).toEqual(["after"]);
  });
});

describe("forwarderAnswers", () => {
  it("is true only for a server that says it is the extension", async () => {
    forwarder.script({ status: 200, headers: { "x-lumiqtrace-extension": "0.0.0" } }, { status: 200 });
    expect(await forwarderAnswers(forwarder.url)).toBe(true);
    expect(await forwarderAnswers(forwarder.url)).toBe(false); // another server on that port
    expect(await forwarderAnswers(`http://127.0.0.1:${await freePort()}`)).toBe(false);
  });
});
