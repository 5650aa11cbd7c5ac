// Instruments an `openai` client (v6, v7; duck-typed, no import of `openai`) by observing, never replacing:
// a call returns the library's own APIPromise, a stream stays the library's `Stream`, and errors are the
// very objects the library threw. README.md beside this file lists what is recorded; llm/stainless.ts what
// of openai-node's internals this relies on.
import {
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_LUMIQTRACE_REQUEST_TOOLS_COUNT,
  ATTR_LUMIQTRACE_STREAM,
  ATTR_LUMIQTRACE_STREAM_USAGE_ADDED,
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
import { addChat, chatResult, newChatAnswer } from "./chat.js";
import { embeddingsResult, responseEvents, responseResult } from "./responses.js";

type Operation = "chat" | "responses" | "embeddings";

const WRAPPED = Symbol.for("@lumiqtrace/sdk.openai");

/** The calls that are recorded, by their path on the client. Helpers (`parse`, `stream`, `runTools`) reach them. */
const OPERATIONS = new Map<string, Operation>([
  ["chat.completions.create", "chat"],
  ["responses.create", "responses"],
  ["embeddings.create", "embeddings"],
]);

/** Wraps an OpenAI client: same type, same behaviour; each chat, Responses and embeddings call becomes an `llm` span. */
export function wrapOpenAI<T>(client: T): T {
  return wrapClient(client, KIND);
}

const KIND: ClientKind<Operation> = {
  name: "wrapOpenAI",
  wrap: wrapOpenAI,
  expected: "an OpenAI client (new OpenAI())",
  lacks: "chat or baseURL",
  isClient: (real) => !!obj(real.chat) || typeof real.baseURL === "string",
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
    [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: body.max_tokens ?? body.max_completion_tokens ?? body.max_output_tokens,
    [ATTR_GEN_AI_REQUEST_CHOICE_COUNT]: body.n,
    [ATTR_GEN_AI_REQUEST_TEMPERATURE]: body.temperature,
    [ATTR_GEN_AI_REQUEST_TOP_P]: body.top_p,
    [ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY]: body.frequency_penalty,
    [ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY]: body.presence_penalty,
    [ATTR_GEN_AI_REQUEST_SEED]: body.seed,
  };
}

function inputMessages(op: Operation, body: Obj): unknown {
  if (op === "chat") return body.messages;
  const input = typeof body.input === "string" ? [{ role: "user", content: body.input }] : arr(body.input);
  return body.instructions ? [{ role: "system", content: body.instructions }, ...input] : input;
}

function traced(op: Operation, create: Function, resource: Obj, server: Server) {
  return function tracedCreate(this: unknown, body: unknown, options?: unknown) {
    const b = obj(body);
    if (!b) return create.call(resource, body, options);
    const call = startLlmCall({
      provider: "openai",
      operation: op,
      model: b.model,
      attributes: requestAttributes(b, server),
      input: op === "embeddings" ? undefined : () => inputMessages(op, b),
    });
    if (!call.recording) return create.call(resource, body, options);

    // Exact token counts for streams: ask for the usage chunk, and hide it (and its `usage: null` fields) later.
    const addUsage = op === "chat" && b.stream === true && obj(b.stream_options)?.include_usage !== true;
    if (addUsage) {
      body = { ...b, stream_options: { ...obj(b.stream_options), include_usage: true } };
      call.span.setAttribute(ATTR_LUMIQTRACE_STREAM_USAGE_ADDED, true);
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
        if (isStream(data)) watchStream(data, streamWatch(op, call, addUsage));
        else if (op === "chat") {
          const answer = newChatAnswer();
          addChat(answer, data, call.captureContent);
          call.end(chatResult(answer));
        } else call.end(op === "embeddings" ? embeddingsResult(data) : responseResult(data));
      },
      failed: (error) => call.fail(error, obj(obj(options)?.signal)?.aborted === true),
      rawResponse(status) {
        call.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        call.end({});
      },
    });
  };
}

function streamWatch(op: Operation, call: LlmCall, addUsage: boolean): IteratorWatch<unknown> {
  const fail = (error: unknown) => call.fail(error);
  if (op !== "chat") {
    const events = responseEvents();
    return {
      see(event) {
        if (events.see(event)) call.firstToken();
        return true;
      },
      end: (status) => call.end(events.result(), status),
      fail,
    };
  }
  const answer = newChatAnswer();
  return {
    // false for the usage chunk we asked for on the caller's behalf
    see(item) {
      const chunk = obj(item);
      if (addUsage && chunk?.usage === null) delete chunk.usage;
      if (addChat(answer, item, call.captureContent)) call.firstToken();
      return !(addUsage && obj(chunk?.usage) && arr(chunk?.choices).length === 0);
    },
    end: (status) => call.end(chatResult(answer), status),
    fail,
  };
}
