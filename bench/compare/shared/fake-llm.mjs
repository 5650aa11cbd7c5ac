// The "LLM call" every fixture makes: a test double of an OpenAI chat completion (no network here), so
// the benchmark measures what each tracing tool adds around the call, not the model.
export const MODEL = "gpt-4o-mini";

// A real app makes its OpenAI client at the top of the module, and `new OpenAI()` takes the global fetch,
// which loads Node's fetch implementation (lazily loaded, tens of ms). Every row pays that at import, as
// in a real app, instead of only the rows whose tracing tool happens to call fetch first.
const llmClientFetch = globalThis.fetch;
if (typeof llmClientFetch !== "function") throw new Error("no global fetch: Node 20+ needed");

export async function fakeChatCompletion(prompt) {
  await null;
  return {
    id: "chatcmpl-bench",
    object: "chat.completion",
    model: MODEL,
    choices: [
      { index: 0, finish_reason: "stop", message: { role: "assistant", content: `echo: ${prompt}` } },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
  };
}

/** The attributes of the one LLM event, as each tool names them (docs/protocol.md for ours). */
export function llmAttributes(completion) {
  return {
    "gen_ai.provider.name": "openai",
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": MODEL,
    "gen_ai.response.model": completion.model,
    "gen_ai.usage.input_tokens": completion.usage.prompt_tokens,
    "gen_ai.usage.output_tokens": completion.usage.completion_tokens,
    "gen_ai.response.finish_reasons": completion.choices.map((c) => c.finish_reason),
  };
}
