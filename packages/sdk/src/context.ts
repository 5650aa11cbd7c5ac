import { debug } from "./logger.js";
import type { Span } from "./span.js";
import type { UserContext } from "./types.js";

/** What a trace context carries; immutable: a child context is a new object. */
export interface TraceState {
  readonly traceId: string;
  /** The active span, parent of any span started here; null at the top of a trace. */
  readonly spanId: string | null;
  readonly sampled: boolean;
  readonly user: UserContext;
  /** The root span of the `runInvocation` this runs in, so nested adapters neither trace nor flush twice. */
  readonly invocation?: Span;
}

interface Storage {
  getStore(): TraceState | undefined;
  run<R>(store: TraceState, fn: () => R): R;
}
type StorageClass = new () => Storage;

let storage: Storage | null | undefined;
let processWide: TraceState | undefined;

/** Entry points that can import `node:async_hooks` statically hand its class over here. */
export function useAsyncLocalStorage(ctor: unknown): void {
  if (storage || typeof ctor !== "function") return;
  storage = new (ctor as StorageClass)();
}

function findStorageClass(): StorageClass | undefined {
  const g = globalThis as {
    AsyncLocalStorage?: StorageClass;
    process?: { getBuiltinModule?: (id: string) => { AsyncLocalStorage?: StorageClass } | undefined };
  };
  // Vercel Edge (and Cloudflare with nodejs_als) put it on globalThis; Node >= 20.16, Deno, Bun and
  // Workers with nodejs_compat lend it through process.getBuiltinModule without a static import.
  if (typeof g.AsyncLocalStorage === "function") return g.AsyncLocalStorage;
  try {
    return g.process?.getBuiltinModule?.("node:async_hooks")?.AsyncLocalStorage;
  } catch {
    return undefined;
  }
}

function getStorage(): Storage | null {
  if (storage === undefined) {
    const ctor = findStorageClass();
    storage = ctor ? new ctor() : null;
    if (!storage) debug("no AsyncLocalStorage in this runtime: one trace context per process");
  }
  return storage;
}

export function activeState(): TraceState | undefined {
  const s = getStorage();
  return s ? s.getStore() : processWide;
}

export function runWithState<R>(state: TraceState, fn: () => R): R {
  const s = getStorage();
  if (s) return s.run(state, fn);
  processWide = state;
  return fn();
}

/** True when contexts are isolated per async flow (false: one context per process). */
export function hasAsyncContext(): boolean {
  return getStorage() !== null;
}
