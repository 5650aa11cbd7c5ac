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
 * Vercel's context of the current request (Node and Edge), read the way `@vercel/functions` reads it:
 * its `waitUntil` is the one `@vercel/functions`' `waitUntil()` calls. Undefined off Vercel, or outside a
 * request, so a `waitUntil` that would silently do nothing is never trusted.
 */
export function vercelRequestContext(): { waitUntil: WaitUntil } | undefined {
  try {
    const holder = (globalThis as Record<symbol, { get?: () => unknown } | undefined>)[VERCEL_CONTEXT];
    const context = holder?.get?.();
    return waitUntilOf(context) ? (context as { waitUntil: WaitUntil }) : undefined;
  } catch {
    return undefined;
  }
}

const WRAPPED = Symbol.for("@lumiqtrace/sdk.wrapped");

/**
 * Gives a wrapper the wrapped handler's own properties: `name`, `length`, and markers a platform reads off
 * the handler (Lambda's response-streaming symbols). What the wrapper cannot take, it keeps.
 */
export function copyOwnProperties(from: Function, to: Function): void {
  for (const key of Reflect.ownKeys(from)) {
    if (key === "prototype" || key === "arguments" || key === "caller") continue;
    try {
      const descriptor = Object.getOwnPropertyDescriptor(from, key);
      if (descriptor) Object.defineProperty(to, key, descriptor);
    } catch {
      // a non-configurable property of the wrapper itself
    }
  }
}

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
