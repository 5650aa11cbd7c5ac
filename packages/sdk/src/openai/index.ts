import { getClient } from "../global.js";
import { type Span, startSpan } from "../span.js";

// Instruments an `openai` client (v6, v7; duck-typed, no import of `openai`) by observing, never replacing:
// a call returns the library's own APIPromise (`_thenUnwrap` keeps `.withResponse()`), a stream stays the
// library's `Stream` (only its `iterator` is observed, so `for await`, `.tee()` and `.toReadableStream()`
// all pass through), and errors are the very objects the library threw. See README.md beside this file.

type Obj = Record<PropertyKey, any>;
type Call = { id?: string; name?: string; arguments: string; choice: number; index?: number };

const WRAPPED = Symbol.for("@lumiqtrace/sdk.openai");

/** The calls that are recorded, by their path on the client. Helpers (`parse`, `stream`, `runTools`) reach them. */
const OPERATIONS: Record<string, string> = {
  "chat.completions.create": "chat",
  "responses.create": "responses",
  "embeddings.create": "embeddings",
};

/** Request parameters recorded as `gen_ai.request.<name>` under their own name. */
const REQUEST_PARAMS = ["temperature", "top_p", "frequency_penalty", "presence_penalty", "seed"];

/** Wraps an OpenAI client: same type, same behaviour; each chat, Responses and embeddings call becomes an `llm` span. */
export function wrapOpenAI<T>(client: T): T {
  const real = client as Obj;
  if (!real || typeof real !== "object" || real[WRAPPED]) return client;
  let server: Obj = {};
  try {
    const url = new URL(real.baseURL);
    server = { "server.address": url.hostname, "server.port": Number(url.port) || undefined };
  } catch {}
  const top = proxy(real, real, "", server);
  return top as T;
}

/** A view of the client or one of its resources (`chat`, `chat.completions`, ...), methods bound to the real object. */
function proxy(target: Obj, real: Obj, path: string, server: Obj, top?: Obj): Obj {
  const cache = new Map<string, [unknown, unknown]>();
  let shadow: Obj | undefined;
  const view: Obj = new Proxy(target, {
    get(t, key) {
      if (key === WRAPPED) return true;
      const value = Reflect.get(t, key, t);
      if (typeof key !== "string" || !value || (typeof value !== "function" && typeof value !== "object")) {
        return value;
      }
      const hit = cache.get(key);
      if (hit && hit[0] === value) return hit[1];
      const name = path + key;
      let out: unknown = value;
      if (typeof value === "function") {
        const op = OPERATIONS[name];
        if (op) out = traced(op, value, t, server);
        else if (!top)
          out = key === "withOptions" ? (...a: unknown[]) => wrapOpenAI(value.apply(t, a)) : value.bind(t);
        // Helpers call `this._client.chat.completions.create`: give them the wrapped client, so that call is the one recorded.
        else out = value.bind((shadow ??= Object.create(t, { _client: { value: top } })));
      } else if ((value as Obj)._client === real) {
        out = proxy(value, real, `${name}.`, server, top ?? view);
      }
      cache.set(key, [value, out]);
      return out;
    },
  });
  return view;
}

function traced(op: string, create: Function, resource: Obj, server: Obj) {
  return function tracedCreate(this: unknown, body: Obj, options?: unknown) {
    const model = body?.model;
    const span = startSpan({ name: model ? `${op} ${model}` : op, kind: "llm" });
    if (!span.sampled || !body || typeof body !== "object") return create.call(resource, body, options);

    const capture = getClient().options.captureContent;
    const started = performance.now();
    const tools = body.tools?.length;
    span.setAttributes(server); // a spread into the literal below costs more than the whole rest of it
    span.setAttributes({
      "gen_ai.provider.name": "openai",
      "gen_ai.operation.name": op,
      "gen_ai.request.model": model,
      "lumiqtrace.stream": body.stream === true || undefined,
      "lumiqtrace.request.tools_count": tools || undefined,
      "gen_ai.request.max_tokens": body.max_tokens ?? body.max_completion_tokens ?? body.max_output_tokens,
      "gen_ai.request.choice.count": body.n,
    });
    for (const param of REQUEST_PARAMS) span.setAttribute(`gen_ai.request.${param}`, body[param]);
    if (capture && op !== "embeddings") span.setAttribute("gen_ai.input.messages", inputMessages(op, body));

    // Exact token counts for streams: ask for the usage chunk, and hide it (and its `usage: null` fields) later.
    const addUsage = op === "chat" && body.stream === true && body.stream_options?.include_usage !== true;
    if (addUsage) {
      body = { ...body, stream_options: { ...body.stream_options, include_usage: true } };
      span.setAttribute("lumiqtrace.stream_usage_added", true);
    }

    let promise: Obj;
    try {
      promise = create.call(resource, body, options);
    } catch (error) {
      fail(span, error);
      throw error;
    }
    const onData = (data: Obj) => {
      if (data && typeof data.iterator === "function" && data.controller) {
        observeStream(data, span, op, addUsage, capture, started);
      } else {
        finish(span, op === "chat" ? chatAnswer(data, capture) : responseResult(op, data), capture);
      }
      return data;
    };
    if (typeof promise?._thenUnwrap !== "function" || !promise.responsePromise) {
      promise?.then?.(onData, (error: unknown) => fail(span, error));
      return promise;
    }
    // Still the library's own APIPromise, derived lazily: the body is read only when the caller asks for data.
    const result = promise._thenUnwrap(onData);
    let raw = false;
    let used = false;
    const asResponse = result.asResponse;
    const thenUnwrap = result._thenUnwrap;
    result.asResponse = function (this: unknown) {
      raw = used = true;
      return asResponse.call(this);
    };
    result._thenUnwrap = function (this: unknown, ...args: unknown[]) {
      used = true; // a helper (`parse`) takes the data through our `onData`
      return thenUnwrap.apply(this, args);
    };
    promise.responsePromise.then(
      (props: Obj) => {
        // `.asResponse()` alone: the caller reads the body; record the call now, without its data.
        if (raw && !result.parsedPromise) {
          span.setAttribute("http.response.status_code", props?.response?.status);
          span.end();
        }
      },
      (error: unknown) => {
        fail(span, error, (options as Obj)?.signal?.aborted);
        // Nobody holds the call: reject unhandled, as the unwrapped call would (same error object).
        if (!used && !result.parsedPromise) Promise.reject(error);
      },
    );
    return result;
  };
}

/** Records a failure; an abort (the caller's `signal`, `APIUserAbortError`) is a cancellation, not an error. */
function fail(span: Span, error: unknown, aborted?: boolean): void {
  const e = error as Obj;
  if (aborted || e?.name === "AbortError" || e?.constructor?.name === "APIUserAbortError")
    span.setStatus("cancelled");
  else span.recordError(error).setAttribute("error.type", e?.code ?? e?.type ?? e?.constructor?.name);
  span.end();
}

/** Observes the library's Stream in place: its `iterator` feeds `for await`, `.tee()` and `.toReadableStream()`. */
function observeStream(
  stream: Obj,
  span: Span,
  op: string,
  addUsage: boolean,
  capture: boolean,
  started: number,
) {
  const source = stream.iterator;
  const result = newResult();
  const end = (status: "ok" | "cancelled") => {
    if (span.ended) return;
    if (status === "cancelled") span.setStatus("cancelled");
    finish(span, op === "chat" ? result : responseResult(op, result.final ?? {}), capture);
  };
  const firstToken = () => {
    if (result.ttft === undefined)
      span.setAttribute("lumiqtrace.ttft_ms", (result.ttft = performance.now() - started));
  };
  // Returns false for the usage chunk we asked for on the caller's behalf.
  const seeChat = (chunk: Obj): boolean => {
    if (addUsage && chunk.usage === null) delete chunk.usage;
    if (addChat(result, chunk, capture)) firstToken();
    return !(addUsage && chunk.usage && !chunk.choices?.length);
  };
  const seeEvent = (event: Obj): boolean => {
    const type = event?.type;
    if (type === "response.output_text.delta" || type === "response.function_call_arguments.delta")
      firstToken();
    else if (type === "response.created" || type === "response.completed") result.final = event.response;
    else if (type === "response.incomplete" || type === "response.failed") result.final = event.response;
    return true;
  };
  const see = op === "chat" ? seeChat : seeEvent;

  stream.iterator = function observedIterator(this: unknown, ...args: unknown[]) {
    const it = source.apply(this, args);
    const settle = (r: IteratorResult<Obj>): IteratorResult<Obj> | Promise<IteratorResult<Obj>> => {
      if (r.done) end(stream.controller.signal?.aborted ? "cancelled" : "ok");
      else if (!see(r.value)) return observed.next();
      return r;
    };
    const failed = (error: unknown) => {
      fail(span, error);
      throw error;
    };
    const observed = {
      next(): Promise<IteratorResult<Obj>> {
        return it.next().then(settle, failed);
      },
      return(value?: unknown) {
        end("cancelled");
        return it.return ? it.return(value) : Promise.resolve({ done: true, value });
      },
      throw(error?: unknown) {
        return it.throw ? it.throw(error) : Promise.reject(error);
      },
      [Symbol.asyncIterator]() {
        return observed;
      },
    };
    return observed;
  };
}

const chatAnswer = (r: Obj, capture: boolean): Obj => {
  const result = newResult();
  addChat(result, r, capture);
  return result;
};

const newResult = (): Obj => ({ calls: [] as Call[], texts: [] as string[], finish: [] as string[] });

/** Adds a chat completion, or one streamed chunk of one, to `result`; true when it carried output. */
function addChat(result: Obj, r: Obj, capture: boolean): boolean {
  result.id ??= r?.id;
  result.model ??= r?.model;
  result.system_fingerprint ??= r?.system_fingerprint;
  if (r?.usage) result.usage = r.usage;
  let output = false;
  for (const choice of r?.choices ?? []) {
    const i = choice.index ?? 0;
    const m = choice.delta ?? choice.message ?? {};
    const text = m.content ?? m.refusal;
    if (text || m.tool_calls) output = true;
    if (capture && text) result.texts[i] = (result.texts[i] ?? "") + text;
    (m.tool_calls ?? []).forEach((d: Obj, j: number) => {
      const index = d.index ?? j; // deltas name their call; a whole message lists them in order
      let call = result.calls.find((c: Call) => c.choice === i && c.index === index);
      if (!call) result.calls.push((call = { choice: i, index, arguments: "" }));
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name = d.function.name;
      if (d.function?.arguments) call.arguments += d.function.arguments;
    });
    if (choice.finish_reason) result.finish[i] = choice.finish_reason;
  }
  return output;
}

/** A Responses API `response`, or an embeddings list, in the shape `finish` records. */
function responseResult(op: string, r: Obj): Obj {
  const result = newResult();
  result.id = r?.id;
  result.model = r?.model;
  result.usage = r?.usage;
  if (op === "embeddings") {
    result.dimensions = r?.data?.[0]?.embedding?.length;
    return result;
  }
  let text = "";
  for (const item of r?.output ?? []) {
    if (item.type === "function_call") {
      result.calls.push({ choice: 0, id: item.call_id, name: item.name, arguments: item.arguments });
    }
    for (const part of item.type === "message" ? item.content : []) text += part.text ?? part.refusal ?? "";
  }
  const status = r?.status;
  if (status === "completed") result.finish[0] = result.calls.length ? "tool_calls" : "stop";
  else if (status) result.finish[0] = r.incomplete_details?.reason ?? status;
  if (status === "failed") result.failed = r.error ?? {};
  result.texts[0] = text;
  return result;
}

function finish(span: Span, r: Obj, capture: boolean): void {
  if (span.ended) return;
  const u = r.usage ?? {};
  const calls: Call[] = r.calls ?? [];
  span.setAttributes({
    "gen_ai.response.id": r.id,
    "gen_ai.response.model": r.model,
    "gen_ai.response.finish_reasons": r.finish?.filter(Boolean),
    "gen_ai.usage.input_tokens": u.prompt_tokens ?? u.input_tokens,
    "gen_ai.usage.output_tokens": u.completion_tokens ?? u.output_tokens,
    "gen_ai.usage.cache_read.input_tokens": (u.prompt_tokens_details ?? u.input_tokens_details)
      ?.cached_tokens,
    "gen_ai.usage.reasoning.output_tokens": (u.completion_tokens_details ?? u.output_tokens_details)
      ?.reasoning_tokens,
    "gen_ai.embeddings.dimension.count": r.dimensions,
    "openai.response.system_fingerprint": r.system_fingerprint,
    "lumiqtrace.tool_calls": calls.length ? calls.map((c) => c.name ?? "") : undefined,
  });
  if (capture && (r.finish.length || r.texts.length)) {
    const messages = (r.finish.length ? r.finish : r.texts).map((_: unknown, i: number) => {
      const mine = calls
        .filter((c) => c.choice === i)
        .map(({ id, name, arguments: a }) => ({ id, name, arguments: a }));
      return {
        role: "assistant",
        content: r.texts[i] ?? null,
        tool_calls: mine.length ? mine : undefined,
        finish_reason: r.finish[i],
      };
    });
    span.setAttribute("gen_ai.output.messages", messages);
  }
  const failed = r.failed;
  if (failed)
    span.recordError({ name: failed.code ?? "ResponseFailed", message: failed.message ?? "response failed" });
  span.end();
}

function inputMessages(op: string, body: Obj): unknown {
  if (op === "chat") return body.messages;
  const input = typeof body.input === "string" ? [{ role: "user", content: body.input }] : (body.input ?? []);
  return body.instructions ? [{ role: "system", content: body.instructions }, ...input] : input;
}
