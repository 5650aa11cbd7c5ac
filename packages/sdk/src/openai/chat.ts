// Chat completions: one accumulator for a whole completion and for its streamed chunks.
import { ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT } from "@lumiqtrace/protocol";
import type { LlmResult } from "../llm/call.js";
import { type OutputToolCall, outputMessages } from "../llm/output.js";
import { arr, num, obj, str } from "../llm/read.js";
import { usageOf } from "./usage.js";

interface ToolCall extends OutputToolCall {
  /** Its place among the choice's calls (deltas name it). */
  index: number;
}

/** What a chat completion (or its chunks so far) answered. */
export interface ChatAnswer {
  id?: string;
  model?: string;
  systemFingerprint?: string;
  usage?: unknown;
  calls: ToolCall[];
  /** Text per choice, kept only when content is captured. */
  texts: string[];
  finish: string[];
}

export const newChatAnswer = (): ChatAnswer => ({ calls: [], texts: [], finish: [] });

/**
 * Adds a chat completion, or one streamed chunk of one, to `answer`; true when it carried output (text,
 * a refusal or a tool call). Anything of an unexpected shape is skipped, never thrown over.
 */
export function addChat(answer: ChatAnswer, completion: unknown, capture: boolean): boolean {
  const r = obj(completion);
  if (!r) return false;
  answer.id ??= str(r.id);
  answer.model ??= str(r.model);
  answer.systemFingerprint ??= str(r.system_fingerprint);
  if (obj(r.usage)) answer.usage = r.usage;
  let output = false;
  for (const item of arr(r.choices)) {
    const choice = obj(item);
    if (!choice) continue;
    const i = num(choice.index) ?? 0;
    const m = obj(choice.delta) ?? obj(choice.message) ?? {};
    const text = str(m.content) ?? str(m.refusal);
    const toolCalls = arr(m.tool_calls);
    if (text || toolCalls.length) output = true;
    if (capture && text) answer.texts[i] = (answer.texts[i] ?? "") + text;
    toolCalls.forEach((entry, j) => {
      const d = obj(entry);
      if (!d) return;
      const index = num(d.index) ?? j; // deltas name their call; a whole message lists them in order
      let call = answer.calls.find((c) => c.choice === i && c.index === index);
      if (!call) answer.calls.push((call = { choice: i, index, arguments: "" }));
      const fn = obj(d.function);
      const id = str(d.id);
      const name = str(fn?.name);
      const args = str(fn?.arguments);
      if (id) call.id = id;
      if (name) call.name = name;
      if (args) call.arguments += args;
    });
    const finish = str(choice.finish_reason);
    if (finish) answer.finish[i] = finish;
  }
  return output;
}

/** The answer as the span records it. */
export function chatResult(answer: ChatAnswer): LlmResult {
  const { calls, texts, finish } = answer;
  return {
    id: answer.id,
    model: answer.model,
    finishReasons: finish.filter(Boolean),
    usage: usageOf(answer.usage),
    toolCalls: calls.map((c) => c.name ?? ""),
    attributes: { [ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT]: answer.systemFingerprint },
    output: () => outputMessages(finish.length ? finish : texts, answer),
  };
}
