import { answer } from "../shared/body.mjs";
import { fakeChatCompletion } from "../shared/fake-llm.mjs";

export const handler = {
  async fetch(request) {
    const { prompt } = await request.json();
    return Response.json(answer(await fakeChatCompletion(prompt)));
  },
};
