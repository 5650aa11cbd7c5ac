import { withLumiqtraceContext } from "@lumiqtrace/sdk";
import { withVercelRoute } from "@lumiqtrace/vercel";
import { aiOpenAI, streamText } from "../../../lib/ai";
import { MODEL } from "../../../lib/openai";

export const dynamic = "force-dynamic";

// POST { message } -> the answer streamed as plain text, through the Vercel AI SDK's streamText.
export const POST = withVercelRoute(async (req: Request) => {
  const { message } = (await req.json()) as { message?: string };
  if (!message) return Response.json({ error: "send { message }" }, { status: 400 });
  const userId = req.headers.get("x-user-id") ?? "anonymous";

  return withLumiqtraceContext({ userId, tags: ["ai-sdk"] }, () =>
    streamText({
      model: aiOpenAI()(MODEL),
      prompt: message,
      experimental_telemetry: { functionId: "ai-chat" },
    }).toTextStreamResponse(),
  );
});
