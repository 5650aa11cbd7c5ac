// The wire format is defined once, in @lumiqtrace/protocol (bundled in at build time).
export type {
  AttributeValue,
  Attributes,
  SpanError,
  SpanEvent,
  SpanKind,
  SpanStatus,
} from "@lumiqtrace/protocol";

/** Who and what a trace is about, set with `withLumiqtraceContext`. */
export interface UserContext {
  userId?: string;
  sessionId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}
