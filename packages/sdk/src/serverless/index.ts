// `@lumiqtrace/sdk/serverless`: the kit the platform adapters are built from, for anyone writing one for
// another platform. README.md beside this file says what each piece is for.
export {
  runInvocation,
  DEFAULT_FLUSH_TIMEOUT_MS,
  type InvocationOptions,
} from "./invocation.js";
export { observeBody, isObservableResponse, isResponse, type BodyEnd } from "./stream.js";
export {
  waitUntilOf,
  vercelRequestContext,
  copyOwnProperties,
  markWrapped,
  isWrapped,
  type WaitUntil,
} from "./platforms.js";
export { trackWaitUntil, USER_WORK_TIMEOUT_MS, type TrackedWaitUntil } from "./user-work.js";
export {
  boundByTimeLeft,
  callWithCallback,
  remainingMs,
  takeColdStart,
  type TimeLeft,
} from "./lambda-runtime.js";
export { forwardTo, forwarderAnswers, type Forwarder } from "./forward.js";
export { EXTENSION_NAME, EXTENSIONS_DIR, EXTENSION_PORT } from "@lumiqtrace/protocol/extension";
// The client without the `lumiqtrace` object, whose `wrapOpenAI` an adapter has no use for
export { getClient, init, isInitialized, shutdown } from "../global.js";
export { initFromEnv } from "./env.js";
export { startSpan, runWithSpan, type Span, type StartSpanOptions } from "../span.js";
export { parseTraceparent, formatTraceparent, type RemoteParent } from "../traceparent.js";
export { hasAsyncContext } from "../context.js";
export * from "@lumiqtrace/protocol/attributes";
