// The HTTP side both wire formats (OpenAI's and Anthropic's) share: reading the request, what it asks of
// the stand-in (scripted failures, numbers in headers), ids, and writing JSON and server-sent events.
import type { IncomingMessage, ServerResponse } from "node:http";

type Json = Record<string, any>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `x-echo-error: 429` or a model named `echo-error-429` (also `stream`: fail in the middle of a stream). */
export function scriptedError(headers: IncomingMessage["headers"], body: Json): string | undefined {
  const header = headers["x-echo-error"];
  if (typeof header === "string" && header) return header;
  const m = typeof body?.model === "string" ? /^echo-error-(\w+)$/.exec(body.model) : null;
  return m?.[1];
}

export function headerInt(headers: IncomingMessage["headers"], name: string): number | undefined {
  const v = Number(headers[name]);
  return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
}

let counter = 0;
export const nextId = (prefix: string) =>
  `${prefix}echo${Date.now().toString(36)}${(++counter).toString(36)}`;

/** Writes SSE events with a pause between them; stops when the client goes away. */
export async function sendStream(res: ServerResponse, events: string[], delayMs: number, failAfter?: string) {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  for (let i = 0; i < events.length; i++) {
    if (res.destroyed || res.writableEnded) return;
    if (failAfter !== undefined && i === 3) {
      res.end(failAfter);
      return;
    }
    res.write(events[i]);
    if (delayMs > 0 && i < events.length - 1) await sleep(delayMs);
  }
  res.end();
}

export function json(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
