import {
  ATTR_AWS_LAMBDA_EVENT_SOURCE,
  ATTR_CLOUD_PLATFORM,
  ATTR_CLOUD_PROVIDER,
  ATTR_CLOUD_REGION,
  ATTR_CLOUD_RESOURCE_ID,
  ATTR_FAAS_COLDSTART,
  ATTR_FAAS_INVOCATION_ID,
  ATTR_FAAS_MAX_MEMORY,
  ATTR_FAAS_NAME,
  ATTR_FAAS_TRIGGER,
  ATTR_FAAS_VERSION,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from "@lumiqtrace/sdk/serverless";
import type { Context } from "aws-lambda";

/** Where an invocation came from: the value of the `aws.lambda.event_source` attribute. */
export type EventSource =
  | "api_gateway_v1"
  | "api_gateway_v2"
  | "alb"
  | "function_url"
  | "sqs"
  | "sns"
  | "eventbridge"
  | "s3"
  | "dynamodb"
  | "kinesis"
  | "schedule"
  | "direct";

/** OpenTelemetry's `faas.trigger` for each source. */
const TRIGGERS: Record<EventSource, "http" | "pubsub" | "datasource" | "timer" | "other"> = {
  api_gateway_v1: "http",
  api_gateway_v2: "http",
  alb: "http",
  function_url: "http",
  sqs: "pubsub",
  sns: "pubsub",
  eventbridge: "pubsub",
  kinesis: "pubsub",
  s3: "datasource",
  dynamodb: "datasource",
  schedule: "timer",
  direct: "other",
};

const RECORD_SOURCES: Record<string, EventSource> = {
  "aws:sqs": "sqs",
  "aws:sns": "sns",
  "aws:s3": "s3",
  "aws:dynamodb": "dynamodb",
  "aws:kinesis": "kinesis",
};

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;
const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/** Recognises the event's shape; anything unknown (a direct `Invoke`, a test event) is `direct`. */
export function eventSource(event: unknown): EventSource {
  if (!isObj(event)) return "direct";
  const rc = event.requestContext;
  if (isObj(rc)) {
    if (isObj(rc.elb)) return "alb";
    if (isObj(rc.http))
      return str(rc.domainName)?.includes(".lambda-url.") ? "function_url" : "api_gateway_v2";
    if (str(event.httpMethod)) return "api_gateway_v1";
  }
  const record = Array.isArray(event.Records) && isObj(event.Records[0]) ? event.Records[0] : undefined;
  const fromRecord = record && RECORD_SOURCES[str(record.eventSource) ?? str(record.EventSource) ?? ""];
  if (fromRecord) return fromRecord;
  if (str(event["detail-type"]) && str(event.source)) {
    const scheduled = event["detail-type"] === "Scheduled Event";
    return scheduled && (event.source === "aws.events" || event.source === "aws.scheduler")
      ? "schedule"
      : "eventbridge";
  }
  return "direct";
}

/** The `traceparent` header of an HTTP event (API Gateway v1 keeps the caller's spelling of its name). */
function traceparentOf(event: Obj): string | undefined {
  const headers = event.headers;
  if (!isObj(headers)) return undefined;
  if (typeof headers.traceparent === "string") return headers.traceparent;
  for (const key in headers) if (key.toLowerCase() === "traceparent") return str(headers[key]);
  return undefined;
}

export interface Described {
  name: string;
  attributes: Record<string, unknown>;
  traceparent: string | undefined;
  source: EventSource;
}

/** The root span's name, attributes and the caller's trace, from the event and the context. */
export function describeInvocation(
  event: unknown,
  context: Context | undefined,
  coldStart: boolean,
): Described {
  const source = eventSource(event);
  const memoryMb = Number(context?.memoryLimitInMB);
  const attributes: Record<string, unknown> = {
    [ATTR_CLOUD_PROVIDER]: "aws",
    [ATTR_CLOUD_PLATFORM]: "aws_lambda",
    [ATTR_CLOUD_REGION]: globalThis.process?.env?.AWS_REGION,
    [ATTR_CLOUD_RESOURCE_ID]: context?.invokedFunctionArn,
    [ATTR_FAAS_NAME]: context?.functionName,
    [ATTR_FAAS_VERSION]: context?.functionVersion,
    [ATTR_FAAS_INVOCATION_ID]: context?.awsRequestId,
    [ATTR_FAAS_COLDSTART]: coldStart,
    // OpenTelemetry counts faas.max_memory in bytes
    [ATTR_FAAS_MAX_MEMORY]: memoryMb > 0 ? memoryMb * 1024 * 1024 : undefined,
    [ATTR_FAAS_TRIGGER]: TRIGGERS[source],
    [ATTR_AWS_LAMBDA_EVENT_SOURCE]: source,
  };
  const name = str(context?.functionName) ?? "lambda";
  if (TRIGGERS[source] !== "http") return { name, attributes, traceparent: undefined, source };

  const e = event as Obj;
  const http = e.requestContext?.http as Obj | undefined;
  const method = str(e.httpMethod) ?? str(http?.method);
  const path = str(e.rawPath) ?? str(e.path) ?? str(http?.path);
  // v1: `resource` is the route template; v2: `routeKey` is "GET /items/{id}" (or "$default": no route)
  const routeKey = str(e.routeKey);
  const route =
    source === "api_gateway_v1"
      ? str(e.resource)
      : routeKey && routeKey !== "$default"
        ? routeKey.slice(routeKey.indexOf(" ") + 1)
        : undefined;
  attributes[ATTR_HTTP_REQUEST_METHOD] = method;
  attributes[ATTR_HTTP_ROUTE] = route;
  attributes[ATTR_URL_PATH] = path;
  const target = route ?? path;
  return {
    name: method && target ? `${method} ${target}` : name,
    attributes,
    traceparent: traceparentOf(e),
    source,
  };
}

/** The HTTP status of a buffered result: its `statusCode`, or 200 for a payload-v2 result without one. */
export function resultStatus(result: unknown, source: EventSource): number | undefined {
  if (TRIGGERS[source] !== "http") return undefined;
  const code = isObj(result) ? result.statusCode : undefined;
  if (typeof code === "number") return code;
  return source === "api_gateway_v2" || source === "function_url" ? 200 : undefined;
}
