import { Readable } from "node:stream";
import {
  ATTR_CLOUD_REGION,
  ATTR_FAAS_COLDSTART,
  ATTR_FAAS_INVOCATION_ID,
  ATTR_FAAS_NAME,
  ATTR_FAAS_TRIGGER,
  ATTR_GEO_COUNTRY_ISO_CODE,
  ATTR_GEO_LOCALITY_NAME,
  ATTR_GEO_REGION_ISO_CODE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_NETLIFY_DEPLOY_CONTEXT,
  ATTR_NETLIFY_DEPLOY_ID,
  ATTR_NETLIFY_SITE_ID,
  ATTR_NETLIFY_SITE_NAME,
  ATTR_NETLIFY_SITE_URL,
  ATTR_URL_PATH,
  boundByTimeLeft,
  callWithCallback,
  copyOwnProperties,
  isWrapped,
  markWrapped,
  runInvocation,
  takeColdStart,
} from "@lumiqtrace/sdk/serverless";
import type { Context, Handler, HandlerContext, HandlerEvent } from "@netlify/functions";

export type {
  Config,
  Context,
  Handler,
  HandlerContext,
  HandlerEvent,
  HandlerResponse,
} from "@netlify/functions";

export interface NetlifyOptions {
  /** The root span's name, or a function of the request (modern) or event (classic) that returns it. Default: `METHOD /path`. */
  spanName?: string | ((input: Request | HandlerEvent) => string);
  /** The most the flush may hold the function, ms (default 2000). Classic functions: also capped by the time left. */
  flushTimeoutMs?: number;
}

/** A modern Netlify Function: `export default async (req, context) => new Response(...)`. */
export type ModernHandler = (req: Request, context: Context) => Response | Promise<Response>;

const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");

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
    [ATTR_GEO_COUNTRY_ISO_CODE]: geo?.country?.code,
    [ATTR_GEO_REGION_ISO_CODE]: geo?.subdivision?.code,
    [ATTR_GEO_LOCALITY_NAME]: geo?.city,
    [ATTR_NETLIFY_SITE_ID]: site?.id,
    [ATTR_NETLIFY_SITE_NAME]: site?.name,
    [ATTR_NETLIFY_SITE_URL]: site?.url,
  };
}

/** Leaves out what is not there, and the empty strings Netlify serves locally (`requestId`, `deploy.id`). */
function withoutEmpty(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "" && v !== undefined));
}

function spanNameOf(options: NetlifyOptions, input: Request | HandlerEvent): string | undefined {
  try {
    const name = typeof options.spanName === "function" ? options.spanName(input) : options.spanName;
    return typeof name === "string" && name ? name : undefined;
  } catch {
    return undefined; // a naming bug must not fail the request
  }
}

function traceModern(handler: Function, options: NetlifyOptions, self: unknown, args: unknown[]) {
  const [req, context] = args as [Request, Context | undefined];
  const url = new URL(req.url);
  return runInvocation(
    {
      name: spanNameOf(options, req) ?? `${req.method} ${url.pathname}`,
      platform: "netlify",
      traceparent: req.headers.get("traceparent"),
      // rolled out gradually: looked up on every request; the user's own waitUntil work is waited for too
      waitUntilFrom: context,
      flushTimeoutMs: options.flushTimeoutMs,
      attributes: withoutEmpty({
        [ATTR_HTTP_REQUEST_METHOD]: req.method,
        [ATTR_URL_PATH]: url.pathname,
        [ATTR_FAAS_TRIGGER]: "http",
        [ATTR_FAAS_COLDSTART]: takeColdStart(),
        [ATTR_FAAS_INVOCATION_ID]: req.headers.get("x-nf-request-id") || context?.requestId,
        [ATTR_CLOUD_REGION]: context?.server?.region,
        [ATTR_NETLIFY_DEPLOY_ID]: context?.deploy?.id,
        [ATTR_NETLIFY_DEPLOY_CONTEXT]: context?.deploy?.context,
        ...netlifyAttributes(context?.geo, context?.site),
      }),
    },
    () => handler.apply(self, args),
  );
}

/** Calls a classic handler. One written for a callback `(event, context, callback)` settles through it. */
function callClassic(handler: Function, self: unknown, args: unknown[], streaming: boolean): Promise<any> {
  if (streaming || handler.length < 3 || typeof args[2] !== "function") return handler.apply(self, args);
  return callWithCallback(handler, self, args).settled;
}

/** A classic result's `statusCode`. */
const statusCodeOf = (result: unknown) =>
  (result as { statusCode?: unknown } | null)?.statusCode as number | undefined;

async function traceClassic(handler: Function, options: NetlifyOptions, self: unknown, args: unknown[]) {
  const streaming = (handler as unknown as Record<symbol, unknown>)[STREAMING] !== undefined;
  const event = args[0] as HandlerEvent;
  const context = args[streaming ? 2 : 1] as HandlerContext | undefined;
  const headers = event?.headers ?? {};
  let streamBody: { result: Record<string, unknown>; node: boolean } | undefined;
  const traced = await runInvocation(
    {
      // scheduled and event-triggered classic functions get an event without an HTTP method
      name:
        spanNameOf(options, event) ??
        (event?.httpMethod
          ? `${event.httpMethod} ${event.path}`
          : context?.functionName || "netlify function"),
      platform: "netlify",
      traceparent: headers.traceparent,
      statusOf: statusCodeOf,
      // read when the flush starts: what the invocation has left then
      get flushTimeoutMs() {
        return boundByTimeLeft(context, options.flushTimeoutMs);
      },
      attributes: withoutEmpty({
        [ATTR_HTTP_REQUEST_METHOD]: event?.httpMethod,
        [ATTR_URL_PATH]: event?.path,
        [ATTR_FAAS_TRIGGER]: event?.httpMethod ? "http" : "other",
        [ATTR_FAAS_COLDSTART]: takeColdStart(),
        [ATTR_FAAS_NAME]: context?.functionName,
        [ATTR_FAAS_INVOCATION_ID]: headers["x-nf-request-id"] || context?.awsRequestId,
        ...netlifyAttributes(headerGeo(headers["x-nf-geo"]), {
          id: process.env.SITE_ID,
          name: process.env.SITE_NAME,
          url: process.env.URL,
        }),
      }),
    },
    async () => {
      const result = await callClassic(handler, self, args, streaming);
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
export function withNetlify<H extends Handler>(handler: H, options?: NetlifyOptions): H;
export function withNetlify<H extends ModernHandler>(handler: H, options?: NetlifyOptions): H;
export function withNetlify<H extends Function>(handler: H, options?: NetlifyOptions): H;
export function withNetlify<H extends Function>(handler: H, options: NetlifyOptions = {}): H {
  if (isWrapped(handler)) return handler;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const trace = isRequest(args[0]) ? traceModern : traceClassic;
    return trace(handler, options, this, args);
  };
  // name, length, own properties and Lambda's streaming markers (a `stream()` handler on Netlify) stay
  copyOwnProperties(handler, wrapped);
  return markWrapped(wrapped) as unknown as H;
}
