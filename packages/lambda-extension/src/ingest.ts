// What the extension serves: to the function on loopback, the native batch (docs/protocol.md, validated as
// the collector validates it) and "this invocation is over"; to Lambda, the Telemetry API's deliveries.
// A bad request gets a 4xx and the server keeps serving.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { gunzip } from "node:zlib";
import type { SpanEvent } from "@lumiqtrace/protocol";
import {
  EXTENSION_BATCH_PATH,
  EXTENSION_DONE_PATH,
  EXTENSION_HEADER,
  EXTENSION_INFO_PATH,
  EXTENSION_NAME,
} from "@lumiqtrace/protocol/extension";
import { validateBatch } from "@lumiqtrace/protocol";
import type { Invocations } from "./invocations.js";

/** What a collector accepts (docs/protocol.md): larger bodies get 413 and the SDK splits them. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
export const TELEMETRY_PATH = "/telemetry";

export interface Ingest {
  /** Takes one event (the SDK's client in the extension: bounded queue, batches, retries). */
  capture(event: SpanEvent): void;
  invocations: Invocations;
  version: string;
}

export interface Server {
  url: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `the body is over ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = await readBody(req);
  if (req.headers["content-encoding"] === "gzip") {
    body = await new Promise<Buffer>((resolve, reject) =>
      gunzip(body, { maxOutputLength: MAX_BODY_BYTES }, (error, out) =>
        error
          ? reject(
              new HttpError(
                (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" ? 413 : 400,
                "bad gzip body",
              ),
            )
          : resolve(out),
      ),
    );
  }
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "the body is not JSON");
  }
}

/** `platform.runtimeDone` records of one Telemetry API delivery (an array of `{ time, type, record }`). */
function runtimeDoneIds(body: unknown): string[] {
  if (!Array.isArray(body)) return [];
  const ids: string[] = [];
  for (const e of body as { type?: unknown; record?: { requestId?: unknown } }[]) {
    if (e?.type === "platform.runtimeDone" && typeof e.record?.requestId === "string")
      ids.push(e.record.requestId);
  }
  return ids;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function route(req: IncomingMessage, res: ServerResponse, ingest: Ingest): Promise<void> {
  const path = (req.url ?? "").split("?")[0];
  if (req.method === "GET" && path === EXTENSION_INFO_PATH) {
    return send(
      res,
      200,
      { name: EXTENSION_NAME, version: ingest.version },
      { [EXTENSION_HEADER]: ingest.version },
    );
  }
  if (req.method !== "POST") throw new HttpError(404, "not found");
  if (path === EXTENSION_BATCH_PATH) {
    const checked = validateBatch(await readJson(req));
    if (!checked.ok) throw new HttpError(400, checked.error);
    for (const event of checked.batch.events) ingest.capture(event);
    return send(res, 200, { accepted: checked.batch.events.length, duplicates: 0 });
  }
  if (path === EXTENSION_DONE_PATH) {
    const body = (await readJson(req)) as { invocationId?: unknown } | null;
    const id = body?.invocationId;
    if (typeof id !== "string" || !id) throw new HttpError(400, "invocationId: expected a string");
    ingest.invocations.done(id, "sdk");
    return send(res, 200, { ok: true });
  }
  if (path === TELEMETRY_PATH) {
    for (const id of runtimeDoneIds(await readJson(req))) ingest.invocations.done(id, "telemetry");
    return send(res, 200, { ok: true });
  }
  throw new HttpError(404, "not found");
}

/** Listens on `host:port` (port 0: any free one). Rejects when it cannot (the port is taken, the host unknown). */
export function startServer(host: string, port: number, ingest: Ingest): Promise<Server> {
  const server = createServer((req, res) => {
    route(req, res, ingest).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!res.headersSent) send(res, status, { error: String((error as Error)?.message ?? error) });
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const actual = (server.address() as { port: number }).port;
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}`,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
