// OTLP traces as JSON (`application/json`), OTLP's mapping of the protobuf: the model is already in that
// shape, so encoding is JSON.stringify. Reading takes what OpenTelemetry SDKs send (ids in hex, enums as
// numbers or names, 64-bit integers as strings or numbers) and refuses the rest with `OtlpDecodeError`.
import type { OtlpAnyValue, OtlpKeyValue, OtlpResourceSpans, OtlpSpan, OtlpTracesRequest } from "./model.js";
import { SPAN_KIND, STATUS_CODE } from "./model.js";
import { OtlpDecodeError } from "./protobuf.js";

export function encodeTracesJson(request: OtlpTracesRequest): string {
  return JSON.stringify(request);
}

type Obj = Record<string, unknown>;
const MAX_VALUE_DEPTH = 32;

function fail(path: string, expected: string): never {
  throw new OtlpDecodeError(`${path}: ${expected}`);
}
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown, path: string): unknown[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : fail(path, "expected an array");
const text = (v: unknown, path: string): string =>
  v === undefined || v === null ? "" : typeof v === "string" ? v : fail(path, "expected a string");

function hexId(v: unknown, path: string, bytes: number, optional = false): string {
  if ((v === undefined || v === null || v === "") && optional) return "";
  if (typeof v !== "string" || !new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v))
    fail(path, `expected ${bytes * 2} hex characters`);
  return v.toLowerCase();
}

/** A 64-bit integer given as a decimal string or a number (nanoseconds as a JSON number are already rounded by the parse). */
function int64(v: unknown, path: string): string {
  if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) < 2 ** 64) return BigInt(v).toString();
  if (typeof v === "string" && /^-?\d{1,20}$/.test(v)) return BigInt(v).toString();
  if (v === undefined || v === null) return "0";
  return fail(path, "expected an integer (a string or a number)");
}

function enumValue(v: unknown, names: Record<string, number>, prefix: string, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === "string") {
    const n = names[v.replace(prefix, "")];
    if (n !== undefined) return n;
  }
  return fail(path, "expected an enum number or name");
}

function anyValue(v: unknown, path: string, depth: number): OtlpAnyValue {
  if (depth > MAX_VALUE_DEPTH) fail(path, "nested too deep");
  if (!isObj(v)) return fail(path, "expected an AnyValue object");
  if (typeof v.stringValue === "string") return { stringValue: v.stringValue };
  if (typeof v.boolValue === "boolean") return { boolValue: v.boolValue };
  if (v.intValue !== undefined) return { intValue: int64(v.intValue, `${path}.intValue`) };
  if (typeof v.doubleValue === "number") return { doubleValue: v.doubleValue };
  if (isObj(v.arrayValue))
    return {
      arrayValue: {
        values: list(v.arrayValue.values, `${path}.arrayValue.values`).map((x, i) =>
          anyValue(x, `${path}.arrayValue.values[${i}]`, depth + 1),
        ),
      },
    };
  if (isObj(v.kvlistValue))
    return {
      kvlistValue: {
        values: list(v.kvlistValue.values, `${path}.kvlistValue.values`).map((x, i) =>
          keyValue(x, `${path}.kvlistValue.values[${i}]`, depth + 1),
        ),
      },
    };
  if (typeof v.bytesValue === "string") return { bytesValue: v.bytesValue };
  return { stringValue: "" }; // an empty AnyValue: OTLP's "no value"
}

function keyValue(v: unknown, path: string, depth = 0): OtlpKeyValue {
  if (!isObj(v)) return fail(path, "expected a KeyValue object");
  return { key: text(v.key, `${path}.key`), value: anyValue(v.value ?? {}, `${path}.value`, depth + 1) };
}

const attributes = (v: unknown, path: string) => list(v, path).map((x, i) => keyValue(x, `${path}[${i}]`));

function span(v: unknown, path: string): OtlpSpan {
  if (!isObj(v)) return fail(path, "expected a Span object");
  const status = isObj(v.status) ? v.status : {};
  return {
    traceId: hexId(v.traceId, `${path}.traceId`, 16),
    spanId: hexId(v.spanId, `${path}.spanId`, 8),
    parentSpanId: hexId(v.parentSpanId, `${path}.parentSpanId`, 8, true) || undefined,
    name: text(v.name, `${path}.name`),
    kind: enumValue(v.kind, SPAN_KIND, "SPAN_KIND_", `${path}.kind`),
    startTimeUnixNano: int64(v.startTimeUnixNano, `${path}.startTimeUnixNano`),
    endTimeUnixNano: int64(v.endTimeUnixNano, `${path}.endTimeUnixNano`),
    attributes: attributes(v.attributes, `${path}.attributes`),
    events: list(v.events, `${path}.events`).map((e, i) => {
      if (!isObj(e)) return fail(`${path}.events[${i}]`, "expected an Event object");
      return {
        timeUnixNano: int64(e.timeUnixNano, `${path}.events[${i}].timeUnixNano`),
        name: text(e.name, `${path}.events[${i}].name`),
        attributes: attributes(e.attributes, `${path}.events[${i}].attributes`),
      };
    }),
    links: list(v.links, `${path}.links`).map((l, i) => {
      if (!isObj(l)) return fail(`${path}.links[${i}]`, "expected a Link object");
      return {
        traceId: hexId(l.traceId, `${path}.links[${i}].traceId`, 16),
        spanId: hexId(l.spanId, `${path}.links[${i}].spanId`, 8),
        attributes: attributes(l.attributes, `${path}.links[${i}].attributes`),
      };
    }),
    status: {
      code: enumValue(status.code, STATUS_CODE, "STATUS_CODE_", `${path}.status.code`),
      ...(typeof status.message === "string" && status.message ? { message: status.message } : {}),
    },
  };
}

/** Reads a parsed JSON body as an `ExportTraceServiceRequest`; throws `OtlpDecodeError` naming the first bad field. */
export function parseTracesJson(body: unknown): OtlpTracesRequest {
  if (!isObj(body)) fail("body", "expected a JSON object");
  return {
    resourceSpans: list(body.resourceSpans, "resourceSpans").map((rs, i): OtlpResourceSpans => {
      const path = `resourceSpans[${i}]`;
      if (!isObj(rs)) return fail(path, "expected an object");
      const resource = isObj(rs.resource) ? rs.resource : {};
      return {
        resource: { attributes: attributes(resource.attributes, `${path}.resource.attributes`) },
        scopeSpans: list(rs.scopeSpans, `${path}.scopeSpans`).map((ss, j) => {
          const p = `${path}.scopeSpans[${j}]`;
          if (!isObj(ss)) return fail(p, "expected an object");
          const scope = isObj(ss.scope) ? ss.scope : {};
          return {
            scope: {
              name: text(scope.name, `${p}.scope.name`),
              ...(typeof scope.version === "string" ? { version: scope.version } : {}),
            },
            spans: list(ss.spans, `${p}.spans`).map((s, k) => span(s, `${p}.spans[${k}]`)),
          };
        }),
      };
    }),
  };
}
