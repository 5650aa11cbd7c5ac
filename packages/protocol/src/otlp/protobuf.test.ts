// Our OTLP protobuf against the official definitions: opentelemetry-proto as generated into
// @opentelemetry/otlp-transformer (protobufjs), decoding our bytes, and encoding bytes we decode.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { OtlpTracesRequest } from "./model.js";
import { msToNanos, nanosToMs, SPAN_KIND, STATUS_CODE } from "./model.js";
import {
  decodeTracesRequest,
  decodeTracesResponse,
  encodeTracesRequest,
  encodeTracesResponse,
  OtlpDecodeError,
} from "./protobuf.js";

const root: any = createRequire(import.meta.url)(
  "@opentelemetry/otlp-transformer/build/src/generated/root.js",
);
const proto = root.opentelemetry.proto;
const Request = proto.collector.trace.v1.ExportTraceServiceRequest;
const Response = proto.collector.trace.v1.ExportTraceServiceResponse;
const asObject = { longs: String, bytes: String, defaults: false, enums: Number };
const b64ToHex = (b64: string) => Buffer.from(b64, "base64").toString("hex");

const sample = (): OtlpTracesRequest => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "checkout" } }] },
      scopeSpans: [
        {
          scope: { name: "@lumiqtrace/sdk", version: "0.1.0" },
          spans: [
            {
              traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
              spanId: "00f067aa0ba902b7",
              parentSpanId: "a1b2c3d4e5f60718",
              name: "chat gpt-4o ✓ ünïcode",
              kind: SPAN_KIND.CLIENT,
              startTimeUnixNano: msToNanos(1764230400123.25),
              endTimeUnixNano: msToNanos(1764230400999.5),
              attributes: [
                { key: "gen_ai.usage.input_tokens", value: { intValue: "12" } },
                { key: "negative", value: { intValue: "-3" } },
                { key: "big", value: { intValue: "9007199254740993" } },
                { key: "ratio", value: { doubleValue: 0.25 } },
                { key: "stream", value: { boolValue: true } },
                {
                  key: "reasons",
                  value: { arrayValue: { values: [{ stringValue: "stop" }, { stringValue: "length" }] } },
                },
                {
                  key: "nested",
                  value: { kvlistValue: { values: [{ key: "a", value: { intValue: "1" } }] } },
                },
                { key: "raw", value: { bytesValue: Buffer.from([1, 2, 255]).toString("base64") } },
                { key: "long", value: { stringValue: "x".repeat(70_000) } },
              ],
              events: [
                {
                  timeUnixNano: msToNanos(1764230400999),
                  name: "exception",
                  attributes: [{ key: "exception.type", value: { stringValue: "APIError" } }],
                },
              ],
              links: [
                { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", attributes: [] },
              ],
              status: { code: STATUS_CODE.ERROR, message: "overloaded" },
            },
          ],
        },
      ],
    },
  ],
});

describe("OTLP protobuf", () => {
  it("writes what the official definitions decode, field for field", () => {
    const decoded = Request.toObject(Request.decode(encodeTracesRequest(sample())), asObject);
    const span = decoded.resourceSpans[0].scopeSpans[0].spans[0];
    expect(decoded.resourceSpans[0].resource.attributes[0]).toEqual({
      key: "service.name",
      value: { stringValue: "checkout" },
    });
    expect(decoded.resourceSpans[0].scopeSpans[0].scope).toEqual({
      name: "@lumiqtrace/sdk",
      version: "0.1.0",
    });
    expect(b64ToHex(span.traceId)).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(b64ToHex(span.spanId)).toBe("00f067aa0ba902b7");
    expect(b64ToHex(span.parentSpanId)).toBe("a1b2c3d4e5f60718");
    expect(span).toMatchObject({
      name: "chat gpt-4o ✓ ünïcode",
      kind: SPAN_KIND.CLIENT,
      startTimeUnixNano: "1764230400123250000",
      endTimeUnixNano: "1764230400999500000",
      status: { code: STATUS_CODE.ERROR, message: "overloaded" },
    });
    const attrs = Object.fromEntries(
      span.attributes.map((a: { key: string; value: unknown }) => [a.key, a.value]),
    );
    expect(attrs["gen_ai.usage.input_tokens"]).toEqual({ intValue: "12" });
    expect(attrs.negative).toEqual({ intValue: "-3" });
    expect(attrs.big).toEqual({ intValue: "9007199254740993" });
    expect(attrs.ratio).toEqual({ doubleValue: 0.25 });
    expect(attrs.stream).toEqual({ boolValue: true });
    expect(attrs.reasons).toEqual({
      arrayValue: { values: [{ stringValue: "stop" }, { stringValue: "length" }] },
    });
    expect(attrs.nested).toEqual({ kvlistValue: { values: [{ key: "a", value: { intValue: "1" } }] } });
    expect(Buffer.from(attrs.raw.bytesValue, "base64")).toEqual(Buffer.from([1, 2, 255]));
    expect(attrs.long.stringValue).toHaveLength(70_000);
    expect(span.events[0]).toMatchObject({ name: "exception", timeUnixNano: "1764230400999000000" });
    expect(b64ToHex(span.links[0].spanId)).toBe("b7ad6b7169203331");
  });

  it("reads what the official definitions write, and round-trips its own", () => {
    const ours = sample();
    const official = Request.encode(Request.decode(encodeTracesRequest(ours))).finish();
    expect(decodeTracesRequest(official)).toEqual(ours);
    expect(decodeTracesRequest(encodeTracesRequest(ours))).toEqual(ours);
  });

  it("reads partial success from a response, and writes one the official definitions read", () => {
    const bytes = encodeTracesResponse({
      partialSuccess: { rejectedSpans: "2", errorMessage: "bad span ids" },
    });
    expect(Response.toObject(Response.decode(bytes), asObject)).toEqual({
      partialSuccess: { rejectedSpans: "2", errorMessage: "bad span ids" },
    });
    expect(decodeTracesResponse(Response.encode({ partialSuccess: { rejectedSpans: 5 } }).finish())).toEqual({
      partialSuccess: { rejectedSpans: "5" },
    });
    expect(decodeTracesResponse(new Uint8Array())).toEqual({});
  });

  it("refuses bytes that are not a request, with OtlpDecodeError and nothing else", () => {
    const good = encodeTracesRequest(sample());
    const cases = [
      good.subarray(0, good.length - 7), // truncated
      new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), // a length past the end
      new Uint8Array([0x08, 0x01]), // resource_spans as a varint
      new Uint8Array([0x0f]), // wire type 7
      new TextEncoder().encode('{"resourceSpans":[]}'),
    ];
    for (const bytes of cases) expect(() => decodeTracesRequest(bytes)).toThrow(OtlpDecodeError);
  });

  it("refuses values nested past 32 levels instead of recursing on", () => {
    let value: object = { stringValue: "leaf" };
    for (let i = 0; i < 40; i++) value = { arrayValue: { values: [value] } };
    const request = sample();
    request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes = [{ key: "deep", value: value as never }];
    expect(() => decodeTracesRequest(encodeTracesRequest(request))).toThrow(/nested too deep/);
  });

  it("converts times between ms and ns exactly", () => {
    expect(msToNanos(1764230400123.5)).toBe("1764230400123500000");
    expect(nanosToMs("1764230400123500000")).toBe(1764230400123.5);
  });
});
