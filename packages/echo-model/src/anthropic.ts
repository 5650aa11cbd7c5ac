// Anthropic's Messages API (`POST /v1/messages`), answered the way the OpenAI side is: the same echoed text,
// the same word "tokens", the same choice of tool calls, in Anthropic's wire format (a `message`, or the
// server-sent events `message_start` ... `message_stop`).
import type { IncomingMessage, ServerResponse } from "node:http";
import { headerInt, json, nextId, scriptedError, sendStream } from "./http.js";
import { answer, argumentPieces, type Conversation, countTokens, responseModel, textOf } from "./reply.js";

type Json = Record<string, any>;

/** Anthropic's error `type` by HTTP status. */
const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** Anthropic's error body: `{ type: "error", error: { type, message } }`. */
export function anthropicErrorBody(status: number, message?: string): Json {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  return {
    type: "error",
    error: { type, message: message ?? `Scripted ${status} ${type} from the local echo model.` },
  };
}

/** The text of a message's content (a string or blocks), tool results' content included. */
function contentText(content: unknown): string {
  if (!Array.isArray(content)) return textOf(content);
  return content
    .map((block) => (block?.type === "tool_result" ? textOf(block.content) : textOf([block])))
    .filter(Boolean)
    .join(" ");
}

function conversation(body: Json): Conversation {
  const messages: Json[] = Array.isArray(body.messages) ? body.messages : [];
  let inputTokens = countTokens(contentText(body.system));
  for (const m of messages) inputTokens += countTokens(contentText(m?.content));
  const last = messages[messages.length - 1];
  const results = Array.isArray(last?.content)
    ? last.content.filter((b: Json) => b?.type === "tool_result")
    : [];
  if (last?.role === "user" && results.length > 0) {
    return { prompt: textOf(results[results.length - 1].content), lastIsToolResult: true, inputTokens };
  }
  const user = [...messages].reverse().find((m) => m?.role === "user");
  return { prompt: contentText(user?.content), lastIsToolResult: false, inputTokens };
}

/** The request's tools and `tool_choice` as the OpenAI side reads them, so both decide alike. */
function asOpenAITools(body: Json): Json {
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t: Json) => typeof t?.name === "string" && t.input_schema) // custom tools; server tools have none
    .map((t: Json) => ({ type: "function", function: { name: t.name, parameters: t.input_schema } }));
  const choice = body.tool_choice;
  const tool_choice =
    choice?.type === "any"
      ? "required"
      : choice?.type === "tool"
        ? { function: { name: choice.name } }
        : choice?.type === "none"
          ? "none"
          : "auto";
  return { tools, tool_choice, parallel_tool_calls: choice?.disable_parallel_tool_use !== true };
}

/** `POST /v1/messages/count_tokens`: the input tokens the same request to `/v1/messages` would count. */
export function anthropicCountTokens(body: Json, res: ServerResponse) {
  json(res, 200, { input_tokens: conversation(body).inputTokens });
}

const STOP_REASONS = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use" } as const;

export function anthropicMessages(
  body: Json,
  headers: IncomingMessage["headers"],
  res: ServerResponse,
  delay: number,
) {
  const conv = conversation(body);
  const a = answer(conv, asOpenAITools(body), headers, undefined, body.max_tokens);
  const thinking =
    body.thinking?.type === "enabled" || body.thinking?.type === "adaptive"
      ? `Thinking about: ${conv.prompt}`
      : undefined;
  const thinkingTokens = thinking ? countTokens(thinking) : 0;
  // Anthropic's input_tokens leave out what was read from or written to the cache.
  const cacheRead = a.cachedTokens;
  const cacheWrite = Math.min(
    headerInt(headers, "x-echo-cache-write-tokens") ?? 0,
    a.inputTokens - cacheRead,
  );
  const reasoning = a.reasoningTokens + thinkingTokens;
  const usage: Json = {
    input_tokens: a.inputTokens - cacheRead - cacheWrite,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    output_tokens: a.outputTokens + thinkingTokens,
    output_tokens_details: reasoning > 0 ? { thinking_tokens: reasoning } : null,
    service_tier: "standard",
  };
  const signature = "echo-local-signature";
  const blocks: Json[] = [];
  if (thinking) blocks.push({ type: "thinking", thinking, signature });
  for (const c of a.toolCalls) {
    blocks.push({ type: "tool_use", id: nextId("toolu_"), name: c.name, input: JSON.parse(c.arguments) });
  }
  if (a.toolCalls.length === 0) blocks.push({ type: "text", text: a.text ?? "" });
  const message: Json = {
    id: nextId("msg_"),
    type: "message",
    role: "assistant",
    model: responseModel(body.model),
    content: blocks,
    stop_reason: STOP_REASONS[a.finishReason],
    stop_sequence: null,
    usage,
  };
  if (body.stream !== true) return json(res, 200, message);

  const event = (type: string, payload: Json = {}) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
  // message_start has the input usage, message_delta the output usage
  const { output_tokens, output_tokens_details, ...inputUsage } = usage;
  const events = [
    event("message_start", {
      message: {
        ...message,
        content: [],
        stop_reason: null,
        usage: { ...inputUsage, output_tokens: 1, output_tokens_details: null },
      },
    }),
  ];
  blocks.forEach((block, index) => {
    const delta = (d: Json) => event("content_block_delta", { index, delta: d });
    if (block.type === "thinking") {
      events.push(
        event("content_block_start", { index, content_block: { ...block, thinking: "", signature: "" } }),
      );
      events.push(delta({ type: "thinking_delta", thinking }), delta({ type: "signature_delta", signature }));
    } else if (block.type === "tool_use") {
      events.push(event("content_block_start", { index, content_block: { ...block, input: {} } }));
      for (const partial_json of argumentPieces(JSON.stringify(block.input))) {
        events.push(delta({ type: "input_json_delta", partial_json }));
      }
    } else {
      events.push(event("content_block_start", { index, content_block: { type: "text", text: "" } }));
      for (const text of a.tokens) events.push(delta({ type: "text_delta", text }));
    }
    if (index === 0) events.splice(2, 0, event("ping")); // Anthropic pings after the first block starts
    events.push(event("content_block_stop", { index }));
  });
  events.push(
    event("message_delta", {
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: { output_tokens, output_tokens_details },
    }),
    event("message_stop"),
  );
  const failure =
    scriptedError(headers, body) === "stream" ? event("error", anthropicErrorBody(529)) : undefined;
  return sendStream(res, events, delay, failure);
}
