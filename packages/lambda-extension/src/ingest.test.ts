import { gzipSync } from "node:zlib";
import type { SpanEvent } from "@lumiqtrace/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServer, type Server } from "./ingest.js";
import { createInvocations, type Invocations } from "./invocations.js";

let server: Server;
let captured: SpanEvent[];
let invocations: Invocations;
beforeEach(async () => {
  captured = [];
  invocations = createInvocations();
  server = await startServer("127.0.0.1", 0, {
    capture: (e) => captured.push(e),
    invocations,
    version: "1.2.3",
  });
});
afterEach(() => server.close());

const event = (name: string): SpanEvent => ({
  id: `evt-${name}`,
  type: "span",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  parentSpanId: null,
  name,
  kind: "invocation",
  startTime: 1,
  endTime: 2,
  status: "ok",
  attributes: {},
});
const batch = (...events: unknown[]) => ({
  sdk: { name: "@lumiqtrace/sdk", version: "0.0.0" },
  sentAt: 1,
  dropped: 0,
  events,
});
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: (typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body)) as BodyInit,
  });

describe("the function's batches", () => {
  it("are validated as the collector validates them, and captured", async () => {
    const res = await post("/v1/batch", batch(event("a"), event("b")));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(captured.map((e) => e.name)).toEqual(["a", "b"]);
  });

  it("a bad one gets a 4xx that says why, nothing of it is captured, and the server keeps serving", async () => {
    const bad = await post("/v1/batch", batch(event("ok"), { ...event("x"), traceId: "nope" }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/events\[1\]\.traceId/);
    expect((await post("/v1/batch", "{not json")).status).toBe(400);
    expect((await post("/v1/batch", "x".repeat(5 * 1024 * 1024 + 1))).status).toBe(413);
    expect((await post("/v1/nowhere", {})).status).toBe(404);
    expect(captured).toEqual([]);
    expect((await post("/v1/batch", batch(event("after")))).status).toBe(200);
    expect(captured.map((e) => e.name)).toEqual(["after"]);
  });

  it("may come gzipped", async () => {
    const res = await post("/v1/batch", gzipSync(JSON.stringify(batch(event("z")))), {
      "content-encoding": "gzip",
    });
    expect(res.status).toBe(200);
    expect(captured.map((e) => e.name)).toEqual(["z"]);
  });
});

describe("when an invocation is over", () => {
  it("the SDK says so with its id", async () => {
    const over = invocations.over("req-1", Date.now() + 10_000);
    expect((await post("/v1/done", { invocationId: "req-1" })).status).toBe(200);
    expect(await over).toBe("sdk");
    expect((await post("/v1/done", { nope: 1 })).status).toBe(400);
  });

  it("the Telemetry API's platform.runtimeDone says so (after a crash too)", async () => {
    const over = invocations.over("req-2", Date.now() + 10_000);
    const delivery = [
      { time: "2026-12-01T00:00:00.000Z", type: "platform.start", record: { requestId: "req-2" } },
      {
        time: "2026-12-01T00:00:00.100Z",
        type: "platform.runtimeDone",
        record: { requestId: "req-2", status: "failure" },
      },
    ];
    expect((await post("/telemetry", delivery)).status).toBe(200);
    expect(await over).toBe("telemetry");
  });
});

it("tells who it is, so the SDK can tell it from another server on the port", async () => {
  const res = await fetch(`${server.url}/v1/extension`);
  expect(res.headers.get("x-lumiqtrace-extension")).toBe("1.2.3");
  expect(await res.json()).toEqual({ name: "lumiqtrace", version: "1.2.3" });
});
