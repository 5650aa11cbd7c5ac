import { withNetlify } from "@lumiqtrace/netlify";
import { answer } from "../shared/body.mjs";
import { tracedCompletion } from "../shared/ours.mjs";

export { flush, recordInvocation } from "../shared/ours.mjs";

export const handler = withNetlify(async (req) => {
  const { prompt } = await req.json();
  return Response.json(answer(await tracedCompletion(prompt)));
});
