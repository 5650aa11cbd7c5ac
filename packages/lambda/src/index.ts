import {
  copyOwnProperties,
  DEFAULT_FLUSH_TIMEOUT_MS,
  getClient,
  type InvocationOptions,
  isWrapped,
  markWrapped,
  runInvocation,
  type Span,
} from "@lumiqtrace/sdk";
import type { Callback, Context, Handler, StreamifyHandler } from "aws-lambda";
import { type Described, describeInvocation, resultStatus } from "./event.js";

export { eventSource, type EventSource } from "./event.js";

export interface LambdaOptions {
  /** The most the flush may hold an invocation, in ms (also capped by the time the invocation has left). Default 2000. */
  flushTimeoutMs?: number;
  /** Time kept free before Lambda's deadline: the flush gives up at least this many ms before it. Default 100. */
  deadlineMarginMs?: number;
  /**
   * This many ms before the deadline, an invocation still running gets its root span ended as an error
   * (`LambdaTimeout`) and what was recorded is flushed, so a timeout does not lose the trace. `false`: off.
   * Default 500.
   */
  timeoutWarningMs?: number | false;
}

const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const DEFAULT_MARGIN_MS = 100;
const DEFAULT_WARNING_MS = 500;
/** Lambda may initialise an environment ahead of demand; a first invoke this long after init is not cold. */
const PROACTIVE_INIT_MS = 10_000;

// Process-wide facts (the process's first invocation), never per-invocation state.
const loadedAt = Date.now();
let firstInvocation = true;

function takeColdStart(): boolean {
  if (!firstInvocation) return false;
  firstInvocation = false;
  if (globalThis.process?.env?.AWS_LAMBDA_INITIALIZATION_TYPE === "provisioned-concurrency") return false;
  return Date.now() - loadedAt <= PROACTIVE_INIT_MS;
}

/** The Node.js major version of the Lambda runtime (`AWS_EXECUTION_ENV`), else of this process. */
function runtimeMajor(): number {
  const proc = globalThis.process;
  const managed = /nodejs(\d+)/.exec(proc?.env?.AWS_EXECUTION_ENV ?? "");
  return Number(managed?.[1] ?? proc?.versions?.node?.split(".")[0] ?? 0);
}

function remainingMs(context: Context | undefined): number | undefined {
  try {
    const ms = context?.getRemainingTimeInMillis?.();
    return typeof ms === "number" && Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

function flushBound(context: Context | undefined, options: LambdaOptions): number {
  const configured = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
  const left = remainingMs(context);
  if (left === undefined) return configured;
  return Math.max(0, Math.min(configured, left - (options.deadlineMarginMs ?? DEFAULT_MARGIN_MS)));
}

/** Ends the root span as a timeout and flushes, `timeoutWarningMs` before the deadline. */
function armTimeoutWarning(span: Span, context: Context | undefined, options: LambdaOptions) {
  const warnMs = options.timeoutWarningMs ?? DEFAULT_WARNING_MS;
  const left = remainingMs(context);
  if (warnMs === false || left === undefined || left <= warnMs) return undefined;
  const timer = setTimeout(() => {
    span.recordError({
      name: "LambdaTimeout",
      message: `the invocation is about to time out (${warnMs} ms left)`,
    });
    span.end();
    void getClient().flush({ timeoutMs: flushBound(context, options) });
  }, left - warnMs);
  // never what keeps the event loop (and a callback handler's response) waiting
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** Waits for an ended response stream to finish writing (no error listener: the user's stream stays theirs). */
function streamFinished(stream: unknown, boundMs: number): Promise<void> | undefined {
  const s = stream as {
    writableEnded?: boolean;
    writableFinished?: boolean;
    destroyed?: boolean;
    once?: Function;
  };
  if (!s?.writableEnded || s.writableFinished || s.destroyed || typeof s.once !== "function")
    return undefined;
  return new Promise((resolve) => {
    s.once!("finish", resolve);
    s.once!("close", resolve);
    (setTimeout(resolve, boundMs) as { unref?: () => void }).unref?.();
  });
}

/** Never lets an odd event (a Proxy, a getter that throws) break the invocation. */
function describeSafely(event: unknown, context: Context | undefined): Described {
  const coldStart = takeColdStart();
  for (const [e, c] of [
    [event, context],
    [undefined, context],
  ] as const) {
    try {
      return describeInvocation(e, c, coldStart);
    } catch {
      // try again with less
    }
  }
  return describeInvocation(undefined, undefined, coldStart);
}

function trace<T>(
  event: unknown,
  context: Context | undefined,
  options: LambdaOptions,
  run: (span: Span) => T | Promise<T>,
): Promise<T> {
  const { name, attributes, traceparent, source } = describeSafely(event, context);
  const invocation: InvocationOptions = {
    name,
    platform: "lambda",
    attributes,
    traceparent,
    // read when the flush starts: what is left of the invocation then, not at its start
    get flushTimeoutMs() {
      return flushBound(context, options);
    },
  };
  return runInvocation(invocation, async (span) => {
    const warning = armTimeoutWarning(span, context, options);
    try {
      const result = await run(span);
      try {
        const status = resultStatus(result, source);
        if (status !== undefined) {
          span.setAttribute("http.response.status_code", status);
          if (status >= 500) span.setStatus("error");
        }
      } catch {
        // a result whose statusCode getter throws is still the handler's result
      }
      return result;
    } finally {
      clearTimeout(warning);
    }
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

function isAsyncFunction(fn: Function): boolean {
  return fn.constructor?.name === "AsyncFunction";
}

/**
 * Traces every invocation of a Lambda handler in its own trace and flushes what it recorded before the
 * invocation completes (Lambda freezes the process right after). Works for async handlers, callback
 * handlers (Node.js 22 and earlier) and response-streaming handlers (`awslambda.streamifyResponse`, in
 * either order). The handler's result, error, `this`, own properties and type are kept.
 */
export function withLambda<H extends Handler<any, any>>(handler: H, options?: LambdaOptions): H;
export function withLambda<H extends StreamifyHandler<any, any>>(handler: H, options?: LambdaOptions): H;
export function withLambda<H extends Function>(handler: H, options: LambdaOptions = {}): H {
  if (typeof handler !== "function") {
    // as unwrapped: the runtime reports the missing handler itself
    console.warn("[lumiqtrace] withLambda(handler): handler must be a function; returning it unwrapped");
    return handler;
  }
  if (isWrapped(handler)) return handler;

  const streamingAtWrap = (handler as unknown as Record<symbol, unknown>)[STREAMING] === "response";
  const callbackStyle = handler.length >= 3 && !streamingAtWrap && !isAsyncFunction(handler);
  if (callbackStyle && runtimeMajor() >= 24) {
    throw new TypeError(
      `withLambda: "${handler.name || "handler"}" takes a callback (event, context, callback), and Lambda's Node.js 24+ ` +
        "runtime rejects callback handlers (Runtime.CallbackHandlerDeprecated). Make it async: " +
        "async (event, context) => result.",
    );
  }

  const wrapped = function (this: unknown, ...args: unknown[]) {
    const [event, second, third] = args;
    // Checked per call: `awslambda.streamifyResponse(withLambda(h))` marks the wrapper after wrapping.
    if ((wrapped as unknown as Record<symbol, unknown>)[STREAMING] === "response") {
      const context = third as Context;
      return trace(event, context, options, async () => {
        const result = await handler.call(this, event, second, context);
        await streamFinished(second, flushBound(context, options));
        return result;
      });
    }
    const context = second as Context;
    if (!callbackStyle) return trace(event, context, options, () => handler.apply(this, args));

    // Callback handler: the runtime's callback is answered after the flush, and the runtime gets what the
    // handler returned, so its own rules (callbackWaitsForEmptyEventLoop) still apply. runInvocation calls
    // the handler synchronously, so `returned` is set when trace() returns.
    let returned: unknown;
    const traced = trace(
      event,
      context,
      options,
      () =>
        new Promise((resolve, reject) => {
          returned = handler.call(this, event, context, (error: unknown, result: unknown) =>
            error === undefined || error === null ? resolve(result) : reject(error),
          );
          if (isThenable(returned)) returned.then(resolve, reject);
        }),
    );
    // A promise returned alongside the callback settles the invocation too, as the runtime would let it.
    if (isThenable(returned) || typeof third !== "function") return traced;
    traced.then(
      (result) => (third as Callback)(null, result),
      (error) => (third as Callback)(error as Error),
    );
    return returned;
  };

  copyOwnProperties(handler, wrapped);
  return markWrapped(wrapped) as unknown as H;
}

export type { LambdaOptions as WithLambdaOptions };
