import { Hono } from "hono";
import { answer } from "../shared/body.mjs";
import { langfuse, tracedCompletion } from "../shared/langfuse.mjs";

export { flush, recordInvocation } from "../shared/langfuse.mjs";

const app = new Hono();
// As on Workers: the flush goes to the execution context's waitUntil, after the response.
app.use(async (c, next) => {
  try {
    await next();
  } finally {
    c.executionCtx.waitUntil(langfuse.flushAsync());
  }
});
app.post("/api/chat", async (c) => {
  const { prompt } = await c.req.json();
  return c.json(answer(await tracedCompletion(prompt, "POST /api/chat")));
});
export const handler = app;
