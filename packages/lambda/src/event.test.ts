import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { describeInvocation, eventSource, resultStatus } from "./event.js";

// Trimmed copies of the events AWS documents for each trigger (only the fields that tell them apart matter).
const events = {
  api_gateway_v1: {
    resource: "/items/{id}",
    path: "/items/7",
    httpMethod: "GET",
    headers: { Traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    requestContext: { apiId: "a1", stage: "prod", httpMethod: "GET", resourcePath: "/items/{id}" },
  },
  api_gateway_v2: {
    version: "2.0",
    routeKey: "PUT /items/{id}",
    rawPath: "/items/7",
    headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    requestContext: {
      apiId: "a2",
      domainName: "a2.execute-api.us-east-1.amazonaws.com",
      http: { method: "PUT", path: "/items/7" },
    },
  },
  function_url: {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/chat",
    headers: {},
    requestContext: {
      domainName: "abcdef.lambda-url.us-east-1.on.aws",
      http: { method: "POST", path: "/chat" },
    },
  },
  alb: {
    httpMethod: "DELETE",
    path: "/items/7",
    headers: {},
    requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:..." } },
  },
  sqs: {
    Records: [{ messageId: "m", body: "{}", eventSource: "aws:sqs", eventSourceARN: "arn:aws:sqs:..." }],
  },
  sns: { Records: [{ EventSource: "aws:sns", EventVersion: "1.0", Sns: { Message: "hi" } }] },
  s3: { Records: [{ eventSource: "aws:s3", eventName: "ObjectCreated:Put", s3: {} }] },
  dynamodb: { Records: [{ eventSource: "aws:dynamodb", eventName: "INSERT", dynamodb: {} }] },
  kinesis: { Records: [{ eventSource: "aws:kinesis", kinesis: {} }] },
  eventbridge: { version: "0", "detail-type": "Order Placed", source: "shop.orders", detail: {} },
  schedule: { version: "0", "detail-type": "Scheduled Event", source: "aws.events", detail: {} },
  direct: { question: "what is 2+2?" },
} as const;

describe("eventSource", () => {
  it.each(Object.entries(events))("recognises %s", (source, event) => {
    expect(eventSource(event)).toBe(source);
  });

  it("calls EventBridge Scheduler events scheduled, and anything else direct", () => {
    expect(eventSource({ "detail-type": "Scheduled Event", source: "aws.scheduler", detail: {} })).toBe(
      "schedule",
    );
    for (const e of [null, undefined, "text", 42, [], { Records: [] }, { Records: [{ eventSource: "x" }] }]) {
      expect(eventSource(e)).toBe("direct");
    }
  });
});

const context = { functionName: "fn", memoryLimitInMB: "128" } as Context;

describe("describeInvocation", () => {
  it("names HTTP invocations by method and route, and reads the traceparent header", () => {
    const v1 = describeInvocation(events.api_gateway_v1, context, false);
    expect(v1.name).toBe("GET /items/{id}");
    expect(v1.attributes).toMatchObject({
      "http.route": "/items/{id}",
      "url.path": "/items/7",
      "faas.trigger": "http",
    });
    expect(v1.traceparent).toBe(events.api_gateway_v1.headers.Traceparent);
    const v2 = describeInvocation(events.api_gateway_v2, context, false);
    expect(v2.name).toBe("PUT /items/{id}");
    expect(v2.traceparent).toBe(events.api_gateway_v2.headers.traceparent);
  });

  it("falls back to the path without a route (function URL, ALB)", () => {
    expect(describeInvocation(events.function_url, context, false)).toMatchObject({
      name: "POST /chat",
      attributes: { "http.route": undefined, "aws.lambda.event_source": "function_url" },
    });
    expect(describeInvocation(events.alb, context, false).name).toBe("DELETE /items/7");
  });

  it("names other invocations after the function and sets their trigger", () => {
    const sqs = describeInvocation(events.sqs, context, true);
    expect(sqs.name).toBe("fn");
    expect(sqs.traceparent).toBeUndefined();
    expect(sqs.attributes).toMatchObject({
      "faas.trigger": "pubsub",
      "faas.coldstart": true,
      "faas.max_memory": 134217728,
    });
    expect(describeInvocation(events.s3, context, false).attributes["faas.trigger"]).toBe("datasource");
    expect(describeInvocation(events.schedule, context, false).attributes["faas.trigger"]).toBe("timer");
    expect(describeInvocation(events.direct, undefined, false)).toMatchObject({
      name: "lambda",
      attributes: { "faas.trigger": "other" },
    });
  });
});

describe("resultStatus", () => {
  it("reads statusCode from HTTP results; payload v2 without one means 200", () => {
    expect(resultStatus({ statusCode: 404 }, "api_gateway_v1")).toBe(404);
    expect(resultStatus({ hello: 1 }, "api_gateway_v2")).toBe(200);
    expect(resultStatus("text", "function_url")).toBe(200);
    expect(resultStatus({ hello: 1 }, "alb")).toBeUndefined();
    expect(resultStatus({ statusCode: 200 }, "sqs")).toBeUndefined();
  });
});
