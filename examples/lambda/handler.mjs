// Two Lambda functions in one module: `chat` answers a question (buffered, behind a function URL or API
// Gateway) and `stream` streams the answer as it is generated (function URL with RESPONSE_STREAM).
import { withLambda } from "@lumiqtrace/lambda";
import { lumiqtrace, withLumiqtraceContext } from "@lumiqtrace/sdk";
import OpenAI from "openai";

lumiqtrace.init({ apiKey: process.env.LUMIQTRACE_API_KEY }); // LUMIQTRACE_BASE_URL is read from the environment
const openai = lumiqtrace.wrapOpenAI(new OpenAI()); // OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment
const model = process.env.OPENAI_MODEL ?? "gpt-4o-mini";

function parse(event) {
  const body = event?.body
    ? JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, "base64").toString() : event.body)
    : event;
  return { question: String(body?.question ?? "Say hello"), userId: body?.userId };
}

export const chat = withLambda(async (event) => {
  const { question, userId } = parse(event);
  const completion = await withLumiqtraceContext({ userId }, () =>
    openai.chat.completions.create({ model, messages: [{ role: "user", content: question }] }),
  );
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ answer: completion.choices[0]?.message?.content ?? "" }),
  };
});

export const stream = withLambda(
  awslambda.streamifyResponse(async (event, responseStream) => {
    const { question, userId } = parse(event);
    const out = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 200,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
    const completion = await withLumiqtraceContext({ userId }, () =>
      openai.chat.completions.create({
        model,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: question }],
      }),
    );
    for await (const chunk of completion) out.write(chunk.choices[0]?.delta?.content ?? "");
    out.end();
  }),
);
