import {
  boundByTimeLeft,
  callWithCallback,
  copyOwnProperties,
  getClient,
  type InvocationOptions,
  isWrapped,
  markWrapped,
  remainingMs,
  runInvocation,
  type Span,
  takeColdStart,
} from "@lumiqtrace/sdk/serverless";
import type { Callback, Context, Handler, StreamifyHandler } from "aws-lambda";
import { type Described, describeInvocation, resultStatus } from "./event.js";
import { extensionForwarder, lookForExtension } from "./extension.js";

export { eventSource, type EventSource } from "./event.js";

export interface LambdaOptions {
  /** The root span's name, or a function of the event and context that returns it. Default: `METHOD route` for HTTP events, else the function's name. */
  spanName?: string | ((event: unknown, context: Context) => string);
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
const DEFAULT_WARNING_MS = 500;

/** The Node.js major version of the Lambda runtime (`AWS_EXECUTION_ENV`), else of this process. */
function runtimeMajor(): number {
  const proc = globalThis.process;
  const managed = /nodejs(\d+)/.exec(proc?.env?.AWS_EXECUTION_ENV ?? "");
  return Number(managed?.[1] ?? proc?.versions?.node?.split(".")[0] ?? 0);
}

const flushBound = (context: Context | undefined, options: LambdaOptions) =>
  boundByTimeLeft(context, options.flushTimeoutMs, options.deadlineMarginMs);

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
    const bound = setTimeout(resolve, boundMs);
    (bound as { unref?: () => void }).unref?.();
    const done = () => {
      clearTimeout(bound);
      resolve();
    };
    s.once!("finish", done);
    s.once!("close", done);
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

function spanNameOf(
  options: LambdaOptions,
  event: unknown,
  context: Context | undefined,
): string | undefined {
  try {
    const name =
      typeof options.spanName === "function" ? options.spanName(event, context!) : options.spanName;
    return typeof name === "string" && name ? name : undefined;
  } catch {
    return undefined; // a naming bug must not fail the invocation
  }
}

function trace<T>(
  event: unknown,
  context: Context | undefined,
  options: LambdaOptions,
  run: () => T | Promise<T>,
): Promise<T> {
  const { name, attributes, traceparent, source } = describeSafely(event, context);
  const invocation: InvocationOptions<T> = {
    name: spanNameOf(options, event, context) ?? name,
    platform: "lambda",
    attributes,
    traceparent,
    statusOf: (result) => resultStatus(result, source),
    // read when the flush starts: what is left of the invocation then, not at its start
    get flushTimeoutMs() {
      return flushBound(context, options);
    },
  };
  // With the LumiqTrace extension, the flush is a loopback write to it; it sends on after the response.
  const forwarder = extensionForwarder();
  const traced = runInvocation(invocation, async (span) => {
    const warning = armTimeoutWarning(span, context, options);
    try {
      return await run();
    } finally {
      clearTimeout(warning);
    }
  });
  const id = context?.awsRequestId;
  if (!forwarder || typeof id !== "string") return traced;
  // then "this invocation is over", not awaited: Lambda cannot freeze the process before the extension has
  // it (the extension asks for its next event only then), so the response need not wait for it
  return traced.finally(() => void forwarder.done(id));
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
    const traced = trace(event, context, options, () => {
      const call = callWithCallback(handler, this, args);
      returned = call.returned;
      return call.settled;
    });
    // A promise returned alongside the callback settles the invocation too, as the runtime would let it.
    if (isThenable(returned) || typeof third !== "function") return traced;
    traced.then(
      (result) => (third as Callback)(null, result),
      (error) => (third as Callback)(error as Error),
    );
    return returned;
  };

  lookForExtension();
  copyOwnProperties(handler, wrapped);
  return markWrapped(wrapped) as unknown as H;
}
