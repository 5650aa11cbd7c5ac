import { withVercelRoute } from "@lumiqtrace/vercel";
import { answer } from "../shared/body.mjs";
import { tracedCompletion } from "../shared/ours.mjs";

export { flush, recordInvocation } from "../shared/ours.mjs";

export const POST = withVercelRoute(async (req) => {
  const { prompt } = await req.json();
  return Response.json(answer(await tracedCompletion(prompt)));
});
export const handler = POST;
