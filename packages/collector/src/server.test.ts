import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCollector, type Collector } from "./server.js";
import { hex, makeBatch, makeEvent, makeTrace, postBatch } from "./test-events.js";

let c: Collector;
beforeEach(async () => {
  c = await startCollector({ port: 0 });
});
afterEach(async () => {
  await c.close();
});

async function waitUntil(done: () => boolean, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`still false after ${timeoutMs}ms: ${done}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function storedCount() {
  const res = await fetch(`${c.url}/v1/traces?limit=1000`);
  const { traces } = (await res.json()) as { traces: Array<{ spanCount: number }> };
  return traces.reduce((n, t) => n + t.spanCount, 0);
}

describe("ingest", () => {
  it("starts on a free loopback port with a generated dev key", () => {
    expect(c.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(c.port).toBeGreaterThan(0);
    expect(c.apiKey).toMatch(/^lqt_dev_[A-Za-z0-9_-]{20,}$/);
  });

  it("refuses to start with a key no client could send", async () => {
    await expect(startCollector({ port: 0, apiKey: "" })).rejects.toThrow("apiKey: the key is empty");
    await expect(startCollector({ port: 0, apiKey: "a b" })).rejects.toThrow(/apiKey: .*whitespace/);
  });

  it("gives a loopback URL when listening on every interface", async () => {
    const all = await startCollector({ port: 0, host: "0.0.0.0" });
    try {
      expect(all.url).toBe(`http://127.0.0.1:${all.port}`);
      expect((await postBatch(all.url, all.apiKey, makeBatch([makeEvent()]))).status).toBe(200);
    } finally {
      await all.close();
    }
  });

  it("accepts a batch, stores it and lists it in events and requests", async () => {
    const { root, llm } = makeTrace();
    const res = await postBatch(c.url, c.apiKey, makeBatch([llm, root]));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(c.events.map((e) => e.id)).toEqual([llm.id, root.id]);
    expect(c.requests).toMatchObject([
      {
        method: "POST",
        path: "/v1/batch",
        status: 200,
        eventCount: 2,
        eventIds: [llm.id, root.id],
        dropped: 0,
        gzip: false,
      },
    ]);
    expect(c.getTrace(root.traceId)?.map((e) => e.id)).toEqual([root.id, llm.id]);
  });

  it("counts a retried event as a duplicate and stores it once", async () => {
    const a = makeEvent();
    const b = makeEvent();
    expect(await (await postBatch(c.url, c.apiKey, makeBatch([a]))).json()).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    const again = await postBatch(c.url, c.apiKey, makeBatch([a, b, b]));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ accepted: 1, duplicates: 2 });
    expect(c.events.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(await storedCount()).toBe(2);
  });

  it("accepts a gzipped body", async () => {
    const events = Array.from({ length: 20 }, () => makeEvent());
    const text = JSON.stringify(makeBatch(events, { dropped: 3 }));
    const res = await postBatch(c.url, c.apiKey, null, {
      raw: gzipSync(text),
      headers: { "content-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 20, duplicates: 0 });
    expect(c.events).toHaveLength(20);
    expect(c.requests[0]).toMatchObject({ gzip: true, dropped: 3, eventCount: 20 });
    expect(c.requests[0]!.bodyBytes).toBeLessThan(text.length);
  });

  it("answers 413 above 5 MiB and stores nothing", async () => {
    const big = makeEvent({ attributes: { blob: "x".repeat(5 * 1024 * 1024) } });
    const res = await postBatch(c.url, c.apiKey, makeBatch([big]));
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/larger than 5242880 bytes/);
    expect(c.events).toHaveLength(0);
    expect(await storedCount()).toBe(0);
  });

  it("answers 413 for a gzip body that inflates past the cap, and accepts one just under it", async () => {
    const small = await startCollector({ port: 0, maxBodyBytes: 4096 });
    try {
      const over = makeBatch([makeEvent({ attributes: { blob: "y".repeat(8000) } })]);
      const res = await postBatch(small.url, small.apiKey, null, {
        raw: gzipSync(JSON.stringify(over)),
        headers: { "content-encoding": "gzip" },
      });
      expect(res.status).toBe(413);
      const under = makeBatch([makeEvent({ attributes: { blob: "y".repeat(3000) } })]);
      const ok = await postBatch(small.url, small.apiKey, null, {
        raw: gzipSync(JSON.stringify(under)),
        headers: { "content-encoding": "gzip" },
      });
      expect(ok.status).toBe(200);
      expect(small.events).toHaveLength(1);
    } finally {
      await small.close();
    }
  });
});

describe("bad input gets a clear 4xx and is never stored", () => {
  const valid = () => makeBatch([makeEvent(), makeEvent()]);
  const cases: Array<
    [
      string,
      () => { body?: unknown; raw?: string | Buffer; key?: string | null; headers?: Record<string, string> },
      number,
      RegExp,
    ]
  > = [
    ["malformed JSON", () => ({ raw: '{"sdk": {"name": ' }), 400, /not valid JSON/],
    ["missing key", () => ({ body: valid(), key: null }), 401, /missing API key/],
    ["wrong key", () => ({ body: valid(), key: "lqt_dev_wrong" }), 401, /invalid API key/],
    ["unknown top-level field", () => ({ body: { ...valid(), extra: 1 } }), 400, /^extra: unknown field/],
    [
      "unknown event field",
      () => ({ body: makeBatch([makeEvent(), { ...makeEvent(), spanKind: "x" } as never]) }),
      400,
      /^events\[1\]\.spanKind: unknown field/,
    ],
    [
      "traceId not hex",
      () => ({ body: makeBatch([makeEvent(), makeEvent(), makeEvent(), makeEvent({ traceId: "XYZ" })]) }),
      400,
      /^events\[3\]\.traceId: expected 32 lowercase hex characters/,
    ],
    [
      "all-zero spanId",
      () => ({ body: makeBatch([makeEvent({ spanId: "0".repeat(16) })]) }),
      400,
      /events\[0\]\.spanId: must not be all zeros/,
    ],
    [
      "startTime a string",
      () => ({ body: makeBatch([makeEvent({ startTime: "now" as never })]) }),
      400,
      /events\[0\]\.startTime: expected a finite number/,
    ],
    [
      "endTime before startTime",
      () => ({ body: makeBatch([makeEvent({ startTime: 10, endTime: 5 })]) }),
      400,
      /endTime: must not be before startTime/,
    ],
    [
      "bad kind",
      () => ({ body: makeBatch([makeEvent({ kind: "server" as never })]) }),
      400,
      /events\[0\]\.kind/,
    ],
    [
      "bad status",
      () => ({ body: makeBatch([makeEvent({ status: "failed" as never })]) }),
      400,
      /events\[0\]\.status/,
    ],
    [
      "object attribute",
      () => ({ body: makeBatch([makeEvent({ attributes: { a: { b: 1 } } as never })]) }),
      400,
      /events\[0\]\.attributes\.a/,
    ],
    [
      "missing parentSpanId",
      () => {
        const e: Record<string, unknown> = { ...makeEvent() };
        delete e.parentSpanId;
        return { body: makeBatch([e as never]) };
      },
      400,
      /parentSpanId/,
    ],
    [
      "metadata nested too deep",
      () => {
        // built as text: JSON.stringify itself would overflow the stack on this object
        const deep = `${'{"m":'.repeat(100_000)}1${"}".repeat(100_000)}`;
        return {
          raw: JSON.stringify(makeBatch([makeEvent({ metadata: {} })])).replace(
            '"metadata":{}',
            `"metadata":${deep}`,
          ),
        };
      },
      400,
      /events\[0\]\.metadata: nested deeper than 32 levels/,
    ],
    ["empty events", () => ({ body: makeBatch([]) }), 400, /^events: expected at least one event/],
    [
      "id too long",
      () => ({ body: makeBatch([makeEvent({ id: "a".repeat(65) })]) }),
      400,
      /events\[0\]\.id: expected 1\.\.64 characters/,
    ],
    ["body an array", () => ({ body: [valid()] }), 400, /^body: expected a JSON object/],
    [
      "invalid gzip",
      () => ({ raw: Buffer.from("not gzip"), headers: { "content-encoding": "gzip" } }),
      400,
      /not valid gzip/,
    ],
    [
      "unknown encoding",
      () => ({ body: valid(), headers: { "content-encoding": "br" } }),
      415,
      /Content-Encoding/,
    ],
    [
      "form content type",
      () => ({ body: valid(), headers: { "content-type": "application/x-www-form-urlencoded" } }),
      415,
      /Content-Type/,
    ],
  ];

  it.each(cases)("%s", async (_name, make, status, message) => {
    const { body, raw, key, headers } = make();
    const res = await postBatch(c.url, key === undefined ? c.apiKey : key, body, {
      raw: raw as BodyInit | undefined,
      headers,
    });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect((await res.json()).error).toMatch(message);
    expect(c.events).toHaveLength(0);
    expect(await storedCount()).toBe(0);
    expect(c.requests).toMatchObject([{ status }]);
    // the server is still up and takes a good batch afterwards
    expect((await postBatch(c.url, c.apiKey, makeBatch([makeEvent()]))).status).toBe(200);
  });

  it("rejects a whole batch when its last event is invalid", async () => {
    const good = Array.from({ length: 5 }, () => makeEvent());
    const res = await postBatch(c.url, c.apiKey, makeBatch([...good, makeEvent({ name: "" })]));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/^events\[5\]\.name/);
    expect(c.events).toHaveLength(0);
    expect(await storedCount()).toBe(0);
  });

  it("survives a client that disconnects mid-body", async () => {
    const { request } = await import("node:http");
    await new Promise<void>((resolve) => {
      const req = request(`${c.url}/v1/batch`, {
        method: "POST",
        headers: { "content-length": "100000", authorization: `Bearer ${c.apiKey}` },
      });
      req.on("error", () => resolve());
      req.write('{"sdk":');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    expect((await postBatch(c.url, c.apiKey, makeBatch([makeEvent()]))).status).toBe(200);
  });

  it("refuses requests addressed to a non-loopback name (DNS rebinding)", async () => {
    const { request } = await import("node:http");
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request(`${c.url}/v1/traces`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on("error", reject)
          .end();
      });
    expect(await get(`evil.example:${c.port}`)).toBe(403);
    expect(await get(`localhost:${c.port}`)).toBe(200);
    expect(await get(`127.0.0.1:${c.port}`)).toBe(200);
    expect(await get(`[::1]:${c.port}`)).toBe(200);
  });

  it("answers garbage with a 4xx and keeps running", async () => {
    const { randomBytes } = await import("node:crypto");
    const valid = JSON.stringify(makeBatch([makeEvent()]));
    for (let i = 0; i < 60; i++) {
      // random bytes, and valid JSON cut or corrupted at a random place
      const cut = Math.floor(Math.random() * valid.length);
      const bodies = [
        randomBytes(1 + (i % 7) * 50),
        valid.slice(0, cut),
        `${valid.slice(0, cut)}\u0000${valid.slice(cut + 1)}`,
      ];
      const raw = bodies[i % 3]!;
      const gz: Record<string, string> = i % 2 === 0 ? { "content-encoding": "gzip" } : {};
      const res = await postBatch(c.url, c.apiKey, null, { raw, headers: i % 3 === 0 ? gz : {} });
      expect(res.status, `body ${JSON.stringify(raw.toString())}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect((await fetch(`${c.url}/v1/traces/%E0%A4%A`)).status).toBe(400);
    expect(c.events).toHaveLength(0);
    expect((await postBatch(c.url, c.apiKey, makeBatch([makeEvent()]))).status).toBe(200);
  });

  it("answers a request target that is not a URL with 400, and takes // as part of the path", async () => {
    const { connect } = await import("node:net");
    const raw = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(c.port, "127.0.0.1", () =>
          socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
        );
        let text = "";
        socket.setEncoding("utf8").on("data", (d: string) => (text += d));
        socket.on("close", () => resolve(text)).on("error", reject);
      });
    const bad = await raw("http://[");
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(bad).toContain('{"error":"the request target is not a valid URL"}');
    expect(await raw("//evil.example/v1/traces")).toMatch(/^HTTP\/1\.1 404 /);
    expect(await raw(`http://127.0.0.1:${c.port}/v1/stats`)).toMatch(/^HTTP\/1\.1 200 /);
    expect((await postBatch(c.url, c.apiKey, makeBatch([makeEvent()]))).status).toBe(200);
  });

  it("answers 404 for unknown paths whatever the method, and 405 for known paths with another method", async () => {
    expect((await fetch(`${c.url}/nope`)).status).toBe(404);
    const post = await fetch(`${c.url}/nope`, { method: "POST", body: "{}" });
    expect(post.status).toBe(404);
    expect(await post.json()).toEqual({ error: "no route POST /nope" });
    expect((await fetch(`${c.url}/v1/batch/`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`${c.url}/v1/batch`)).status).toBe(405);
    expect((await fetch(`${c.url}/v1/stats`, { method: "POST", body: "{}" })).status).toBe(405);
    // GET and POST /v1/traces are two routes on one path: the read API, and OTLP ingest
    expect((await fetch(`${c.url}/v1/traces`, { method: "DELETE" })).headers.get("allow")).toBe(
      "POST, GET, HEAD",
    );
  });
});

describe("read API", () => {
  it("lists traces newest first with summaries from the root span", async () => {
    const older = makeTrace();
    const newer = makeTrace();
    newer.root.startTime = older.root.startTime + 10_000;
    newer.root.endTime = newer.root.startTime + 500;
    newer.llm.startTime = newer.root.startTime + 5;
    newer.llm.endTime = newer.root.startTime + 400;
    newer.root.userId = "user-7";
    await postBatch(c.url, c.apiKey, makeBatch([older.llm, older.root, newer.llm, newer.root]));
    const res = await fetch(`${c.url}/v1/traces`);
    expect(res.status).toBe(200);
    const { traces } = await res.json();
    expect(traces).toEqual([
      {
        traceId: newer.root.traceId,
        name: "POST /api/chat",
        platform: "vercel",
        startTime: newer.root.startTime,
        durationMs: 500,
        status: "ok",
        spanCount: 2,
        llmCalls: 1,
        userId: "user-7",
        hasRoot: true,
        // 52 × $0.15/M + 18 × $0.60/M, gpt-4o-mini's list prices
        costUsd: expect.closeTo((52 * 0.15 + 18 * 0.6) / 1e6, 12),
      },
      expect.objectContaining({ traceId: older.root.traceId, userId: null }),
    ]);
    expect(c.getTraces()).toEqual(traces);
    const limited = await (await fetch(`${c.url}/v1/traces?limit=1`)).json();
    expect(limited.traces).toHaveLength(1);
    expect((await fetch(`${c.url}/v1/traces?limit=0`)).status).toBe(400);
  });

  it("adds up the cost of priced LLM calls only, and gives null when none is priced", async () => {
    const { root, llm } = makeTrace();
    const unpriced = {
      ...llm,
      id: hex(8),
      spanId: hex(8),
      attributes: { "gen_ai.request.model": "my-finetune" },
    };
    const embedding = makeEvent({
      traceId: root.traceId,
      parentSpanId: root.spanId,
      kind: "llm",
      attributes: { "gen_ai.request.model": "text-embedding-3-small", "gen_ai.usage.input_tokens": 1000 },
    });
    const plain = makeEvent();
    await postBatch(c.url, c.apiKey, makeBatch([llm, unpriced, embedding, root, plain]));
    const { traces } = await (await fetch(`${c.url}/v1/traces`)).json();
    const byId = Object.fromEntries(traces.map((t: { traceId: string }) => [t.traceId, t]));
    expect(byId[root.traceId].costUsd).toBeCloseTo((52 * 0.15 + 18 * 0.6 + 1000 * 0.02) / 1e6, 12);
    expect(byId[plain.traceId].costUsd).toBeNull();
    const detail = await (await fetch(`${c.url}/v1/traces/${root.traceId}`)).json();
    const costs = Object.fromEntries(
      detail.spans.map((s: { spanId: string; costUsd?: number }) => [s.spanId, s.costUsd]),
    );
    expect(costs[unpriced.spanId]).toBeUndefined();
    expect(costs[root.spanId]).toBeUndefined();
    expect(costs[embedding.spanId]).toBeCloseTo(0.00002, 12);
  });

  it("takes a continued trace's invocation as its root", async () => {
    const traceId = hex(16);
    const root = makeEvent({ traceId, parentSpanId: hex(8), name: "GET /continued" });
    const child = makeEvent({ traceId, parentSpanId: root.spanId, kind: "custom", name: "work" });
    await postBatch(c.url, c.apiKey, makeBatch([child, root]));
    const [summary] = c.getTraces();
    expect(summary).toMatchObject({ traceId, name: "GET /continued", hasRoot: true, spanCount: 2 });
  });

  it("counts traces, events, batches, duplicates and the drops the SDK reports", async () => {
    const { root, llm } = makeTrace();
    await postBatch(c.url, c.apiKey, makeBatch([llm], { dropped: 2 }));
    await postBatch(c.url, c.apiKey, makeBatch([llm, root], { dropped: 1 }));
    await postBatch(c.url, c.apiKey, makeBatch([makeEvent({ name: "" })], { dropped: 50 })); // rejected: not counted
    const stats = { traces: 1, events: 2, batches: 2, duplicates: 1, dropped: 3 };
    expect(await (await fetch(`${c.url}/v1/stats`)).json()).toEqual(stats);
    expect(c.getStats()).toEqual(stats);
  });

  it("returns one trace's summary and spans, and 404 for an unknown id", async () => {
    const { root, llm } = makeTrace();
    await postBatch(c.url, c.apiKey, makeBatch([llm, root]));
    const res = await fetch(`${c.url}/v1/traces/${root.traceId}`);
    expect(res.status).toBe(200);
    const cost = (52 * 0.15 + 18 * 0.6) / 1e6;
    expect(await res.json()).toEqual({
      ...c.getTraces()[0],
      costUsd: expect.closeTo(cost, 12),
      spans: [root, { ...llm, costUsd: expect.closeTo(cost, 12) }],
    });
    expect(c.getTraces()[0]).toMatchObject({ traceId: root.traceId, hasRoot: true, spanCount: 2 });
    const missing = await fetch(`${c.url}/v1/traces/${hex(16)}`);
    expect(missing.status).toBe(404);
    expect(c.getTrace(hex(16))).toBeUndefined();
  });
});

describe("waitForEvents", () => {
  it("resolves once the predicate holds", async () => {
    const waiting = c.waitForEvents((events) => events.some((e) => e.kind === "invocation"));
    const { root, llm } = makeTrace();
    await postBatch(c.url, c.apiKey, makeBatch([llm]));
    await postBatch(c.url, c.apiKey, makeBatch([root]));
    const events = await waiting;
    expect(events.map((e) => e.id)).toEqual([llm.id, root.id]);
  });

  it("rejects after the timeout listing what arrived", async () => {
    await postBatch(c.url, c.apiKey, makeBatch([makeEvent({ name: "only this" })]));
    await expect(c.waitForEvents((events) => events.length >= 2, { timeoutMs: 200 })).rejects.toThrow(
      /after 200ms; 1 events arrived:\n {2}invocation "only this" ok[\s\S]*1 ingest requests:\n {2}POST \/v1\/batch -> 200/,
    );
  });
});

describe("retainEvents: false", () => {
  it("stores and serves traces but keeps no events or requests in memory", async () => {
    const lean = await startCollector({ port: 0, retainEvents: false });
    try {
      const { root } = makeTrace();
      expect((await postBatch(lean.url, lean.apiKey, makeBatch([root]))).status).toBe(200);
      expect(lean.events).toEqual([]);
      expect(lean.requests).toEqual([]);
      expect(lean.getTrace(root.traceId)).toEqual([root]);
    } finally {
      await lean.close();
    }
  });
});

describe("persistence", () => {
  it("keeps events in the SQLite file across restarts", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "lumiq-collector-"));
    const dbPath = join(dir, "nested", "traces.sqlite");
    try {
      const first = await startCollector({ port: 0, dbPath });
      const { root } = makeTrace();
      await postBatch(first.url, first.apiKey, makeBatch([root]));
      await first.close();
      const second = await startCollector({ port: 0, dbPath });
      expect(second.getTrace(root.traceId)).toEqual([root]);
      const dup = await postBatch(second.url, second.apiKey, makeBatch([root]));
      expect(await dup.json()).toEqual({ accepted: 0, duplicates: 1 });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("terminal output", () => {
  it("prints what clients send as inert text: no escape sequence reaches the terminal", async () => {
    const lines: string[] = [];
    const loud = await startCollector({ port: 0, quiet: false, log: (line) => lines.push(line) });
    try {
      const { root, llm } = makeTrace();
      root.name = "\u001b]0;owned\u0007\u001b[2J";
      delete root.attributes["http.route"];
      llm.attributes["gen_ai.response.model"] = "gpt\u202eevil\u009b";
      llm.status = "error";
      llm.error = { type: "Boom\r", message: "line one\nline two\u001b[1A" };
      expect((await postBatch(loud.url, loud.apiKey, makeBatch([llm, root]))).status).toBe(200);
      await waitUntil(() => lines.length > 0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("\\x1b]0;owned\\x07\\x1b[2J");
      expect(lines[0]).toContain("gpt\\u202eevil\\x9b");
      expect(lines[0]).toContain("Boom : line one line two\\x1b[1A");
      expect(lines[0]).not.toMatch(/[\p{Cc}\u202a-\u202e]/u);
    } finally {
      await loud.close();
    }
  });
});

describe("listening beyond loopback", () => {
  let open: Collector;
  beforeEach(async () => {
    open = await startCollector({ port: 0, host: "0.0.0.0" });
  });
  afterEach(async () => {
    await open.close();
  });
  const bearer = () => ({ authorization: `Bearer ${open.apiKey}` });

  it("needs the key for the read API, the viewer and the fault controls, as a Bearer header", async () => {
    for (const path of [
      "/v1/traces",
      "/v1/stats",
      `/v1/traces/${hex(16)}`,
      "/",
      "/viewer.js",
      "/_control/faults",
    ]) {
      const res = await fetch(`${open.url}${path}`);
      expect(res.status, path).toBe(401);
      expect((await res.json()).error).toMatch(/needs the API key/);
      const wrong = await fetch(`${open.url}${path}`, { headers: { authorization: "Bearer lqt_dev_wrong" } });
      expect(wrong.status, path).toBe(401);
    }
    const set = await fetch(`${open.url}/_control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 503 }),
    });
    expect(set.status).toBe(401);
    expect(await (await fetch(`${open.url}/_control/faults`, { headers: bearer() })).json()).toEqual({
      faults: null,
    });
    expect((await fetch(`${open.url}/v1/traces`, { headers: bearer() })).status).toBe(200);
    expect((await fetch(`${open.url}/healthz`)).status).toBe(200);
  });

  it("trades the viewer URL's ?key= for an HttpOnly, SameSite=Strict cookie, and refuses a wrong one", async () => {
    expect((await fetch(`${open.url}/?key=lqt_dev_wrong`, { redirect: "manual" })).status).toBe(401);
    const signIn = await fetch(`${open.url}/?key=${encodeURIComponent(open.apiKey)}`, { redirect: "manual" });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("location")).toBe("/");
    const setCookie = signIn.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(
      new RegExp(`^lumiqtrace_session_${open.port}=[\\w-]+; HttpOnly; SameSite=Strict; Path=/$`),
    );
    expect(setCookie).not.toContain(open.apiKey);
    const cookie = setCookie.split(";")[0]!;
    for (const path of ["/", "/viewer.js", "/viewer.css", "/v1/traces", "/v1/stats"]) {
      expect((await fetch(`${open.url}${path}`, { headers: { cookie } })).status, path).toBe(200);
    }
    const forged = `lumiqtrace_session_${open.port}=${open.apiKey}`;
    expect((await fetch(`${open.url}/v1/traces`, { headers: { cookie: forged } })).status).toBe(401);
  });

  it("takes any Host header with the key (the guard against DNS rebinding is for loopback)", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      request(`${open.url}/v1/traces`, { headers: { host: "collector.lan:4477", ...bearer() } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(200);
  });

  it("still takes batches with the key, and only with it", async () => {
    expect((await postBatch(open.url, open.apiKey, makeBatch([makeEvent()]))).status).toBe(200);
    expect((await postBatch(open.url, null, makeBatch([makeEvent()]))).status).toBe(401);
  });
});

describe("on loopback", () => {
  it("needs no key for the read API, the viewer and the fault controls, and ignores ?key=", async () => {
    for (const path of ["/v1/traces", "/v1/stats", "/", "/viewer.js", "/_control/faults", "/?key=anything"]) {
      expect((await fetch(`${c.url}${path}`, { redirect: "manual" })).status, path).toBe(200);
    }
  });
});
