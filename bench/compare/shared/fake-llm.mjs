// The LLM call every fixture makes (a test double: no model, no network). The first call of a process
// is a chat completion request over loopback, made with fetch as the OpenAI client makes it, to the
// benchmark's stand-in model endpoint: so Node's lazily loaded fetch is warmed by the handler's own first
// LLM call, as in a real app, and not charged to whichever tracing tool calls fetch first. Later calls
// are answered in-process, so the steady numbers measure the tracing tools, not loopback HTTP jitter.
export const MODEL = "gpt-4o-mini";

const url = process.env.BENCH_LLM_URL;
let warmed = false;

export async function fakeChatCompletion(prompt) {
  if (!warmed) {
    warmed = true;
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench-stand-in" },
      body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: prompt }] }),
    });
    if (!res.ok) throw new Error(`stand-in model answered ${res.status}`);
    return res.json();
  }
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
