import { withHono } from "@lumiqtrace/hono";
import { lumiqtrace, withLumiqtraceContext } from "@lumiqtrace/sdk";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import OpenAI from "openai";

type Bindings = {
  LUMIQTRACE_API_KEY: string; // withHono initialises the SDK from it (Workers have no process.env of their own)
  LUMIQTRACE_BASE_URL?: string;
  OPENAI_API_KEY: string;
  OPENAI_BASE_URL?: string;
  OPENAI_MODEL?: string;
};

const app = new Hono<{ Bindings: Bindings }>();
app.use(withHono());
// Who is asking: on every span started inside the request (the LLM call), not on the request's own span.
app.use((c, next) => withLumiqtraceContext({ userId: c.req.header("x-user-id") ?? "anonymous" }, next));

// Made per request from the bindings: no I/O or timers at module scope on Workers.
const openaiFor = (env: Bindings) =>
  lumiqtrace.wrapOpenAI(
    new OpenAI({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL || undefined }),
  );

app.post("/chat", async (c) => {
  const { message } = await c.req.json<{ message: string }>();
  const completion = await openaiFor(c.env).chat.completions.create({
    model: c.env.OPENAI_MODEL ?? "gpt-4o-mini",
    messages: [{ role: "user", content: message }],
  });
  return c.json({ reply: completion.choices[0]?.message.content ?? "" });
});

app.post("/chat/stream", async (c) => {
  const { message } = await c.req.json<{ message: string }>();
  return streamSSE(c, async (sse) => {
    const stream = await openaiFor(c.env).chat.completions.create({
      model: c.env.OPENAI_MODEL ?? "gpt-4o-mini",
      messages: [{ role: "user", content: message }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (text) await sse.writeSSE({ data: text });
    }
    await sse.writeSSE({ event: "done", data: "" });
  });
});

export default app;
