// Instruments an `@anthropic-ai/sdk` client (0.x, 1.x; duck-typed, no import of the package) the way
// wrapOpenAI instruments openai, by observing, never replacing: a call returns the library's own APIPromise,
// a stream stays the library's `Stream`, and errors are the very objects the library threw. README.md
// beside this file lists what is recorded; llm/stainless.ts what of the client's internals this relies on.
import {
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_LUMIQTRACE_REQUEST_TOOLS_COUNT,
  ATTR_LUMIQTRACE_STREAM,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from "@lumiqtrace/protocol";
import { type LlmCall, startLlmCall } from "../llm/call.js";
import type { IteratorWatch } from "../llm/iterator.js";
import { arr, type Obj, obj } from "../llm/read.js";
import {
  type ClientKind,
  isStream,
  type Server,
  watchCall,
  watchStream,
  wrapClient,
} from "../llm/stainless.js";
import { addEvent, addMessage, messageResult, newMessageAnswer } from "./message.js";

type Operation = "chat";

const WRAPPED = Symbol.for("@lumiqtrace/sdk.anthropic");

/**
 * The calls that are recorded, by their path on the client. `messages.parse`, `messages.stream()` and the
 * beta helpers (`stream()`, `toolRunner()`) reach them; `countTokens` and `batches` are not model calls.
 */
const OPERATIONS = new Map<string, Operation>([
  ["messages.create", "chat"],
  ["beta.messages.create", "chat"],
]);

/** Wraps an Anthropic client: same type, same behaviour; each Messages API call becomes an `llm` span. */
export function wrapAnthropic<T>(client: T): T {
  return wrapClient(client, KIND);
}

const KIND: ClientKind<Operation> = {
  name: "wrapAnthropic",
  wrap: wrapAnthropic,
  expected: "an Anthropic client (new Anthropic())",
  lacks: "messages",
  isClient: (real) => !!obj(real.messages),
  marker: WRAPPED,
  operations: OPERATIONS,
  traced,
};

function requestAttributes(body: Obj, server: Server): Record<string, unknown> {
  return {
    [ATTR_SERVER_ADDRESS]: server.address,
    [ATTR_SERVER_PORT]: server.port,
    [ATTR_LUMIQTRACE_STREAM]: body.stream === true || undefined,
    [ATTR_LUMIQTRACE_REQUEST_TOOLS_COUNT]: arr(body.tools).length || undefined,
    [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: body.max_tokens,
    [ATTR_GEN_AI_REQUEST_TEMPERATURE]: body.temperature,
    [ATTR_GEN_AI_REQUEST_TOP_P]: body.top_p,
    [ATTR_GEN_AI_REQUEST_TOP_K]: body.top_k,
    [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES]: body.stop_sequences,
  };
}

function traced(operation: string, create: Function, resource: Obj, server: Server) {
  return function tracedCreate(this: unknown, body: unknown, options?: unknown) {
    const b = obj(body);
    if (!b) return create.call(resource, body, options);
    const call = startLlmCall({
      provider: "anthropic",
      operation,
      model: b.model,
      attributes: requestAttributes(b, server),
      input: () => b.messages,
    });
    if (!call.recording) return create.call(resource, body, options);
    // Anthropic takes the system prompt apart from the messages: recorded as text blocks, however given
    if (call.captureContent && b.system !== undefined) {
      const system = typeof b.system === "string" ? [{ type: "text", text: b.system }] : b.system;
      call.span.setAttribute(ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, system);
    }
    let promise: unknown;
    try {
      promise = create.call(resource, body, options);
    } catch (error) {
      call.fail(error);
      throw error;
    }
    return watchCall(promise, {
      data(data) {
        if (isStream(data)) watchStream(data, streamWatch(call));
        else {
          const answer = newMessageAnswer();
          addMessage(answer, data, call.captureContent);
          call.end(messageResult(answer));
        }
      },
      failed: (error) => call.fail(error, obj(obj(options)?.signal)?.aborted === true),
      rawResponse(status) {
        call.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        call.end({});
      },
    });
  };
}

function streamWatch(call: LlmCall): IteratorWatch<unknown> {
  const answer = newMessageAnswer();
  return {
    see(event) {
      if (addEvent(answer, event, call.captureContent)) call.firstToken();
      return true;
    },
    end: (status) => call.end(messageResult(answer), status),
    fail: (error) => call.fail(error),
  };
}
