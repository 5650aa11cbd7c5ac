import Anthropic from "@anthropic-ai/sdk";
import { withHono } from "@lumiqtrace/hono";
import { lumiqtrace, withLumiqtraceContext } from "@lumiqtrace/sdk";
import { wrapAnthropic } from "@lumiqtrace/sdk/anthropic";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import OpenAI from "openai";

// Reads OPENAI_API_KEY and OPENAI_BASE_URL; every call is recorded in the request's trace.
const openai = lumiqtrace.wrapOpenAI(new OpenAI());
const model = process.env.OPENAI_MODEL ?? "gpt-4o-mini";
// Reads ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL points it at the local echo model in the demo.
const anthropic = wrapAnthropic(new Anthropic({ baseURL: process.env.ANTHROPIC_BASE_URL || undefined }));
const claude = process.env.ANTHROPIC_MODEL ?? "claude-haiku-5-5";

export const app = new Hono();
app.use(withHono());
// Who is asking: on every span started inside the request (the LLM call), not on the request's own span.
app.use((c, next) => withLumiqtraceContext({ userId: c.req.header("x-user-id") ?? "anonymous" }, next));

app.post("/chat", async (c) => {
  const { message } = await c.req.json();
  const completion = await openai.chat.completions.create({
    model,
    messages: [{ role: "user", content: message }],
  });
  return c.json({ reply: completion.choices[0]?.message.content ?? "" });
});

app.post("/chat/stream", async (c) => {
  const { message } = await c.req.json();
  return streamSSE(c, async (sse) => {
    const stream = await openai.chat.completions.create({
      model,
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

// Claude through the Messages API's stream helper: the LLM span has its tokens and time to first token.
app.post("/chat/claude", async (c) => {
  const { message } = await c.req.json();
  return streamSSE(c, async (sse) => {
    const stream = anthropic.messages.stream({
      model: claude,
      max_tokens: 1024,
      messages: [{ role: "user", content: message }],
    });
    for await (const event of stream) {
      if (event.type === "content_block_delta" && event.delta.type === "text_delta")
        await sse.writeSSE({ data: event.delta.text });
    }
    await sse.writeSSE({ event: "done", data: "" });
  });
});
