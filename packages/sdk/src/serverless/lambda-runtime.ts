// What every handler that AWS Lambda's Node.js runtime calls has in common: AWS Lambda itself, and
// Netlify's classic `(event, context)` functions, which run on it.
import { DEFAULT_FLUSH_TIMEOUT_MS } from "./invocation.js";

/** The part of Lambda's `context` these helpers read. */
export interface TimeLeft {
  getRemainingTimeInMillis?: () => number;
}

/** What `remainingMs` reads, or undefined when the context has no (working) clock. */
export function remainingMs(context: TimeLeft | undefined): number | undefined {
  try {
    const ms = context?.getRemainingTimeInMillis?.();
    return typeof ms === "number" && Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long a flush may hold the invocation: `flushTimeoutMs` (default 2000), but never past `marginMs`
 * before the invocation's deadline, so the runtime still has time to send the response. Read it when the
 * flush starts: the time left then, not at the start of the invocation.
 */
export function boundByTimeLeft(
  context: TimeLeft | undefined,
  flushTimeoutMs: number = DEFAULT_FLUSH_TIMEOUT_MS,
  marginMs = 100,
): number {
  const left = remainingMs(context);
  return left === undefined ? flushTimeoutMs : Math.max(0, Math.min(flushTimeoutMs, left - marginMs));
}

/**
 * Calls a handler written for a callback, `(event, context, callback)`, with `args` where the callback
 * stands at `callbackAt`: `settled` resolves or rejects through the callback, or through the promise the
 * handler returned, whichever comes first (as the runtime lets either settle the invocation). `returned`
 * is what the handler returned. A callback called with an error of `null` or `undefined` succeeds.
 */
export function callWithCallback(
  handler: Function,
  self: unknown,
  args: unknown[],
  callbackAt = 2,
): { settled: Promise<unknown>; returned: unknown } {
  let returned: unknown;
  const settled = new Promise((resolve, reject) => {
    const callback = (error: unknown, result: unknown) => (error == null ? resolve(result) : reject(error));
    const withCallback = args.slice();
    withCallback[callbackAt] = callback;
    returned = handler.apply(self, withCallback);
    if (typeof (returned as PromiseLike<unknown> | null)?.then === "function")
      (returned as PromiseLike<unknown>).then(resolve, reject);
  });
  return { settled, returned };
}

/** Lambda may initialise an environment ahead of demand; a first invoke this long after init is not cold. */
const PROACTIVE_INIT_MS = 10_000;
// Process-wide facts about the first invocation, never per-invocation state (Lambda managed instances
// run invocations concurrently in one process).
const loadedAt = Date.now();
let firstInvocation = true;

/**
 * True once per process, for its first invocation, when that is a cold start: false under provisioned
 * concurrency (`AWS_LAMBDA_INITIALIZATION_TYPE`) and when Lambda initialised the environment ahead of
 * demand (the first invoke comes more than 10 s after the module loaded).
 */
export function takeColdStart(): boolean {
  if (!firstInvocation) return false;
  firstInvocation = false;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.AWS_LAMBDA_INITIALIZATION_TYPE === "provisioned-concurrency") return false;
  return Date.now() - loadedAt <= PROACTIVE_INIT_MS;
}
