import { afterEach, describe, expect, it, vi } from "vitest";
import { boundByTimeLeft, callWithCallback, remainingMs } from "./lambda-runtime.js";

/** A test double of the part of Lambda's context these helpers read. */
const leftMs = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

describe("boundByTimeLeft", () => {
  it("is the wanted bound while time is plenty, and the time left less the margin near the deadline", () => {
    expect(boundByTimeLeft(leftMs(30_000), 2000, 100)).toBe(2000);
    expect(boundByTimeLeft(leftMs(700), 2000, 100)).toBe(600);
    expect(boundByTimeLeft(leftMs(50), 2000, 100)).toBe(0);
  });

  it("falls back to the wanted bound without a working clock", () => {
    expect(boundByTimeLeft(undefined, 1500)).toBe(1500);
    expect(
      boundByTimeLeft({
        getRemainingTimeInMillis: () => {
          throw new Error("no clock");
        },
      }),
    ).toBe(2000);
    expect(remainingMs({ getRemainingTimeInMillis: () => Number.NaN })).toBeUndefined();
  });
});

describe("callWithCallback", () => {
  it("settles through the callback, with the handler's return value beside it", async () => {
    const handler = (_e: unknown, _c: unknown, done: (e: unknown, r?: unknown) => void) => {
      setTimeout(() => done(null, "result"), 1);
      return "returned";
    };
    const call = callWithCallback(handler, undefined, ["event", {}, "runtime's callback"]);
    expect(call.returned).toBe("returned");
    await expect(call.settled).resolves.toBe("result");
  });

  it("rejects with the very error given to the callback, and settles by a returned promise too", async () => {
    const boom = new Error("boom");
    const failing = callWithCallback(
      (_e: unknown, _c: unknown, done: (e: unknown) => void) => done(boom),
      {},
      [1, 2, 3],
    );
    await expect(failing.settled).rejects.toBe(boom);
    const viaPromise = callWithCallback(async () => "from promise", {}, [1, 2, 3]);
    await expect(viaPromise.settled).resolves.toBe("from promise");
  });

  it("calls the handler with its `this` and the callback in the callback's place", () => {
    let seen: unknown[] = [];
    const self = { me: true };
    callWithCallback(
      function (this: unknown, ...args: unknown[]) {
        seen = [this, ...args.map((a) => typeof a)];
      },
      self,
      ["e", "c", "cb", "extra"],
    );
    expect(seen).toEqual([self, "string", "string", "function", "string"]);
  });
});

describe("takeColdStart", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  async function firstTwo(env: Record<string, string>, delayMs = 0): Promise<boolean[]> {
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    vi.resetModules();
    const { takeColdStart } = await import("./lambda-runtime.js");
    const now = Date.now();
    const spy = vi.spyOn(Date, "now").mockReturnValue(now + delayMs);
    try {
      return [takeColdStart(), takeColdStart()];
    } finally {
      spy.mockRestore();
    }
  }

  it("is true for the first invocation of an on-demand process only", async () => {
    expect(await firstTwo({ AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand" })).toEqual([true, false]);
  });

  it("is false with provisioned concurrency", async () => {
    expect(await firstTwo({ AWS_LAMBDA_INITIALIZATION_TYPE: "provisioned-concurrency" })).toEqual([
      false,
      false,
    ]);
  });

  it("is false after proactive initialisation (first invoke > 10 s after init)", async () => {
    expect(await firstTwo({ AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand" }, 11_000)).toEqual([false, false]);
  });
});
