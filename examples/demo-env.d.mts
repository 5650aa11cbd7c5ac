import type { Collector, SpanEvent } from "@lumiqtrace/collector";

export declare function demoEnvironment(name: string): Promise<{
  env: Record<string, string>;
  collector: Collector | undefined;
  stop: Array<() => Promise<void>>;
}>;
export declare function runDemo(
  demoPath: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }>;

/** One trace as it arrived in the collector. */
export interface DemoTrace {
  traceId: string;
  /** its `invocation` span, the adapter's root span (undefined while it has not arrived) */
  root: SpanEvent | undefined;
  /** its `llm` spans, in arrival order */
  llm: SpanEvent[];
  spans: SpanEvent[];
}
export interface DemoRun {
  code: number | null;
  output: string;
  /** the key the demo was given: it must never print it */
  apiKey: string;
  /** the request bodies the echo model received, in order */
  modelRequests: Array<Record<string, any>>;
  /** The collector's ingest paths the traces came by: `/v1/batch` (native) or `/v1/traces` (OTLP). */
  ingestPaths: string[];
  /** every trace that arrived, oldest first */
  traces: DemoTrace[];
}
export declare function runDemoLocally(
  demoPath: string,
  options: { traces: number; timeoutMs?: number },
): Promise<DemoRun>;
export declare function newTraceparent(): { traceId: string; traceparent: string };
export declare function waitForTraces(
  env: Record<string, string>,
  traceIds: string[],
  timeoutMs?: number,
): Promise<Map<string, { traceId: string; spans: Array<Record<string, any>> }>>;
