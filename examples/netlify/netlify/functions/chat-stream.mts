// A modern function that streams the answer as it is generated. The trace ends, and is flushed, once the
// client has read the whole body (or went away).
import { type Config, type Context, withNetlify } from "@lumiqtrace/netlify";
import { withLumiqtraceContext } from "@lumiqtrace/sdk";
import { model, openai, readQuestion } from "../../lib/openai.js";

export default withNetlify(async (req: Request, _context: Context) => {
  const { question, userId } = await readQuestion(await req.text());
  const completion = await withLumiqtraceContext({ userId }, () =>
    openai.chat.completions.create({
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: question }],
    }),
  );
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for await (const chunk of completion)
        controller.enqueue(encoder.encode(chunk.choices[0]?.delta?.content ?? ""));
      controller.close();
    },
    cancel: () => completion.controller.abort(),
  });
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
});

export const config: Config = { path: "/api/chat/stream", method: "POST" };
