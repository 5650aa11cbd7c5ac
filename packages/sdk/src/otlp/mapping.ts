// Our events as OTLP spans, following the OpenTelemetry GenAI semantic conventions: one span per event
// with our own trace, span and parent ids; kind from what the span is; an error as an `exception` event;
// the user context as `user.id`, `session.id` and `gen_ai.conversation.id`; the process as the resource.
import {
  ATTR_CLOUD_PLATFORM,
  ATTR_CLOUD_PROVIDER,
  ATTR_CLOUD_REGION,
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_TYPE,
  ATTR_FAAS_NAME,
  ATTR_FAAS_TRIGGER,
  ATTR_FAAS_VERSION,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_LUMIQTRACE_METADATA_PREFIX,
  ATTR_LUMIQTRACE_STATUS,
  ATTR_LUMIQTRACE_TAGS,
  ATTR_LUMIQTRACE_TTFT_MS,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_SESSION_ID,
  ATTR_TELEMETRY_SDK_LANGUAGE,
  ATTR_TELEMETRY_SDK_NAME,
  ATTR_TELEMETRY_SDK_VERSION,
  ATTR_USER_ID,
} from "@lumiqtrace/protocol";
import {
  msToNanos,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpSpan,
  type OtlpTracesRequest,
  SPAN_KIND,
  STATUS_CODE,
} from "@lumiqtrace/protocol/otlp";
import type { Env, ResolvedOptions } from "../options.js";
import { SDK_NAME, SDK_VERSION } from "../transport.js";
import type { AttributeValue, SpanEvent } from "../types.js";
import { parseKeyValues } from "./config.js";

function anyValue(v: AttributeValue): OtlpAnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: (v as AttributeValue[]).map((x) => anyValue(x)) } };
}

function keyValues(attributes: Record<string, AttributeValue | undefined>): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) out.push({ key, value: anyValue(value) });
  }
  return out;
}

/** The platform's name for this function or app, where it tells one: OTLP's `service.name` by default. */
function platformServiceName(env: Env): string | undefined {
  return (
    env.AWS_LAMBDA_FUNCTION_NAME ||
    env.K_SERVICE ||
    env.FLY_APP_NAME ||
    env.RENDER_SERVICE_NAME ||
    env.SITE_NAME
  );
}

function runtimeName(): string {
  const versions = (globalThis as { process?: { versions?: Record<string, string> } }).process?.versions;
  return versions?.bun ? "bun" : versions?.deno ? "deno" : versions?.node ? "node" : "";
}

/**
 * The resource: `service.name` (init's `serviceName`, else `OTEL_SERVICE_NAME`, else
 * `OTEL_RESOURCE_ATTRIBUTES`' one, else the platform's function or app name, else
 * `unknown_service:node` as the specification says), `service.version` (release),
 * `deployment.environment.name`, `telemetry.sdk.*`, the cloud and FaaS facts the environment tells, and
 * `OTEL_RESOURCE_ATTRIBUTES`.
 */
export function resourceAttributes(options: ResolvedOptions): OtlpKeyValue[] {
  const env = options.env;
  const fromEnv = parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES, "OTEL_RESOURCE_ATTRIBUTES");
  const lambda = env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
  const runtime = runtimeName();
  return keyValues({
    [ATTR_TELEMETRY_SDK_NAME]: SDK_NAME,
    [ATTR_TELEMETRY_SDK_LANGUAGE]: runtime ? "nodejs" : "webjs",
    [ATTR_TELEMETRY_SDK_VERSION]: SDK_VERSION,
    [ATTR_CLOUD_PROVIDER]: lambda ? "aws" : env.K_SERVICE ? "gcp" : undefined,
    [ATTR_CLOUD_PLATFORM]: lambda ? "aws_lambda" : env.K_SERVICE ? "gcp_cloud_run" : undefined,
    [ATTR_CLOUD_REGION]: env.AWS_REGION || env.VERCEL_REGION || undefined,
    [ATTR_FAAS_NAME]: env.AWS_LAMBDA_FUNCTION_NAME || env.K_SERVICE || undefined,
    [ATTR_FAAS_VERSION]: env.AWS_LAMBDA_FUNCTION_VERSION || env.K_REVISION || undefined,
    ...fromEnv,
    [ATTR_SERVICE_NAME]:
      options.serviceName ||
      env.OTEL_SERVICE_NAME ||
      fromEnv[ATTR_SERVICE_NAME] ||
      platformServiceName(env) ||
      `unknown_service${runtime ? `:${runtime}` : ""}`,
    [ATTR_SERVICE_VERSION]: options.release ?? fromEnv[ATTR_SERVICE_VERSION],
    [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: options.environment ?? fromEnv[ATTR_DEPLOYMENT_ENVIRONMENT_NAME],
  });
}

const CONSUMER_TRIGGERS = new Set(["pubsub", "timer", "datasource"]);

function kindOf(e: SpanEvent): number {
  if (e.kind === "llm") return SPAN_KIND.CLIENT;
  if (e.kind === "custom") return SPAN_KIND.INTERNAL;
  return CONSUMER_TRIGGERS.has(String(e.attributes[ATTR_FAAS_TRIGGER]))
    ? SPAN_KIND.CONSUMER
    : SPAN_KIND.SERVER;
}

/** `{gen_ai.operation.name} {gen_ai.request.model}` for an LLM span, as the conventions name it. */
function nameOf(e: SpanEvent): string {
  const op = e.attributes[ATTR_GEN_AI_OPERATION_NAME];
  const model = e.attributes[ATTR_GEN_AI_REQUEST_MODEL];
  return e.kind === "llm" && typeof op === "string" && typeof model === "string" ? `${op} ${model}` : e.name;
}

export function toOtlpSpan(e: SpanEvent): OtlpSpan {
  // one list, built directly: this runs for every span of every export
  const attributes: OtlpKeyValue[] = [];
  const add = (key: string, value: AttributeValue | undefined) => {
    if (value !== undefined) attributes.push({ key, value: anyValue(value) });
  };
  for (const key in e.attributes) add(key, e.attributes[key]);
  add(ATTR_USER_ID, e.userId);
  if (e.sessionId !== undefined) {
    add(ATTR_SESSION_ID, e.sessionId);
    add(ATTR_GEN_AI_CONVERSATION_ID, e.sessionId);
  }
  if (e.tags?.length) add(ATTR_LUMIQTRACE_TAGS, e.tags);
  if (e.status === "cancelled") add(ATTR_LUMIQTRACE_STATUS, "cancelled");
  const ttft = e.attributes[ATTR_LUMIQTRACE_TTFT_MS];
  if (typeof ttft === "number") add(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, ttft / 1000);
  if (e.error && e.attributes[ATTR_ERROR_TYPE] === undefined) add(ATTR_ERROR_TYPE, e.error.type);
  if (e.metadata !== undefined) {
    for (const key in e.metadata) {
      const value = e.metadata[key];
      add(
        ATTR_LUMIQTRACE_METADATA_PREFIX + key,
        typeof value === "string" || typeof value === "number" || typeof value === "boolean"
          ? value
          : JSON.stringify(value),
      );
    }
  }
  const end = msToNanos(e.endTime);
  return {
    traceId: e.traceId,
    spanId: e.spanId,
    parentSpanId: e.parentSpanId ?? undefined,
    name: nameOf(e),
    kind: kindOf(e),
    startTimeUnixNano: msToNanos(e.startTime),
    endTimeUnixNano: end,
    attributes,
    events: e.error
      ? [
          {
            timeUnixNano: end,
            name: "exception",
            attributes: keyValues({
              [ATTR_EXCEPTION_TYPE]: e.error.type,
              [ATTR_EXCEPTION_MESSAGE]: e.error.message,
            }),
          },
        ]
      : [],
    links: [],
    status:
      e.status === "error"
        ? { code: STATUS_CODE.ERROR, ...(e.error?.message ? { message: e.error.message } : {}) }
        : { code: STATUS_CODE.UNSET },
  };
}

/** One `ExportTraceServiceRequest` for a batch: one resource (this process), one scope (this SDK). */
export function toOtlpRequest(events: SpanEvent[], resource: OtlpKeyValue[]): OtlpTracesRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: resource },
        scopeSpans: [{ scope: { name: SDK_NAME, version: SDK_VERSION }, spans: events.map(toOtlpSpan) }],
      },
    ],
  };
}
