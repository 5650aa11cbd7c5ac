import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import {
  DEFAULT_FLUSH_TIMEOUT_MS,
  isInitialized,
  lumiqtrace,
  runInvocation,
  vercelWaitUntil,
  type WaitUntil,
  waitUntilOf,
} from "@lumiqtrace/sdk";

export interface HonoTracingOptions {
  /** The most the flush may hold a request (or, with `waitUntil`, run after it), ms. Default 2000. */
  flushTimeoutMs?: number;
  /** Which requests to trace: return false to let a request through untraced. Default: all. */
  filter?: (c: Context) => boolean;
  /** The root span's name, read after the handler ran. Default: `GET /posts/:id` (method and route pattern). */
  spanName?: (c: Context, route: string | undefined) => string;
}

/** How long the flush waits for the user's own `executionCtx.waitUntil` work: under the ~30 s Workers allow. */
export const USER_WORK_TIMEOUT_MS = 25_000;

// One trace per request even when the middleware is registered twice (app and a routed sub-app).
const traced = new WeakSet<Request>();

/**
 * Hono middleware: each request runs in its own trace with a root span (method, route, status, error),
 * continues an incoming `traceparent`, and flushes what it recorded without losing it: in the platform's
 * `waitUntil` where there is one, else awaited before the response leaves (bounded).
 */
export function withHono(options: HonoTracingOptions = {}): MiddlewareHandler {
  return async function lumiqtraceMiddleware(c, next) {
    if (traced.has(c.req.raw) || options.filter?.(c) === false) return next();
    traced.add(c.req.raw);
    initFromBindings(c.env);

    const method = c.req.method;
    const customName = (route: string | undefined): string | undefined => {
      try {
        return options.spanName?.(c, route);
      } catch {
        return undefined; // a naming bug must not fail the request
      }
    };
    const userWork = trackUserWaitUntil(c);
    const platformWaitUntil = userWork?.waitUntil ?? waitUntilOf(netlifyContext(c)) ?? vercelWaitUntil();
    const flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;

    const res = await runInvocation(
      {
        name: method,
        platform: "hono",
        traceparent: c.req.header("traceparent"),
        flushTimeoutMs,
        // On Workers: after our flush, wait for the user's own waitUntil work, then flush what it recorded.
        waitUntil:
          userWork && platformWaitUntil
            ? (flushed) =>
                platformWaitUntil(
                  flushed
                    .then(() => userWork.settled())
                    .then(() => lumiqtrace.flush({ timeoutMs: flushTimeoutMs })),
                )
            : platformWaitUntil,
      },
      async (span) => {
        // Set here, not as start attributes, so they also land on an outer adapter's span (withLambda(handle(app))).
        span.setAttributes({ "http.request.method": method, "url.path": c.req.path });
        await next();
        const route = respondingRoute(c);
        if (route !== undefined) span.setAttribute("http.route", route);
        span.updateName(customName(route) ?? (route ? `${method} ${route}` : method));
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

/** hono/netlify passes Netlify's context (with `waitUntil` where Netlify has rolled it out) as `c.env.context`. */
function netlifyContext(c: Context): unknown {
  return (c.env as { context?: unknown } | undefined)?.context;
}

/**
 * On Workers, wraps `executionCtx.waitUntil` for this request so the flush can wait for the user's own
 * background work (events recorded there would otherwise be lost). Undefined where there is no
 * ExecutionContext (the getter throws on Node, Bun, Deno, hono/vercel, hono/aws-lambda).
 */
function trackUserWaitUntil(c: Context): { waitUntil: WaitUntil; settled: () => Promise<void> } | undefined {
  let ctx: { waitUntil?: unknown } | undefined;
  try {
    ctx = c.executionCtx as { waitUntil?: unknown };
  } catch {
    return undefined;
  }
  const original = waitUntilOf(ctx);
  if (!original) return undefined;
  const pending = new Set<Promise<unknown>>();
  const own = Object.getOwnPropertyDescriptor(ctx, "waitUntil");
  const tracking = (promise: Promise<unknown>): void => {
    const settled: Promise<unknown> = Promise.resolve(promise).then(
      () => pending.delete(settled),
      () => pending.delete(settled),
    );
    pending.add(settled);
    original(promise);
  };
  try {
    ctx.waitUntil = tracking;
  } catch {
    // a frozen context: its waitUntil still works, only the user's work is not waited for
  }
  const settled = async (): Promise<void> => {
    const deadline = Date.now() + USER_WORK_TIMEOUT_MS;
    // Work registered while we wait (waitUntil inside waitUntil) is waited for too.
    while (pending.size > 0 && Date.now() < deadline) {
      await settledOrTimeout(Promise.allSettled([...pending]), deadline - Date.now());
    }
    try {
      // Put the context back as it was (a test's ExecutionContext may serve many requests).
      if (ctx.waitUntil === tracking) {
        if (own) Object.defineProperty(ctx, "waitUntil", own);
        else delete ctx.waitUntil;
      }
    } catch {
      // frozen after all: harmless, the wrapper only counts
    }
  };
  return { waitUntil: original, settled };
}

function settledOrTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Workers have no process.env: when no client with an API key exists yet and the bindings hold
 * `LUMIQTRACE_API_KEY`, initialise from the bindings (every `LUMIQTRACE_*` variable the SDK reads).
 */
function initFromBindings(env: unknown): void {
  if (!env || typeof env !== "object") return;
  const apiKey = (env as Record<string, unknown>).LUMIQTRACE_API_KEY;
  if (typeof apiKey !== "string" || apiKey === "") return;
  if (isInitialized() && lumiqtrace.getClient().options.apiKey) return;
  lumiqtrace.init({}, env as Record<string, unknown>);
}
