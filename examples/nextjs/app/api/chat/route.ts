import { withLumiqtraceContext } from "@lumiqtrace/sdk";
import { withVercelRoute } from "@lumiqtrace/vercel";
import { MODEL, openai } from "../../../lib/openai";

export const dynamic = "force-dynamic";

interface ChatRequest {
  message?: string;
  stream?: boolean;
}

// POST { message, stream? } -> the answer as plain text streamed token by token, or JSON { answer }.
export const POST = withVercelRoute(async (req: Request) => {
  const { message, stream = true } = (await req.json()) as ChatRequest;
  if (!message) return Response.json({ error: "send { message }" }, { status: 400 });
  const messages = [{ role: "user" as const, content: message }];
  const userId = req.headers.get("x-user-id") ?? "anonymous";

  return withLumiqtraceContext({ userId, tags: ["chat"] }, async () => {
    if (!stream) {
      const completion = await openai().chat.completions.create({ model: MODEL, messages });
      return Response.json({ answer: completion.choices[0]?.message.content ?? "" });
    }

    const completion = await openai().chat.completions.create({
      model: MODEL,
      messages,
      stream: true,
      stream_options: { include_usage: true }, // full token counts for the trace
    });
    const chunks = completion[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      // each pull enqueues a piece of text or closes: a pull that enqueues nothing is not called again
      async pull(controller) {
        for (;;) {
          const { done, value } = await chunks.next();
          if (done) return controller.close();
          const text = value.choices[0]?.delta?.content;
          if (text) return controller.enqueue(encoder.encode(text));
        }
      },
      cancel() {
        completion.controller.abort(); // the reader went away: stop the model too
      },
    });
    return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
  });
});
