import { describe, expect, it } from "vitest";
import { encodeTracesJson, parseTracesJson } from "./json.js";
import { OtlpDecodeError } from "./protobuf.js";

// As @opentelemetry/exporter-trace-otlp-http sends it: hex ids, enums as numbers, times as strings,
// an intValue as a number (some SDKs), an empty parent as "".
const official = {
  resourceSpans: [
    {
      resource: {
        attributes: [{ key: "service.name", value: { stringValue: "api" } }],
        droppedAttributesCount: 0,
      },
      scopeSpans: [
        {
          scope: { name: "ai", version: "" },
          spans: [
            {
              traceId: "4BF92F3577B34DA6A3CE929D0E0E4736",
              spanId: "00f067aa0ba902b7",
              parentSpanId: "",
              name: "ai.generateText",
              kind: 1,
              startTimeUnixNano: "1764230400123000000",
              endTimeUnixNano: 1764230400999000000,
              attributes: [
                { key: "ai.usage.promptTokens", value: { intValue: 12 } },
                { key: "empty", value: {} },
              ],
              droppedAttributesCount: 0,
              events: [],
              status: { code: "STATUS_CODE_ERROR", message: "boom" },
              links: [],
            },
          ],
        },
      ],
    },
  ],
};

describe("OTLP JSON", () => {
  it("reads what OpenTelemetry SDKs send, into the model, and writes it back as JSON", () => {
    const request = parseTracesJson(official);
    const span = request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span).toMatchObject({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      parentSpanId: undefined,
      kind: 1,
      endTimeUnixNano: "1764230400999000064", // the nearest double to the number sent
      status: { code: 2, message: "boom" },
      attributes: [
        { key: "ai.usage.promptTokens", value: { intValue: "12" } },
        { key: "empty", value: { stringValue: "" } },
      ],
    });
    expect(parseTracesJson(JSON.parse(encodeTracesJson(request)))).toEqual(request);
  });

  it.each([
    ["not an object", [], /^body: expected a JSON object/],
    [
      "a bad trace id",
      { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "xyz", spanId: "00f067aa0ba902b7" }] }] }] },
      /spans\[0\]\.traceId: expected 32 hex/,
    ],
    [
      "spans not an array",
      { resourceSpans: [{ scopeSpans: [{ spans: {} }] }] },
      /scopeSpans\[0\]\.spans: expected an array/,
    ],
    [
      "a fractional time",
      {
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
                    spanId: "00f067aa0ba902b7",
                    startTimeUnixNano: 1.5,
                  },
                ],
              },
            ],
          },
        ],
      },
      /startTimeUnixNano: expected an integer/,
    ],
  ])("refuses %s, naming the field", (_what, body, message) => {
    expect(() => parseTracesJson(body)).toThrow(OtlpDecodeError);
    expect(() => parseTracesJson(body)).toThrow(message);
  });
});
