import { withWorker } from "@lumiqtrace/cloudflare";
import { answer } from "../shared/body.mjs";
import { tracedCompletion } from "../shared/ours.mjs";

export { flush, recordInvocation } from "../shared/ours.mjs";

export const handler = withWorker({
  async fetch(request) {
    const { prompt } = await request.json();
    return Response.json(answer(await tracedCompletion(prompt)));
  },
});
