import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  initFromEnv,
  runInvocation,
  vercelRequestContext,
} from "@lumiqtrace/sdk/serverless";
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";

export interface HonoOptions {
  /** The root span's name, or a function of the context and the route pattern (read after the handler ran). Default: `GET /posts/:id`. */
  spanName?: string | ((c: Context, route: string | undefined) => string);
  /** The most the flush may hold a request (or, with `waitUntil`, run after it), ms. Default 2000. */
  flushTimeoutMs?: number;
  /** Which requests to trace: return false to let a request through untraced. Default: all. */
  filter?: (c: Context) => boolean;
}

// One trace per request even when the middleware is registered twice (app and a routed sub-app).
const traced = new WeakSet<Request>();

/**
 * Hono middleware: each request runs in its own trace with a root span (method, route, status, error),
 * continues an incoming `traceparent`, and flushes what it recorded without losing it: in the platform's
 * `waitUntil` where there is one (after the user's own `waitUntil` work), else awaited before the
 * response leaves (bounded).
 */
export function withHono(options: HonoOptions = {}): MiddlewareHandler {
  return async function lumiqtraceMiddleware(c, next) {
    if (traced.has(c.req.raw) || options.filter?.(c) === false) return next();
    traced.add(c.req.raw);
    initFromEnv(c.env);

    const method = c.req.method;
    const res = await runInvocation(
      {
        name: method,
        platform: "hono",
        traceparent: c.req.header("traceparent"),
        flushTimeoutMs: options.flushTimeoutMs,
        waitUntilFrom: executionContext(c) ?? netlifyContext(c) ?? vercelRequestContext(),
      },
      async (span) => {
        // Set here, not as start attributes, so they also land on an outer adapter's span (withLambda(handle(app))).
        span.setAttributes({ [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: c.req.path });
        await next();
        const route = respondingRoute(c);
        if (route !== undefined) span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(spanNameOf(options, c, route) ?? (route ? `${method} ${route}` : method));
        if (c.error) span.recordError(c.error);
        return c.res;
      },
    );
    if (res !== c.res) {
      // Unset first, or Hono merges the old response's headers into the new one (they are the same).
      c.res = undefined;
      c.res = res;
    }
  };
}

function spanNameOf(options: HonoOptions, c: Context, route: string | undefined): string | undefined {
  try {
    const name = typeof options.spanName === "function" ? options.spanName(c, route) : options.spanName;
    return typeof name === "string" && name ? name : undefined;
  } catch {
    return undefined; // a naming bug must not fail the request
  }
}

/** The pattern of the route that answered (`/posts/:id`), or undefined when only middleware ran (a 404). */
function respondingRoute(c: Context): string | undefined {
  try {
    const route = matchedRoutes(c)[c.req.routeIndex];
    // A middleware takes (c, next); a route handler takes (c). A middleware "answering" means no route matched.
    return route && route.handler.length < 2 ? route.path : undefined;
  } catch {
    return undefined;
  }
}

/** Workers' ExecutionContext; the getter throws where there is none (Node, Bun, Deno, hono/vercel, hono/aws-lambda). */
function executionContext(c: Context): unknown {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/** hono/netlify passes Netlify's context (with `waitUntil` where Netlify has rolled it out) as `c.env.context`. */
function netlifyContext(c: Context): unknown {
  return (c.env as { context?: unknown } | undefined)?.context;
}
