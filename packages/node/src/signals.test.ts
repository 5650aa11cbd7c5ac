import { describe, expect, it } from "vitest";
import { flushOnSignals } from "./signals.js";

describe("flushOnSignals", () => {
  it("adds one listener per signal however often it is called, and its return value removes them", () => {
    const before = [process.listenerCount("SIGTERM"), process.listenerCount("SIGINT")];
    flushOnSignals();
    const remove = flushOnSignals({ timeoutMs: 1000 });
    expect([process.listenerCount("SIGTERM"), process.listenerCount("SIGINT")]).toEqual([
      before[0]! + 1,
      before[1]! + 1,
    ]);
    remove();
    expect([process.listenerCount("SIGTERM"), process.listenerCount("SIGINT")]).toEqual(before);
  });

  it("listens to the signals it is given only", () => {
    const before = [process.listenerCount("SIGTERM"), process.listenerCount("SIGUSR2")];
    const remove = flushOnSignals({ signals: ["SIGUSR2"] });
    expect([process.listenerCount("SIGTERM"), process.listenerCount("SIGUSR2")]).toEqual([
      before[0],
      before[1]! + 1,
    ]);
    remove();
  });
});
