/** An attribute value: what OpenTelemetry allows. Anything else is turned into JSON text. */
export type AttributeValue = string | number | boolean | string[] | number[] | boolean[];
export type Attributes = Record<string, AttributeValue>;

export type SpanKind = "invocation" | "llm" | "custom";
export type SpanStatus = "ok" | "error" | "cancelled";

/** What is sent for one finished span; see docs/protocol.md. */
export interface SpanEvent {
  id: string;
  type: "span";
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  startTime: number;
  endTime: number;
  status: SpanStatus;
  error?: { type: string; message: string; status?: number };
  attributes: Attributes;
  userId?: string;
  sessionId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  environment?: string;
  release?: string;
}

/** Who and what a trace is about, set with `withLumiqtraceContext`. */
export interface UserContext {
  userId?: string;
  sessionId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}
