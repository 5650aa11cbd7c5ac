import type { Client } from "../client.js";
import { activeState, runWithState } from "../context.js";
import { getClient } from "../global.js";
import { debug } from "../logger.js";
import { newTrace, type Span, startSpan } from "../span.js";
import { parseTraceparent } from "../traceparent.js";
import type { WaitUntil } from "./platforms.js";
import { isObservableResponse, isResponse, observeBody } from "./stream.js";

/** How long an adapter's flush may hold a function when nobody passes `flushTimeoutMs`. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 2000;

export interface InvocationOptions {
  /** Root span name: `POST /api/chat`, the function name, ... */
  name: string;
  /** `lambda`, `netlify`, `vercel`, `hono`, ...: recorded as `lumiqtrace.platform`. */
  platform: string;
  attributes?: Record<string, unknown>;
  /** An incoming W3C `traceparent`: the invocation continues the caller's trace. */
  traceparent?: string | null;
  /** The platform's way to keep working after the response. Absent: the flush is awaited. */
  waitUntil?: WaitUntil;
  /** The most the flush may hold the function, ms. Default 2000. Read when the flush starts (a getter may compute it). */
  flushTimeoutMs?: number;
  /** Errors that are control flow, not failures (Next's `redirect()`), are not recorded as errors. */
  isIgnoredError?: (error: unknown) => boolean;
}

function flushTimeout(options: InvocationOptions): number {
  const t = options.flushTimeoutMs;
  return typeof t === "number" && t >= 0 ? t : DEFAULT_FLUSH_TIMEOUT_MS;
}

const nextMacrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function flushNow(client: Client, options: InvocationOptions): Promise<void> {
  // the bound is read when the flush starts: an adapter may pass a getter (Lambda's time left)
  return client.flush({ timeoutMs: flushTimeout(options) });
}

/**
 * Hands the platform's `waitUntil` a flush that starts once `done` settles, one macrotask later, so that
 * building and sending the batch never holds up the response (or the last read of its body) on the same
 * event loop. False when there is no `waitUntil`, or it refused (called outside its request): await then.
 */
function handOffFlush(client: Client, options: InvocationOptions, done?: Promise<void>): boolean {
  if (!options.waitUntil) return false;
  try {
    options.waitUntil((done ?? Promise.resolve()).then(nextMacrotask).then(() => flushNow(client, options)));
    return true;
  } catch (error) {
    debug(`waitUntil refused the flush (${String(error)}); awaiting it instead`);
    return false;
  }
}

function recordResponse(span: Span, response: Response): void {
  span.setAttribute("http.response.status_code", response.status);
  if (response.status >= 500) span.setStatus("error");
}

/** Ends the span when the body ends, then flushes: in `waitUntil` if given, else before the body closes. */
function traceBody(response: Response, span: Span, client: Client, options: InvocationOptions): Response {
  let bodyEnded!: () => void;
  const ended = new Promise<void>((resolve) => (bodyEnded = resolve));
  const background = handOffFlush(client, options, ended);
  return observeBody(response, (status, error) => {
    if (status === "error") span.recordError(error);
    else if (status === "cancelled") span.setStatus("cancelled");
    span.end();
    bodyEnded();
    return background ? undefined : flushNow(client, options);
  });
}

/**
 * The one mechanism every adapter shares: run `fn` in a fresh trace context with a root span, and when it
 * settles flush what it recorded. A web `Response` with a body is traced until its body finishes or is
 * cancelled. The flush goes to `waitUntil` when the platform gives one, else it is awaited, bounded by
 * `flushTimeoutMs`. The result or error is the one `fn` gave (an error is rethrown as the same object).
 * Inside another invocation (a handler wrapped twice), `fn` just runs in the outer one.
 */
export async function runInvocation<T>(
  options: InvocationOptions,
  fn: (span: Span) => T,
): Promise<Awaited<T>> {
  const outer = activeState()?.invocation;
  if (outer) return await fn(outer);

  const client = getClient();
  const remote = parseTraceparent(options.traceparent);
  const trace = newTrace(remote?.traceId);
  const span = runWithState(trace, () =>
    startSpan({
      name: options.name,
      kind: "invocation",
      attributes: { ...options.attributes, "lumiqtrace.platform": options.platform },
      remoteParentSpanId: remote?.spanId,
    }),
  );

  let result: Awaited<T>;
  try {
    result = await runWithState({ ...trace, spanId: span.spanId, invocation: span }, () => fn(span));
  } catch (error) {
    if (!options.isIgnoredError?.(error)) span.recordError(error);
    span.end();
    if (!handOffFlush(client, options)) await flushNow(client, options);
    throw error;
  }

  if (isObservableResponse(result)) {
    recordResponse(span, result);
    return traceBody(result, span, client, options) as Awaited<T>;
  }
  if (isResponse(result)) recordResponse(span, result);
  span.end();
  if (!handOffFlush(client, options)) await flushNow(client, options);
  return result;
}
