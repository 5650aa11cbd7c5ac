import { answer } from "../shared/body.mjs";
import { langfuse, tracedCompletion } from "../shared/langfuse.mjs";

export { flush, recordInvocation } from "../shared/langfuse.mjs";

// No waitUntil on Lambda: the flush is awaited before returning, as Langfuse's docs say.
export const handler = async (event, context) => {
  try {
    const { prompt } = JSON.parse(event.body ?? "{}");
    const completion = await tracedCompletion(prompt, context.functionName);
    return {
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(answer(completion)),
    };
  } finally {
    await langfuse.flushAsync();
  }
};
