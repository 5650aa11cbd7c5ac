// OTLP traces (opentelemetry-proto, trace/v1 and collector/trace/v1), in the shape of OTLP's JSON
// mapping: trace and span ids as lowercase hex, 64-bit integers (times in ns, intValue) as decimal
// strings, enums as numbers. The one model both encodings (otlp/json.ts, otlp/protobuf.ts) read and write.

export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } }
  | { bytesValue: string };

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  attributes: OtlpKeyValue[];
}

export interface OtlpStatus {
  code: number;
  message?: string;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** Absent (or empty) for a root span. */
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: OtlpEvent[];
  links: OtlpLink[];
  status: OtlpStatus;
}

export interface OtlpScopeSpans {
  scope: { name: string; version?: string };
  spans: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[] };
  scopeSpans: OtlpScopeSpans[];
}

/** `ExportTraceServiceRequest`. */
export interface OtlpTracesRequest {
  resourceSpans: OtlpResourceSpans[];
}

/** `ExportTraceServiceResponse`: `partialSuccess` only when some spans were refused. */
export interface OtlpTracesResponse {
  partialSuccess?: { rejectedSpans: string; errorMessage?: string };
}

export const SPAN_KIND = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;
export const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** Milliseconds since the epoch (fractional) as OTLP's nanoseconds, exactly (a double cannot hold them). */
export function msToNanos(ms: number): string {
  let whole = Math.floor(ms);
  let frac = Math.round((ms - whole) * 1e6);
  if (frac === 1_000_000) {
    whole += 1;
    frac = 0;
  }
  // string arithmetic: no BigInt on the hot path of an export (a time is whole ms, then 6 digits of ns)
  return whole === 0 ? String(frac) : `${whole}${String(frac).padStart(6, "0")}`;
}

/** OTLP's nanoseconds as milliseconds since the epoch (sub-ms kept as the fraction). */
export function nanosToMs(nanos: string | number | bigint): number {
  const n = BigInt(nanos);
  return Number(n / 1_000_000n) + Number(n % 1_000_000n) / 1e6;
}
