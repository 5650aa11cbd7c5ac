// The read API's shapes (GET /v1/traces, /v1/traces/:traceId, /v1/stats), shared by the server and the
// viewer's browser code: types only, so the viewer's bundle takes nothing else of the server.
import type { SpanEvent } from "@lumiqtrace/protocol";

export interface TraceSummary {
  traceId: string;
  name: string;
  platform: string | null;
  startTime: number;
  durationMs: number;
  status: SpanEvent["status"];
  spanCount: number;
  llmCalls: number;
  userId: string | null;
  /** false while only child spans have arrived (the root span is sent last, when the invocation ends) */
  hasRoot: boolean;
  /** estimated USD of the trace's priced LLM calls (prices.ts); `null` when none of them is priced */
  costUsd: number | null;
}

/** A span as the read API gives it: as sent, plus `costUsd` on a priced LLM span. */
export type SpanWithCost = SpanEvent & { costUsd?: number };

/** What `GET /v1/traces/:traceId` returns: the trace's summary and its spans by start time. */
export type TraceDetail = TraceSummary & { spans: SpanWithCost[] };

/** Totals since the database was created: what `GET /v1/stats` returns. */
export interface Stats {
  traces: number;
  events: number;
  /** accepted batches */
  batches: number;
  /** events sent again (retries) and not stored twice */
  duplicates: number;
  /** events the SDK reported it dropped (queue full, beforeSend), summed over batches */
  dropped: number;
}
