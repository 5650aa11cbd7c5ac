import { describe, expect, it } from "vitest";
import { openStore } from "./store.js";
import { makeBatch, makeEvent, makeTrace } from "./test-events.js";

describe("store", () => {
  it("stores a batch all or nothing: a failure on a later event rolls back the earlier ones", () => {
    const store = openStore(":memory:");
    const first = makeEvent();
    // BigInt makes JSON.stringify throw inside the transaction, after `first` was inserted
    const broken = makeEvent({ traceId: first.traceId, metadata: { n: 1n } });
    expect(() => store.insertBatch(makeBatch([first, broken]), Date.now())).toThrow(/BigInt/);
    expect(store.getTrace(first.traceId)).toEqual([]);
    expect(store.listTraces(10)).toEqual([]);
    // the same id goes in fine afterwards: nothing half-stored marked it as seen
    expect(store.insertBatch(makeBatch([first]), Date.now())).toEqual({ added: [first], duplicates: 0 });
    store.close();
  });

  it("summarizes a trace whose root has not arrived yet after its top-most span", () => {
    const store = openStore(":memory:");
    const { llm } = makeTrace();
    store.insertBatch(makeBatch([llm]), Date.now());
    expect(store.listTraces(10)).toEqual([
      expect.objectContaining({
        traceId: llm.traceId,
        name: "chat gpt-4o-mini",
        hasRoot: false,
        llmCalls: 1,
      }),
    ]);
    store.close();
  });
});
