import type { FlushOptions } from "./client.js";
import { getClient, init, isInitialized, shutdown } from "./global.js";
import { wrapOpenAI } from "./openai/index.js";
import { getTraceContext, span } from "./span.js";

/** The SDK, as the guide uses it: `lumiqtrace.init(...)`, `lumiqtrace.wrapOpenAI(...)`, ... */
export const lumiqtrace = {
  init,
  getClient,
  isInitialized,
  /** Same as `getClient().flush()`. */
  flush: (options?: FlushOptions): Promise<void> => getClient().flush(options),
  /** Before the process ends (SIGTERM): flushes everything, bounded by `timeoutMs`, and leaves no timer. */
  shutdown,
  span,
  wrapOpenAI,
  getTraceContext,
};
