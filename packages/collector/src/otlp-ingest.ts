// `POST /v1/traces`: OTLP/HTTP from any OpenTelemetry SDK, protobuf or JSON, gzip or not. Answered as
// the specification says: 200 with an `ExportTraceServiceResponse` in the request's encoding (a partial
// success for spans refused), 400 for a body that does not decode, 413 past the size limit (see
// inflateBody), 415 for an unknown content type.
import type { IncomingMessage } from "node:http";
import {
  decodeTracesRequest,
  encodeTracesResponse,
  OtlpDecodeError,
  type OtlpTracesRequest,
  type OtlpTracesResponse,
  parseTracesJson,
} from "@lumiqtrace/protocol/otlp";
import { HttpError, inflateBody, parseJson } from "./http.js";
import { type Mapped, mapOtlpRequest } from "./otlp.js";

export type OtlpEncoding = "protobuf" | "json";

export function otlpEncoding(req: IncomingMessage): OtlpEncoding {
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (/^application\/(x-)?protobuf\b/.test(type)) return "protobuf";
  if (/^application\/json\b/.test(type)) return "json";
  throw new HttpError(
    415,
    `unsupported Content-Type "${type}": send application/x-protobuf or application/json`,
  );
}

/** Decodes an OTLP traces body and maps its spans to our events; throws HttpError with the 4xx. */
export function decodeOtlp(
  req: IncomingMessage,
  raw: Buffer,
  tooLarge: boolean,
  maxBodyBytes: number,
): Mapped {
  const encoding = otlpEncoding(req);
  const bytes = inflateBody(req, raw, tooLarge, maxBodyBytes);
  let request: OtlpTracesRequest;
  try {
    request = encoding === "protobuf" ? decodeTracesRequest(bytes) : parseTracesJson(parseJson(bytes));
  } catch (err) {
    if (err instanceof OtlpDecodeError)
      throw new HttpError(400, `not an OTLP traces request: ${err.message}`);
    throw err;
  }
  return mapOtlpRequest(request);
}

/** The answer's body and type, in the request's encoding. */
export function otlpAnswer(encoding: OtlpEncoding, mapped: Mapped): { body: Buffer | string; type: string } {
  const response: OtlpTracesResponse = mapped.rejected
    ? { partialSuccess: { rejectedSpans: String(mapped.rejected), errorMessage: mapped.error } }
    : {};
  return encoding === "protobuf"
    ? { body: Buffer.from(encodeTracesResponse(response)), type: "application/x-protobuf" }
    : { body: JSON.stringify(response), type: "application/json" };
}

/**
 * An error answer's body: for a protobuf request a `google.rpc.Status` with the message (what OTLP says
 * error bodies are), else JSON `{ error }` as everywhere else here.
 */
export function otlpErrorBody(
  encoding: OtlpEncoding | undefined,
  message: string,
): { body: Buffer | string; type: string } {
  if (encoding !== "protobuf") return { body: JSON.stringify({ error: message }), type: "application/json" };
  const text = Buffer.from(message.slice(0, 1000), "utf8");
  const length: number[] = [];
  for (let n = text.length; ; n >>>= 7) {
    length.push(n > 0x7f ? (n & 0x7f) | 0x80 : n);
    if (n <= 0x7f) break;
  }
  return { body: Buffer.concat([Buffer.from([0x12, ...length]), text]), type: "application/x-protobuf" };
}
