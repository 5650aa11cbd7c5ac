// OTLP spans from any SDK as our events, so the viewer, the terminal and the read API show them like
// our own: GenAI spans (current names, the older ones, the Vercel AI SDK's `ai.*`, OpenLLMetry's indexed
// prompts) become `llm` events with their model, tokens, time to first token and messages. A span that
// cannot be one of our events (bad ids) is refused, and counted in the answer's partial success.
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_LUMIQTRACE_METADATA_PREFIX,
  ATTR_LUMIQTRACE_PLATFORM,
  ATTR_LUMIQTRACE_STATUS,
  ATTR_LUMIQTRACE_TAGS,
  ATTR_LUMIQTRACE_TTFT_MS,
  ATTR_SERVICE_NAME,
  type AttributeValue,
  type Attributes,
  type Batch,
  type SpanEvent,
  validateBatch,
} from "@lumiqtrace/protocol";
import {
  nanosToMs,
  type OtlpAnyValue,
  type OtlpSpan,
  type OtlpTracesRequest,
  SPAN_KIND,
  STATUS_CODE,
} from "@lumiqtrace/protocol/otlp";

export interface Mapped {
  /** One batch per resource, as the SDK would have sent them. */
  batches: Batch[];
  rejected: number;
  /** Why the first refused span was refused. */
  error?: string;
}

/** An AnyValue as an attribute value: primitives as they are, anything else as JSON text. */
function attributeValue(v: OtlpAnyValue): AttributeValue | undefined {
  if ("stringValue" in v) return v.stringValue;
  if ("boolValue" in v) return v.boolValue;
  if ("doubleValue" in v) return Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
  if ("intValue" in v) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : v.intValue;
  }
  if ("arrayValue" in v) {
    const items = v.arrayValue.values.map(attributeValue);
    const type = typeof items[0];
    if (
      items.every(
        (x) =>
          x !== undefined &&
          typeof x === type &&
          (type === "string" || type === "number" || type === "boolean"),
      )
    )
      return items as string[] | number[] | boolean[];
    return JSON.stringify(items);
  }
  if ("kvlistValue" in v)
    return JSON.stringify(
      Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, attributeValue(kv.value)])),
    );
  if ("bytesValue" in v) return v.bytesValue;
  return undefined;
}

function toAttributes(list: { key: string; value: OtlpAnyValue }[]): Attributes {
  const out: Attributes = {};
  for (const kv of list) {
    const value = attributeValue(kv.value);
    if (value !== undefined && kv.key) out[kv.key] = value;
  }
  return out;
}

const num = (v: AttributeValue | undefined) =>
  typeof v === "number"
    ? v
    : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;
const text = (v: AttributeValue | undefined) => (typeof v === "string" && v ? v : undefined);

/** `gen_ai.prompt.0.role` / `.content` (OpenLLMetry, older conventions) as a messages array, JSON text. */
function indexedMessages(a: Attributes, prefix: string): string | undefined {
  const messages: Record<string, unknown>[] = [];
  for (const key of Object.keys(a)) {
    const m = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)\\.(\\w+)$`).exec(key);
    if (!m) continue;
    const message = (messages[Number(m[1])] ??= {});
    message[m[2]!] = a[key];
  }
  const kept = messages.filter(Boolean);
  return kept.length ? JSON.stringify(kept) : undefined;
}

/**
 * Fills in our GenAI names from the other spellings a span may carry: `gen_ai.system`, the older
 * `gen_ai.usage.prompt_tokens` / `completion_tokens`, the AI SDK's `ai.model.*`, `ai.usage.*`,
 * `ai.response.*`, `ai.prompt.messages`; time to first token from seconds or the AI SDK's ms.
 */
function normaliseGenAi(a: Attributes): void {
  const set = (key: string, value: AttributeValue | undefined) => {
    if (a[key] === undefined && value !== undefined) a[key] = value;
  };
  const aiProvider = text(a["ai.model.provider"])?.split(".")[0]; // "openai.chat" -> "openai"
  set(ATTR_GEN_AI_PROVIDER_NAME, text(a["gen_ai.system"]) ?? aiProvider);
  set(ATTR_GEN_AI_REQUEST_MODEL, text(a["ai.model.id"]));
  set(ATTR_GEN_AI_RESPONSE_MODEL, text(a["ai.response.model"]));
  set(ATTR_GEN_AI_RESPONSE_ID, text(a["ai.response.id"]));
  set(
    ATTR_GEN_AI_USAGE_INPUT_TOKENS,
    num(a["gen_ai.usage.prompt_tokens"]) ?? num(a["ai.usage.inputTokens"]) ?? num(a["ai.usage.promptTokens"]),
  );
  set(
    ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
    num(a["gen_ai.usage.completion_tokens"]) ??
      num(a["ai.usage.outputTokens"]) ??
      num(a["ai.usage.completionTokens"]),
  );
  const finish = text(a["ai.response.finishReason"]);
  if (finish) set(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, [finish]);
  const ttftSeconds = num(a[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]);
  set(
    ATTR_LUMIQTRACE_TTFT_MS,
    ttftSeconds !== undefined ? ttftSeconds * 1000 : num(a["ai.response.msToFirstChunk"]),
  );
  set(ATTR_GEN_AI_INPUT_MESSAGES, text(a["ai.prompt.messages"]) ?? indexedMessages(a, "gen_ai.prompt"));
  const responseText = text(a["ai.response.text"]);
  set(
    ATTR_GEN_AI_OUTPUT_MESSAGES,
    responseText
      ? JSON.stringify([{ role: "assistant", content: responseText }])
      : indexedMessages(a, "gen_ai.completion"),
  );
}

const NOT_A_MODEL_CALL = new Set(["execute_tool", "invoke_agent", "create_agent"]);

/**
 * What kind of event an OTLP span is: `llm` for a model call (GenAI attributes; of the AI SDK's spans,
 * only the inner `ai.*.doGenerate`/`doStream`/`doEmbed` ones), `invocation` for our own adapters' spans
 * and SERVER / CONSUMER spans (a request or message handled), else `custom`.
 */
function kindOf(span: OtlpSpan, a: Attributes): SpanEvent["kind"] {
  const op = text(a[ATTR_GEN_AI_OPERATION_NAME]);
  if (span.name.startsWith("ai.")) {
    if (/\.do[A-Z]\w*$/.test(span.name)) return "llm";
  } else if (
    (a[ATTR_GEN_AI_REQUEST_MODEL] !== undefined || a[ATTR_GEN_AI_PROVIDER_NAME] !== undefined) &&
    !NOT_A_MODEL_CALL.has(op ?? "")
  ) {
    return "llm";
  }
  if (
    a[ATTR_LUMIQTRACE_PLATFORM] !== undefined ||
    span.kind === SPAN_KIND.SERVER ||
    span.kind === SPAN_KIND.CONSUMER
  )
    return "invocation";
  return "custom";
}

function statusOf(span: OtlpSpan, a: Attributes): Pick<SpanEvent, "status" | "error"> {
  if (span.status.code !== STATUS_CODE.ERROR)
    return { status: a[ATTR_LUMIQTRACE_STATUS] === "cancelled" ? "cancelled" : "ok" };
  const exception = span.events.find((e) => e.name === "exception");
  const ex = exception ? toAttributes(exception.attributes) : {};
  return {
    status: "error",
    error: {
      type: text(ex["exception.type"]) ?? text(a["error.type"]) ?? "Error",
      message: text(ex["exception.message"]) ?? span.status.message ?? "",
    },
  };
}

/** Our own export's user context (and the conventions' names for it) back into event fields. */
function userContext(a: Attributes): Pick<SpanEvent, "userId" | "sessionId" | "tags" | "metadata"> {
  const out: Pick<SpanEvent, "userId" | "sessionId" | "tags" | "metadata"> = {};
  const userId = text(a["user.id"]) ?? text(a["enduser.id"]);
  const sessionId = text(a["session.id"]) ?? text(a["gen_ai.conversation.id"]);
  if (userId) out.userId = userId;
  if (sessionId) out.sessionId = sessionId;
  const tags = a[ATTR_LUMIQTRACE_TAGS];
  if (Array.isArray(tags) && tags.every((t) => typeof t === "string")) out.tags = tags as string[];
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(a)) {
    const name = key.startsWith(ATTR_LUMIQTRACE_METADATA_PREFIX)
      ? key.slice(ATTR_LUMIQTRACE_METADATA_PREFIX.length)
      : key.startsWith("ai.telemetry.metadata.")
        ? key.slice("ai.telemetry.metadata.".length)
        : undefined;
    if (name) metadata[name] = value;
  }
  if (Object.keys(metadata).length) out.metadata = metadata;
  return out;
}

function toEvent(span: OtlpSpan, resource: Attributes): SpanEvent {
  const a = toAttributes(span.attributes);
  const service = text(resource[ATTR_SERVICE_NAME]);
  if (service && a[ATTR_SERVICE_NAME] === undefined) a[ATTR_SERVICE_NAME] = service;
  normaliseGenAi(a);
  const startTime = nanosToMs(span.startTimeUnixNano);
  const environment =
    text(resource["deployment.environment.name"]) ?? text(resource["deployment.environment"]);
  const release = text(resource["service.version"]);
  return {
    // derived from the ids, so a span sent again (an exporter's retry) is stored once
    id: `${span.traceId}${span.spanId}`,
    type: "span",
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId || null,
    name: (span.name || "span").slice(0, 1024),
    kind: kindOf(span, a),
    startTime,
    endTime: Math.max(startTime, nanosToMs(span.endTimeUnixNano)),
    ...statusOf(span, a),
    attributes: a,
    ...userContext(a),
    ...(environment ? { environment } : {}),
    ...(release ? { release } : {}),
  };
}

/** The request's spans as batches of our events; spans our protocol cannot hold are refused one by one. */
export function mapOtlpRequest(request: OtlpTracesRequest): Mapped {
  const mapped: Mapped = { batches: [], rejected: 0 };
  for (const rs of request.resourceSpans) {
    const resource = toAttributes(rs.resource.attributes);
    const sdk = {
      name: text(resource["telemetry.sdk.name"]) ?? "otlp",
      version: text(resource["telemetry.sdk.version"]) ?? "unknown",
    };
    const events: SpanEvent[] = [];
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const event = toEvent(span, resource);
        const checked = validateBatch({ sdk, sentAt: Date.now(), dropped: 0, events: [event] });
        if (checked.ok) events.push(event);
        else {
          mapped.rejected++;
          mapped.error ??= `span ${span.spanId || "(no id)"} of trace ${span.traceId || "(no id)"}: ${checked.error.replace(/^events\[0\]\./, "")}`;
        }
      }
    }
    if (events.length) mapped.batches.push({ sdk, sentAt: Date.now(), dropped: 0, events });
  }
  return mapped;
}
