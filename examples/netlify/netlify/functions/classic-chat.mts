// A classic (Lambda-shaped) function, served at /.netlify/functions/classic-chat. Classic functions have no
// waitUntil, so withNetlify awaits the flush before returning, within the time the invocation has left.
import { withNetlify } from "@lumiqtrace/netlify";
import { withLumiqtraceContext } from "@lumiqtrace/sdk";
import { model, openai, readQuestion } from "../../lib/openai.js";

export const handler = withNetlify(async (event, _context) => {
  const { question, userId } = await readQuestion(
    event.isBase64Encoded && event.body ? Buffer.from(event.body, "base64").toString() : event.body,
  );
  const completion = await withLumiqtraceContext({ userId }, () =>
    openai.chat.completions.create({ model, messages: [{ role: "user", content: question }] }),
  );
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ answer: completion.choices[0]?.message?.content ?? "" }),
  };
});
