// Watching a web ReadableStream as its consumer reads it, without changing what it reads: the
// ReadableStream counterpart of watchIterator, for clients that hand streams around (the AI SDK).
import type { IteratorWatch } from "./iterator.js";

export function isReadableStream(value: unknown): value is ReadableStream<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { getReader?: unknown }).getReader === "function" &&
    typeof (value as { pipeThrough?: unknown }).pipeThrough === "function"
  );
}

/**
 * A stream with `source`'s chunks, end and errors, that tells `watch` what passes and how it ended
 * (`cancelled`: the consumer cancelled it). Every chunk passes (what `see` returns is not used). Chunks are pulled one at a time, so backpressure is kept.
 * An own `Symbol.asyncIterator` of `source` (the AI SDK's `AsyncIterableStream`) is kept too. A throw
 * inside `watch` is swallowed, never the consumer's problem.
 */
export function watchReadable<T>(source: ReadableStream<T>, watch: IteratorWatch<T>): ReadableStream<T> {
  const reader = source.getReader();
  let ended = false;
  const safely = (f: () => void) => {
    try {
      f();
    } catch {
      // our reading must never break the consumer's stream
    }
  };
  const end = (f: () => void) => {
    if (ended) return;
    ended = true;
    safely(f);
  };
  const watched = new ReadableStream<T>(
    {
      // an async pull, not read().then(): one promise fewer per chunk (~0.1 us of the ~0.4 us a layer costs)
      async pull(controller) {
        let r: ReadableStreamReadResult<T>;
        try {
          r = await reader.read();
        } catch (error) {
          end(() => watch.fail(error));
          controller.error(error);
          return;
        }
        if (r.done) {
          end(() => watch.end("ok"));
          controller.close();
          return;
        }
        if (!ended) safely(() => watch.see(r.value));
        controller.enqueue(r.value);
      },
      cancel(reason) {
        end(() => watch.end("cancelled"));
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const iterate = Object.getOwnPropertyDescriptor(source, Symbol.asyncIterator);
  if (iterate) Object.defineProperty(watched, Symbol.asyncIterator, iterate);
  return watched;
}
