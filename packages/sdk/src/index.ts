// What a user of the guide needs, and nothing more. Adapters and integrations for other platforms build
// on the kit at `@lumiqtrace/sdk/serverless`.
export { lumiqtrace } from "./lumiqtrace.js";
export { withLumiqtraceContext } from "./user-context.js";
export type { Client, ClientStats, FlushOptions } from "./client.js";
export type { LumiqtraceOptions } from "./options.js";
export type { Span } from "./span.js";
export type {
  AttributeValue,
  Attributes,
  SpanError,
  SpanEvent,
  SpanKind,
  SpanStatus,
  UserContext,
} from "./types.js";
