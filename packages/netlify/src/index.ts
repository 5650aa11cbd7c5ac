import { Readable } from "node:stream";
import type { Context, Handler, HandlerContext, HandlerEvent } from "@netlify/functions";
import {
  copyOwnProperties,
  DEFAULT_FLUSH_TIMEOUT_MS,
  isWrapped,
  markWrapped,
  runInvocation,
  waitUntilOf,
} from "@lumiqtrace/sdk";

export type {
  Config,
  Context,
  Handler,
  HandlerContext,
  HandlerEvent,
  HandlerResponse,
} from "@netlify/functions";

export interface WithNetlifyOptions {
  /** Root span name. Default: `METHOD /path` of the request. */
  name?: string;
  /** The most the flush may hold the function, ms (default 2000). Classic functions: also capped by the time left. */
  flushTimeoutMs?: number;
}

/** A modern Netlify Function: `export default async (req, context) => new Response(...)`. */
export type ModernHandler = (req: Request, context: Context) => Response | Promise<Response>;

const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
/** Left for the platform to send the response after a classic function's flush, ms. */
const CLASSIC_MARGIN_MS = 100;
/** Module scope is per instance: the first invocation an instance serves is its cold start. */
let coldStart = true;

/** Web `Request`, by shape: the bundle and the runtime may not share one `Request` class. */
const isRequest = (value: unknown): value is Request =>
  typeof (value as Request | null)?.url === "string" &&
  typeof (value as Request).method === "string" &&
  typeof (value as Request).headers?.get === "function";

const isStreamBody = (body: unknown): body is ReadableStream | Readable =>
  body instanceof ReadableStream || body instanceof Readable;

/** Netlify's `x-nf-geo` header: base64 JSON, as `context.geo`. */
function headerGeo(value: string | undefined): Context["geo"] | undefined {
  try {
    return value ? JSON.parse(Buffer.from(value, "base64").toString("utf8")) : undefined;
  } catch {
    return undefined;
  }
}

/** What Netlify tells about the request's origin and the site. */
function netlifyAttributes(geo: Context["geo"] | undefined, site: Partial<Context["site"]> | undefined) {
  return {
    "geo.country.iso_code": geo?.country?.code,
    "geo.region.iso_code": geo?.subdivision?.code,
    "geo.locality.name": geo?.city,
    "netlify.site.id": site?.id,
    "netlify.site.name": site?.name,
    "netlify.site.url": site?.url,
  };
}

/** Leaves out what is not there, and the empty strings Netlify serves locally (`requestId`, `deploy.id`). */
function withoutEmpty(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "" && v !== undefined));
}

function traceModern(handler: Function, options: WithNetlifyOptions, self: unknown, args: unknown[]) {
  const [req, context] = args as [Request, Context | undefined];
  const url = new URL(req.url);
  return runInvocation(
    {
      name: options.name ?? `${req.method} ${url.pathname}`,
      platform: "netlify",
      traceparent: req.headers.get("traceparent"),
      waitUntil: waitUntilOf(context), // rolled out gradually: looked up on every request
      flushTimeoutMs: options.flushTimeoutMs,
      attributes: withoutEmpty({
        "http.request.method": req.method,
        "url.path": url.pathname,
        "faas.trigger": "http",
        "faas.coldstart": coldStart,
        "faas.invocation_id": req.headers.get("x-nf-request-id") || context?.requestId,
        "cloud.region": context?.server?.region,
        "netlify.deploy.id": context?.deploy?.id,
        "netlify.deploy.context": context?.deploy?.context,
        ...netlifyAttributes(context?.geo, context?.site),
      }),
    },
    () => handler.apply(self, args),
  );
}

/** The deadline of a classic function's flush: the option, capped by the time the invocation has left. */
function classicFlushTimeout(options: WithNetlifyOptions, context: HandlerContext | undefined): number {
  const wanted = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
  const left =
    typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : NaN;
  return Number.isFinite(left) ? Math.max(0, Math.min(wanted, left - CLASSIC_MARGIN_MS)) : wanted;
}

/** Calls a classic handler. One written for a callback `(event, context, callback)` settles through it. */
function callClassic(handler: Function, self: unknown, args: unknown[], streaming: boolean): Promise<any> {
  if (streaming || handler.length < 3 || typeof args[2] !== "function") return handler.apply(self, args);
  return new Promise((resolve, reject) => {
    const callback = (error: unknown, result: unknown) => (error != null ? reject(error) : resolve(result));
    const returned = handler.apply(self, [args[0], args[1], callback, ...args.slice(3)]);
    if (typeof returned?.then === "function") returned.then(resolve, reject);
  });
}

async function traceClassic(handler: Function, options: WithNetlifyOptions, self: unknown, args: unknown[]) {
  const streaming = (handler as unknown as Record<symbol, unknown>)[STREAMING] !== undefined;
  const event = args[0] as HandlerEvent;
  const context = args[streaming ? 2 : 1] as HandlerContext | undefined;
  const headers = event?.headers ?? {};
  let streamBody: { result: Record<string, unknown>; node: boolean } | undefined;
  const traced = await runInvocation(
    {
      // scheduled and event-triggered classic functions get an event without an HTTP method
      name:
        options.name ??
        (event?.httpMethod
          ? `${event.httpMethod} ${event.path}`
          : context?.functionName || "netlify function"),
      platform: "netlify",
      traceparent: headers.traceparent,
      // read when the flush starts: what the invocation has left then
      get flushTimeoutMs() {
        return classicFlushTimeout(options, context);
      },
      attributes: withoutEmpty({
        "http.request.method": event?.httpMethod,
        "url.path": event?.path,
        "faas.trigger": event?.httpMethod ? "http" : "other",
        "faas.coldstart": coldStart,
        "faas.name": context?.functionName,
        "faas.invocation_id": headers["x-nf-request-id"] || context?.awsRequestId,
        ...netlifyAttributes(headerGeo(headers["x-nf-geo"]), {
          id: process.env.SITE_ID,
          name: process.env.SITE_NAME,
          url: process.env.URL,
        }),
      }),
    },
    async (root) => {
      const result = await callClassic(handler, self, args, streaming);
      root.setAttribute("http.response.status_code", result?.statusCode);
      if (result?.statusCode >= 500) root.setStatus("error");
      // `stream()`: the body is read after we return, so the trace ends when the body does (via a Response)
      if (!isStreamBody(result?.body)) return result;
      streamBody = { result, node: result.body instanceof Readable };
      const body = streamBody.node ? Readable.toWeb(result.body) : result.body;
      return new Response(body as ReadableStream, { status: result.statusCode ?? 200 });
    },
  );
  if (!streamBody) return traced;
  const body = (traced as Response).body!;
  return { ...streamBody.result, body: streamBody.node ? Readable.fromWeb(body as never) : body };
}

/**
 * Traces a Netlify Function and flushes what it recorded before the platform can freeze it: modern
 * functions hand the flush to `context.waitUntil` when there is one, classic functions await it.
 */
// Classic first: TypeScript types an unannotated `(event, context) =>` from the first overload it tries.
export function withNetlify<H extends Handler>(handler: H, options?: WithNetlifyOptions): H;
export function withNetlify<H extends ModernHandler>(handler: H, options?: WithNetlifyOptions): H;
export function withNetlify<H extends Function>(handler: H, options?: WithNetlifyOptions): H;
export function withNetlify<H extends Function>(handler: H, options: WithNetlifyOptions = {}): H {
  if (isWrapped(handler)) return handler;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const trace = isRequest(args[0]) ? traceModern : traceClassic;
    const result = trace(handler, options, this, args);
    coldStart = false;
    return result;
  };
  // name, length, own properties and Lambda's streaming markers (a `stream()` handler on Netlify) stay
  copyOwnProperties(handler, wrapped);
  return markWrapped(wrapped) as unknown as H;
}
