import type { LlmUsage } from "../llm/call.js";
import { num, obj } from "../llm/read.js";

/** OpenAI's usage, in either spelling: chat (`prompt_tokens`) or Responses and embeddings (`input_tokens`). */
export function usageOf(value: unknown): LlmUsage | undefined {
  const u = obj(value);
  if (!u) return undefined;
  return {
    input: num(u.prompt_tokens) ?? num(u.input_tokens),
    output: num(u.completion_tokens) ?? num(u.output_tokens),
    cacheRead: num(obj(u.prompt_tokens_details ?? u.input_tokens_details)?.cached_tokens),
    reasoning: num(obj(u.completion_tokens_details ?? u.output_tokens_details)?.reasoning_tokens),
  };
}
