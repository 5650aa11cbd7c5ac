// Plain-http POSTs on Node over one kept-alive connection per origin, each request one write. The
// destinations that are plain http are the near ones (the local collector, the Lambda extension, an
// OpenTelemetry Collector beside the function), where the client is most of a send: to the local
// collector, one send takes 0.31 ms and 0.16 ms of CPU here, against 0.49 ms and 0.34 ms with node:http
// (bench/transport.bench.mjs). https goes through node:https (transport.ts): its handshake and the network
// dwarf the client there.
import type { Socket } from "node:net";

/** What a POST hands back; transport.ts's `Answer`. */
export interface RawAnswer {
  status: number;
  /** Header names in lower case; a repeated header keeps its first value. */
  headers: Record<string, string>;
  /** At most `maxBodyBytes` of the body. */
  body: Uint8Array;
}

type Net = {
  connect(options: {
    host: string;
    port: number;
    onread: { buffer: Uint8Array; callback(bytes: number, buffer: Uint8Array): boolean };
  }): Socket;
};

/** A kept-alive connection older than this is not reused: Node's servers close theirs after 5 s idle. */
export const IDLE_REUSE_MS = 4000;
/** An answer whose head or framed body is larger than this is read no further (the connection is dropped). */
const MAX_READ_BYTES = 1024 * 1024;

/** Where a connection's bytes go: the request reading it, or (idle) the hook that drops it. */
interface Conn {
  socket: Socket;
  onData(bytes: Uint8Array): void;
  /** When it was given back. */
  since: number;
}

/** One idle connection per origin; a request takes it (or opens one) and gives it back when reusable. */
const idle = new Map<string, Conn>();
/** Bytes arrive in one buffer per connection (no allocation per read), copied out by whoever reads them. */
const READ_BUFFER_BYTES = 16 * 1024;

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Index of the first CRLF at or after `from`, or -1. */
function crlf(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) if (buf[i] === 13 && buf[i + 1] === 10) return i;
  return -1;
}

/** Index just past the blank line that ends a head starting at `from`, or -1. */
function headEnd(buf: Uint8Array, from: number): number {
  for (let i = from; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i + 4;
  }
  return -1;
}

interface Head {
  status: number;
  headers: Record<string, string>;
  /** Where the body starts in the buffer. */
  bodyAt: number;
  /** HTTP/1.1 without `connection: close`. */
  keepAlive: boolean;
}

function parseHead(text: string, bodyAt: number): Head | undefined {
  const lines = text.split("\r\n");
  const statusLine = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? "");
  if (!statusLine) return undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= line.slice(colon + 1).trim();
  }
  const keepAlive = statusLine[1] === "1" && !/\bclose\b/i.test(headers.connection ?? "");
  return { status: Number(statusLine[2]), headers, bodyAt, keepAlive };
}

/** The body of a chunked answer once it is all there (`end`: where it ends), else undefined. */
function dechunk(buf: Uint8Array, from: number): { body: Uint8Array; end: number } | undefined {
  const parts: Uint8Array[] = [];
  let at = from;
  for (;;) {
    const eol = crlf(buf, at);
    if (eol < 0) return undefined;
    const size = Number.parseInt(latin1.decode(buf.subarray(at, eol)).split(";")[0]!, 16);
    if (!Number.isFinite(size) || size < 0) throw new Error("bad chunk size in the answer");
    if (size === 0) {
      // trailers, if any, end with a blank line
      const end = buf[eol + 2] === 13 && buf[eol + 3] === 10 ? eol + 4 : headEnd(buf, eol + 2);
      if (end < 0 || end > buf.length) return undefined;
      let length = 0;
      for (const p of parts) length += p.length;
      const body = new Uint8Array(length);
      let o = 0;
      for (const p of parts) {
        body.set(p, o);
        o += p.length;
      }
      return { body, end };
    }
    if (eol + 2 + size + 2 > buf.length) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** A complete answer in `buf` (interim 1xx answers skipped), or undefined while more is to come. */
export function readAnswer(
  buf: Uint8Array,
  closed: boolean,
): { head: Head; body: Uint8Array; end: number } | undefined {
  let from = 0;
  for (;;) {
    const end = headEnd(buf, from);
    if (end < 0) {
      if (buf.length - from > MAX_READ_BYTES) throw new Error("the answer's head is too large");
      return undefined;
    }
    const head = parseHead(latin1.decode(buf.subarray(from, end - 4)), end);
    if (!head) throw new Error("not an HTTP/1.x answer");
    if (head.status >= 100 && head.status < 200) {
      from = end;
      continue;
    }
    if (head.status === 204 || head.status === 304) return { head, body: new Uint8Array(0), end };
    if (/chunked/i.test(head.headers["transfer-encoding"] ?? "")) {
      const got = dechunk(buf, end);
      if (got) return { head, ...got };
      if (buf.length - end > MAX_READ_BYTES) throw new Error("the answer is too large");
      return undefined;
    }
    const declared = head.headers["content-length"];
    if (declared !== undefined) {
      const length = Number(declared);
      if (!Number.isInteger(length) || length < 0) throw new Error("bad content-length in the answer");
      if (buf.length >= end + length)
        return { head, body: buf.subarray(end, end + length), end: end + length };
      if (buf.length - end > MAX_READ_BYTES) throw new Error("the answer is too large");
      return undefined;
    }
    // no framing: the body runs to the end of the connection, which then cannot be reused
    head.keepAlive = false;
    return closed ? { head, body: buf.subarray(end), end: buf.length } : undefined;
  }
}

/** The connection for `origin`: the idle one if it is fresh enough, else a new one. */
function take(net: Net, origin: string, host: string, port: number): { conn: Conn; reused: boolean } {
  const kept = idle.get(origin);
  idle.delete(origin);
  if (kept) {
    kept.socket.removeAllListeners();
    if (Date.now() - kept.since < IDLE_REUSE_MS && !kept.socket.destroyed) {
      kept.socket.ref();
      return { conn: kept, reused: true };
    }
    kept.socket.destroy();
  }
  const conn: Conn = { socket: undefined as never, onData: () => {}, since: 0 };
  conn.socket = net.connect({
    host,
    port,
    onread: {
      buffer: new Uint8Array(READ_BUFFER_BYTES),
      callback: (bytes, buffer) => {
        conn.onData(buffer.slice(0, bytes));
        return true; // keep reading
      },
    },
  });
  conn.socket.setNoDelay(true);
  return { conn, reused: false };
}

/** Back to the pool, unreferenced (an idle connection never keeps the process alive); dropped when it closes. */
function giveBack(origin: string, conn: Conn): void {
  const { socket } = conn;
  socket.removeAllListeners();
  const drop = () => {
    socket.destroy();
    if (idle.get(origin) === conn) idle.delete(origin);
  };
  socket.on("error", drop);
  socket.on("close", drop);
  socket.on("end", drop);
  conn.onData = drop; // nothing may come unasked
  socket.unref();
  conn.since = Date.now();
  const previous = idle.get(origin);
  idle.set(origin, conn);
  previous?.socket.destroy();
}

/**
 * One POST of `body` to a plain-http `url`. Rejects on a network error or when no answer came within
 * `timeoutMs`. A kept-alive connection that turns out closed before any answer is retried once on a new one.
 */
export function post(
  net: Net,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array,
  timeoutMs: number,
  maxBodyBytes: number,
): Promise<RawAnswer> {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-length: ${bytes.length}\r\n`;
  for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
  const request = concat(encoder.encode(`${head}\r\n`), bytes);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port) || 80;
  const deadline = Date.now() + timeoutMs;

  /** Resolves "again" when a reused connection was found closed before any answer. */
  const attempt = (): Promise<RawAnswer | "again"> =>
    new Promise((resolve, reject) => {
      const { conn, reused } = take(net, url.origin, host, port);
      const { socket } = conn;
      let buf: Uint8Array = new Uint8Array(0);
      let settled = false;
      const finish = (error: Error | undefined, answer?: RawAnswer, keep?: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (keep) giveBack(url.origin, conn);
        else socket.destroy();
        if (error) {
          // a reused connection the server had closed: nothing was answered, so it goes again on a new one
          if (reused && buf.length === 0 && Date.now() < deadline) resolve("again");
          else reject(error);
        } else if (answer) resolve(answer);
      };
      const timer = setTimeout(
        () => finish(new Error(`no answer within ${timeoutMs} ms`)),
        Math.max(0, deadline - Date.now()),
      );
      (timer as { unref?: () => void }).unref?.();
      const read = (closed: boolean) => {
        try {
          const got = readAnswer(buf, closed);
          if (!got) {
            if (closed) finish(new Error("the connection closed before a whole answer"));
            return;
          }
          const answer = {
            status: got.head.status,
            headers: got.head.headers,
            body: got.body.slice(0, maxBodyBytes),
          };
          finish(undefined, answer, got.head.keepAlive && got.end === buf.length);
        } catch (error) {
          finish(error as Error);
        }
      };
      conn.onData = (chunk) => {
        buf = concat(buf, chunk);
        read(false);
      };
      socket.on("end", () => read(true));
      socket.on("close", () => read(true));
      socket.on("error", (error) => finish(error));
      socket.write(request);
    });

  return attempt().then((answer) =>
    answer === "again"
      ? attempt().then((again) =>
          again === "again" ? Promise.reject(new Error("the connection closed")) : again,
        )
      : answer,
  );
}
