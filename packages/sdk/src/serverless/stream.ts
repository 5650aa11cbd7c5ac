import type { SpanStatus } from "../types.js";

export type BodyEnd = (status: SpanStatus, error?: unknown) => Promise<void> | void;

/**
 * A web `Response`. Shape first: in Node 20 the first touch of the global `Response` loads undici (tens of
 * ms), which a Lambda result (`{ statusCode, body }`) must not pay for.
 */
export function isResponse(value: unknown): value is Response {
  const v = value as { status?: unknown; headers?: { get?: unknown } } | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.status === "number" &&
    typeof v.headers?.get === "function" &&
    typeof Response !== "undefined" &&
    value instanceof Response
  );
}

/** A Response whose body can be observed: it has one, and it is not a WebSocket upgrade. */
export function isObservableResponse(value: unknown): value is Response {
  return (
    isResponse(value) &&
    value.body !== null &&
    !value.bodyUsed &&
    value.status !== 101 &&
    !(value as { webSocket?: unknown }).webSocket
  );
}

/**
 * The same response with a body that calls `onEnd` once, when the consumer read it to the end, cancelled
 * it, or it failed. The end of the stream waits for `onEnd`, so an awaited flush finishes before the
 * platform sees the body close. Bytes, status and headers are unchanged; chunks are pulled one at a time,
 * so backpressure is kept.
 */
export function observeBody(response: Response, onEnd: BodyEnd): Response {
  const reader = response.body!.getReader();
  let ended = false;
  const end = async (status: SpanStatus, error?: unknown): Promise<void> => {
    if (ended) return;
    ended = true;
    try {
      await onEnd(status, error);
    } catch {
      // onEnd is ours and should not throw; the user's stream must never fail because of it
    }
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          await end("error", error);
          controller.error(error);
          return;
        }
        if (chunk.done) {
          await end("ok");
          controller.close();
        } else {
          controller.enqueue(chunk.value);
        }
      },
      async cancel(reason) {
        try {
          await reader.cancel(reason);
        } finally {
          await end("cancelled");
        }
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
