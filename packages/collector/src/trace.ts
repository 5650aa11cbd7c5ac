// What a trace is, from its spans: its root, the span it is named after, its cost and its summary.
import type { SpanEvent } from "@lumiqtrace/protocol";
import type { SpanWithCost, TraceSummary } from "./api.js";
import { spanCostUsd } from "./prices.js";

/** The span a trace is named after: parentSpanId null or, for a continued trace, the invocation whose parent is elsewhere. */
export function findRoot(spans: SpanEvent[]): SpanEvent | undefined {
  const ids = new Set(spans.map((s) => s.spanId));
  return (
    spans.find((s) => s.parentSpanId === null) ??
    spans.find((s) => s.kind === "invocation" && !ids.has(s.parentSpanId!))
  );
}

/** The root or, before it arrives (or when there is none), the earliest top-most span. `spans` by start time. */
export function traceHead(spans: SpanEvent[]): SpanEvent {
  const ids = new Set(spans.map((s) => s.spanId));
  return (
    findRoot(spans) ?? spans.find((s) => s.parentSpanId === null || !ids.has(s.parentSpanId)) ?? spans[0]!
  );
}

export function withCost(span: SpanEvent): SpanWithCost {
  const costUsd = spanCostUsd(span);
  return costUsd === undefined ? span : { ...span, costUsd };
}

function totalCost(spans: SpanEvent[]): number | null {
  const costs = spans.map(spanCostUsd).filter((c) => c !== undefined);
  return costs.length === 0 ? null : costs.reduce((a, b) => a + b, 0);
}

/** `spans` by start time, at least one. */
export function summarize(traceId: string, spans: SpanEvent[]): TraceSummary {
  const root = findRoot(spans);
  const head = traceHead(spans);
  // loops, not Math.min(...spans): a trace may hold more spans than a call takes arguments
  const start = spans.reduce((min, s) => Math.min(min, s.startTime), Number.POSITIVE_INFINITY);
  const end = spans.reduce((max, s) => Math.max(max, s.endTime), Number.NEGATIVE_INFINITY);
  const platform = head.attributes["lumiqtrace.platform"];
  return {
    traceId,
    name: head.name,
    platform: typeof platform === "string" ? platform : null,
    startTime: start,
    durationMs: end - start,
    status: head.status,
    spanCount: spans.length,
    llmCalls: spans.filter((s) => s.kind === "llm").length,
    userId: head.userId ?? spans.find((s) => s.userId)?.userId ?? null,
    hasRoot: root !== undefined,
    costUsd: totalCost(spans),
  };
}
