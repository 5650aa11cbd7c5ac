// What the SDK sends for one finished span, and the batch that carries it: docs/protocol.md.

/** An attribute value: what OpenTelemetry allows. */
export type AttributeValue = string | number | boolean | string[] | number[] | boolean[];
export type Attributes = Record<string, AttributeValue>;

export type SpanKind = "invocation" | "llm" | "custom";
export type SpanStatus = "ok" | "error" | "cancelled";

export interface SpanError {
  type: string;
  message: string;
  /** The HTTP status of the error, where it has one (an API error). */
  status?: number;
}

export interface SpanEvent {
  /** Client-made UUIDv7, the same on every retry: the de-duplication key. */
  id: string;
  type: "span";
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  /** ms since the epoch, may be fractional */
  startTime: number;
  endTime: number;
  status: SpanStatus;
  error?: SpanError;
  attributes: Attributes;
  userId?: string;
  sessionId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  environment?: string;
  release?: string;
}

export interface Batch {
  sdk: { name: string; version: string };
  /** ms since the epoch, client clock */
  sentAt: number;
  /** Events the client dropped since its last delivered batch. */
  dropped: number;
  events: SpanEvent[];
}
