export type WaitUntil = (promise: Promise<unknown>) => void;

/** `obj.waitUntil` bound to `obj`, when `obj` has one that is a function. */
export function waitUntilOf(obj: unknown): WaitUntil | undefined {
  try {
    const fn = (obj as { waitUntil?: unknown } | null | undefined)?.waitUntil;
    return typeof fn === "function" ? (fn.bind(obj) as WaitUntil) : undefined;
  } catch {
    return undefined;
  }
}

const VERCEL_CONTEXT = Symbol.for("@vercel/request-context");

/**
 * `waitUntil` of the current request on Vercel (Node and Edge), read the way `@vercel/functions` reads it.
 * Undefined off Vercel, or outside a request: never a `waitUntil` that would silently do nothing.
 */
export function vercelWaitUntil(): WaitUntil | undefined {
  try {
    const holder = (globalThis as Record<symbol, { get?: () => unknown } | undefined>)[VERCEL_CONTEXT];
    return waitUntilOf(holder?.get?.());
  } catch {
    return undefined;
  }
}

const WRAPPED = Symbol.for("@lumiqtrace/sdk.wrapped");

/** Marks a function an adapter returned, so wrapping it again returns it as it is. */
export function markWrapped<F extends object>(fn: F): F {
  try {
    Object.defineProperty(fn, WRAPPED, { value: true });
  } catch {
    // a frozen function: double wrapping is still caught at run time by runInvocation
  }
  return fn;
}

export function isWrapped(fn: unknown): boolean {
  return typeof fn === "function" && (fn as unknown as Record<symbol, unknown>)[WRAPPED] === true;
}
