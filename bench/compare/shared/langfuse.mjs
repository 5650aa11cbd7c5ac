// The Langfuse v3 client doing the same job: init, one generation (the LLM event) per call, flush.
// baseUrl is the benchmark's loopback sink, so nothing leaves the machine.
import { Langfuse } from "langfuse";
import { fakeChatCompletion, MODEL } from "./fake-llm.mjs";

export const langfuse = new Langfuse({
  publicKey: "pk-lf-bench",
  secretKey: "sk-lf-bench",
  baseUrl: process.env.BENCH_LANGFUSE_URL,
});

export async function tracedCompletion(prompt, traceName) {
  const trace = langfuse.trace({ name: traceName });
  const generation = trace.generation({
    name: `chat ${MODEL}`,
    model: MODEL,
    input: [{ role: "user", content: prompt }],
  });
  const completion = await fakeChatCompletion(prompt);
  generation.end({
    output: completion.choices[0].message,
    usage: { input: completion.usage.prompt_tokens, output: completion.usage.completion_tokens },
  });
  return completion;
}

export const flush = () => langfuse.flushAsync();
/** One invocation's events, recorded and not flushed: a trace and its generation. */
export const recordInvocation = () => tracedCompletion("flush me", "POST /api/chat");
