// Anthropic's Messages API: one accumulator for a whole `message` and for its streamed events.
import type { LlmResult } from "../llm/call.js";
import { outputMessages } from "../llm/output.js";
import { arr, num, obj, str } from "../llm/read.js";

interface Block {
  type?: string;
  id?: string;
  name?: string;
  /** Text so far, kept only when content is captured. */
  text: string;
  /** A tool call's input JSON: the whole one, or the streamed `partial_json` pieces so far (captured only). */
  input: string;
  /** A streamed tool call's input as `content_block_start` gave it (`{}`), for one that sends no pieces. */
  startInput?: string;
}

/** What a message (or its events so far) answered. */
export interface MessageAnswer {
  id?: string;
  model?: string;
  stopReason?: string;
  /** Anthropic's `input_tokens`: the input tokens not read from or written to the cache. */
  uncachedInput?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  thinking?: number;
  /** Content blocks by their index. */
  blocks: Map<number, Block>;
}

export const newMessageAnswer = (): MessageAnswer => ({ blocks: new Map() });

/** Whether a content block is a call of a tool: `tool_use`, `server_tool_use`, `mcp_tool_use`. */
const isToolUse = (type: string | undefined) => type?.endsWith("tool_use") === true;

/** Usage, whole (a message, `message_start`) or cumulative (`message_delta`): a count present replaces the last. */
function addUsage(answer: MessageAnswer, usage: unknown): void {
  const u = obj(usage);
  if (!u) return;
  answer.uncachedInput = num(u.input_tokens) ?? answer.uncachedInput;
  answer.output = num(u.output_tokens) ?? answer.output;
  answer.cacheRead = num(u.cache_read_input_tokens) ?? answer.cacheRead;
  answer.cacheWrite = num(u.cache_creation_input_tokens) ?? answer.cacheWrite;
  answer.thinking = num(obj(u.output_tokens_details)?.thinking_tokens) ?? answer.thinking;
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

function addBlock(
  answer: MessageAnswer,
  index: unknown,
  block: unknown,
  capture: boolean,
  streamed: boolean,
) {
  const b = obj(block);
  const i = num(index);
  if (!b || i === undefined) return;
  const type = str(b.type);
  const input = capture && isToolUse(type) ? json(b.input) : "";
  answer.blocks.set(i, {
    type,
    id: str(b.id),
    name: str(b.name),
    text: (capture && str(b.text)) || "",
    // a streamed tool call starts with `input: {}`, then sends its input in pieces
    input: streamed ? "" : input,
    startInput: streamed ? input : undefined,
  });
}

/** Adds a whole message (or `message_start`'s) to `answer`. Anything of an unexpected shape is skipped. */
export function addMessage(answer: MessageAnswer, message: unknown, capture: boolean): void {
  const m = obj(message);
  if (!m) return;
  answer.id ??= str(m.id);
  answer.model ??= str(m.model);
  answer.stopReason = str(m.stop_reason) ?? answer.stopReason;
  addUsage(answer, m.usage);
  arr(m.content).forEach((block, i) => {
    addBlock(answer, i, block, capture, false);
  });
}

/**
 * Adds one streamed event to `answer`; true when it carried output (a `content_block_delta`: text,
 * thinking or a tool's input). Input usage comes in `message_start`, output usage in `message_delta`.
 */
export function addEvent(answer: MessageAnswer, event: unknown, capture: boolean): boolean {
  const e = obj(event);
  switch (e?.type) {
    case "message_start":
      addMessage(answer, e.message, capture);
      return false;
    case "content_block_start":
      addBlock(answer, e.index, e.content_block, capture, true);
      return false;
    case "content_block_delta": {
      const block = answer.blocks.get(num(e.index) ?? -1);
      const delta = obj(e.delta);
      if (capture && block && delta) {
        block.text += str(delta.text) ?? "";
        block.input += str(delta.partial_json) ?? "";
      }
      return true;
    }
    case "message_delta":
      answer.stopReason = str(obj(e.delta)?.stop_reason) ?? answer.stopReason;
      addUsage(answer, e.usage);
      return false;
    default:
      return false;
  }
}

/** The answer as the span records it. */
export function messageResult(answer: MessageAnswer): LlmResult {
  const blocks = [...answer.blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
  const tools = blocks.filter((b) => isToolUse(b.type));
  const text = blocks
    .filter((b) => b.type === "text" && b.text)
    .map((b) => b.text)
    .join(" ");
  const finish = answer.stopReason ? [answer.stopReason] : [];
  const { uncachedInput, cacheRead, cacheWrite } = answer;
  return {
    id: answer.id,
    model: answer.model,
    finishReasons: finish,
    usage: {
      // the GenAI conventions count cached input in the input tokens; Anthropic's `input_tokens` does not
      input: uncachedInput === undefined ? undefined : uncachedInput + (cacheRead ?? 0) + (cacheWrite ?? 0),
      output: answer.output,
      cacheRead,
      cacheWrite,
      reasoning: answer.thinking,
    },
    toolCalls: tools.map((t) => t.name ?? ""),
    output: () =>
      outputMessages(finish.length ? finish : text ? [text] : [], {
        calls: tools.map((t) => ({
          choice: 0,
          id: t.id,
          name: t.name,
          arguments: t.input || t.startInput || "",
        })),
        texts: text ? [text] : [],
        finish,
      }),
  };
}
