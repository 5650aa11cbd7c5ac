import { describe, expect, it } from "vitest";
import { estimateCost } from "./prices.js";

describe("estimateCost", () => {
  it("prices a model and its dated snapshot alike", () => {
    expect(estimateCost("gpt-4o-mini", 52, 18)).toBeCloseTo((52 * 0.15 + 18 * 0.6) / 1e6, 12);
    expect(estimateCost("gpt-4o-mini-2024-07-18", 1_000_000, 0)).toBeCloseTo(0.15, 12);
    expect(estimateCost("text-embedding-3-small", 1000)).toBeCloseTo(0.00002, 12);
  });

  it("knows nothing of unlisted models or calls without token counts", () => {
    expect(estimateCost("my-finetune", 10, 10)).toBeUndefined();
    expect(estimateCost("gpt-4o")).toBeUndefined();
  });
});
