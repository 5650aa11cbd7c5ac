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

// On globalThis, as the client is: every entry point (the main one, `/serverless`, `/ai`, ...) and every
// copy of the SDK in a process (ESM and CJS builds, a bundled adapter) must share one storage, or a
// span started by one would not see the context another set.
const KEY = Symbol.for("@lumiqtrace/sdk.context");
type Holder = { [KEY]?: { storage?: Storage | null; processWide?: TraceState } };
const shared = ((globalThis as Holder)[KEY] ??= {});

/** Entry points that can import `node:async_hooks` statically hand its class over here. */
export function useAsyncLocalStorage(ctor: unknown): void {
  if (shared.storage || typeof ctor !== "function") return;
  shared.storage = new (ctor as StorageClass)();
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
  if (shared.storage === undefined) {
    const ctor = findStorageClass();
    shared.storage = ctor ? new ctor() : null;
    if (!shared.storage) debug("no AsyncLocalStorage in this runtime: one trace context per process");
  }
  return shared.storage;
}

export function activeState(): TraceState | undefined {
  const s = getStorage();
  return s ? s.getStore() : shared.processWide;
}

export function runWithState<R>(state: TraceState, fn: () => R): R {
  const s = getStorage();
  if (s) return s.run(state, fn);
  shared.processWide = state;
  return fn();
}

/** True when contexts are isolated per async flow (false: one context per process). */
export function hasAsyncContext(): boolean {
  return getStorage() !== null;
}
