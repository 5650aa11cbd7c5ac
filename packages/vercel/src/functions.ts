import {
  ATTR_CLOUD_REGION,
  ATTR_FAAS_INVOCATION_ID,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  isWrapped,
  markWrapped,
  runInvocation,
  type Span,
  vercelRequestContext,
  type WaitUntil,
} from "@lumiqtrace/sdk/serverless";

export interface VercelOptions {
  /** The root span's name, or a function of the request that returns it. Default: `METHOD route` (or `METHOD path`). */
  spanName?: string | ((req: Request) => string);
  /**
   * The route pattern, recorded as `http.route` and used in the span name (`GET /api/items/[id]`).
   * Default in a Next route handler: the request path with the dynamic `params` put back as `[name]`;
   * elsewhere none (the span is then named after the request path).
   */
  route?: string;
  /** The most the flush may hold the function when there is no `waitUntil`, ms. Default 2000. */
  flushTimeoutMs?: number;
}

/** How the wrapper finds what the platform offers: shared by `withVercel` and `withVercelRoute`. */
export interface Platform {
  /** The request's context with a `waitUntil` (Vercel's), looked up per request; undefined when none can be trusted. */
  waitUntilFrom(): unknown;
  /** A bare `waitUntil` for when there is no such context (Next's `after()`). */
  waitUntil?: WaitUntil;
  /** Control-flow errors (Next's `redirect()`): the HTTP status they stand for, else undefined. */
  controlFlowStatus?(error: unknown): number | undefined;
}

type Params = Record<string, string | string[] | undefined>;

/** `/api/items/42` with `{ id: "42" }` -> `/api/items/[id]`; catch-all arrays -> `[...slug]`. */
export function routeFromParams(path: string, params: Params): string {
  const segments = path.split("/");
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === "string") {
      const i = segments.indexOf(encodeURIComponent(value));
      if (i > 0) segments[i] = `[${name}]`;
    } else if (Array.isArray(value) && value.length > 0) {
      const parts = value.map(encodeURIComponent);
      const i = segments.findIndex((_, j) => parts.every((p, k) => segments[j + k] === p));
      if (i > 0) segments.splice(i, parts.length, `[...${name}]`);
    }
  }
  return segments.join("/");
}

async function paramsOf(ctx: unknown): Promise<Params | undefined> {
  try {
    const params = await (ctx as { params?: unknown } | undefined)?.params;
    return params && typeof params === "object" ? (params as Params) : undefined;
  } catch {
    return undefined;
  }
}

/** `x-vercel-id` is `<edge region>::<function region>::<id>` (`<region>::<id>` when served at the edge). */
function vercelAttributes(headers: Headers): Record<string, string> {
  const id = headers.get("x-vercel-id");
  const parts = id?.split("::") ?? [];
  const region = parts.length > 1 ? parts[parts.length - 2] : undefined;
  const envRegion = env()?.VERCEL_REGION;
  const attributes: Record<string, string> = {};
  if (id) attributes[ATTR_FAAS_INVOCATION_ID] = id;
  if (region || envRegion) attributes[ATTR_CLOUD_REGION] = (region || envRegion)!;
  return attributes;
}

/** Wraps a `(request, ...rest) => Response` handler: one invocation per request, flushed per platform. */
export function wrapRequestHandler<Args extends any[], R>(
  handler: (...args: Args) => R,
  options: VercelOptions,
  platform: Platform,
): (...args: Args) => Promise<Awaited<R>> {
  if (isWrapped(handler)) return handler as unknown as (...args: Args) => Promise<Awaited<R>>;

  async function traced(this: unknown, ...args: Args): Promise<Awaited<R>> {
    const req = typeof Request !== "undefined" && args[0] instanceof Request ? args[0] : undefined;
    const { path, headers } = req ? readRequest(req) : { path: undefined, headers: undefined };
    // Next passes `{ params }` (a Promise since 15; undefined on a static route): the route is the path
    // with the dynamic segments put back.
    const nextContext = typeof args[1] === "object" && args[1] !== null && "params" in args[1];
    const params = !options.route && path && nextContext ? await paramsOf(args[1]) : undefined;
    const route = options.route ?? (nextContext && path ? routeFromParams(path, params ?? {}) : undefined);
    const method = req?.method ?? "";
    const attributes: Record<string, unknown> = req
      ? {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_PATH]: path,
          ...(headers && vercelAttributes(headers)),
        }
      : {};
    if (route) attributes[ATTR_HTTP_ROUTE] = route;

    return runInvocation(
      {
        name:
          (req && spanNameOf(options, req)) ??
          (req ? `${method} ${route ?? path}` : handler.name || "handler"),
        platform: "vercel",
        attributes,
        traceparent: headers?.get("traceparent"),
        waitUntilFrom: platform.waitUntilFrom(),
        waitUntil: platform.waitUntil,
        flushTimeoutMs: options.flushTimeoutMs,
        isIgnoredError: (error) => platform.controlFlowStatus?.(error) !== undefined,
      },
      async (span: Span) => {
        try {
          return await handler.apply(this, args);
        } catch (error) {
          const status = platform.controlFlowStatus?.(error);
          if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
          throw error;
        }
      },
    );
  }
  return markWrapped(traced);
}

const env = () => (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;

/**
 * Reads what the trace needs without changing how Next renders the route: Next counts `request.url` and
 * `request.headers` as dynamic usage (and throws on them under `dynamic = "error"`), `nextUrl.pathname`
 * it does not. While `next build` prerenders there are no real request headers to read anyway.
 */
function readRequest(req: Request): { path?: string; headers?: Headers } {
  let path: string | undefined;
  let headers: Headers | undefined;
  try {
    path = (req as { nextUrl?: URL }).nextUrl?.pathname ?? new URL(req.url).pathname;
  } catch {
    // a request proxy that refuses: no path
  }
  if (env()?.NEXT_PHASE !== "phase-production-build") {
    try {
      headers = req.headers;
    } catch {
      // `dynamic = "error"` outside the build: no headers, and the route renders as configured
    }
  }
  return { path, headers };
}

export const vercelFunctions: Platform = { waitUntilFrom: vercelRequestContext };

function spanNameOf(options: VercelOptions, req: Request): string | undefined {
  try {
    const name = typeof options.spanName === "function" ? options.spanName(req) : options.spanName;
    return typeof name === "string" && name ? name : undefined;
  } catch {
    return undefined; // a naming bug must not fail the request
  }
}

/** The handler's own parameters; one that takes none can still be called with a request. */
export type RouteArgs<Args extends any[]> = Args extends [] ? [req?: Request, ctx?: unknown] : Args;

type FetchHandler = (req: Request, ...rest: any[]) => Response | Promise<Response>;

/**
 * Traces a Vercel Function outside Next: `export default withVercel({ fetch })`, or a
 * `(req) => Response` function (`export const GET = withVercel(...)`). The flush goes to Vercel's
 * `waitUntil` when the request has one, else it is awaited (bounded).
 */
export function withVercel<H extends FetchHandler>(
  handler: H,
  options?: VercelOptions,
): (...args: RouteArgs<Parameters<H>>) => Promise<Awaited<ReturnType<H>>>;
export function withVercel<H extends { fetch: FetchHandler }>(handler: H, options?: VercelOptions): H;
export function withVercel(
  handler: FetchHandler | { fetch: FetchHandler },
  options: VercelOptions = {},
): FetchHandler | { fetch: FetchHandler } {
  if (typeof handler === "function") return wrapRequestHandler(handler, options, vercelFunctions);
  return { ...handler, fetch: wrapRequestHandler(handler.fetch, options, vercelFunctions) };
}
