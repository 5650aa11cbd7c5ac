// The result of `streamText` / `streamObject`, observed for how the call ends, without changing it: a
// Proxy whose members are the real result's (methods bound to it), except that each stream it hands
// out (`textStream`, `fullStream`, `toUIMessageStream()`, ...) is the same stream watched for its end or
// cancel, each Response (`toTextStreamResponse()`, `toUIMessageStreamResponse()`) the same response with
// its body watched, and the promises of the whole call's answer (`text`, `usage`, `steps`, ...) watched
// on the side. The AI SDK tees one stream into every reader, so a reader's cancel never reaches the
// model: it is seen here, and ends what is still open as cancelled.
import { obj } from "../llm/read.js";
import { isReadableStream, watchReadable } from "../llm/readable.js";
import { isResponse, observeBody } from "../serverless/stream.js";
import type { Scope } from "./scope.js";

/** Promises that settle only when the whole call is over (not, say, a first step's `request`). */
const FINAL = new Set([
  "text",
  "content",
  "usage",
  "totalUsage",
  "steps",
  "finishReason",
  "toolCalls",
  "toolResults",
  "response",
  "object",
  "output",
  "consumeStream",
]);

export function observeStreamResult(result: unknown, scope: Scope): unknown {
  const real = obj(result);
  if (!real) return result;
  const methods = new Map<PropertyKey, [unknown, unknown]>();
  return new Proxy(real, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return watched(value, key, scope);
      const hit = methods.get(key);
      if (hit && hit[0] === value) return hit[1];
      const bound = function (this: unknown, ...args: unknown[]) {
        const out = value.apply(target, args);
        if (typeof key === "string" && key.startsWith("pipe")) watchServerResponse(args[0], scope);
        return watched(out, key, scope);
      };
      methods.set(key, [value, bound]);
      return bound;
    },
  });
}

function watched(value: unknown, key: PropertyKey, scope: Scope): unknown {
  if (isReadableStream(value)) {
    return watchReadable(value, {
      see: () => true,
      end: (status) => scope.finish(status === "ok" ? "end" : "cancelled"),
      fail: (error) => scope.finish("error", error),
    });
  }
  if (isResponse(value) && value.body && !value.bodyUsed) {
    return observeBody(value, (status, error) => scope.finish(status === "ok" ? "end" : status, error));
  }
  const then = obj(value)?.then;
  if (typeof then === "function" && typeof key === "string" && FINAL.has(key)) {
    // on the side: the caller keeps the very promise, and its rejection stays theirs to handle
    (value as PromiseLike<unknown>).then(
      () => scope.finish("end"),
      (error: unknown) => scope.finish("error", error),
    );
  }
  return value;
}

/** `pipeTextStreamToResponse(res)` and the like write to a Node ServerResponse: its close is the end. */
function watchServerResponse(response: unknown, scope: Scope) {
  const res = obj(response) as
    | { once?: (event: string, f: () => void) => unknown; writableFinished?: boolean }
    | undefined;
  if (typeof res?.once !== "function") return;
  try {
    res.once("close", () => scope.finish(res.writableFinished ? "end" : "cancelled"));
  } catch {
    // not an emitter after all: nothing to watch
  }
}
