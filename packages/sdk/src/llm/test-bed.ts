// For the tests of the LLM wrappers (openai/, anthropic/): the local collector and echo model, the SDK
// sending to that collector, and `recorded(fn)`, which returns what fn recorded. Imported by tests only.
import { type Collector, startCollector } from "@lumiqtrace/collector";
import { type EchoModel, startEchoModel } from "@lumiqtrace/echo-model";
import { afterAll, beforeAll } from "vitest";
import { init } from "../global.js";
import { lumiqtrace, withLumiqtraceContext } from "../index.js";
import type { SpanEvent } from "../types.js";

export let collector: Collector;
export let echo: EchoModel;

export function initSdk(captureContent = false): void {
  init({ apiKey: collector.apiKey, baseUrl: collector.url, flushIntervalMs: 60_000, captureContent });
}

/** Starts the collector and the echo model before the calling file's tests, and stops them after. */
export function useLlmTestBed(): void {
  beforeAll(async () => {
    collector = await startCollector({ port: 0 });
    echo = await startEchoModel({ port: 0, chunkDelayMs: 0 });
    initSdk();
  });
  afterAll(async () => {
    await echo.close();
    await collector.close();
  });
}

let runs = 0;
/** Runs `fn` in its own session, flushes, and returns its result with the spans the collector stored for it. */
export async function recorded<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; spans: SpanEvent[]; span: SpanEvent }> {
  const sessionId = `session-${++runs}`;
  const result = await withLumiqtraceContext({ sessionId, userId: "user-1" }, fn);
  await lumiqtrace.flush();
  const events = await collector.waitForEvents((es) => es.some((e) => e.sessionId === sessionId));
  const spans = (events as SpanEvent[]).filter((e) => e.sessionId === sessionId);
  return { result, spans, span: spans[0]! };
}

/** Collects a stream's items. */
export async function items(stream: AsyncIterable<any>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const c of stream) out.push(c);
  return out;
}
