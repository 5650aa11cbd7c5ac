import { answer } from "../shared/body.mjs";
import { tracedCompletion } from "../shared/langfuse.mjs";
import { readJson } from "./read-json.mjs";

export { flush, recordInvocation } from "../shared/langfuse.mjs";

// On a long-running server Langfuse sends in the background on its own (flushAt / flushInterval).
export const handler = async (req, res) => {
  const { prompt } = await readJson(req);
  const body = JSON.stringify(answer(await tracedCompletion(prompt, "POST /api/chat")));
  res.writeHead(200, { "content-type": "application/json" }).end(body);
};
