import { afterEach, describe, expect, it, vi } from "vitest";
import { createDropReport } from "./drops.js";

afterEach(() => vi.restoreAllMocks());

describe("createDropReport", () => {
  it("warns once per cause a minute, then says how many were dropped since, and tells the rest at exit", () => {
    const lines: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((line: string) => void lines.push(line));
    let now = 0;
    const report = createDropReport(() => now);
    report.dropped(12, "collector unreachable at http://127.0.0.1:4477");
    report.dropped(3, "collector unreachable at http://127.0.0.1:4477");
    report.dropped(1, "the server refused a batch (HTTP 400)");
    now = 30_000;
    report.dropped(2, "collector unreachable at http://127.0.0.1:4477");
    now = 61_000;
    report.dropped(4, "collector unreachable at http://127.0.0.1:4477");
    report.dropped(5, "collector unreachable at http://127.0.0.1:4477");
    report.tellRest();
    expect(lines).toEqual([
      "[lumiqtrace] 12 events dropped: collector unreachable at http://127.0.0.1:4477",
      "[lumiqtrace] 1 event dropped: the server refused a batch (HTTP 400)",
      "[lumiqtrace] 9 events dropped: collector unreachable at http://127.0.0.1:4477; 3 times since the last warning",
      "[lumiqtrace] 5 events dropped: collector unreachable at http://127.0.0.1:4477",
    ]);
  });
});
