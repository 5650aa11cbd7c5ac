import { getClient, init, isInitialized } from "../global.js";

/**
 * Workers have no `process.env`: when no client with an API key exists yet and the bindings (`env`) hold
 * `LUMIQTRACE_API_KEY`, initialises from them (every `LUMIQTRACE_*` variable the SDK reads). Else nothing.
 */
export function initFromEnv(env: unknown): void {
  try {
    if (!env || typeof env !== "object") return;
    const apiKey = (env as Record<string, unknown>).LUMIQTRACE_API_KEY;
    if (typeof apiKey !== "string" || apiKey === "") return;
    if (isInitialized() && getClient().options.apiKey) return;
    init({}, env as Record<string, unknown>);
  } catch {
    // a bindings proxy that throws on reading: no client from it
  }
}
