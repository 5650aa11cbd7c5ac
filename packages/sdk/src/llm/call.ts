// One LLM call recorded as an `llm` span, the same way for every client we wrap (openai, Anthropic, the
// AI SDK): GenAI attribute names, time to first token, usage, finish reasons, tool names, content only
// when `captureContent` is on, and errors recorded without ever changing what the caller gets.
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_LUMIQTRACE_TOOL_CALLS,
  ATTR_LUMIQTRACE_TTFT_MS,
} from "@lumiqtrace/protocol";
import { getClient } from "../global.js";
import { type Span, startSpan } from "../span.js";
import { obj, str } from "./read.js";

export interface LlmRequest {
  /** `gen_ai.provider.name`: `openai`, `anthropic`, ... */
  provider: string;
  /** `gen_ai.operation.name`: `chat`, `embeddings`, ... */
  operation: string;
  /** The requested model, as the caller passed it (recorded only when it is a string). */
  model: unknown;
  /** More attributes of the request: `gen_ai.request.*` parameters, `server.address`, ... */
  attributes?: Record<string, unknown>;
  /** The prompt, recorded as `gen_ai.input.messages` only with `captureContent`. */
  input?: () => unknown;
}

export interface LlmUsage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export interface LlmResult {
  id?: unknown;
  model?: unknown;
  finishReasons?: string[];
  usage?: LlmUsage;
  /** Names of the tools the model called. */
  toolCalls?: string[];
  /** The completion, recorded as `gen_ai.output.messages` only with `captureContent`. */
  output?: () => unknown;
  /** More attributes of the answer (provider-specific ones). */
  attributes?: Record<string, unknown>;
  /** A failure the answer itself reports (a Responses API `failed` status). */
  error?: { name: string; message: string };
}

export interface LlmCall {
  readonly span: Span;
  /** False when the trace is sampled out: nothing more needs to be read. */
  readonly recording: boolean;
  /** Whether prompts and completions are recorded. */
  readonly captureContent: boolean;
  /** The first token arrived (a streamed call): records the time to it, once. */
  firstToken(): void;
  /** Records the answer and ends the span (`cancelled`: the caller stopped reading early). Once. */
  end(result: LlmResult, status?: "ok" | "cancelled"): void;
  /** Records a failure (an abort is a cancellation, not an error) and ends the span. Once. */
  fail(error: unknown, aborted?: boolean): void;
}

export function startLlmCall(request: LlmRequest): LlmCall {
  const model = str(request.model);
  const span = startSpan({
    name: model ? `${request.operation} ${model}` : request.operation,
    kind: "llm",
  });
  const recording = span.sampled;
  const captureContent = recording && getClient().options.captureContent;
  const started = performance.now();
  let sawFirstToken = false;
  if (recording) {
    span.setAttributes({
      [ATTR_GEN_AI_PROVIDER_NAME]: request.provider,
      [ATTR_GEN_AI_OPERATION_NAME]: request.operation,
      [ATTR_GEN_AI_REQUEST_MODEL]: model,
    });
    if (request.attributes) span.setAttributes(request.attributes);
    if (captureContent && request.input) span.setAttribute(ATTR_GEN_AI_INPUT_MESSAGES, request.input());
  }
  return {
    span,
    recording,
    captureContent,
    firstToken() {
      if (sawFirstToken) return;
      sawFirstToken = true;
      span.setAttribute(ATTR_LUMIQTRACE_TTFT_MS, performance.now() - started);
    },
    end(result, status = "ok") {
      if (span.ended) return;
      const u = result.usage;
      span.setAttributes({
        [ATTR_GEN_AI_RESPONSE_ID]: result.id,
        [ATTR_GEN_AI_RESPONSE_MODEL]: result.model,
        [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: result.finishReasons?.length
          ? result.finishReasons
          : undefined,
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: u?.input,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: u?.output,
        [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: u?.cacheRead,
        [ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS]: u?.cacheWrite,
        [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: u?.reasoning,
        [ATTR_LUMIQTRACE_TOOL_CALLS]: result.toolCalls?.length ? result.toolCalls : undefined,
      });
      if (result.attributes) span.setAttributes(result.attributes);
      if (captureContent && result.output) span.setAttribute(ATTR_GEN_AI_OUTPUT_MESSAGES, result.output());
      if (result.error) span.recordError(result.error);
      else if (status === "cancelled") span.setStatus("cancelled");
      span.end();
    },
    fail(error, aborted) {
      if (span.ended) return;
      if (aborted || isAbort(error)) span.setStatus("cancelled");
      else span.recordError(error).setAttribute(ATTR_ERROR_TYPE, errorType(error));
      span.end();
    },
  };
}

/** The caller's own abort: `AbortError`, or the clients' `APIUserAbortError`. */
function isAbort(error: unknown): boolean {
  return obj(error)?.name === "AbortError" || className(error) === "APIUserAbortError";
}

/**
 * `error.type`: the API's own error code or type where it gives one (on the error, or only in the body it
 * holds, `{ error: { type } }`, as older Anthropic clients have it), else the error's class.
 */
function errorType(error: unknown): unknown {
  const e = obj(error);
  return e?.code ?? e?.type ?? obj(obj(e?.error)?.error)?.type ?? className(error);
}

function className(value: unknown): string | undefined {
  try {
    return str((value as { constructor?: { name?: unknown } } | null)?.constructor?.name);
  } catch {
    return undefined;
  }
}
