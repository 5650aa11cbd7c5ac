// startCollector: the ingest API, the read API, the viewer and the fault controls on one node:http server,
// over one SQLite store.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type SpanEvent, validateBatch } from "@lumiqtrace/protocol";
import { accessGuard, bearerKey, isLoopbackAddress } from "./access.js";
import type { Stats, TraceSummary } from "./api.js";
import { controlRoutes } from "./control.js";
import { createFaults, type FaultAction, type FaultSpec } from "./faults.js";
import { decodeBody, HttpError, peekBody, readBody, requestUrl, sameKey, send, sendJson } from "./http.js";
import type { Mapped } from "./otlp.js";
import { decodeOtlp, type OtlpEncoding, otlpAnswer, otlpEncoding, otlpErrorBody } from "./otlp-ingest.js";
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
  /**
   * A second port that takes OTLP only (`POST /v1/traces`), so any OpenTelemetry SDK reaches the collector
   * with its defaults: `4318` (the CLI's default), `0` for a free one, `"off"` (the default here) for none.
   * When it is taken, the collector starts without it and says why in `otlpProblem`.
   */
  otlpPort?: number | "off";
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
  /** `http://127.0.0.1:PORT`: the SDK's `baseUrl`; OTLP is taken here too, at `/v1/traces` */
  url: string;
  /** `http://127.0.0.1:4318`: the OTLP port's base URL (an OTel SDK's OTEL_EXPORTER_OTLP_ENDPOINT), when it listens */
  otlpUrl: string | undefined;
  /** why the OTLP port does not listen, when it was asked for */
  otlpProblem: string | undefined;
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

  /** What differs between the two ingest formats: how a body decodes, what it holds, how it is answered. */
  interface WireFormat<T> {
    decode(req: IncomingMessage, raw: Buffer, tooLarge: boolean): T;
    /** What a test may want to know of the body, for `requests`. */
    peek(decoded: T): Pick<IngestRequest, "eventCount" | "eventIds" | "dropped">;
    /** The key is checked here (native); OTLP's is the access guard's (open on loopback). */
    checksKey: boolean;
    /** Stores what it can; the answer and the events stored for the first time. */
    accept(
      req: IncomingMessage,
      decoded: T,
      receivedAt: number,
    ): { status: number; answer: Answer; added: SpanEvent[] };
    /** An error's answer. */
    error(req: IncomingMessage, status: number, message: string): Answer;
  }
  type Answer = { body: Buffer | string; type: string };

  const jsonAnswer = (body: unknown): Answer => ({ body: JSON.stringify(body), type: "application/json" });

  const nativeFormat: WireFormat<unknown> = {
    decode: (req, raw, tooLarge) => decodeBody(req, raw, tooLarge, maxBodyBytes),
    peek: (body) => peekBody({ body }),
    checksKey: true,
    accept(_req, body, receivedAt) {
      const checked = validateBatch(body);
      if (!checked.ok) return { status: 400, answer: jsonAnswer({ error: checked.error }), added: [] };
      const { added, duplicates } = store.insertBatch(checked.batch, receivedAt);
      if (log && checked.batch.dropped > 0)
        log(`lumiqtrace: the SDK reports ${checked.batch.dropped} dropped events (queue full or beforeSend)`);
      return { status: 200, answer: jsonAnswer({ accepted: added.length, duplicates }), added };
    },
    error: (_req, _status, message) => jsonAnswer({ error: message }),
  };

  const otlpFormat: WireFormat<Mapped> = {
    decode: (req, raw, tooLarge) => decodeOtlp(req, raw, tooLarge, maxBodyBytes),
    peek: (mapped) => {
      const events = mapped.batches.flatMap((b) => b.events);
      return { eventCount: events.length + mapped.rejected, eventIds: events.map((e) => e.id) };
    },
    checksKey: false,
    accept(req, mapped, receivedAt) {
      const added = mapped.batches.flatMap((batch) => store.insertBatch(batch, receivedAt).added);
      return { status: 200, answer: otlpAnswer(otlpEncoding(req), mapped), added };
    },
    error(req, _status, message) {
      let encoding: OtlpEncoding | undefined;
      try {
        encoding = otlpEncoding(req);
      } catch {
        encoding = undefined; // an unknown content type is answered in JSON
      }
      return otlpErrorBody(encoding, message);
    },
  };

  /** One ingest request in either format: read, fault injection, key, decode, store, answer, record. */
  async function ingest<T>(format: WireFormat<T>, req: IncomingMessage, res: ServerResponse, path: string) {
    const receivedAt = Date.now();
    const encoding = String(req.headers["content-encoding"] ?? "").toLowerCase();
    const rawCap = encoding.includes("gzip") ? maxBodyBytes + 1024 * 1024 : maxBodyBytes;
    const { raw, tooLarge } = await readBody(req, rawCap);
    let decoded: { value: T } | { error: HttpError };
    try {
      decoded = { value: format.decode(req, raw, tooLarge) };
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
        ...("value" in decoded ? format.peek(decoded.value) : { eventCount: 0, eventIds: [] }),
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
    const answer = (status: number, body: Answer) => {
      record({ status });
      send(res, status, body.body, body.type);
    };
    const refuse = (status: number, message: string) => answer(status, format.error(req, status, message));

    if (format.checksKey) {
      const key = bearerKey(req);
      if (key === undefined) return refuse(401, "missing API key: send Authorization: Bearer <key>");
      if (!sameKey(key, apiKey)) return refuse(401, "invalid API key");
    }
    if ("error" in decoded) return refuse(decoded.error.status, decoded.error.message);
    const { status, answer: body, added } = format.accept(req, decoded.value, receivedAt);
    if (retainEvents) events.push(...added);
    answer(status, body);
    if (log) traceLines.arrived(added);
  }

  function printTrace(traceId: string) {
    if (!log) return;
    try {
      log(formatTraceLine(store.getTrace(traceId)));
    } catch {
      // a broken terminal must not take the collector down; the batch is stored and answered already
    }
  }

  // OTLP SDKs send no key by default: open on loopback (behind the Host guard), the key beyond it
  const otlpRoute: Route = {
    path: "/v1/traces",
    methods: {
      POST: { access: "private", handle: (req, res, url) => ingest(otlpFormat, req, res, url.pathname) },
    },
  };
  const routes: Route[] = [
    // ingest: one entry per wire format
    {
      path: "/v1/batch",
      methods: {
        POST: { access: "ingest", handle: (req, res, url) => ingest(nativeFormat, req, res, url.pathname) },
      },
    },
    otlpRoute,
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

  async function handle(req: IncomingMessage, res: ServerResponse, routes: Route[]) {
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

  const serve = (routes: Route[]) => (req: IncomingMessage, res: ServerResponse) =>
    handle(req, res, routes).catch((err: unknown) => {
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
  const listen = async (routes: Route[], port: number) => {
    const s = createServer(serve(routes));
    s.on("clientError", (_err, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => {
        s.off("error", reject);
        resolve();
      });
    });
    return s;
  };

  let server: Server;
  try {
    server = await listen(routes, options.port ?? 0);
  } catch (err) {
    store.close();
    throw err;
  }
  let otlpServer: Server | undefined;
  let otlpProblem: string | undefined;
  if (options.otlpPort !== undefined && options.otlpPort !== "off") {
    try {
      otlpServer = await listen([otlpRoute], options.otlpPort);
    } catch (err) {
      otlpProblem =
        (err as { code?: string }).code === "EADDRINUSE"
          ? `port ${options.otlpPort} is in use, so OTLP is taken on the main port only (${"/v1/traces"})`
          : `OTLP port ${options.otlpPort}: ${(err as Error).message}`;
    }
  }
  const port = (server.address() as AddressInfo).port;
  const otlpPort = otlpServer ? (otlpServer.address() as AddressInfo).port : undefined;
  // listening on every interface: local clients (and the SDK's loopback-only http rule) use 127.0.0.1
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const url = `http://${urlHost.includes(":") ? `[${urlHost}]` : urlHost}:${port}`;

  return {
    url,
    otlpUrl: otlpPort === undefined ? undefined : url.replace(/:\d+$/, `:${otlpPort}`),
    otlpProblem,
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
      const servers = [server, otlpServer].filter((x): x is Server => x !== undefined);
      const done = Promise.all(servers.map((x) => new Promise<void>((resolve) => x.close(() => resolve()))));
      for (const x of servers) x.closeAllConnections();
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
