import { describe, expect, it } from "vitest";
import { hex, makeEvent, makeTrace } from "../test-events.js";
import { messagesText, money, ms, treeOrder } from "./format.js";

describe("viewer text", () => {
  it("shows durations and money", () => {
    expect(ms(412.4)).toBe("412ms");
    expect(ms(12_345)).toBe("12.3s");
    expect(ms(undefined)).toBe("");
    expect(money(0.0000186)).toBe("$0.000019");
    expect(money(1.23456)).toBe("$1.2346");
  });

  it("shows captured messages as role: content, and anything else as it is", () => {
    expect(
      messagesText(
        JSON.stringify([
          { role: "user", content: "Say hi" },
          {
            role: "assistant",
            parts: [
              { type: "text", content: "Bonjour" },
              { type: "tool_call", name: "x" },
            ],
          },
        ]),
      ),
    ).toBe('user: Say hi\n\nassistant: Bonjour\n{"type":"tool_call","name":"x"}');
    expect(messagesText("not json <b>")).toBe("not json <b>");
    expect(messagesText('{"a":1}')).toBe('{\n  "a": 1\n}');
  });

  it("orders spans parent first, siblings by start, and shows every span once", () => {
    const { root, llm } = makeTrace();
    const early = makeEvent({
      traceId: root.traceId,
      parentSpanId: root.spanId,
      kind: "custom",
      startTime: root.startTime + 1,
      endTime: root.startTime + 2,
    });
    const grandchild = makeEvent({ traceId: root.traceId, parentSpanId: llm.spanId, kind: "custom" });
    const orphan = makeEvent({
      traceId: root.traceId,
      parentSpanId: hex(8),
      kind: "custom",
      startTime: root.startTime + 5000,
      endTime: root.startTime + 5001,
    });
    const a = makeEvent({ traceId: root.traceId, kind: "custom" });
    const b = makeEvent({ traceId: root.traceId, kind: "custom", parentSpanId: a.spanId });
    a.parentSpanId = b.spanId; // a cycle: neither is top-level
    const order = treeOrder([grandchild, llm, a, orphan, root, b, early]);
    const named = order.map(({ span, depth }) => [span.spanId, depth]);
    expect(named.slice(0, 4)).toEqual([
      [root.spanId, 0],
      [early.spanId, 1],
      [llm.spanId, 1],
      [grandchild.spanId, 2],
    ]);
    expect(named[4]).toEqual([orphan.spanId, 0]);
    expect(named.slice(-2)).toEqual([
      [a.spanId, 0],
      [b.spanId, 0],
    ]);
    expect(order).toHaveLength(7);
  });

  it("orders a chain deeper than the call stack", () => {
    const first = makeEvent();
    const chain = [first];
    for (let i = 0; i < 50_000; i++) {
      chain.push(makeEvent({ traceId: first.traceId, parentSpanId: chain.at(-1)!.spanId, kind: "custom" }));
    }
    const order = treeOrder(chain);
    expect(order).toHaveLength(50_001);
    expect(order.at(-1)).toEqual({ span: chain.at(-1), depth: 50_000 });
  });
});
