// List prices of common OpenAI models in USD per 1 million tokens (input, output), as published on
// openai.com/api/pricing in 2025. The read API gives a cost only for models listed here, as an estimate:
// it ignores cached-input discounts, batch pricing and reasoning-token details.
import type { SpanEvent } from "@lumiqtrace/protocol";

export const PRICES_PER_MILLION: Record<string, { input: number; output: number }> = {
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  o3: { input: 2, output: 8 },
  "o3-mini": { input: 1.1, output: 4.4 },
  "o4-mini": { input: 1.1, output: 4.4 },
  o1: { input: 15, output: 60 },
  "gpt-4-turbo": { input: 10, output: 30 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "text-embedding-3-large": { input: 0.13, output: 0 },
  "text-embedding-ada-002": { input: 0.1, output: 0 },
};

/**
 * Estimated cost in USD, or `undefined` for an unknown model or missing token counts. A dated snapshot
 * (`gpt-4o-mini-2024-07-18`) is priced as its model.
 */
export function estimateCost(model: string, inputTokens?: number, outputTokens?: number): number | undefined {
  const price = PRICES_PER_MILLION[model] ?? PRICES_PER_MILLION[model.replace(/-\d{4}-\d{2}-\d{2}$/, "")];
  if (!price || (inputTokens === undefined && outputTokens === undefined)) return undefined;
  return ((inputTokens ?? 0) * price.input + (outputTokens ?? 0) * price.output) / 1_000_000;
}

/** The estimated cost of an LLM span (its response model, else its request model), or `undefined`. */
export function spanCostUsd(span: SpanEvent): number | undefined {
  if (span.kind !== "llm") return undefined;
  const a = span.attributes;
  const model = [a["gen_ai.response.model"], a["gen_ai.request.model"]].find((m) => typeof m === "string");
  const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);
  if (typeof model !== "string") return undefined;
  return estimateCost(model, count(a["gen_ai.usage.input_tokens"]), count(a["gen_ai.usage.output_tokens"]));
}
