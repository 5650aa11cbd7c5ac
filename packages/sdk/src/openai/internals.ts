// Everything wrapOpenAI relies on that is openai-node's internals rather than its public API, in one
// place. Checked against openai 6.30.1, 6.49.0 and 7.57.0 (the versions the tests run); these are
// Stainless-generated internals, shared by both majors:
// - a call returns an `APIPromise` with `_thenUnwrap(fn)` (a lazy derived APIPromise that keeps
//   `.withResponse()` and `.asResponse()`), `responsePromise` (settles with `{ response }` or the
//   error) and, once someone asked for the data, `parsedPromise`;
// - a streamed call resolves to a `Stream` whose `iterator` method feeds `for await`, `.tee()` and
//   `.toReadableStream()`, and whose `controller` is the AbortController of its request;
// - resources hold the client at `_client`, and helpers (`parse`, `stream`, `runTools`) call
//   `this._client.chat.completions.create`.
import { type IteratorWatch, watchIterator } from "../llm/iterator.js";
import { type Obj, obj } from "../llm/read.js";

interface APIPromise {
  _thenUnwrap(fn: (data: unknown) => unknown): APIPromise;
  responsePromise: Promise<{ response?: { status?: number } }>;
  parsedPromise?: unknown;
  asResponse(): Promise<unknown>;
  then: Promise<unknown>["then"];
}

function isAPIPromise(value: unknown): value is APIPromise {
  const p = value as Partial<APIPromise> | null;
  return typeof p?._thenUnwrap === "function" && typeof p.responsePromise?.then === "function";
}

export interface CallWatch {
  /** The call's data (a completion, or a Stream): seen before the caller gets it, returned as it is. */
  data(data: unknown): void;
  /** The call failed; `error` is the library's own object. */
  failed(error: unknown): void;
  /** The caller took the raw `Response` (`.asResponse()`) and reads the body itself. */
  rawResponse(status: number | undefined): void;
}

/**
 * What to give the caller for a call `create` returned: still the library's own APIPromise, derived
 * lazily, so the body is read only when the caller asks for the data, and `.withResponse()` /
 * `.asResponse()` keep working. Something else (a mock, a future version) is watched on the side and
 * returned as it is.
 */
export function watchCall(promise: unknown, watch: CallWatch): unknown {
  const onData = (data: unknown) => {
    try {
      watch.data(data);
    } catch {
      // our reading must never change what the caller gets
    }
    return data;
  };
  if (!isAPIPromise(promise)) {
    (promise as PromiseLike<unknown> | null)?.then?.(onData, watch.failed);
    return promise;
  }
  const result = promise._thenUnwrap(onData);
  let raw = false;
  let used = false;
  const asResponse = result.asResponse;
  const thenUnwrap = result._thenUnwrap;
  result.asResponse = function (this: unknown) {
    raw = used = true;
    return asResponse.call(this);
  };
  result._thenUnwrap = function (this: unknown, ...args: [(data: unknown) => unknown]) {
    used = true; // a helper (`parse`) takes the data through our `onData`
    return thenUnwrap.apply(this, args);
  };
  promise.responsePromise.then(
    (props) => {
      // `.asResponse()` alone: the caller reads the body; record the call now, without its data
      if (raw && !result.parsedPromise) watch.rawResponse(props?.response?.status);
    },
    (error: unknown) => {
      watch.failed(error);
      // Nobody holds the call: reject unhandled, as the unwrapped call would (same error object).
      if (!used && !result.parsedPromise) Promise.reject(error);
    },
  );
  return result;
}

export interface OpenAIStream {
  iterator: (...args: unknown[]) => AsyncIterator<unknown>;
  controller: { signal?: { aborted?: boolean } };
}

export function isStream(data: unknown): data is OpenAIStream {
  const s = data as Partial<OpenAIStream> | null;
  return typeof s?.iterator === "function" && typeof s.controller === "object" && s.controller !== null;
}

/** Watches the library's Stream in place: its `iterator` feeds `for await`, `.tee()` and `.toReadableStream()`. */
export function watchStream(stream: OpenAIStream, watch: IteratorWatch<unknown>): void {
  const source = stream.iterator;
  stream.iterator = function watchedIterator(this: unknown, ...args: unknown[]) {
    return watchIterator(source.apply(this, args), {
      ...watch,
      // a stream stopped with controller.abort() ends quietly: a cancellation, not a finish
      end: (status) => watch.end(stream.controller.signal?.aborted ? "cancelled" : status),
    });
  };
}

/** The resource's client, when `value` is one of `client`'s resources (`chat`, `chat.completions`, ...). */
export function isResourceOf(value: unknown, client: Obj): boolean {
  return obj(value)?._client === client;
}

/**
 * What a resource's methods are bound to: `resource` seen through an object whose `_client` is the
 * wrapped client, so a helper's `this._client.chat.completions.create` is the call that is recorded.
 */
export function withWrappedClient(resource: Obj, wrapped: Obj): Obj {
  return Object.create(resource, { _client: { value: wrapped } });
}
