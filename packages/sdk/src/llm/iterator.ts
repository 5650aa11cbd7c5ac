// Watching a stream of chunks or events as the caller reads it, without changing what it reads.

export interface IteratorWatch<T> {
  /** Sees each item before the caller; false hides it from the caller (an item we asked for on its behalf). */
  see(item: T): boolean;
  /** The caller read to the end (`ok`), or left early (`cancelled`: `break`, `return()`). */
  end(status: "ok" | "cancelled"): void;
  /** The source failed: `error` is what the caller gets, the very same object. */
  fail(error: unknown): void;
}

/**
 * An async iterator over `source` that tells `watch` what passes. Items, their order, the end and the
 * errors are exactly `source`'s (minus what `see` hides); a throw inside `watch` is swallowed, never the
 * caller's problem.
 */
export function watchIterator<T>(
  source: AsyncIterator<T>,
  watch: IteratorWatch<T>,
): AsyncIterableIterator<T> {
  const safely = (f: () => void) => {
    try {
      f();
    } catch {
      // our reading of an item must never break the caller's loop
    }
  };
  const settle = (r: IteratorResult<T>): IteratorResult<T> | Promise<IteratorResult<T>> => {
    if (r.done) {
      safely(() => watch.end("ok"));
      return r;
    }
    let pass = true;
    safely(() => (pass = watch.see(r.value)));
    return pass ? r : watched.next();
  };
  const failed = (error: unknown): never => {
    safely(() => watch.fail(error));
    throw error;
  };
  const watched: AsyncIterableIterator<T> = {
    next: () => source.next().then(settle, failed),
    return(value?: unknown) {
      safely(() => watch.end("cancelled"));
      return source.return ? source.return(value as T) : Promise.resolve({ done: true, value: value as T });
    },
    throw(error?: unknown) {
      return source.throw ? source.throw(error) : Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return watched;
    },
  };
  return watched;
}
