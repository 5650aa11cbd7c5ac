import { afterEach, describe, expect, it, vi } from "vitest";
import { createDropReport } from "./drops.js";

afterEach(() => vi.restoreAllMocks());

describe("createDropReport", () => {
  it("warns once per cause a minute, then says how many were dropped since, and tells the rest at exit", () => {
    const lines: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((line: string) => void lines.push(line));
    let now = 0;
    const report = createDropReport(() => now);
    const down = "collector unreachable at http://127.0.0.1:4477";
    report.report("dropped", 12, down);
    report.report("dropped", 3, down);
    report.report("dropped", 1, "the server refused a batch (HTTP 400)", "events[0].name: expected a string");
    report.report("kept", 7, down);
    now = 30_000;
    report.report("dropped", 2, down);
    now = 61_000;
    report.report("dropped", 4, down);
    report.report("dropped", 5, down);
    report.report("kept", 1, down);
    report.tellRest();
    expect(lines).toEqual([
      `[lumiqtrace] 12 events dropped: ${down}`,
      "[lumiqtrace] 1 event dropped: the server refused a batch (HTTP 400): events[0].name: expected a string",
      `[lumiqtrace] 7 events not sent yet (kept for the next flush): ${down}`,
      `[lumiqtrace] 9 events dropped: ${down}; 3 times since the last warning`,
      `[lumiqtrace] 1 event not sent yet (kept for the next flush): ${down}`,
      `[lumiqtrace] 5 events more dropped since the last warning: ${down}`,
    ]);
  });
});
