// A model as the AI SDK calls it, observed: each `doGenerate`, `doStream` and `doEmbed` (one model
// call: a step of a tool loop, a retry) becomes one `llm` span. The model is a Proxy whose other
// members are the real model's; what a call returns and throws is the real model's, and a stream keeps
// every part. The answers are read in the shapes of the LanguageModel specification v2 (AI SDK 5), v3 (6)
// and v4 (7), told apart by their shape, never trusted (llm/read.ts).
import {
  ATTR_AI_MODEL_PROVIDER,
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_LUMIQTRACE_REQUEST_TOOLS_COUNT,
  ATTR_LUMIQTRACE_STREAM,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from "@lumiqtrace/protocol";
import { type LlmCall, type LlmResult, type LlmUsage, startLlmCall } from "../llm/call.js";
import { arr, num, type Obj, obj, str } from "../llm/read.js";
import { isReadableStream, watchReadable } from "../llm/readable.js";
import { providerName } from "./provider.js";
import type { Scope } from "./scope.js";

type Kind = "language" | "embedding";

/** `model` observed through `scope`, or `model` itself when it is not a model object. */
export function observeModel(model: unknown, kind: Kind, scope: Scope): unknown {
  const real = obj(model);
  const methods = kind === "language" ? ["doGenerate", "doStream"] : ["doEmbed"];
  if (!real || !methods.some((m) => typeof real[m] === "function")) return model;
  let generate: unknown;
  let stream: unknown;
  let embed: unknown;
  return new Proxy(real, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (key === "doGenerate" && kind === "language") return (generate ??= traceGenerate(target, scope));
      if (key === "doStream" && kind === "language") return (stream ??= traceStream(target, scope));
      if (key === "doEmbed" && kind === "embedding") return (embed ??= traceEmbed(target, scope));
      return value.bind(target);
    },
  });
}

/** The call options read into `gen_ai.request.*` attributes (the same names in specifications v2, v3, v4). */
const REQUEST_PARAMETERS: [string, string][] = [
  [ATTR_GEN_AI_REQUEST_MAX_TOKENS, "maxOutputTokens"],
  [ATTR_GEN_AI_REQUEST_TEMPERATURE, "temperature"],
  [ATTR_GEN_AI_REQUEST_TOP_P, "topP"],
  [ATTR_GEN_AI_REQUEST_TOP_K, "topK"],
  [ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, "frequencyPenalty"],
  [ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, "presencePenalty"],
  [ATTR_GEN_AI_REQUEST_SEED, "seed"],
  [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, "stopSequences"],
];

function startCall(model: Obj, options: Obj | undefined, scope: Scope, operation: string, streamed = false) {
  const o = options ?? {};
  // only what is there: most calls set few parameters, and a span is cheaper for every key left out
  const attributes: Record<string, unknown> = { [ATTR_AI_MODEL_PROVIDER]: model.provider };
  if (streamed) attributes[ATTR_LUMIQTRACE_STREAM] = true;
  const tools = arr(o.tools).length;
  if (tools) attributes[ATTR_LUMIQTRACE_REQUEST_TOOLS_COUNT] = tools;
  for (const [name, key] of REQUEST_PARAMETERS) if (o[key] !== undefined) attributes[name] = o[key];
  for (const key in scope.attributes) attributes[key] = scope.attributes[key];
  return scope.run(() =>
    startLlmCall({
      provider: providerName(model.provider),
      operation,
      model: model.modelId,
      attributes,
      input: scope.recordInputs && operation === "chat" ? () => o.prompt : undefined,
    }),
  );
}

const aborted = (options: unknown) => obj(obj(options)?.abortSignal)?.aborted === true;

function traceGenerate(model: Obj, scope: Scope) {
  const doGenerate = model.doGenerate as (options: unknown) => PromiseLike<unknown>;
  return async (options: unknown): Promise<unknown> => {
    const call = startCall(model, obj(options), scope, "chat");
    if (!call.recording) return doGenerate.call(model, options);
    let result: unknown;
    try {
      result = await doGenerate.call(model, options);
    } catch (error) {
      failCall(call, scope, error, aborted(options));
      throw error;
    }
    const answer = newAnswer();
    const r = obj(result);
    for (const part of arr(r?.content)) addPart(answer, part, scope.recordOutputs);
    answer.finish ??= finishReason(r?.finishReason);
    answer.usage ??= usageOf(r?.usage);
    addResponse(answer, obj(r?.response));
    call.end(resultOf(answer, r, scope));
    return result;
  };
}

function traceStream(model: Obj, scope: Scope) {
  const doStream = model.doStream as (options: unknown) => PromiseLike<unknown>;
  return async (options: unknown): Promise<unknown> => {
    const call = startCall(model, obj(options), scope, "chat", true);
    if (!call.recording) return doStream.call(model, options);
    let result: unknown;
    try {
      result = await doStream.call(model, options);
    } catch (error) {
      failCall(call, scope, error, aborted(options));
      throw error;
    }
    const r = obj(result);
    if (!r || !isReadableStream(r.stream)) {
      call.end({});
      return result;
    }
    const answer = newAnswer();
    const end = (status: "ok" | "cancelled") => {
      closed();
      if (answer.error !== undefined && status === "ok") failCall(call, scope, answer.error);
      else call.end(resultOf(answer, r, scope), status);
    };
    const closed = scope.opened(() => end("cancelled"));
    const stream = watchReadable(r.stream, {
      see(part) {
        if (addPart(answer, part, scope.recordOutputs)) call.firstToken();
        return true;
      },
      end,
      fail(error) {
        closed();
        failCall(call, scope, error, aborted(options));
      },
    });
    return { ...r, stream };
  };
}

function traceEmbed(model: Obj, scope: Scope) {
  const doEmbed = model.doEmbed as (options: unknown) => PromiseLike<unknown>;
  return async (options: unknown): Promise<unknown> => {
    const call = startCall(model, undefined, scope, "embeddings");
    if (!call.recording) return doEmbed.call(model, options);
    let result: unknown;
    try {
      result = await doEmbed.call(model, options);
    } catch (error) {
      failCall(call, scope, error, aborted(options));
      throw error;
    }
    const r = obj(result);
    call.end({
      usage: { input: num(obj(r?.usage)?.tokens) },
      attributes: {
        [ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT]: arr(arr(r?.embeddings)[0]).length || undefined,
      },
    });
    return result;
  };
}

function failCall(call: LlmCall, scope: Scope, error: unknown, wasAborted?: boolean) {
  if (!wasAborted) scope.failed(error);
  call.fail(error, wasAborted);
}

/** What one model call answered, from its whole result or its stream parts. */
interface Answer {
  id?: string;
  model?: string;
  finish?: string;
  usage?: LlmUsage;
  tools: { id?: string; name: string; arguments?: unknown }[];
  /** Text, kept only when outputs are recorded. */
  text: string;
  /** An `error` stream part: the call failed, though the stream ends normally. */
  error?: unknown;
}

const newAnswer = (): Answer => ({ tools: [], text: "" });

/** Adds one content part (generate) or stream part to `answer`; true when it carried output. */
function addPart(answer: Answer, item: unknown, keepText: boolean): boolean {
  const part = obj(item);
  switch (part?.type) {
    case "text-delta": {
      const delta = str(part.delta) ?? str(part.textDelta) ?? "";
      if (keepText) answer.text += delta;
      return delta.length > 0;
    }
    case "text":
      if (keepText) answer.text += str(part.text) ?? "";
      return true;
    case "reasoning-delta":
    case "tool-input-start":
    case "tool-input-delta":
    case "file":
      return true;
    case "tool-call":
      answer.tools.push({ id: str(part.toolCallId), name: str(part.toolName) ?? "", arguments: part.input });
      return true;
    case "response-metadata":
      addResponse(answer, part);
      return false;
    case "finish":
      answer.finish = finishReason(part.finishReason);
      answer.usage = usageOf(part.usage);
      return false;
    case "error":
      answer.error = part.error;
      return false;
    default:
      return false;
  }
}

function addResponse(answer: Answer, response: Obj | undefined) {
  answer.id ??= str(response?.id);
  answer.model ??= str(response?.modelId);
}

/** v2 gives a string, v3 and v4 `{ unified, raw }`; written with `_` as OpenAI does (`tool_calls`). */
function finishReason(value: unknown): string | undefined {
  return (str(value) ?? str(obj(value)?.unified))?.replace(/-/g, "_");
}

/** v2: flat counts; v3 and v4: `inputTokens: { total, cacheRead, cacheWrite }`, `outputTokens: { total, reasoning }`. */
function usageOf(value: unknown): LlmUsage | undefined {
  const u = obj(value);
  if (!u) return undefined;
  const input = obj(u.inputTokens);
  const output = obj(u.outputTokens);
  if (input || output) {
    return {
      input: num(input?.total),
      output: num(output?.total),
      cacheRead: num(input?.cacheRead),
      cacheWrite: num(input?.cacheWrite),
      reasoning: num(output?.reasoning),
    };
  }
  return {
    input: num(u.inputTokens),
    output: num(u.outputTokens),
    cacheRead: num(u.cachedInputTokens),
    reasoning: num(u.reasoningTokens),
  };
}

/** v4 results say the URL called (`request.url`): the server's address and port. */
function serverOf(result: Obj | undefined): Record<string, unknown> | undefined {
  const url = str(obj(result?.request)?.url);
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return { [ATTR_SERVER_ADDRESS]: u.hostname, [ATTR_SERVER_PORT]: Number(u.port) || undefined };
  } catch {
    return undefined;
  }
}

function resultOf(answer: Answer, result: Obj | undefined, scope: Scope): LlmResult {
  return {
    id: answer.id,
    model: answer.model,
    finishReasons: answer.finish ? [answer.finish] : undefined,
    usage: answer.usage,
    toolCalls: answer.tools.map((t) => t.name),
    attributes: serverOf(result),
    output: scope.recordOutputs
      ? () => [
          {
            role: "assistant",
            content: answer.text || null,
            tool_calls: answer.tools.length ? answer.tools : undefined,
            finish_reason: answer.finish,
          },
        ]
      : undefined,
  };
}
