// The OTLP/HTTP exporter: batches of events as `ExportTraceServiceRequest`s, protobuf or JSON, to any
// OpenTelemetry backend. Loaded only when `exporter` includes "otlp" (see client.ts).
import {
  decodeTracesResponse,
  encodeTracesJson,
  encodeTracesRequest,
  type OtlpTracesResponse,
} from "@lumiqtrace/protocol/otlp";
import { addSecrets } from "../logger.js";
import type { ResolvedOptions } from "../options.js";
import type { Exporter } from "../sender.js";
import {
  type Answer,
  classify,
  originOf,
  postBody,
  SDK_NAME,
  SDK_VERSION,
  unreachable,
} from "../transport.js";
import { resolveOtlp } from "./config.js";
import { resourceAttributes, toOtlpRequest } from "./mapping.js";

/** OTLP's retryable answers: 429, 502, 503, 504 (and network errors); any other error is final. */
const otlpRetries = (status: number) => status === 429 || status === 502 || status === 503 || status === 504;

/** A 2xx answer's `partialSuccess`: spans the receiver refused within an accepted request. */
function partialSuccess(answer: Answer): { rejected?: number; message?: string } {
  if (answer.body.length === 0) return {};
  let response: OtlpTracesResponse;
  try {
    response = answer.contentType.includes("json")
      ? (JSON.parse(new TextDecoder().decode(answer.body)) as OtlpTracesResponse)
      : decodeTracesResponse(answer.body);
  } catch {
    return {}; // an answer we cannot read says nothing against the 2xx
  }
  const rejected = Number(response.partialSuccess?.rejectedSpans ?? 0);
  if (!(rejected > 0)) return {};
  return { rejected, message: response.partialSuccess?.errorMessage };
}

/** The `message` (field 2) of a protobuf `google.rpc.Status`, what OTLP receivers send with an error (one-byte tags). */
function rpcStatusMessage(bytes: Uint8Array): string | undefined {
  for (let i = 0; i < bytes.length; ) {
    const tag = bytes[i++]!;
    let length = 0;
    for (let shift = 0; i < bytes.length; shift += 7) {
      const b = bytes[i++]!;
      length |= (b & 0x7f) << shift;
      if (b < 0x80 || shift > 21) break;
    }
    const wire = tag & 7;
    if (wire === 0) continue; // a varint (code, field 1): what was read as `length` was its value
    if (wire !== 2) return undefined;
    if (tag === 0x12) return new TextDecoder().decode(bytes.subarray(i, i + length));
    i += length;
  }
  return undefined;
}

export function createOtlpExporter(options: ResolvedOptions): Exporter {
  const config = resolveOtlp(options.otlp, options.env);
  addSecrets(Object.values(config.headers));
  const resource = resourceAttributes(options);
  const json = config.protocol === "http/json";
  const headers = {
    ...config.headers,
    "content-type": json ? "application/json" : "application/x-protobuf",
    "user-agent": `${SDK_NAME}/${SDK_VERSION}`,
  };
  const name = `the OTLP endpoint ${originOf(config.endpoint)}`;
  return {
    name,
    async send(batch, _dropped, timeoutMs) {
      const request = toOtlpRequest(
        batch.map((e) => e.event),
        resource,
      );
      let answer: Answer;
      try {
        answer = await postBody(
          config.endpoint,
          headers,
          json ? encodeTracesJson(request) : encodeTracesRequest(request),
          timeoutMs,
        );
      } catch (error) {
        return unreachable(config.endpoint, error);
      }
      const outcome = classify(config.endpoint, answer, otlpRetries);
      if (outcome.kind === "delivered") return { kind: "delivered", ...partialSuccess(answer) };
      if (outcome.kind === "rejected" && answer.contentType.includes("protobuf"))
        outcome.message = rpcStatusMessage(answer.body) ?? "";
      return outcome;
    },
    refusal: (status) => `${name} refused a batch (HTTP ${status})`,
  };
}
