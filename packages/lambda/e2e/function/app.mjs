// The function the e2e tests run in the real runtime client (aws-lambda-ric), one export per case. The
// `...Raw` exports are the same code without withLambda: the control that shows what the wrapper fixes.
import { setTimeout as sleep } from "node:timers/promises";
import { lumiqtrace, withLumiqtraceContext } from "@lumiqtrace/sdk";
import OpenAI from "openai";
import { withLambda } from "../../dist/index.mjs";

const env = process.env;
lumiqtrace.init({
  apiKey: env.LUMIQTRACE_API_KEY,
  baseUrl: env.LUMIQTRACE_BASE_URL,
  // short, so that without a flush the batch would be sent soon after the invocation if not frozen
  flushIntervalMs: 200,
});
const options = {
  flushTimeoutMs: env.FLUSH_TIMEOUT_MS ? Number(env.FLUSH_TIMEOUT_MS) : undefined,
  deadlineMarginMs: env.DEADLINE_MARGIN_MS ? Number(env.DEADLINE_MARGIN_MS) : undefined,
};
const openai = lumiqtrace.wrapOpenAI(new OpenAI({ apiKey: "sk-local-echo", baseURL: env.OPENAI_BASE_URL }));

async function work(event, context) {
  await lumiqtrace.span("load-profile", async () => sleep(5));
  return {
    statusCode: 201,
    body: JSON.stringify({ requestId: context.awsRequestId, got: event.body ?? null }),
  };
}
export const buffered = withLambda(work, options);
export const bufferedRaw = async (event, context) => work(event, context);

async function writeStream(_event, responseStream) {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { "content-type": "text/plain" },
  });
  await lumiqtrace.span("stream-body", async () => {
    stream.write("hello ");
    await sleep(20);
    stream.write("world");
  });
  stream.end();
}
export const streamed = withLambda(
  awslambda.streamifyResponse((e, s, c) => writeStream(e, s, c)),
  options,
);
export const streamedInside = awslambda.streamifyResponse(
  withLambda(async (e, s, c) => writeStream(e, s, c), options),
);
export const streamedRaw = awslambda.streamifyResponse((e, s, c) => writeStream(e, s, c));

class QuotaExceeded extends Error {
  name = "QuotaExceeded";
}
async function fail() {
  await lumiqtrace.span("before-failure", async () => sleep(1));
  throw new QuotaExceeded("monthly quota exceeded for tenant t-42");
}
export const throws = withLambda(fail, options);
export const throwsRaw = fail;

export const callback = withLambda((_event, _context, done) => {
  lumiqtrace.span("callback-work", () => undefined);
  setTimeout(() => done(null, { statusCode: 200, body: "called back" }), 5);
}, options);

export const chat = withLambda(async (event) => {
  const question = JSON.parse(event.body ?? "{}").question ?? "hi";
  const completion = await withLumiqtraceContext({ userId: "user-7", sessionId: "s-1" }, () =>
    openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: question }] }),
  );
  return { statusCode: 200, body: JSON.stringify({ answer: completion.choices[0]?.message?.content }) };
}, options);

export const chatStream = withLambda(
  awslambda.streamifyResponse(async (event, responseStream) => {
    const out = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: {} });
    const stream = await withLumiqtraceContext({ userId: "user-8" }, () =>
      openai.chat.completions.create({
        model: "gpt-4o-mini",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: event.question ?? "stream me" }],
      }),
    );
    for await (const chunk of stream) out.write(chunk.choices[0]?.delta?.content ?? "");
    out.end();
  }),
  options,
);

export const slow = withLambda(
  async (event) => {
    await lumiqtrace.span("slow-call", async () => sleep(1));
    await sleep(event.sleepMs);
    return "late";
  },
  { ...options, timeoutWarningMs: 500 },
);

/** `spans` spans and a result: for counting that every event arrives. */
export const many = withLambda(async (event) => {
  for (let i = 0; i < (event.spans ?? 10); i++) lumiqtrace.span(`step-${i}`, () => undefined);
  return { statusCode: 200, body: "many" };
}, options);
export const manyRaw = async (event) => {
  for (let i = 0; i < (event.spans ?? 10); i++) lumiqtrace.span(`step-${i}`, () => undefined);
  return { statusCode: 200, body: "many" };
};

/** Sends what it has (a flush in the middle of the work), then the process dies: no response, no "done". */
export const crashes = withLambda(async () => {
  await lumiqtrace.span("before-crash", async () => sleep(1));
  await lumiqtrace.flush();
  process.exit(7);
}, options);
