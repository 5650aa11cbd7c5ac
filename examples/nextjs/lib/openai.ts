import { lumiqtrace } from "@lumiqtrace/sdk";
import OpenAI from "openai";

export const MODEL = process.env.OPENAI_MODEL ?? "gpt-4o-mini";

let client: OpenAI | undefined;

/** The traced OpenAI client, made on first use (so `next build` needs no OPENAI_API_KEY). */
export function openai(): OpenAI {
  // reads OPENAI_API_KEY and OPENAI_BASE_URL from the environment
  return (client ??= lumiqtrace.wrapOpenAI(new OpenAI()));
}
