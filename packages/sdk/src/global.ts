import { type Client, createClient } from "./client.js";
import { debug } from "./logger.js";
import { type LumiqtraceOptions, resolveOptions } from "./options.js";

// The client lives on globalThis so that every copy of the SDK in a process (ESM and CJS builds, or a
// bundled adapter next to the app's own copy) records into, and flushes, the same queue.
const KEY = Symbol.for("@lumiqtrace/sdk.client");
type Holder = { [KEY]?: Client };

export function init(options?: LumiqtraceOptions): Client {
  const holder = globalThis as Holder;
  const previous = holder[KEY];
  const client = createClient(resolveOptions(options));
  holder[KEY] = client;
  if (previous) {
    debug("init() called again: the new options replace the old; queued events are flushed");
    void previous.flush();
  }
  return client;
}

/** The client `init()` made, or one made now from the environment (`LUMIQTRACE_API_KEY`, ...). */
export function getClient(): Client {
  return (globalThis as Holder)[KEY] ?? init();
}

/** Whether a client exists (from `init()` or an earlier `getClient()`), without making one. */
export function isInitialized(): boolean {
  return (globalThis as Holder)[KEY] !== undefined;
}

/** For tests: forget the client (its queued events are not sent). */
export function resetClient(): void {
  delete (globalThis as Holder)[KEY];
}
