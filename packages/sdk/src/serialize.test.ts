import { describe, expect, it } from "vitest";
import { MAX_STRING, toAttributeValue, toJsonSafe } from "./serialize.js";

describe("toJsonSafe", () => {
  it("turns what JSON cannot take into safe values", () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.me = circular;
    const throwing = Object.defineProperty({}, "bad", {
      enumerable: true,
      get() {
        throw new Error("no");
      },
    });
    const out = toJsonSafe({
      circular,
      big: 12n,
      fn: function named() {},
      sym: Symbol("s"),
      err: new RangeError("r"),
      date: new Date(0),
      bytes: new Uint8Array(3),
      nan: Number.NaN,
      throwing,
      undef: undefined,
    });
    expect(out).toEqual({
      circular: { a: 1, me: "[Circular]" },
      big: "12",
      fn: "[Function named]",
      sym: "Symbol(s)",
      err: { name: "RangeError", message: "r" },
      date: "1970-01-01T00:00:00.000Z",
      bytes: "[Uint8Array 3 bytes]",
      nan: "NaN",
      throwing: { bad: "[Throws]" },
    });
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  it("keeps shared (not circular) references", () => {
    const shared = { x: 1 };
    expect(toJsonSafe({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it("caps strings, depth and width", () => {
    expect((toJsonSafe("x".repeat(MAX_STRING + 10)) as string).length).toBeLessThan(MAX_STRING + 30);
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 20; i++) deep = deep.next = {};
    expect(JSON.stringify(toJsonSafe(root))).toContain("[Object]");
    expect((toJsonSafe(Array.from({ length: 500 }, (_, i) => i)) as unknown[]).length).toBe(201);
  });
});

describe("toJsonSafe on hostile shapes", () => {
  /** `levels` objects, each referencing the next `width` times: a DAG, no cycle, 20^5 paths. */
  function dag(levels: number, width: number): Record<string, unknown> {
    let node: Record<string, unknown> = { leaf: "x".repeat(10) };
    for (let i = 0; i < levels; i++)
      node = Object.fromEntries(Array.from({ length: width }, (_, k) => [`k${k}`, node]));
    return node;
  }

  it("copies a value whose objects reference each other many times over within a fixed budget", () => {
    const out = JSON.stringify(toJsonSafe({ dag: dag(5, 20) }));
    expect(out.length).toBeLessThan(80 * 1024);
    expect(out).toContain("…[cut: over the size limit]");
  });

  it("bounds the total of many strings, not only each one", () => {
    const many = Array.from({ length: 150 }, () => "y".repeat(MAX_STRING));
    expect(JSON.stringify(toJsonSafe({ many })).length).toBeLessThan(100 * 1024);
  });
});

describe("toAttributeValue", () => {
  it("keeps OpenTelemetry values and turns the rest into JSON text", () => {
    expect(toAttributeValue("s")).toBe("s");
    expect(toAttributeValue(3)).toBe(3);
    expect(toAttributeValue(false)).toBe(false);
    expect(toAttributeValue(["a", "b"])).toEqual(["a", "b"]);
    expect(toAttributeValue([1, 2])).toEqual([1, 2]);
    expect(toAttributeValue(["a", 1])).toBe('["a",1]');
    expect(toAttributeValue({ k: 1n })).toBe('{"k":"1"}');
    expect(toAttributeValue(undefined)).toBeUndefined();
    expect(toAttributeValue(null)).toBeUndefined();
    expect(toAttributeValue(Number.POSITIVE_INFINITY)).toBe("Infinity");
  });

  it("caps a long array of primitives", () => {
    expect((toAttributeValue(Array.from({ length: 100_000 }, (_, i) => i)) as number[]).length).toBe(200);
  });
});
