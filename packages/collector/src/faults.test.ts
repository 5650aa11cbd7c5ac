import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkFaultSpec, createFaults } from "./faults.js";
import { startCollector, type Collector } from "./server.js";
import { makeBatch, makeEvent, postBatch } from "./test-events.js";

let c: Collector;
beforeEach(async () => {
  c = await startCollector({ port: 0 });
});
afterEach(async () => {
  await c.close();
});

const send = (signal?: AbortSignal) => postBatch(c.url, c.apiKey, makeBatch([makeEvent()]), { signal });

describe("injected faults on ingest", () => {
  it("answers 503 for the next N requests, storing nothing, then recovers", async () => {
    c.setFaults({ status: 503, count: 2 });
    const first = await send();
    expect(first.status).toBe(503);
    expect((await first.json()).error).toBe("injected fault: 503");
    expect((await send()).status).toBe(503);
    expect((await send()).status).toBe(200);
    expect(c.events).toHaveLength(1);
    expect(c.requests.map((r) => [r.status, r.fault, r.eventCount])).toEqual([
      [503, "status", 1],
      [503, "status", 1],
      [200, undefined, 1],
    ]);
  });

  it("answers 429 with Retry-After", async () => {
    c.setFaults({ status: 429, retryAfter: 2 });
    const res = await send();
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(c.events).toHaveLength(0);
  });

  it("answers 413 on demand", async () => {
    c.setFaults({ status: 413, count: 1 });
    expect((await send()).status).toBe(413);
    expect((await send()).status).toBe(200);
  });

  it("delays the answer and then stores the batch", async () => {
    c.setFaults({ delayMs: 400, count: 1 });
    const started = performance.now();
    const res = await send();
    expect(res.status).toBe(200);
    // the answer cannot come before the delay ends; no upper bound asserted
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(c.events).toHaveLength(1);
    expect(c.requests[0]).toMatchObject({ status: 200, fault: "delay" });
  });

  it("delays, then answers the injected status", async () => {
    c.setFaults({ delayMs: 200, status: 500, count: 1 });
    const started = performance.now();
    expect((await send()).status).toBe(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("hangs until the client gives up, and close() still returns", async () => {
    c.setFaults({ hang: true, count: 1 });
    await expect(send(AbortSignal.timeout(300))).rejects.toThrow(/aborted|timeout/i);
    expect(c.requests).toMatchObject([{ status: 0, fault: "hang", eventCount: 1 }]);
    expect(c.events).toHaveLength(0);
    expect((await send()).status).toBe(200);
  });

  it("close() ends a request that is still hanging", async () => {
    c.setFaults({ hang: true });
    const pending = send().then(
      () => "answered",
      () => "connection closed",
    );
    await c.waitForEvents(() => c.requests.length === 1);
    await c.close();
    expect(await pending).toBe("connection closed");
  });

  it("resets the connection", async () => {
    c.setFaults({ reset: true, count: 1 });
    const err = await send().then(
      () => null,
      (e: Error & { cause?: { code?: string } }) => e,
    );
    expect(err?.message).toBe("fetch failed");
    expect(err?.cause?.code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect(c.requests).toMatchObject([{ status: 0, fault: "reset" }]);
    expect(c.events).toHaveLength(0);
    expect((await send()).status).toBe(200);
  });

  it("faults a share of requests with rate", async () => {
    c.setFaults({ status: 503, rate: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await send()).status);
    const failed = statuses.filter((s) => s === 503).length;
    // binomial(200, 0.5): outside 40..160 has a probability far below 1e-15
    expect(failed).toBeGreaterThan(40);
    expect(failed).toBeLessThan(160);
    expect(c.events).toHaveLength(200 - failed);
  });

  it("rate 0 faults nothing and rate 1 faults everything", async () => {
    c.setFaults({ status: 503, rate: 0 });
    for (let i = 0; i < 10; i++) expect((await send()).status).toBe(200);
    c.setFaults({ status: 503, rate: 1 });
    for (let i = 0; i < 10; i++) expect((await send()).status).toBe(503);
  });

  it("starts with the faults given to startCollector", async () => {
    const faulty = await startCollector({ port: 0, faults: { status: 503, count: 1 } });
    try {
      expect((await postBatch(faulty.url, faulty.apiKey, makeBatch([makeEvent()]))).status).toBe(503);
      expect((await postBatch(faulty.url, faulty.apiKey, makeBatch([makeEvent()]))).status).toBe(200);
    } finally {
      await faulty.close();
    }
  });

  it("setFaults(null) clears the spec", async () => {
    c.setFaults({ status: 503 });
    expect((await send()).status).toBe(503);
    c.setFaults(null);
    expect((await send()).status).toBe(200);
  });

  it("never faults the read API", async () => {
    c.setFaults({ status: 503 });
    expect((await fetch(`${c.url}/v1/traces`)).status).toBe(200);
  });
});

describe("control endpoint", () => {
  const control = (method: string, body?: unknown, contentType = "application/json") =>
    fetch(`${c.url}/_control/faults`, {
      method,
      headers: { "content-type": contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("sets, shows and clears faults over HTTP", async () => {
    const set = await control("POST", { status: 429, retryAfter: 1, count: 3 });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ faults: { status: 429, retryAfter: 1, count: 3, remaining: 3 } });
    expect((await send()).status).toBe(429);
    expect(await (await fetch(`${c.url}/_control/faults`)).json()).toEqual({
      faults: { status: 429, retryAfter: 1, count: 3, remaining: 2 },
    });
    const cleared = await control("DELETE");
    expect(await cleared.json()).toEqual({ faults: null });
    expect((await send()).status).toBe(200);
  });

  it("rejects an invalid spec with 400 and a non-JSON post with 415", async () => {
    const bad = await control("POST", { status: 200 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/status must be an HTTP status from 400 to 599/);
    expect((await control("POST", { status: 503, bogus: true })).status).toBe(400);
    expect((await control("POST", { status: 503 }, "text/plain")).status).toBe(415);
    expect((await send()).status).toBe(200);
  });
});

describe("fault spec rules", () => {
  it("validates each field", () => {
    expect(() => checkFaultSpec({})).toThrow(/at least one of/);
    expect(() => checkFaultSpec({ status: 503, rate: 2 })).toThrow(/rate/);
    expect(() => checkFaultSpec({ status: 503, count: 0 })).toThrow(/count/);
    expect(() => checkFaultSpec({ hang: "yes" })).toThrow(/hang/);
    expect(checkFaultSpec({ reset: true, count: 1 })).toEqual({ reset: true, count: 1 });
  });

  it("with count and rate, faults a random share until count faults were injected", () => {
    // test double for Math.random: a fixed sequence
    const draws = [0.9, 0.1, 0.9, 0.2, 0.1];
    const faults = createFaults({ status: 503, count: 2, rate: 0.5 }, () => draws.shift()!);
    expect(
      [faults.next(), faults.next(), faults.next(), faults.next(), faults.next()].map(
        (f) => f?.status ?? null,
      ),
    ).toEqual([null, 503, null, 503, null]);
    expect(faults.get()).toBeNull();
  });
});
