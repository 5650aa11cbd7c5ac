import { type WaitUntil, waitUntilOf } from "@lumiqtrace/sdk/serverless";
// `.js`: resolvable by Node's ESM loader too, should the app leave this package unbundled.
import { after } from "next/server.js";
import {
  type Platform,
  type RouteArgs,
  type VercelOptions,
  vercelFunctions,
  wrapRequestHandler,
} from "./functions.js";

export { withVercel, type RouteArgs, type VercelOptions } from "./functions.js";

const NEXT_REQUEST_CONTEXT = Symbol.for("@next/request-context");

/** Next's own request context: platforms (and `next start`'s Edge sandbox) put `waitUntil` there. */
function nextRequestContext(): unknown {
  try {
    const holder = (globalThis as Record<symbol, { get?: () => unknown } | undefined>)[NEXT_REQUEST_CONTEXT];
    const context = holder?.get?.();
    return waitUntilOf(context) ? context : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `after()` keeps the work going after the response under `next start`. It throws when it cannot (outside
 * a request scope, or no `waitUntil` behind it); the SDK then awaits the flush instead.
 */
const afterResponse: WaitUntil = (promise) => after(promise);

/** `redirect()`, `permanentRedirect()`, `notFound()`, `forbidden()`, `unauthorized()`: the status they mean. */
export function nextControlFlowStatus(error: unknown): number | undefined {
  const digest = (error as { digest?: unknown } | null | undefined)?.digest;
  if (typeof digest !== "string") return undefined;
  const parts = digest.split(";");
  // NEXT_REDIRECT;<replace|push>;<url>;<307|308>;
  if (parts[0] === "NEXT_REDIRECT") return Number(parts[parts.length - 2]) || 307;
  // NEXT_HTTP_ERROR_FALLBACK;<404|403|401>, and NEXT_NOT_FOUND before Next 15
  if (parts[0] === "NEXT_HTTP_ERROR_FALLBACK") return Number(parts[1]) || 404;
  if (digest === "NEXT_NOT_FOUND") return 404;
  return undefined;
}

const nextRoute: Platform = {
  waitUntilFrom: () => vercelFunctions.waitUntilFrom() ?? nextRequestContext(),
  waitUntil: afterResponse,
  controlFlowStatus: nextControlFlowStatus,
};

/**
 * Traces a Next.js App Router route handler (Node or Edge runtime): one trace per request, the flush
 * handed to Vercel's `waitUntil` (or Next's `after()` under `next start`), else awaited with a deadline.
 * The handler's arguments (`req`, `{ params }`), result and errors pass through unchanged.
 */
export function withVercelRoute<Args extends any[], R>(
  handler: (...args: Args) => R,
  options: VercelOptions = {},
): (...args: RouteArgs<Args>) => Promise<Awaited<R>> {
  return wrapRequestHandler(handler, options, nextRoute) as (...args: RouteArgs<Args>) => Promise<Awaited<R>>;
}
