// The LLM call every fixture makes: a chat completion request over loopback to the benchmark's stand-in
// model endpoint (the sink's /v1/chat/completions, a test double: no model, no network), made with fetch
// as the OpenAI client makes it. So every row pays the same HTTP call, and Node's lazily loaded fetch is
// warmed by the handler's own LLM call, as in a real app, not by whichever tracing tool calls fetch first.
export const MODEL = "gpt-4o-mini";

const url = process.env.BENCH_LLM_URL;

export async function fakeChatCompletion(prompt) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-bench-stand-in" },
    body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: prompt }] }),
  });
  if (!res.ok) throw new Error(`stand-in model answered ${res.status}`);
  return res.json();
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
