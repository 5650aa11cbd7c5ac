import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicCountTokens, anthropicErrorBody, anthropicMessages } from "./anthropic.js";
import { headerInt, json, nextId, readBody, scriptedError, sendStream } from "./http.js";
import {
  type Answer,
  answer,
  argumentPieces,
  type Conversation,
  countTokens,
  embed,
  responseModel,
  SYSTEM_FINGERPRINT,
  textOf,
} from "./reply.js";

type Json = Record<string, any>;

export interface EchoModelOptions {
  /** Port to listen on; `0` (the default) picks a free one. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Pause between two streamed chunks, ms. Default 5. A request can override it with `x-echo-chunk-delay-ms`. */
  chunkDelayMs?: number;
}

export interface RecordedRequest {
  method: string;
  /** e.g. `/v1/chat/completions` */
  path: string;
  /** Request headers, lower-case, without the keys (`authorization`, `x-api-key`). */
  headers: Record<string, string>;
  /** The parsed JSON body (`undefined` when there was none or it was not JSON). */
  body: unknown;
  /** The status answered. */
  status: number;
  /** True once the client closed the connection before the answer was complete (a cancelled stream). */
  aborted: boolean;
  /** True once the answer was sent completely. */
  completed: boolean;
}

export interface EchoModel {
  /** `http://127.0.0.1:PORT/v1`: pass it as the OpenAI client's `baseURL`. */
  url: string;
  /** `http://127.0.0.1:PORT`: pass it as the Anthropic client's `baseURL` (it adds `/v1/messages` itself). */
  anthropicUrl: string;
  port: number;
  /** Every request body (parsed JSON), in arrival order. Live array. */
  requests: unknown[];
  /** Every request with its path, headers, status and whether the client went away early. Live array. */
  log: RecordedRequest[];
  /** Stops the server, closing open connections. Idempotent. */
  close(): Promise<void>;
}

/** OpenAI's error bodies, by status, for the scripted failures. */
const ERRORS: Record<number, { type: string; code: string | null; message: string; param?: string }> = {
  400: {
    type: "invalid_request_error",
    code: "invalid_value",
    param: "messages",
    message: "Scripted 400 from the local echo model: the request is invalid.",
  },
  401: {
    type: "invalid_request_error",
    code: "invalid_api_key",
    message: "Scripted 401 from the local echo model: incorrect API key provided.",
  },
  403: { type: "invalid_request_error", code: null, message: "Scripted 403 from the local echo model." },
  404: {
    type: "invalid_request_error",
    code: "model_not_found",
    param: "model",
    message: "Scripted 404 from the local echo model: the model does not exist.",
  },
  429: {
    type: "requests",
    code: "rate_limit_exceeded",
    message: "Scripted 429 from the local echo model: rate limit reached, try again in 5ms.",
  },
  500: {
    type: "server_error",
    code: null,
    message: "Scripted 500 from the local echo model: the server had an error while processing your request.",
  },
  503: {
    type: "server_error",
    code: "service_unavailable",
    message: "Scripted 503 from the local echo model: the engine is currently overloaded.",
  },
};

function errorBody(status: number, message?: string): Json {
  const e = ERRORS[status] ?? {
    type: "server_error",
    code: null,
    message: `Scripted ${status} from the local echo model.`,
  };
  return { error: { message: message ?? e.message, type: e.type, param: e.param ?? null, code: e.code } };
}

function chatConversation(body: Json): Conversation {
  const messages: Json[] = Array.isArray(body.messages) ? body.messages : [];
  let inputTokens = 0;
  for (const m of messages) inputTokens += countTokens(textOf(m?.content));
  const last = messages[messages.length - 1];
  const lastIsToolResult = last?.role === "tool" || last?.role === "function";
  const source = lastIsToolResult ? last : [...messages].reverse().find((m) => m?.role === "user");
  return { prompt: textOf(source?.content), lastIsToolResult, inputTokens };
}

function responsesConversation(body: Json): Conversation {
  const items: Json[] =
    typeof body.input === "string"
      ? [{ role: "user", content: body.input }]
      : Array.isArray(body.input)
        ? body.input
        : [];
  let inputTokens = typeof body.instructions === "string" ? countTokens(body.instructions) : 0;
  const texts = items.map((i) =>
    i?.type === "function_call_output" ? textOf(i.output) : textOf(i?.content),
  );
  for (const t of texts) inputTokens += countTokens(t);
  const last = items[items.length - 1];
  const lastIsToolResult = last?.type === "function_call_output";
  let prompt = "";
  if (lastIsToolResult) prompt = texts[texts.length - 1] ?? "";
  else {
    for (let i = items.length - 1; i >= 0; i--) {
      if (items[i]?.role === "user") {
        prompt = texts[i] ?? "";
        break;
      }
    }
  }
  return { prompt, lastIsToolResult, inputTokens };
}

function chatUsage(a: Answer): Json {
  return {
    prompt_tokens: a.inputTokens,
    completion_tokens: a.outputTokens,
    total_tokens: a.inputTokens + a.outputTokens,
    prompt_tokens_details: { cached_tokens: a.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: a.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function responsesUsage(a: Answer): Json {
  return {
    input_tokens: a.inputTokens,
    input_tokens_details: { cached_tokens: a.cachedTokens },
    output_tokens: a.outputTokens,
    output_tokens_details: { reasoning_tokens: a.reasoningTokens },
    total_tokens: a.inputTokens + a.outputTokens,
  };
}

const data = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;

function chatCompletion(body: Json, headers: IncomingMessage["headers"], res: ServerResponse, delay: number) {
  const a = answer(
    chatConversation(body),
    body,
    headers,
    body.response_format,
    body.max_completion_tokens ?? body.max_tokens,
  );
  const id = nextId("chatcmpl-");
  const created = Math.floor(Date.now() / 1000);
  const model = responseModel(body.model);
  const base = {
    id,
    object: "chat.completion.chunk",
    created,
    model,
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
  const calls = a.toolCalls.map((c) => ({ id: nextId("call_"), ...c }));

  if (body.stream !== true) {
    const message: Json = { role: "assistant", content: a.text, refusal: null, annotations: [] };
    if (calls.length > 0) {
      message.tool_calls = calls.map((c) => ({
        id: c.id,
        type: "function",
        function: { name: c.name, arguments: c.arguments },
      }));
    }
    return json(res, 200, {
      ...base,
      object: "chat.completion",
      service_tier: "default",
      choices: [{ index: 0, message, logprobs: null, finish_reason: a.finishReason }],
      usage: chatUsage(a),
    });
  }

  const includeUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: Json, finish: string | null = null) =>
    data({
      ...base,
      service_tier: "default",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
  const events: string[] = [];
  if (calls.length === 0) {
    events.push(chunk({ role: "assistant", content: "", refusal: null }));
    for (const t of a.tokens) events.push(chunk({ content: t }));
  } else {
    calls.forEach((c, index) => {
      const head = { index, id: c.id, type: "function", function: { name: c.name, arguments: "" } };
      events.push(
        chunk(
          index === 0 ? { role: "assistant", content: null, tool_calls: [head] } : { tool_calls: [head] },
        ),
      );
      for (const piece of argumentPieces(c.arguments)) {
        events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
  }
  events.push(chunk({}, a.finishReason));
  if (includeUsage) events.push(data({ ...base, service_tier: "default", choices: [], usage: chatUsage(a) }));
  events.push("data: [DONE]\n\n");
  const failure = scriptedError(headers, body) === "stream" ? data(errorBody(500)) : undefined;
  return sendStream(res, events, delay, failure);
}

function responses(body: Json, headers: IncomingMessage["headers"], res: ServerResponse, delay: number) {
  const format = body.text?.format;
  const a = answer(responsesConversation(body), body, headers, format, body.max_output_tokens);
  const id = nextId("resp_");
  const incomplete = a.finishReason === "length";
  const shell: Json = {
    id,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status: "in_progress",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: responseModel(body.model),
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: "default",
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: format ?? { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: "disabled",
    usage: null,
    user: null,
    metadata: body.metadata ?? {},
  };
  const items: Json[] =
    a.toolCalls.length > 0
      ? a.toolCalls.map((c) => ({
          type: "function_call",
          id: nextId("fc_"),
          call_id: nextId("call_"),
          name: c.name,
          arguments: c.arguments,
          status: "completed",
        }))
      : [
          {
            type: "message",
            id: nextId("msg_"),
            status: incomplete ? "incomplete" : "completed",
            role: "assistant",
            content: [{ type: "output_text", text: a.text ?? "", annotations: [], logprobs: [] }],
          },
        ];
  const final: Json = {
    ...shell,
    status: incomplete ? "incomplete" : "completed",
    incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
    output: items,
    usage: responsesUsage(a),
  };
  if (body.stream !== true) return json(res, 200, final);

  let seq = 0;
  const event = (type: string, payload: Json) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...payload })}\n\n`;
  const events = [
    event("response.created", { response: shell }),
    event("response.in_progress", { response: shell }),
  ];
  items.forEach((item, output_index) => {
    if (item.type === "function_call") {
      events.push(
        event("response.output_item.added", {
          output_index,
          item: { ...item, arguments: "", status: "in_progress" },
        }),
      );
      for (const delta of argumentPieces(item.arguments)) {
        events.push(
          event("response.function_call_arguments.delta", { item_id: item.id, output_index, delta }),
        );
      }
      events.push(
        event("response.function_call_arguments.done", {
          item_id: item.id,
          output_index,
          name: item.name,
          arguments: item.arguments,
        }),
      );
    } else {
      const where = { item_id: item.id, output_index, content_index: 0 };
      const empty = { type: "output_text", text: "", annotations: [] };
      events.push(
        event("response.output_item.added", {
          output_index,
          item: { ...item, status: "in_progress", content: [] },
        }),
        event("response.content_part.added", { ...where, part: empty }),
      );
      for (const delta of a.tokens)
        events.push(event("response.output_text.delta", { ...where, delta, logprobs: [] }));
      events.push(
        event("response.output_text.done", { ...where, text: a.text ?? "", logprobs: [] }),
        event("response.content_part.done", { ...where, part: item.content[0] }),
      );
    }
    events.push(event("response.output_item.done", { output_index, item }));
  });
  let failure: string | undefined;
  if (scriptedError(headers, body) === "stream") {
    const error = { code: "server_error", message: errorBody(500).error.message };
    failure = event("response.failed", { response: { ...shell, status: "failed", error } });
  }
  events.push(event(incomplete ? "response.incomplete" : "response.completed", { response: final }));
  return sendStream(res, events, delay, failure);
}

function embeddings(body: Json, res: ServerResponse) {
  const raw = body.input;
  const inputs: unknown[] = Array.isArray(raw) && !raw.every((x) => typeof x === "number") ? raw : [raw];
  const dims =
    typeof body.dimensions === "number" && body.dimensions > 0 ? Math.min(body.dimensions, 4096) : 8;
  let tokens = 0;
  const out = inputs.map((input, index) => {
    const text = typeof input === "string" ? input : JSON.stringify(input ?? "");
    tokens += Array.isArray(input) ? input.length : countTokens(text);
    const vector = embed(text, dims);
    const embedding =
      body.encoding_format === "base64"
        ? Buffer.from(new Float32Array(vector).buffer).toString("base64")
        : vector;
    return { object: "embedding", index, embedding };
  });
  json(res, 200, {
    object: "list",
    data: out,
    model: responseModel(body.model),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

const ROUTES = new Set([
  "/v1/chat/completions",
  "/v1/responses",
  "/v1/embeddings",
  "/v1/messages",
  "/v1/messages/count_tokens",
]);

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: Required<EchoModelOptions>,
  model: EchoModel,
): Promise<void> {
  const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k !== "authorization" && k !== "x-api-key" && v !== undefined)
      headers[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  const entry: RecordedRequest = {
    method: req.method ?? "GET",
    path,
    headers,
    body: undefined,
    status: 0,
    aborted: false,
    completed: false,
  };
  model.log.push(entry);
  const requestId = nextId("req_");
  res.setHeader("x-request-id", requestId);
  res.setHeader("request-id", requestId); // where the Anthropic client reads it
  res.setHeader("openai-processing-ms", "0");
  res.on("finish", () => (entry.completed = true));
  res.on("close", () => {
    if (!res.writableFinished) entry.aborted = true;
  });
  const send = (status: number, payload: unknown, extra?: Record<string, string>) => {
    entry.status = status;
    json(res, status, payload, extra);
  };

  if (req.method === "GET" && (path === "/v1/models" || path === "/v1")) {
    return send(200, {
      object: "list",
      data: [{ id: "echo", object: "model", created: 0, owned_by: "local echo stand-in (not a real model)" }],
    });
  }
  if (req.method !== "POST" || !ROUTES.has(path)) {
    return send(404, errorBody(404, `The local echo model has no route ${req.method} ${path}.`));
  }

  // each API's own error body
  const failure = path.startsWith("/v1/messages") ? anthropicErrorBody : errorBody;
  let body: Json;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    return send(400, failure(400, "We could not parse the JSON body of your request."));
  }
  entry.body = body;
  model.requests.push(body);
  if (!body || typeof body !== "object") return send(400, failure(400, "The body must be a JSON object."));

  const scripted = scriptedError(req.headers, body);
  if (scripted !== undefined && scripted !== "stream") {
    const status = Number(scripted);
    const code = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
    // A short retry-after-ms keeps the clients' automatic retries of 429/5xx fast.
    return send(code, failure(code), code === 429 || code >= 500 ? { "retry-after-ms": "5" } : {});
  }

  const delay = headerInt(req.headers, "x-echo-chunk-delay-ms") ?? options.chunkDelayMs;
  entry.status = 200;
  if (path === "/v1/chat/completions") return chatCompletion(body, req.headers, res, delay);
  if (path === "/v1/responses") return responses(body, req.headers, res, delay);
  if (path === "/v1/messages") return anthropicMessages(body, req.headers, res, delay);
  if (path === "/v1/messages/count_tokens") return anthropicCountTokens(body, res);
  return embeddings(body, res);
}

/** Starts the echo model on loopback; resolves once it listens. */
export async function startEchoModel(options: EchoModelOptions = {}): Promise<EchoModel> {
  const resolved: Required<EchoModelOptions> = {
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    chunkDelayMs: options.chunkDelayMs ?? 5,
  };
  const model: EchoModel = {
    url: "",
    anthropicUrl: "",
    port: 0,
    requests: [],
    log: [],
    close: async () => {},
  };
  const server = createServer((req, res) => {
    handle(req, res, resolved, model).catch((err) => {
      if (!res.headersSent) json(res, 500, errorBody(500, `echo model failure: ${String(err)}`));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = resolved.host.includes(":") ? `[${resolved.host}]` : resolved.host;
  let closing: Promise<void> | undefined;
  model.port = port;
  model.anthropicUrl = `http://${host}:${port}`;
  model.url = `${model.anthropicUrl}/v1`;
  model.close = () =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return model;
}
