import { lumiqtrace } from "@lumiqtrace/sdk";
import OpenAI from "openai";

// LUMIQTRACE_API_KEY and LUMIQTRACE_BASE_URL are read from the environment on first use.
// OPENAI_API_KEY and OPENAI_BASE_URL too (the demo points OPENAI_BASE_URL at a local echo model).
export const openai = lumiqtrace.wrapOpenAI(new OpenAI());
export const model = process.env.OPENAI_MODEL ?? "gpt-4o-mini";

export async function readQuestion(
  body: string | null | undefined,
): Promise<{ question: string; userId?: string }> {
  const parsed = body ? (JSON.parse(body) as { question?: unknown; userId?: unknown }) : {};
  return {
    question: String(parsed.question ?? "Say hello"),
    userId: typeof parsed.userId === "string" ? parsed.userId : undefined,
  };
}
