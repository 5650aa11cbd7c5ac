import { answer } from "../shared/body.mjs";
import { fakeChatCompletion } from "../shared/fake-llm.mjs";

export const handler = async (req) => {
  const { prompt } = await req.json();
  return Response.json(answer(await fakeChatCompletion(prompt)));
};
