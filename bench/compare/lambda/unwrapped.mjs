import { answer } from "../shared/body.mjs";
import { fakeChatCompletion } from "../shared/fake-llm.mjs";

export const handler = async (event) => {
  const { prompt } = JSON.parse(event.body ?? "{}");
  const completion = await fakeChatCompletion(prompt);
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(answer(completion)),
  };
};
