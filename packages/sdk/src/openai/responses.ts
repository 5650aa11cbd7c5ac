// The Responses API (`responses.create`, its stream events) and embeddings, in the shape the span records.
import { ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT } from "@lumiqtrace/protocol";
import type { LlmResult } from "../llm/call.js";
import { outputMessages } from "../llm/output.js";
import { arr, obj, str } from "../llm/read.js";
import { usageOf } from "./usage.js";

export function responseResult(response: unknown): LlmResult {
  const r = obj(response) ?? {};
  const calls: { choice: number; index: number; id?: string; name?: string; arguments: string }[] = [];
  let text = "";
  for (const entry of arr(r.output)) {
    const item = obj(entry);
    if (item?.type === "function_call") {
      calls.push({
        choice: 0,
        index: calls.length,
        id: str(item.call_id),
        name: str(item.name),
        arguments: str(item.arguments) ?? "",
      });
    }
    if (item?.type === "message")
      for (const part of arr(item.content)) text += str(obj(part)?.text) ?? str(obj(part)?.refusal) ?? "";
  }
  const status = str(r.status);
  const finish: string[] = [];
  if (status === "completed") finish[0] = calls.length ? "tool_calls" : "stop";
  else if (status) finish[0] = str(obj(r.incomplete_details)?.reason) ?? status;
  const failed = status === "failed" ? (obj(r.error) ?? {}) : undefined;
  return {
    id: r.id,
    model: r.model,
    finishReasons: finish,
    usage: usageOf(r.usage),
    toolCalls: calls.map((c) => c.name ?? ""),
    output: () => outputMessages(finish.length ? finish : [text], { calls, texts: [text], finish }),
    error: failed && {
      name: str(failed.code) ?? "ResponseFailed",
      message: str(failed.message) ?? "response failed",
    },
  };
}

/** Watches the Responses API's stream events: the first output delta, and the final `response`. */
export function responseEvents() {
  let final: unknown;
  return {
    /** True for an event that carries output (the first one is the first token). */
    see(event: unknown): boolean {
      const e = obj(event);
      const type = e?.type;
      if (type === "response.output_text.delta" || type === "response.function_call_arguments.delta")
        return true;
      if (
        type === "response.created" ||
        type === "response.completed" ||
        type === "response.incomplete" ||
        type === "response.failed"
      )
        final = e?.response;
      return false;
    },
    result: () => responseResult(final),
  };
}

export function embeddingsResult(list: unknown): LlmResult {
  const r = obj(list) ?? {};
  return {
    model: r.model,
    usage: usageOf(r.usage),
    attributes: {
      [ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT]: arr(obj(arr(r.data)[0])?.embedding).length || undefined,
    },
  };
}
