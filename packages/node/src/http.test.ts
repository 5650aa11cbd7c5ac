import { createServer, IncomingMessage, type RequestListener, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Socket } from "node:net";
import { lumiqtrace, type SpanEvent } from "@lumiqtrace/sdk";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { withNodeHttp } from "./http.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// The receiving end: test-kit's recording server (pure Node, so these run on every Node the suite runs on)
let receiver: LoopbackServer;
let seenBefore = new Set<string>();
const delivered = (): SpanEvent[] => receiver.delivered();

beforeAll(async () => {
  receiver = await startLoopbackServer();
  lumiqtrace.init({ apiKey: "lqt_node_unit", baseUrl: receiver.url, flushIntervalMs: 60_000 });
});
afterAll(() => receiver.close());
beforeEach(() => {
  seenBefore = new Set(delivered().map((e) => e.id));
});

const arrived = (pred: (e: SpanEvent) => boolean) =>
  vi.waitFor(
    () => {
      const events = delivered().filter((e) => pred(e) && !seenBefore.has(e.id));
      expect(events.length).toBeGreaterThan(0);
      return events;
    },
    { timeout: 10_000 },
  );

async function serve(listener: RequestListener) {
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return { url, close };
}

/** A body sent in pieces, each in its own packet: read by the socket's 'data' callbacks, after the listener returned. */
function slowBody(pieces: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      const piece = pieces.shift();
      if (piece === undefined) return controller.close();
      await sleep(30);
      controller.enqueue(new TextEncoder().encode(piece));
    },
  });
}

describe("withNodeHttp", () => {
  it("traces a request whose body is read with 'data' and 'end' listeners, spans in them in its trace", async () => {
    const app = await serve(
      withNodeHttp((req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
          // without the request bound to the context, this callback runs in the socket's: no trace
          lumiqtrace.span("parse", () => JSON.parse(body));
          res.writeHead(201, { "content-type": "text/plain" }).end(`got ${body.length}`);
        });
      }),
    );
    const res = await fetch(`${app.url}/items?x=1`, {
      method: "POST",
      body: slowBody(['{"a":', '"b"', "}"]),
      duplex: "half",
    } as RequestInit);
    expect([res.status, await res.text()]).toEqual([201, "got 9"]);
    const [root] = await arrived((e) => e.kind === "invocation" && e.attributes["url.path"] === "/items");
    expect(root).toMatchObject({
      name: "POST",
      status: "ok",
      attributes: {
        "lumiqtrace.platform": "node",
        "http.request.method": "POST",
        "http.response.status_code": 201,
        "faas.trigger": "http",
      },
    });
    const [parse] = await arrived((e) => e.name === "parse");
    expect(parse).toMatchObject({ traceId: root!.traceId, parentSpanId: root!.spanId });
    await app.close();
  });

  it("ends the request's span when a response written over time has finished", async () => {
    const app = await serve(
      withNodeHttp(async (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        for (let i = 0; i < 3; i++) {
          await lumiqtrace.span(`chunk ${i}`, () => sleep(20));
          res.write(`chunk ${i};`);
        }
        res.end();
      }),
    );
    expect(await (await fetch(`${app.url}/stream`)).text()).toBe("chunk 0;chunk 1;chunk 2;");
    const [root] = await arrived((e) => e.kind === "invocation" && e.attributes["url.path"] === "/stream");
    const chunks = (await arrived((e) => e.name === "chunk 2")).concat();
    expect(chunks[0]!.traceId).toBe(root!.traceId);
    expect(root!.endTime).toBeGreaterThanOrEqual(chunks[0]!.endTime);
    await app.close();
  });

  it("marks a request the client left before its response was complete as cancelled", async () => {
    const app = await serve(
      withNodeHttp((_req, res) => {
        res.writeHead(200);
        res.write("part");
        // never ends: the client goes away
      }),
    );
    const abort = new AbortController();
    const res = await fetch(`${app.url}/left`, { signal: abort.signal });
    await res.body!.getReader().read();
    abort.abort();
    const [root] = await arrived((e) => e.kind === "invocation" && e.attributes["url.path"] === "/left");
    expect(root!.status).toBe("cancelled");
    expect(root!.attributes["http.response.status_code"]).toBeUndefined();
    await app.close();
  });

  it("keeps the listener's this, return value and thrown error as they were", async () => {
    const error = new TypeError("kaput");
    const self = { name: "server" };
    let seenThis: unknown;
    const listener = function (this: unknown, _req: IncomingMessage, _res: ServerResponse) {
      seenThis = this;
      return "returned";
    };
    const thrower = (_req: IncomingMessage, _res: ServerResponse) => {
      throw error;
    };
    const req = new IncomingMessage(new Socket());
    req.method = "GET";
    req.url = "/direct";
    expect(withNodeHttp(listener).call(self, req, new ServerResponse(req))).toBe("returned");
    expect(seenThis).toBe(self);
    const req2 = new IncomingMessage(new Socket());
    req2.url = "/throws";
    expect(() => withNodeHttp(thrower)(req2, new ServerResponse(req2))).toThrow(error);
    const [root] = await arrived((e) => e.kind === "invocation" && e.attributes["url.path"] === "/throws");
    expect(root).toMatchObject({ status: "error", error: { message: "kaput" } });
  });

  it("traces once when wrapped twice, skips what filter refuses, and takes spanName", async () => {
    const listener: RequestListener = (_req, res) => res.end("ok");
    const inner = withNodeHttp(listener, {
      filter: (req) => req.url !== "/health",
      spanName: (req) => `custom ${req.url}`,
    });
    expect(withNodeHttp(inner)).toBe(inner);
    const alone = await serve(inner);
    // an outer wrapper of its own (not the same function): it traces, the inner one sees a traced request
    const outer = await serve(withNodeHttp((req, res) => inner(req, res)));
    for (const path of ["/health", "/custom"]) await (await fetch(`${alone.url}${path}`)).text();
    await (await fetch(`${outer.url}/outer`)).text();
    await arrived((e) => e.kind === "invocation" && e.attributes["url.path"] === "/outer");
    const all = delivered().filter((e) => e.kind === "invocation" && !seenBefore.has(e.id));
    expect(all.map((e) => [e.name, e.attributes["url.path"]])).toEqual([
      ["custom /custom", "/custom"],
      ["GET", "/outer"],
    ]);
    await alone.close();
    await outer.close();
  });
});
