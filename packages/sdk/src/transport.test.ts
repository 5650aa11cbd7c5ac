import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import { batchBody, GZIP_FROM_CHARS, parseRetryAfter, postBatch, transportChoice } from "./transport.js";

let server: LoopbackServer;
beforeEach(async () => {
  server = await startLoopbackServer();
});
afterEach(async () => {
  transportChoice.force = undefined;
  await server.close();
});

const small = batchBody(['{"id":"a"}'], 0);

// Node uses node:http (a first fetch loads undici: tens of ms at cold start); other runtimes use fetch.
describe.each(["node", "fetch"] as const)("over %s", (via) => {
  beforeEach(() => {
    transportChoice.force = via;
  });

  it("posts the batch with the key and the SDK header", async () => {
    expect(await postBatch(`${server.url}/v1/batch`, "k1", small, 1000)).toEqual({ kind: "delivered" });
    expect(server.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/batch",
      headers: { authorization: "Bearer k1", "content-type": "application/json" },
      body: { dropped: 0, events: [{ id: "a" }] },
    });
  });

  it("gzips a large body", async () => {
    const big = batchBody([JSON.stringify({ id: "b", pad: "x".repeat(GZIP_FROM_CHARS) })], 2);
    expect(await postBatch(`${server.url}/v1/batch`, "k", big, 1000)).toEqual({ kind: "delivered" });
    expect(server.requests[0]!.headers["content-encoding"]).toBe("gzip");
    expect(server.requests[0]!.body.events[0].pad).toHaveLength(GZIP_FROM_CHARS);
  });

  it("classifies answers", async () => {
    server.script(
      { status: 401, body: JSON.stringify({ error: "invalid API key" }) },
      { status: 413 },
      { status: 429, headers: { "retry-after": "3" } },
      { status: 503 },
      { status: 404, body: "not json" },
    );
    const post = () => postBatch(`${server.url}/v1/batch`, "k", small, 1000);
    expect(await post()).toEqual({ kind: "rejected", status: 401, message: "invalid API key" });
    expect(await post()).toEqual({ kind: "too-large" });
    expect(await post()).toEqual({
      kind: "retry",
      reason: `${server.url} answered HTTP 429`,
      retryAfterMs: 3000,
    });
    expect(await post()).toEqual({
      kind: "retry",
      reason: `${server.url} answered HTTP 503`,
      retryAfterMs: undefined,
    });
    expect(await post()).toEqual({ kind: "rejected", status: 404, message: "not json" });
  });

  it("turns a reset, a refused connection and a hang into retries", async () => {
    server.script({ reset: true }, { hang: true });
    expect((await postBatch(`${server.url}/v1/batch`, "k", small, 1000)).kind).toBe("retry");
    const hung = await postBatch(`${server.url}/v1/batch`, "k", small, 200);
    expect(hung).toEqual({ kind: "retry", reason: expect.stringContaining("no answer within 200 ms") });
    expect((await postBatch("http://127.0.0.1:9/v1/batch", "k", small, 1000)).kind).toBe("retry");
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("0.5")).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
