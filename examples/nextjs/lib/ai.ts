import { createOpenAI } from "@ai-sdk/openai";
import { wrapAISDK } from "@lumiqtrace/sdk/ai";
import * as ai from "ai";

/** The AI SDK's functions, each call traced (`ai` 6 here; 5 and 7 alike). */
export const { streamText } = wrapAISDK(ai);

let provider: ReturnType<typeof createOpenAI> | undefined;

/** The AI SDK's OpenAI provider, made on first use (so `next build` needs no OPENAI_API_KEY). */
export function aiOpenAI() {
  return (provider ??= createOpenAI({
    baseURL: process.env.OPENAI_BASE_URL,
    apiKey: process.env.OPENAI_API_KEY,
  }));
}
