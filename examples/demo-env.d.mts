export declare function demoEnvironment(name: string): Promise<{
  env: Record<string, string>;
  collector: import("@lumiqtrace/collector").Collector | undefined;
  stop: Array<() => Promise<void>>;
}>;
export declare function runDemo(
  demoPath: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }>;
export declare function newTraceparent(): { traceId: string; traceparent: string };
export declare function waitForTraces(
  env: Record<string, string>,
  traceIds: string[],
  timeoutMs?: number,
): Promise<Map<string, { traceId: string; spans: Array<Record<string, any>> }>>;
