import { answer } from "../shared/body.mjs";
import { langfuse, tracedCompletion } from "../shared/langfuse.mjs";

export { flush, recordInvocation } from "../shared/langfuse.mjs";

// As Langfuse's docs say for Workers: the flush goes to ctx.waitUntil, after the response.
export const handler = {
  async fetch(request, _env, ctx) {
    try {
      const { prompt } = await request.json();
      return Response.json(answer(await tracedCompletion(prompt, "POST /api/chat")));
    } finally {
      ctx.waitUntil(langfuse.flushAsync());
    }
  },
};
