import type { FlushOptions } from "./client.js";
import { getClient, init, isInitialized } from "./global.js";
import { wrapOpenAI } from "./openai/index.js";
import { getTraceContext, runWithSpan, type Span, startSpan } from "./span.js";
import type { Attributes, SpanKind } from "./types.js";

/** Runs `fn` in a new span (child of the active one) that ends when `fn` returns or its promise settles. */
function span<R>(
  name: string,
  fn: (span: Span) => R,
  options?: { kind?: SpanKind; attributes?: Attributes },
): R {
  const s = startSpan({ name, kind: options?.kind ?? "custom", attributes: options?.attributes });
  let result: R;
  try {
    result = runWithSpan(s, () => fn(s));
  } catch (error) {
    s.recordError(error);
    s.end();
    throw error;
  }
  const then = (result as { then?: unknown } | null)?.then;
  if (typeof then === "function") {
    // Observe on the side, so the caller keeps the very promise `fn` returned (and its extra methods).
    (result as PromiseLike<unknown>).then(
      () => s.end(),
      (error: unknown) => {
        s.recordError(error);
        s.end();
      },
    );
  } else {
    s.end();
  }
  return result;
}

export const lumiqtrace = {
  init,
  getClient,
  isInitialized,
  /** Same as `getClient().flush()`. */
  flush: (options?: FlushOptions): Promise<void> => getClient().flush(options),
  span,
  wrapOpenAI,
  getTraceContext,
};

export { getClient, init, isInitialized, wrapOpenAI, getTraceContext, startSpan, runWithSpan };
export { withLumiqtraceContext } from "./user-context.js";
export { runInvocation, DEFAULT_FLUSH_TIMEOUT_MS, type InvocationOptions } from "./serverless/invocation.js";
export { observeBody, isObservableResponse } from "./serverless/stream.js";
export {
  vercelWaitUntil,
  waitUntilOf,
  markWrapped,
  isWrapped,
  copyOwnProperties,
  type WaitUntil,
} from "./serverless/platforms.js";
export { parseTraceparent, formatTraceparent } from "./traceparent.js";
export { hasAsyncContext } from "./context.js";
export type { Client, FlushOptions, ClientStats } from "./client.js";
export type { LumiqtraceOptions } from "./options.js";
export type { Span, StartSpanOptions } from "./span.js";
export type * from "./types.js";
