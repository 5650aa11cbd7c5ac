import { describe, expect, it } from "vitest";
import { newSpanId, newTraceId, uuidv7 } from "./ids.js";
import { formatTraceparent, parseTraceparent } from "./traceparent.js";

describe("ids", () => {
  it("makes W3C trace and span ids, unique", () => {
    const traces = new Set(Array.from({ length: 5000 }, newTraceId));
    expect(traces.size).toBe(5000);
    for (const t of [...traces].slice(0, 50)) expect(t).toMatch(/^[0-9a-f]{32}$/);
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
  });

  it("makes UUIDv7 ids that sort by time", () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.slice(0, 13)).toBe("018bcfe5-6800");
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 5000 }, () => uuidv7())).size).toBe(5000);
  });
});

describe("traceparent", () => {
  const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  it("parses a valid header and round-trips", () => {
    const p = parseTraceparent(valid)!;
    expect(p).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      sampled: true,
    });
    expect(formatTraceparent(p.traceId, p.spanId, p.sampled)).toBe(valid);
    expect(parseTraceparent(valid.replace(/01$/, "00"))!.sampled).toBe(false);
  });

  it.each([
    undefined,
    null,
    "",
    "garbage",
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
  ])("rejects %s", (header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it("accepts fields appended by a future version", () => {
    expect(parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what")).toBeDefined();
  });
});
