// What a user of ours writes once per app: init, and one LLM span around the call. `flush` and
// `recordInvocation` are for the benchmark's flush measurement only.
import { lumiqtrace } from "@lumiqtrace/sdk";
import { fakeChatCompletion, llmAttributes, MODEL } from "./fake-llm.mjs";

lumiqtrace.init({ apiKey: process.env.LUMIQTRACE_API_KEY, baseUrl: process.env.LUMIQTRACE_BASE_URL });

export function tracedCompletion(prompt) {
  return lumiqtrace.span(
    `chat ${MODEL}`,
    async (span) => {
      const completion = await fakeChatCompletion(prompt);
      span.setAttributes(llmAttributes(completion));
      return completion;
    },
    { kind: "llm" },
  );
}

export const flush = () => lumiqtrace.flush();
/** One invocation's events, recorded and not flushed: a root span of kind invocation and its LLM span. */
export const recordInvocation = () =>
  lumiqtrace.span("POST /api/chat", () => tracedCompletion("flush me"), { kind: "invocation" });
