import { Hono } from "hono";
import { answer } from "../shared/body.mjs";
import { fakeChatCompletion } from "../shared/fake-llm.mjs";

const app = new Hono();
app.post("/api/chat", async (c) => {
  const { prompt } = await c.req.json();
  return c.json(answer(await fakeChatCompletion(prompt)));
});
export const handler = app;
