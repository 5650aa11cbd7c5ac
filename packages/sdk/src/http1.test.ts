import { createServer as createHttpServer, type Server } from "node:http";
import * as net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { IDLE_REUSE_MS, post, readAnswer } from "./http1.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const servers: Array<Server | net.Server> = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A node:http server that counts the connections it accepted; server-side sockets never hold the test's loop. */
async function httpServer(handle: Parameters<typeof createHttpServer>[1]) {
  const server = createHttpServer(handle);
  let connections = 0;
  server.on("connection", (socket) => {
    connections++;
    sockets.push(socket);
    socket.unref();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  return { server, url: new URL(`http://127.0.0.1:${port}/v1/batch?x=1`), connections: () => connections };
}

/** A raw TCP server: `answer(request, socketIndex, requestIndex)` writes whatever bytes it wants. */
async function rawServer(answer: (socket: net.Socket, conn: number, req: number) => void) {
  let conns = 0;
  const server = net.createServer((socket) => {
    const conn = conns++;
    let reqs = 0;
    let buf = "";
    sockets.push(socket);
    socket.unref();
    socket.on("data", (d) => {
      buf += d;
      // one request: the head, then content-length bytes
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buf)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      buf = buf.slice(end + 4 + length);
      answer(socket, conn, reqs++);
    });
    socket.on("error", () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/p`), connections: () => conns };
}

const send = (url: URL, body = '{"a":1}', timeoutMs = 1000) =>
  post(net, url, { "content-type": "application/json", authorization: "Bearer k" }, body, timeoutMs, 64);

describe("post over a kept-alive connection", () => {
  it("sends the path, query, headers and body, and reads the status, headers and body", async () => {
    let seen: { method?: string; url?: string; headers?: object; body?: string } = {};
    const s = await httpServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body };
        res
          .writeHead(429, { "retry-after": "3", "content-type": "application/json" })
          .end('{"error":"slow"}');
      });
    });
    const answer = await send(s.url, '{"events":["é"]}');
    expect(seen).toMatchObject({
      method: "POST",
      url: "/v1/batch?x=1",
      headers: { authorization: "Bearer k", "content-length": String(enc.encode('{"events":["é"]}').length) },
      body: '{"events":["é"]}',
    });
    expect(answer.status).toBe(429);
    expect(answer.headers).toMatchObject({ "retry-after": "3", "content-type": "application/json" });
    expect(dec.decode(answer.body)).toBe('{"error":"slow"}');
  });

  it("reuses one connection for requests one after another, and opens a second for one in parallel", async () => {
    const s = await httpServer((_req, res) => res.end("ok"));
    for (let i = 0; i < 5; i++) expect((await send(s.url)).status).toBe(200);
    expect(s.connections()).toBe(1);
    await Promise.all([send(s.url), send(s.url)]);
    expect(s.connections()).toBe(2);
  });

  it("reads chunked answers, skips a 100 Continue, and keeps at most maxBodyBytes of the body", async () => {
    const s = await rawServer((socket) =>
      socket.write(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" +
          `5;ext=1\r\nhello\r\n${(70).toString(16)}\r\n${"x".repeat(70)}\r\n0\r\ntrailer: t\r\n\r\n`,
      ),
    );
    const answer = await send(s.url);
    expect(answer.status).toBe(200);
    expect(dec.decode(answer.body)).toBe(`hello${"x".repeat(59)}`);
    // the chunked answer ended cleanly: the same connection serves the next request
    await send(s.url);
    expect(s.connections()).toBe(1);
  });

  it("does not reuse a connection the server says it closes, or one with no framing", async () => {
    const s = await rawServer((socket, conn) => {
      if (conn === 0) socket.write("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok");
      else socket.end("HTTP/1.1 202 Accepted\r\n\r\nuntil the end");
    });
    expect((await send(s.url)).status).toBe(200);
    const unframed = await send(s.url);
    expect([unframed.status, dec.decode(unframed.body)]).toEqual([202, "until the end"]);
    await send(s.url).catch(() => {});
    expect(s.connections()).toBe(3);
  });

  it("goes again on a new connection when the kept one turns out closed before any answer", async () => {
    // the race every keep-alive client meets: the server drops the idle connection as the request goes out
    const s = await rawServer((socket, conn, req) => {
      if (conn === 0 && req === 1) socket.destroy();
      else socket.write(`HTTP/1.1 ${conn === 0 ? 200 : 201} OK\r\ncontent-length: 0\r\n\r\n`);
    });
    expect((await send(s.url)).status).toBe(200);
    expect((await send(s.url)).status).toBe(201);
    expect(s.connections()).toBe(2);
    // a new connection dropped before an answer is not tried again: that is the caller's retry to make
    const dropsAll = await rawServer((socket) => socket.destroy());
    await expect(send(dropsAll.url)).rejects.toThrow();
    expect(dropsAll.connections()).toBe(1);
  });

  it("does not reuse a connection idle for longer than servers keep theirs", async () => {
    const s = await httpServer((_req, res) => res.end("ok"));
    await send(s.url);
    const now = Date.now();
    const later = vi.spyOn(Date, "now").mockReturnValue(now + IDLE_REUSE_MS + 1);
    try {
      await send(s.url);
    } finally {
      later.mockRestore();
    }
    expect(s.connections()).toBe(2);
  });

  it("rejects on a refused connection, a timeout, and a garbled answer; the connection is not kept", async () => {
    await expect(send(new URL("http://127.0.0.1:9/p"))).rejects.toThrow();
    const hang = await rawServer(() => {});
    await expect(send(hang.url, "{}", 100)).rejects.toThrow("no answer within 100 ms");
    const garbled = await rawServer((socket) => socket.write("SMTP ready\r\n\r\n"));
    await expect(send(garbled.url)).rejects.toThrow("not an HTTP/1.x answer");
  });

  it("leaves nothing that keeps the process alive once answered", async () => {
    const s = await httpServer((_req, res) => res.end("ok"));
    s.server.unref();
    // earlier tests' connections finish closing first
    await new Promise((r) => setTimeout(r, 50));
    const before = process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    await send(s.url);
    await new Promise((r) => setImmediate(r));
    const after = process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    // the kept connection is still open (the next request could reuse it) but not referenced
    expect(after).toBe(before);
  });
});

describe("readAnswer", () => {
  it("waits for the whole body before answering", () => {
    const head = "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n";
    expect(readAnswer(enc.encode(`${head}ab`), false)).toBeUndefined();
    expect(dec.decode(readAnswer(enc.encode(`${head}abcd`), false)!.body)).toBe("abcd");
    expect(
      readAnswer(enc.encode("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nab"), false),
    ).toBeUndefined();
  });

  it("answers 204 without a body and refuses bad framing", () => {
    expect(readAnswer(enc.encode("HTTP/1.1 204 No Content\r\n\r\n"), false)!.head.status).toBe(204);
    expect(() => readAnswer(enc.encode("HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n"), false)).toThrow();
    expect(() =>
      readAnswer(enc.encode("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n"), false),
    ).toThrow();
  });
});
