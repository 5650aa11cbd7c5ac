// Ours with the SDK alone (no adapter): the shared run-and-flush mechanism every adapter uses.
import { runInvocation } from "@lumiqtrace/sdk/serverless";
import { answer } from "../shared/body.mjs";
import { tracedCompletion } from "../shared/ours.mjs";

export { flush, recordInvocation } from "../shared/ours.mjs";

export const handler = (event, context) =>
  runInvocation({ name: context.functionName, platform: "lambda" }, async () => {
    const { prompt } = JSON.parse(event.body ?? "{}");
    const completion = await tracedCompletion(prompt);
    return {
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(answer(completion)),
    };
  });
