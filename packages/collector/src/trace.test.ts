import { describe, expect, it } from "vitest";
import { hex, makeEvent, makeTrace } from "./test-events.js";
import { findRoot, summarize, traceHead } from "./trace.js";

describe("trace", () => {
  it("takes the parentless span as root, else a continued trace's invocation", () => {
    const { root, llm } = makeTrace();
    expect(findRoot([llm, root])).toBe(root);
    const continued = makeEvent({ parentSpanId: hex(8) });
    const child = makeEvent({ traceId: continued.traceId, parentSpanId: continued.spanId, kind: "custom" });
    expect(findRoot([child, continued])).toBe(continued);
    expect(findRoot([llm])).toBeUndefined();
    expect(traceHead([llm])).toBe(llm);
  });

  it("summarizes a trace of more spans than a function call takes arguments", () => {
    const { root, llm } = makeTrace();
    const spans = Array.from({ length: 300_000 }, (_, i) => ({
      ...llm,
      startTime: root.startTime + 1 + i / 1000,
      endTime: root.startTime + 2 + i / 1000,
    }));
    const summary = summarize(root.traceId, [root, ...spans]);
    expect(summary).toMatchObject({ spanCount: 300_001, llmCalls: 300_000, hasRoot: true });
    expect(summary.durationMs).toBeCloseTo(412, 6);
  });
});
