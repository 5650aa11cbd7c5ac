// startCollector: the ingest API, the read API, the viewer and the fault controls on one node:http server,
// over one SQLite store.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type SpanEvent, validateBatch } from "@lumiqtrace/protocol";
import { accessGuard, bearerKey, isLoopbackAddress } from "./access.js";
import type { Stats, TraceSummary } from "./api.js";
import { controlRoutes } from "./control.js";
import { createFaults, type FaultAction, type FaultSpec } from "./faults.js";
import { decodeBody, HttpError, peekBody, readBody, requestUrl, sameKey, sendJson } from "./http.js";
import { apiKeyProblem, generateApiKey } from "./keys.js";
import { readRoutes } from "./read-api.js";
import { matchRoute, type Route } from "./router.js";
import { openStore } from "./store.js";
import { formatTraceLine, printable } from "./terminal.js";
import { createTraceLines } from "./trace-lines.js";
import { viewerRoutes } from "./viewer/page.js";

export interface CollectorOptions {
  /** 0 picks a free port (default 0 for the API; the CLI defaults to 4477) */
  port?: number;
  host?: string;
  /** the key clients must send as `Authorization: Bearer <key>`; default: a generated `lqt_dev_...` */
  apiKey?: string;
  /** SQLite file; default `":memory:"` */
  dbPath?: string;
  /** when false, prints one line per trace once the trace has gone quiet (see `lineQuietMs`); default true */
  quiet?: boolean;
  /** where trace lines go when not quiet; default stdout */
  log?: (line: string) => void;
  /** a trace's line is printed once its root has arrived and no new span of it came for this long; default 500 */
  lineQuietMs?: number;
  /** ...or, while its root has not arrived, once no new span of it came for this long; default 5000 */
  lineQuietNoRootMs?: number;
  faults?: FaultSpec | null;
  /** largest accepted body after decompression, bytes; default 5 MiB */
  maxBodyBytes?: number;
  /** keep every accepted event in `events` and every request in `requests` (default true; the long-running CLI turns it off) */
  retainEvents?: boolean;
}

export interface IngestRequest {
  method: string;
  path: string;
  /** 0 when no answer was sent (fault `hang` or `reset`) */
  status: number;
  receivedAt: number;
  /** events in the body, when it could be read (0 otherwise) */
  eventCount: number;
  /** their ids in body order ("" for an event without a string id) */
  eventIds: string[];
  /** the body's `dropped` count, when it could be read */
  dropped?: number;
  /** the body came with `Content-Encoding: gzip` */
  gzip: boolean;
  /** body size on the wire (compressed when gzip); past the cap, a number above it */
  bodyBytes: number;
  /** set when the answer was an injected fault */
  fault?: "status" | "hang" | "reset" | "delay";
}

export interface Collector {
  /** `http://127.0.0.1:PORT`: the SDK's `baseUrl` */
  url: string;
  port: number;
  apiKey: string;
  dbPath: string;
  /** every accepted event (duplicates once), in arrival order; live */
  events: SpanEvent[];
  /** every ingest request (`POST /v1/batch`), faulted ones included, added when answered (or hung, or reset); live */
  requests: IngestRequest[];
  /** Resolves with `events` once `predicate(events)` holds; re-checked after every ingest request. Rejects after `timeoutMs` (default 10 s) listing what arrived. */
  waitForEvents(
    predicate: (events: SpanEvent[]) => boolean,
    options?: { timeoutMs?: number },
  ): Promise<SpanEvent[]>;
  setFaults(spec: FaultSpec | null): void;
  /** the read API's `GET /v1/traces`, newest first */
  getTraces(limit?: number): TraceSummary[];
  /** the read API's `GET /v1/traces/:id`: spans by start time, `undefined` when unknown */
  getTrace(traceId: string): SpanEvent[] | undefined;
  /** the read API's `GET /v1/stats`: totals of traces, events, batches, duplicates and SDK-reported drops */
  getStats(): Stats;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const host = options.host ?? "127.0.0.1";
  const apiKey = options.apiKey ?? generateApiKey();
  const keyProblem = apiKeyProblem(apiKey);
  if (keyProblem) throw new TypeError(`apiKey: ${keyProblem}`);
  const dbPath = options.dbPath ?? ":memory:";
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const retainEvents = options.retainEvents ?? true;
  const write =
    options.quiet === false ? (options.log ?? ((line: string) => process.stdout.write(`${line}\n`))) : null;
  // what clients send reaches the terminal: made printable here, whatever prints it
  const log = write ? (line: string) => write(printable(line)) : null;
  const store = openStore(dbPath);
  const faults = createFaults(options.faults);
  const traceLines = createTraceLines((traceId) => printTrace(traceId), {
    quietMs: options.lineQuietMs,
    noRootQuietMs: options.lineQuietNoRootMs,
  });
  const events: SpanEvent[] = [];
  const requests: IngestRequest[] = [];
  const waiters = new Set<() => void>();
  const hung = new Set<ServerResponse>();
  const sleeping = new Set<() => void>();
  let closed = false;
  const wakeWaiters = () => {
    for (const check of [...waiters]) check();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleeping.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleeping.add(done);
    });

  async function injectFault(
    fault: FaultAction,
    req: IncomingMessage,
    res: ServerResponse,
    record: (r: Partial<IngestRequest>) => void,
  ) {
    if (fault.delayMs) await sleep(fault.delayMs);
    if (closed) {
      res.destroy();
      return true;
    }
    if (fault.reset) {
      record({ status: 0, fault: "reset" });
      req.socket.resetAndDestroy();
      return true;
    }
    if (fault.hang) {
      record({ status: 0, fault: "hang" });
      hung.add(res);
      res.on("close", () => hung.delete(res));
      return true;
    }
    if (fault.status) {
      record({ status: fault.status, fault: "status" });
      const headers: Record<string, string> =
        fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
      sendJson(res, fault.status, { error: `injected fault: ${fault.status}` }, headers);
      return true;
    }
    return false; // a delay alone: carry on and store the batch
  }

  async function ingest(req: IncomingMessage, res: ServerResponse, path: string) {
    const receivedAt = Date.now();
    const encoding = String(req.headers["content-encoding"] ?? "").toLowerCase();
    const rawCap = encoding.includes("gzip") ? maxBodyBytes + 1024 * 1024 : maxBodyBytes;
    const { raw, tooLarge } = await readBody(req, rawCap);
    let decoded: { body: unknown } | { error: HttpError };
    try {
      decoded = { body: decodeBody(req, raw, tooLarge, maxBodyBytes) };
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      decoded = { error: err };
    }
    let delayed = false;
    const record = (r: Partial<IngestRequest>) => {
      if (!retainEvents) return;
      requests.push({
        method: req.method ?? "POST",
        path,
        status: 0,
        receivedAt,
        ...peekBody(decoded),
        gzip: encoding.trim() === "gzip",
        bodyBytes: tooLarge ? rawCap + 1 : raw.length,
        ...(delayed ? { fault: "delay" as const } : {}),
        ...r,
      });
      // waiters may watch `requests` too (e.g. "the SDK retried twice"); stored events come first
      queueMicrotask(wakeWaiters);
    };

    const fault = faults.next();
    if (fault) {
      if (await injectFault(fault, req, res, record)) return;
      delayed = true;
    }
    const answer = (status: number, body: unknown) => {
      record({ status });
      sendJson(res, status, body);
    };

    const key = bearerKey(req);
    if (key === undefined) return answer(401, { error: "missing API key: send Authorization: Bearer <key>" });
    if (!sameKey(key, apiKey)) return answer(401, { error: "invalid API key" });

    if ("error" in decoded) return answer(decoded.error.status, { error: decoded.error.message });
    const checked = validateBatch(decoded.body);
    if (!checked.ok) return answer(400, { error: checked.error });

    const { added, duplicates } = store.insertBatch(checked.batch, receivedAt);
    if (retainEvents) events.push(...added);
    answer(200, { accepted: added.length, duplicates });
    if (!log) return;
    traceLines.arrived(added);
    if (checked.batch.dropped > 0)
      log(`lumiqtrace: the SDK reports ${checked.batch.dropped} dropped events (queue full or beforeSend)`);
  }

  function printTrace(traceId: string) {
    if (!log) return;
    try {
      log(formatTraceLine(store.getTrace(traceId)));
    } catch {
      // a broken terminal must not take the collector down; the batch is stored and answered already
    }
  }

  const routes: Route[] = [
    // ingest: one entry per wire format (OTLP/HTTP will be another path here)
    {
      path: "/v1/batch",
      methods: { POST: { access: "ingest", handle: (req, res, url) => ingest(req, res, url.pathname) } },
    },
    ...readRoutes(store),
    ...controlRoutes(faults),
    ...viewerRoutes(),
    {
      path: "/healthz",
      methods: { GET: { access: "public", handle: (_req, res) => sendJson(res, 200, { ok: true }) } },
    },
  ];

  const guard = accessGuard({
    apiKey,
    loopback: isLoopbackAddress(host),
    port: () => (server.address() as AddressInfo).port,
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = requestUrl(req.url);
    if (!url) return sendJson(res, 400, { error: "the request target is not a valid URL" });
    const method = req.method ?? "GET";
    const match = matchRoute(routes, method, url.pathname);
    if (guard(req, res, url, "status" in match ? "public" : match.endpoint.access)) return;
    if ("status" in match) {
      return sendJson(res, match.status, { error: match.error }, match.allow ? { allow: match.allow } : {});
    }
    await match.endpoint.handle(req, res, url, match.params);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (!res.headersSent) sendJson(res, err.status, { error: err.message });
        return;
      }
      if ((err as Error)?.message === "request aborted" || closed) return res.destroy();
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.destroy();
      if (log)
        for (const line of `lumiqtrace: internal error: ${(err as Error)?.stack ?? err}`.split("\n"))
          log(line);
    });
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    store.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  // listening on every interface: local clients (and the SDK's loopback-only http rule) use 127.0.0.1
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const url = `http://${urlHost.includes(":") ? `[${urlHost}]` : urlHost}:${port}`;

  return {
    url,
    port,
    apiKey,
    dbPath,
    events,
    requests,
    waitForEvents(predicate, { timeoutMs = 10_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          let done: boolean;
          try {
            done = predicate(events);
          } catch (err) {
            finish();
            return reject(err);
          }
          if (done) {
            finish();
            resolve(events);
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(describeTimeout(timeoutMs, events, requests)));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    setFaults: (spec) => faults.set(spec),
    getTraces: (limit = 50) => store.listTraces(limit),
    getStats: () => store.stats(),
    getTrace(traceId) {
      const spans = store.getTrace(traceId);
      return spans.length > 0 ? spans : undefined;
    },
    async close() {
      if (closed) return;
      // the traces still waiting for their line get it now, before the store closes
      traceLines.flush();
      closed = true;
      for (const wake of [...sleeping]) wake();
      for (const res of hung) res.destroy();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
      store.close();
    },
  };
}

function describeTimeout(timeoutMs: number, events: SpanEvent[], requests: IngestRequest[]): string {
  const lines = events
    .slice(-20)
    .map((e) => `  ${e.kind} "${e.name}" ${e.status} trace ${e.traceId} span ${e.spanId}`);
  const reqs = requests
    .slice(-20)
    .map((r) => `  ${r.method} ${r.path} -> ${r.status || r.fault} (${r.eventCount} events)`);
  return [
    `waitForEvents: predicate still false after ${timeoutMs}ms; ${events.length} events arrived${events.length > 20 ? " (last 20)" : ""}:`,
    ...(lines.length ? lines : ["  (none)"]),
    `${requests.length} ingest requests${requests.length > 20 ? " (last 20)" : ""}:`,
    ...(reqs.length ? reqs : ["  (none)"]),
  ].join("\n");
}
