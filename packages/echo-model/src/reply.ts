// What the echo model answers: derived from the request only, so every answer and token count is
// predictable. Nothing here is a language model.

import type { IncomingMessage } from "node:http";
import { headerInt } from "./http.js";

type Json = Record<string, any>;

/** Marks every answer as coming from this local stand-in, never from a real model. */
export const SYSTEM_FINGERPRINT = "fp_echo_local_stand_in";
export const MODEL_PREFIX = "echo-local/";

export function responseModel(requested: unknown): string {
  return MODEL_PREFIX + (typeof requested === "string" && requested ? requested : "echo");
}

/** One "token" is one whitespace-separated word, with the whitespace before it. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

export function countTokens(text: string): number {
  return tokenize(text).length;
}

/** The text of a chat message's or Responses input item's content: a string or an array of parts. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === "string") texts.push(part);
    else if (part && typeof part.text === "string") texts.push(part.text);
    else if (part && typeof part.refusal === "string") texts.push(part.refusal);
  }
  return texts.join(" ");
}

/** A value shaped like a JSON schema asks for, filled from the prompt (strings) and its word count (numbers). */
export function sampleFromSchema(
  schema: unknown,
  prompt: string,
  root: unknown = schema,
  depth = 0,
): unknown {
  if (!schema || typeof schema !== "object" || depth > 8) return prompt;
  const s = schema as Json;
  if (typeof s.$ref === "string") {
    const path = s.$ref.replace(/^#\/?/, "").split("/").filter(Boolean);
    let target: any = root;
    for (const key of path) target = target?.[key];
    return sampleFromSchema(target, prompt, root, depth + 1);
  }
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ("const" in s) return s.const;
  const variants = s.anyOf ?? s.oneOf ?? s.allOf;
  if (Array.isArray(variants) && variants.length > 0) {
    const pick = variants.find((v: Json) => v?.type !== "null") ?? variants[0];
    return sampleFromSchema(pick, prompt, root, depth + 1);
  }
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== "null") : s.type;
  switch (type) {
    case "object": {
      const out: Json = {};
      for (const [key, sub] of Object.entries((s.properties ?? {}) as Json)) {
        out[key] = sampleFromSchema(sub, prompt, root, depth + 1);
      }
      return out;
    }
    case "array":
      return [sampleFromSchema(s.items, prompt, root, depth + 1)];
    case "number":
    case "integer":
      return countTokens(prompt);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return prompt;
  }
}

export interface ToolCall {
  name: string;
  arguments: string;
}

interface ToolDef {
  name: string;
  parameters: unknown;
}

/** Function tools of a chat request (`{ type, function: { name, parameters } }`) or a Responses one (flat). */
export function functionTools(tools: unknown): ToolDef[] {
  if (!Array.isArray(tools)) return [];
  const out: ToolDef[] = [];
  for (const t of tools) {
    const fn = t?.function ?? t;
    if ((t?.type === "function" || t?.function) && typeof fn?.name === "string") {
      out.push({ name: fn.name, parameters: fn.parameters });
    }
  }
  return out;
}

/**
 * The tool calls to make: none when the last message is a tool result or `tool_choice` is "none";
 * the named tool for `tool_choice: { function: { name } }` (or Responses' `{ name }`); else every tool
 * whose name the prompt mentions (in order of mention; only the first with `parallel_tool_calls: false`);
 * else the first tool when `tool_choice` is "required".
 */
export function chooseToolCalls(body: Json, prompt: string, lastIsToolResult: boolean): ToolCall[] {
  const tools = functionTools(body.tools);
  if (tools.length === 0 || lastIsToolResult || body.tool_choice === "none") return [];
  const forced = body.tool_choice?.function?.name ?? body.tool_choice?.name;
  let chosen: ToolDef[];
  if (typeof forced === "string") {
    chosen = tools.filter((t) => t.name === forced).slice(0, 1);
  } else {
    chosen = tools
      .map((t) => ({ t, at: prompt.indexOf(t.name) }))
      .filter((x) => x.at >= 0)
      .sort((a, b) => a.at - b.at)
      .map((x) => x.t);
    if (chosen.length === 0 && body.tool_choice === "required") chosen = tools.slice(0, 1);
    if (body.parallel_tool_calls === false) chosen = chosen.slice(0, 1);
  }
  return chosen.map((t) => ({
    name: t.name,
    arguments: JSON.stringify(t.parameters ? sampleFromSchema(t.parameters, prompt) : { input: prompt }),
  }));
}

/** Tool-call arguments are streamed in pieces of this many characters; each piece counts as one token. */
export const ARGUMENT_PIECE = 8;

export function argumentPieces(args: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += ARGUMENT_PIECE) out.push(args.slice(i, i + ARGUMENT_PIECE));
  return out;
}

/** The text answer: JSON for structured output, else `Echo: <prompt>`. */
export function replyText(prompt: string, format: Json | undefined): string {
  if (format?.type === "json_schema") {
    const schema = format.json_schema?.schema ?? format.schema;
    return JSON.stringify(sampleFromSchema(schema, prompt));
  }
  if (format?.type === "json_object") return JSON.stringify({ echo: prompt });
  return `Echo: ${prompt}`;
}

/** Deterministic unit vector for a text: the same text always embeds to the same vector. */
export function embed(text: string, dimensions: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  const v: number[] = [];
  for (let i = 0; i < dimensions; i++) v.push(Math.sin(h + i * 1.618));
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.fround(x / norm));
}

export interface Conversation {
  prompt: string;
  lastIsToolResult: boolean;
  inputTokens: number;
}

export interface Answer {
  /** Streamed pieces of the text answer (empty when the answer is tool calls). */
  tokens: string[];
  text: string | null;
  toolCalls: ToolCall[];
  finishReason: "stop" | "length" | "tool_calls";
  outputTokens: number;
  inputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

/** The answer to a conversation: tool calls when the request offers tools and asks for one (see `chooseToolCalls`), else the echoed text, cut at `maxTokens`. */
export function answer(
  conv: Conversation,
  body: Json,
  headers: IncomingMessage["headers"],
  format: Json | undefined,
  maxTokens: unknown,
): Answer {
  const cachedTokens = Math.min(headerInt(headers, "x-echo-cached-tokens") ?? 0, conv.inputTokens);
  const reasoningTokens = headerInt(headers, "x-echo-reasoning-tokens") ?? 0;
  const toolCalls = chooseToolCalls(body, conv.prompt, conv.lastIsToolResult);
  if (toolCalls.length > 0) {
    const pieces = toolCalls.reduce((n, c) => n + argumentPieces(c.arguments).length, 0);
    return {
      tokens: [],
      text: null,
      toolCalls,
      finishReason: "tool_calls",
      outputTokens: pieces + reasoningTokens,
      inputTokens: conv.inputTokens,
      cachedTokens,
      reasoningTokens,
    };
  }
  let tokens = tokenize(replyText(conv.prompt, format));
  let finishReason: Answer["finishReason"] = "stop";
  if (typeof maxTokens === "number" && maxTokens >= 0 && tokens.length > maxTokens) {
    tokens = tokens.slice(0, maxTokens);
    finishReason = "length";
  }
  return {
    tokens,
    text: tokens.join(""),
    toolCalls: [],
    finishReason,
    outputTokens: tokens.length + reasoningTokens,
    inputTokens: conv.inputTokens,
    cachedTokens,
    reasoningTokens,
  };
}
