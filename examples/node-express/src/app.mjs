import { withExpress } from "@lumiqtrace/node";
import { lumiqtrace, withLumiqtraceContext } from "@lumiqtrace/sdk";
import express from "express";
import OpenAI from "openai";

// Reads OPENAI_API_KEY and OPENAI_BASE_URL; every call is recorded in the request's trace.
const openai = lumiqtrace.wrapOpenAI(new OpenAI());
const model = process.env.OPENAI_MODEL ?? "gpt-4o-mini";

export const app = express();
app.use(withExpress()); // first: every later middleware and route runs in the request's trace
app.use(express.json());
// Who is asking: on every span started inside the request (the LLM call), not on the request's own span.
app.use((req, _res, next) =>
  withLumiqtraceContext({ userId: req.header("x-user-id") ?? "anonymous" }, () => next()),
);

app.post("/chat", async (req, res) => {
  const completion = await openai.chat.completions.create({
    model,
    messages: [{ role: "user", content: req.body.message }],
  });
  res.json({ reply: completion.choices[0]?.message.content ?? "" });
});

app.post("/chat/stream", async (req, res) => {
  const stream = await openai.chat.completions.create({
    model,
    messages: [{ role: "user", content: req.body.message }],
    stream: true,
    stream_options: { include_usage: true },
  });
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta.content;
    if (text) res.write(`data: ${text}\n\n`);
  }
  res.end("event: done\ndata: \n\n");
});
