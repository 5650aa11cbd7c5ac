// No tool: the unwrapped handler, plus one bare POST of a two-event batch to the collector per
// invocation, handed to waitUntil as a tool's flush is. The floor under the steady target: what sending
// once per invocation costs the next invocations here, whoever sends.
import { answer } from "../shared/body.mjs";
import { batch, postBatch } from "../shared/bare-post.mjs";
import { fakeChatCompletion } from "../shared/fake-llm.mjs";

export const handler = async (req, context) => {
  const { prompt } = await req.json();
  const response = Response.json(answer(await fakeChatCompletion(prompt)));
  context.waitUntil(new Promise((resolve) => setTimeout(resolve, 0)).then(() => postBatch(batch())));
  return response;
};
