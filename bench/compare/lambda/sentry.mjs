// Sentry's Lambda wrapper doing the same job: init, one gen_ai span (the LLM event), flush (wrapHandler
// flushes before returning). The DSN points at the benchmark's loopback sink.
import * as Sentry from "@sentry/aws-serverless";
import { answer } from "../shared/body.mjs";
import { fakeChatCompletion, llmAttributes, MODEL } from "../shared/fake-llm.mjs";

Sentry.init({ dsn: process.env.BENCH_SENTRY_DSN, tracesSampleRate: 1 });

const tracedCompletion = (prompt) =>
  Sentry.startSpan({ name: `chat ${MODEL}`, op: "gen_ai.chat" }, async (span) => {
    const completion = await fakeChatCompletion(prompt);
    span.setAttributes(llmAttributes(completion));
    return completion;
  });

export const handler = Sentry.wrapHandler(async (event) => {
  const { prompt } = JSON.parse(event.body ?? "{}");
  const completion = await tracedCompletion(prompt);
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(answer(completion)),
  };
});

export const flush = () => Sentry.flush(2000);
/** One invocation's events, recorded and not flushed: a root span (the transaction) and its gen_ai span. */
export const recordInvocation = () =>
  Sentry.startSpan({ name: "POST /api/chat", op: "function.aws.lambda" }, () => tracedCompletion("flush me"));
