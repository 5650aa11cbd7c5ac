import { withNodeHttp } from "@lumiqtrace/node";
import { answer } from "../shared/body.mjs";
import { tracedCompletion } from "../shared/ours.mjs";
import { readJson } from "./read-json.mjs";

export { flush, recordInvocation } from "../shared/ours.mjs";

export const handler = withNodeHttp(async (req, res) => {
  const { prompt } = await readJson(req);
  res
    .writeHead(200, { "content-type": "application/json" })
    .end(JSON.stringify(answer(await tracedCompletion(prompt))));
});
