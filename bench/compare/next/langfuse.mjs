import { answer } from "../shared/body.mjs";
import { langfuse, tracedCompletion } from "../shared/langfuse.mjs";

export { flush, recordInvocation } from "../shared/langfuse.mjs";

// What `waitUntil` from `@vercel/functions` does, inlined (that package is not a dependency here).
const waitUntil = (p) => globalThis[Symbol.for("@vercel/request-context")]?.get?.()?.waitUntil?.(p);

export async function POST(req) {
  try {
    const { prompt } = await req.json();
    return Response.json(answer(await tracedCompletion(prompt, "POST /api/chat")));
  } finally {
    waitUntil(langfuse.flushAsync());
  }
}
export const handler = POST;
