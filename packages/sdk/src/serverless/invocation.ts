import { ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_LUMIQTRACE_PLATFORM } from "@lumiqtrace/protocol";
import type { Client } from "../client.js";
import { activeState, runWithState } from "../context.js";
import { getClient } from "../global.js";
import { debug } from "../logger.js";
import { isNode } from "../runtime.js";
import { newTrace, type Span, startSpan } from "../span.js";
import { parseTraceparent } from "../traceparent.js";
import type { WaitUntil } from "./platforms.js";
import { isObservableResponse, isResponse, observeBody } from "./stream.js";
import { type TrackedWaitUntil, trackWaitUntil } from "./user-work.js";

/** How long an adapter's flush may hold a function when nobody passes `flushTimeoutMs`. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 2000;

export interface InvocationOptions<R = unknown> {
  /** Root span name: `POST /api/chat`, the function name, ... */
  name: string;
  /** `lambda`, `netlify`, `vercel`, `hono`, ...: recorded as `lumiqtrace.platform`. */
  platform: string;
  attributes?: Record<string, unknown>;
  /** An incoming W3C `traceparent`: the invocation continues the caller's trace. */
  traceparent?: string | null;
  /**
   * The platform's object with a `waitUntil` that keeps work going after the response: Workers' `ctx`,
   * Netlify's `context`, Vercel's request context. The flush is handed to it; work the user's own code
   * hands to it during the invocation is waited for (at most 25 s) and what that work recorded is
   * flushed too. Looked up per invocation: an object without a working `waitUntil` is not trusted.
   */
  waitUntilFrom?: unknown;
  /** A bare `waitUntil` function (Next's `after()`), used when `waitUntilFrom` has none. Neither: the flush is awaited. */
  waitUntil?: WaitUntil;
  /** The most the flush may hold the function, ms. Default 2000. Read when the flush starts (a getter may compute it). */
  flushTimeoutMs?: number;
  /** Errors that are control flow, not failures (Next's `redirect()`), are not recorded as errors. */
  isIgnoredError?: (error: unknown) => boolean;
  /**
   * The HTTP status the result stands for (Lambda's `{ statusCode }`), recorded as
   * `http.response.status_code`; 5xx marks the invocation failed. A web `Response`'s status is read without it.
   */
  statusOf?: (result: R) => number | undefined;
}

function flushTimeout(options: InvocationOptions<never>): number {
  const t = options.flushTimeoutMs;
  return typeof t === "number" && t >= 0 ? t : DEFAULT_FLUSH_TIMEOUT_MS;
}

/**
 * After everything already queued on the event loop: the response's last bytes are written by then. On
 * Node an immediate (a timer's 1 ms minimum cost a busy function ~0.15 ms of CPU per request, bench/compare),
 * elsewhere a timer (Next's Edge sandbox has a `setImmediate` that never runs).
 */
const nextMacrotask = (): Promise<void> =>
  new Promise((resolve) => {
    // read off globalThis: Next's Edge build warns about any bare mention of a Node API
    if (isNode()) (globalThis as unknown as { setImmediate(f: () => void): void }).setImmediate(resolve);
    else setTimeout(resolve, 0);
  });

/** Where this invocation's flush goes: the platform's `waitUntil`, watched for the user's own work, or none. */
interface Background {
  waitUntil: WaitUntil | undefined;
  userWork: TrackedWaitUntil | undefined;
}

function findBackground(options: InvocationOptions<never>): Background {
  const userWork = trackWaitUntil(options.waitUntilFrom);
  const bare = typeof options.waitUntil === "function" ? options.waitUntil : undefined;
  return { waitUntil: userWork?.waitUntil ?? bare, userWork };
}

function flushNow(client: Client, options: InvocationOptions<never>): Promise<void> {
  // the bound is read when the flush starts: an adapter may pass a getter (Lambda's time left)
  return client.flush({ timeoutMs: flushTimeout(options) });
}

/**
 * Hands the platform's `waitUntil` a flush that starts once `done` settles, one macrotask later, so that
 * building and sending the batch never holds up the response (or the last read of its body) on the same
 * event loop; then, after the user's own `waitUntil` work, a flush of what that work recorded. False when
 * there is no `waitUntil`, or it refused (called outside its request): await the flush then.
 */
function handOffFlush(
  client: Client,
  options: InvocationOptions<never>,
  background: Background,
  done?: Promise<void>,
): boolean {
  const { waitUntil, userWork } = background;
  if (!waitUntil) return false;
  const flush = () => flushNow(client, options);
  try {
    let work = (done ?? Promise.resolve()).then(nextMacrotask).then(flush);
    if (userWork) work = work.then(userWork.settled).then(flush);
    waitUntil(work);
    return true;
  } catch (error) {
    debug(`waitUntil refused the flush (${String(error)}); awaiting it instead`);
    void userWork?.settled();
    return false;
  }
}

function recordStatus(span: Span, status: unknown): void {
  if (typeof status !== "number") return;
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 500) span.setStatus("error");
}

/** Ends the span when the body ends, then flushes: in `waitUntil` if there is one, else before the body closes. */
function traceBody(
  response: Response,
  span: Span,
  client: Client,
  options: InvocationOptions<never>,
  background: Background,
): Response {
  let bodyEnded!: () => void;
  const ended = new Promise<void>((resolve) => (bodyEnded = resolve));
  const inBackground = handOffFlush(client, options, background, ended);
  return observeBody(response, (status, error) => {
    if (status === "error") span.recordError(error);
    else if (status === "cancelled") span.setStatus("cancelled");
    span.end();
    bodyEnded();
    return inBackground ? undefined : flushNow(client, options);
  });
}

/**
 * The one mechanism every adapter shares: run `fn` in a fresh trace context with a root span, and when it
 * settles flush what it recorded. A web `Response` with a body is traced until its body finishes or is
 * cancelled. The flush goes to the platform's `waitUntil` when there is one, else it is awaited, bounded
 * by `flushTimeoutMs`. The result or error is the one `fn` gave (an error is rethrown as the same object).
 * Inside another invocation (a handler wrapped twice), `fn` just runs in the outer one.
 */
export async function runInvocation<T>(
  options: InvocationOptions<Awaited<T>>,
  fn: (span: Span) => T,
): Promise<Awaited<T>> {
  const outer = activeState()?.invocation;
  if (outer) return await fn(outer);
  const o = options as InvocationOptions<never>;
  const client = getClient();
  const remote = parseTraceparent(options.traceparent);
  const trace = newTrace(remote?.traceId);
  const span = runWithState(trace, () =>
    startSpan({
      name: options.name,
      kind: "invocation",
      attributes: { ...options.attributes, [ATTR_LUMIQTRACE_PLATFORM]: options.platform },
      remoteParentSpanId: remote?.spanId,
    }),
  );
  const background = findBackground(o);
  let result: Awaited<T>;
  try {
    result = await runWithState({ ...trace, spanId: span.spanId, invocation: span }, () => fn(span));
  } catch (error) {
    if (!options.isIgnoredError?.(error)) span.recordError(error);
    span.end();
    if (!handOffFlush(client, o, background)) await flushNow(client, o);
    throw error;
  }
  if (isResponse(result)) {
    recordStatus(span, result.status);
    if (isObservableResponse(result)) return traceBody(result, span, client, o, background) as Awaited<T>;
  } else if (options.statusOf) {
    try {
      recordStatus(span, options.statusOf(result));
    } catch {
      // a result whose statusCode getter throws is still the handler's result
    }
  }
  span.end();
  if (!handOffFlush(client, o, background)) await flushNow(client, o);
  return result;
}
