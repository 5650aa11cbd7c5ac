import { answer } from "../shared/body.mjs";
import { langfuse, tracedCompletion } from "../shared/langfuse.mjs";

export { flush, recordInvocation } from "../shared/langfuse.mjs";

// Modern Netlify functions have context.waitUntil: the flush runs after the response.
export const handler = async (req, context) => {
  try {
    const { prompt } = await req.json();
    return Response.json(answer(await tracedCompletion(prompt, "netlify function")));
  } finally {
    context.waitUntil(langfuse.flushAsync());
  }
};
