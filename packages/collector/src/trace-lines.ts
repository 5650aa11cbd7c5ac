// When a trace's terminal line is printed: once per trace, with every LLM call it has by then. Spans of a
// trace may come in several batches, and the root (sent when the invocation ends) may come last or never
// (LLM spans recorded outside an adapter), so a line waits until its trace has gone quiet.
import type { SpanEvent } from "@lumiqtrace/protocol";

export interface TraceLineTiming {
  /** quiet time (no new span of the trace) after its root has arrived; default 500 ms */
  quietMs?: number;
  /** quiet time for a trace whose root has not arrived; default 5000 ms */
  noRootQuietMs?: number;
}

export interface TraceLines {
  /** Spans just stored: each of their traces is printed once it has gone quiet. */
  arrived(spans: SpanEvent[]): void;
  /** Prints every trace still waiting, now (on close). */
  flush(): void;
}

/** A trace that never goes quiet is printed anyway this long after its first span. */
const MAX_WAIT_MS = 60_000;
/** Traces remembered as printed, so a straggler span does not print its trace again. */
const REMEMBERED = 10_000;
/** Traces waiting at most: past it the oldest is printed at once, so memory stays bounded. */
const MAX_WAITING = 10_000;

/** A root span is what ends an invocation. */
export function isRootSpan(e: SpanEvent): boolean {
  return e.kind === "invocation" || e.parentSpanId === null;
}

export function createTraceLines(print: (traceId: string) => void, timing: TraceLineTiming = {}): TraceLines {
  const quietMs = timing.quietMs ?? 500;
  const noRootQuietMs = timing.noRootQuietMs ?? 5000;
  const waiting = new Map<
    string,
    { hasRoot: boolean; since: number; timer: ReturnType<typeof setTimeout> }
  >();
  const printed = new Set<string>();

  function printNow(traceId: string) {
    const entry = waiting.get(traceId);
    if (!entry) return;
    clearTimeout(entry.timer);
    waiting.delete(traceId);
    printed.add(traceId);
    if (printed.size > REMEMBERED) printed.delete(printed.values().next().value!);
    print(traceId);
  }

  return {
    arrived(spans) {
      const now = Date.now();
      for (const span of spans) {
        if (printed.has(span.traceId)) continue;
        const entry = waiting.get(span.traceId);
        if (entry) clearTimeout(entry.timer);
        const hasRoot = (entry?.hasRoot ?? false) || isRootSpan(span);
        const since = entry?.since ?? now;
        const wait = Math.max(0, Math.min(hasRoot ? quietMs : noRootQuietMs, since + MAX_WAIT_MS - now));
        const timer = setTimeout(() => printNow(span.traceId), wait);
        timer.unref();
        waiting.set(span.traceId, { hasRoot, since, timer });
        if (waiting.size > MAX_WAITING) printNow(waiting.keys().next().value!);
      }
    },
    flush() {
      for (const traceId of [...waiting.keys()]) printNow(traceId);
    },
  };
}
