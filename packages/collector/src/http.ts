// Plain node:http helpers for the collector: JSON answers, bounded body reading, body decoding.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The request's target as a URL, or `undefined` when it is not one. An origin-form target (`/path`) is a
 * path even when it starts with `//`; an absolute-form one (`http://host/path`) is parsed as it is.
 */
export function requestUrl(target: string | undefined): URL | undefined {
  const base = "http://collector.local";
  try {
    return target?.startsWith("/") ? new URL(`${base}${target}`) : new URL(target ?? "/", base);
  } catch {
    return undefined;
  }
}

/** An answer of any type (OTLP answers in protobuf). */
export function send(res: ServerResponse, status: number, body: Buffer | string, type: string): void {
  res.writeHead(status, {
    "content-type": type.startsWith("application/json") ? "application/json; charset=utf-8" : type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

/** Reads the whole body; past `cap` bytes it keeps draining (so the client reads our 413) but stores nothing. */
export function readBody(req: IncomingMessage, cap: number): Promise<{ raw: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let ended = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) chunks.push(chunk);
    });
    req.on("end", () => {
      ended = true;
      resolve({ raw: Buffer.concat(chunks), tooLarge });
    });
    req.on("error", reject);
    req.on("close", () => {
      if (!ended) reject(new Error("request aborted"));
    });
  });
}

export function sameKey(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Checks the encoding and the size, and gunzips (up to `maxBodyBytes`); throws HttpError with the 4xx to answer. */
export function inflateBody(
  req: IncomingMessage,
  raw: Buffer,
  tooLarge: boolean,
  maxBodyBytes: number,
): Buffer {
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  if (encoding !== "identity" && encoding !== "gzip") {
    throw new HttpError(415, `unsupported Content-Encoding "${encoding}": send identity or gzip`);
  }
  if (tooLarge) throw new HttpError(413, `body larger than ${maxBodyBytes} bytes`);
  if (encoding !== "gzip") return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: maxBodyBytes });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new HttpError(413, `body larger than ${maxBodyBytes} bytes after decompression`);
    }
    throw new HttpError(400, "body is not valid gzip");
  }
}

/** A JSON body: `inflateBody`, then parsed; throws HttpError with the 4xx to answer. */
export function decodeBody(
  req: IncomingMessage,
  raw: Buffer,
  tooLarge: boolean,
  maxBodyBytes: number,
): unknown {
  const type = req.headers["content-type"];
  if (type !== undefined && !/^application\/json\b/i.test(type)) {
    throw new HttpError(415, `unsupported Content-Type "${type}": send application/json`);
  }
  return parseJson(inflateBody(req, raw, tooLarge, maxBodyBytes));
}

export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
}

/** What a test may want to know of a request's body, whatever was answered. */
export function peekBody(decoded: { body: unknown } | { error: HttpError }) {
  const body = "body" in decoded ? (decoded.body as { events?: unknown; dropped?: unknown } | null) : null;
  const list = Array.isArray(body?.events) ? (body.events as Array<{ id?: unknown }>) : [];
  return {
    eventCount: list.length,
    eventIds: list.map((e) => (typeof e?.id === "string" ? e.id : "")),
    ...(typeof body?.dropped === "number" ? { dropped: body.dropped } : {}),
  };
}
