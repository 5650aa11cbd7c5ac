import { withLambda } from "@lumiqtrace/lambda";
import { answer } from "../shared/body.mjs";
import { tracedCompletion } from "../shared/ours.mjs";

export { flush, recordInvocation } from "../shared/ours.mjs";

export const handler = withLambda(async (event) => {
  const { prompt } = JSON.parse(event.body ?? "{}");
  const completion = await tracedCompletion(prompt);
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(answer(completion)),
  };
});
