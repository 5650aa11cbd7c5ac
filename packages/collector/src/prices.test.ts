import { describe, expect, it } from "vitest";
import { estimateCost, spanCostUsd } from "./prices.js";
import { makeEvent, makeTrace } from "./test-events.js";

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

describe("spanCostUsd", () => {
  it("prices an LLM span by its response model, else its request model", () => {
    const { llm } = makeTrace(); // gpt-4o-mini-2024-07-18, 52 in, 18 out
    expect(spanCostUsd(llm)).toBeCloseTo((52 * 0.15 + 18 * 0.6) / 1e6, 12);
    delete llm.attributes["gen_ai.response.model"];
    llm.attributes["gen_ai.request.model"] = "gpt-4o";
    expect(spanCostUsd(llm)).toBeCloseTo((52 * 2.5 + 18 * 10) / 1e6, 12);
  });

  it("gives nothing for other spans, unknown models, missing or nonsense token counts", () => {
    const { root, llm } = makeTrace();
    expect(spanCostUsd(root)).toBeUndefined();
    expect(spanCostUsd(makeEvent({ kind: "custom", attributes: llm.attributes }))).toBeUndefined();
    expect(spanCostUsd({ ...llm, attributes: { "gen_ai.request.model": "my-finetune" } })).toBeUndefined();
    expect(spanCostUsd({ ...llm, attributes: { "gen_ai.request.model": "gpt-4o" } })).toBeUndefined();
    expect(
      spanCostUsd({
        ...llm,
        attributes: { "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": "52" },
      }),
    ).toBeUndefined();
    expect(
      spanCostUsd({
        ...llm,
        attributes: { "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": -5 },
      }),
    ).toBeUndefined();
  });
});
