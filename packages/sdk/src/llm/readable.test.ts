import { describe, expect, it } from "vitest";
import { isReadableStream, watchReadable } from "./readable.js";

const source = (items: number[], fail?: Error) => {
  let i = 0;
  const s = new ReadableStream<number>({
    pull(c) {
      if (i < items.length) c.enqueue(items[i++]!);
      else if (fail) c.error(fail);
      else c.close();
    },
  });
  return s;
};

function recorder() {
  const seen: number[] = [];
  const ends: string[] = [];
  return {
    seen,
    ends,
    watch: {
      see: (n: number) => seen.push(n) > 0,
      end: (status: string) => ends.push(status),
      fail: (e: unknown) => ends.push(`fail:${(e as Error).message}`),
    },
  };
}

describe("watchReadable", () => {
  it("passes every chunk, sees each once, and ends ok once at the end", async () => {
    const r = recorder();
    const out: number[] = [];
    for await (const n of watchReadable(source([1, 2, 3]), r.watch) as unknown as AsyncIterable<number>)
      out.push(n);
    expect(out).toEqual([1, 2, 3]);
    expect(r.seen).toEqual([1, 2, 3]);
    expect(r.ends).toEqual(["ok"]);
  });

  it("says cancelled when the consumer cancels, and passes the cancel on", async () => {
    let cancelled: unknown;
    const s = new ReadableStream<number>({
      pull: (c) => c.enqueue(1),
      cancel: (why) => void (cancelled = why),
    });
    const r = recorder();
    const reader = watchReadable(s, r.watch).getReader();
    await reader.read();
    await reader.cancel("gone");
    expect(r.ends).toEqual(["cancelled"]);
    expect(cancelled).toBe("gone");
  });

  it("hands the consumer the source's very error, and tells the watch", async () => {
    const boom = new Error("boom");
    const r = recorder();
    const reader = watchReadable(source([1], boom), r.watch).getReader();
    await reader.read();
    await expect(reader.read()).rejects.toBe(boom);
    expect(r.ends).toEqual(["fail:boom"]);
  });

  it("keeps the stream's chunks when the watch throws", async () => {
    const throwing = {
      see: () => {
        throw new Error("ours");
      },
      end: () => {
        throw new Error("ours");
      },
      fail: () => {},
    };
    const out: number[] = [];
    const reader = watchReadable(source([1, 2]), throwing).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value);
    expect(out).toEqual([1, 2]);
  });

  it("keeps an own Symbol.asyncIterator of the source (the AI SDK's AsyncIterableStream)", () => {
    const s = source([1]) as ReadableStream<number> & { [Symbol.asyncIterator]?: unknown };
    const iterate = function (this: ReadableStream) {
      return (this as unknown as { values(): unknown }).values();
    };
    Object.defineProperty(s, Symbol.asyncIterator, { value: iterate, writable: true, configurable: true });
    const watched = watchReadable(s, recorder().watch) as unknown as Record<symbol, unknown>;
    expect(watched[Symbol.asyncIterator]).toBe(iterate);
    expect(isReadableStream(watched)).toBe(true);
    expect(isReadableStream({ getReader() {} })).toBe(false);
  });
});
