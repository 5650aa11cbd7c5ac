// A modern function: answers a question in one JSON response. The flush goes to context.waitUntil.
import { type Config, type Context, withNetlify } from "@lumiqtrace/netlify";
import { withLumiqtraceContext } from "@lumiqtrace/sdk";
import { model, openai, readQuestion } from "../../lib/openai.js";

export default withNetlify(async (req: Request, _context: Context) => {
  const { question, userId } = await readQuestion(await req.text());
  const completion = await withLumiqtraceContext({ userId }, () =>
    openai.chat.completions.create({ model, messages: [{ role: "user", content: question }] }),
  );
  return Response.json({ answer: completion.choices[0]?.message?.content ?? "" });
});

export const config: Config = { path: "/api/chat", method: "POST" };
