import { type Client, createClient, type FlushOptions, type ProcessClient } from "./client.js";
import { debug } from "./logger.js";
import { type LumiqtraceOptions, resolveOptions } from "./options.js";

// The client lives on globalThis so that every copy of the SDK in a process (ESM and CJS builds, or a
// bundled adapter next to the app's own copy) records into, and flushes, the same queue.
const KEY = Symbol.for("@lumiqtrace/sdk.client");
const EXIT_HOOK = Symbol.for("@lumiqtrace/sdk.exit-hook");
type Holder = { [KEY]?: ProcessClient; [EXIT_HOOK]?: true };

/** One `beforeExit` and one `exit` listener per process, however many clients `init` makes: for the current one. */
function hookProcessExit(holder: Holder): void {
  if (holder[EXIT_HOOK]) return;
  holder[EXIT_HOOK] = true;
  try {
    const proc = (globalThis as { process?: { on?: (e: string, f: () => void) => void } }).process;
    proc?.on?.("beforeExit", () => holder[KEY]?.flushOnExit());
    proc?.on?.("exit", () => holder[KEY]?.atExit());
  } catch {
    // runtimes with a partial `process` shim
  }
}

/**
 * Creates the client. `env` is where `LUMIQTRACE_*` variables are read for what `options` leave out:
 * `process.env` by default; on Workers, the bindings (`c.env`), which have no `process.env`.
 */
export function init(options?: LumiqtraceOptions, env?: Record<string, unknown>): Client {
  const holder = globalThis as Holder;
  const previous = holder[KEY];
  const client = createClient(resolveOptions(options, env ? stringsOf(env) : undefined));
  holder[KEY] = client;
  hookProcessExit(holder);
  if (previous) {
    debug("init() called again: the new options replace the old; queued events are flushed");
    void previous.flush();
  }
  return client;
}

/** The string entries of an env-like object (Workers bindings also hold KV namespaces, secrets stores, ...). */
function stringsOf(env: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const [key, value] of Object.entries(env)) if (typeof value === "string") out[key] = value;
  } catch {
    // a bindings proxy that refuses to be listed: nothing from it
  }
  return out;
}

/** The client `init()` made, or one made now from the environment (`LUMIQTRACE_API_KEY`, ...). */
export function getClient(): Client {
  return (globalThis as Holder)[KEY] ?? init();
}

/** Whether a client exists (from `init()` or an earlier `getClient()`), without making one. */
export function isInitialized(): boolean {
  return (globalThis as Holder)[KEY] !== undefined;
}

/** The last flush of the client there is (none: nothing to do), then no timer of ours left. Never rejects. */
export function shutdown(options?: FlushOptions): Promise<void> {
  return (globalThis as Holder)[KEY]?.shutdown(options) ?? Promise.resolve();
}

/** For tests: forget the client (its queued events are not sent). */
export function resetClient(): void {
  delete (globalThis as Holder)[KEY];
}
