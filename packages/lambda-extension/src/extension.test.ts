import { describe, expect, it } from "vitest";
import { deadlineOf } from "./extension.js";

describe("deadlineOf", () => {
  const now = 1_764_230_400_000;
  it("takes Lambda's deadlineMs as ms since the epoch", () => {
    expect(deadlineOf(now + 1234, 0, now)).toBe(now + 1234);
  });
  it("takes a small value as time left, and a missing one as the fallback from now", () => {
    expect(deadlineOf(1700, 0, now)).toBe(now + 1700);
    expect(deadlineOf(undefined, 1500, now)).toBe(now + 1500);
    expect(deadlineOf("soon", 1500, now)).toBe(now + 1500);
  });
});
