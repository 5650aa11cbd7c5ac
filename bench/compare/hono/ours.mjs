import { withHono } from "@lumiqtrace/hono";
import { Hono } from "hono";
import { answer } from "../shared/body.mjs";
import { tracedCompletion } from "../shared/ours.mjs";

export { flush, recordInvocation } from "../shared/ours.mjs";

const app = new Hono();
app.use(withHono());
app.post("/api/chat", async (c) => {
  const { prompt } = await c.req.json();
  return c.json(answer(await tracedCompletion(prompt)));
});
export const handler = app;
