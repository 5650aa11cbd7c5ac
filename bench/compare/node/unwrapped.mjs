import { answer } from "../shared/body.mjs";
import { fakeChatCompletion } from "../shared/fake-llm.mjs";
import { readJson } from "./read-json.mjs";

// A node:http request listener, served by the benchmark on loopback.
export const handler = async (req, res) => {
  const { prompt } = await readJson(req);
  res
    .writeHead(200, { "content-type": "application/json" })
    .end(JSON.stringify(answer(await fakeChatCompletion(prompt))));
};
