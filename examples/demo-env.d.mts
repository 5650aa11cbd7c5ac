export declare function demoEnvironment(name: string): Promise<{
  env: Record<string, string>;
  collector: import("@lumiqtrace/collector").Collector | undefined;
  stop: Array<() => Promise<void>>;
}>;
export declare function runDemo(
  demoPath: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }>;
