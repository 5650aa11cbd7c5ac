import { describe, expect, it } from "vitest";
import { createInvocations } from "./invocations.js";

describe("an invocation is over", () => {
  it("when the SDK or the Telemetry API says so, whichever is first", async () => {
    const inv = createInvocations();
    const over = inv.over("a", Date.now() + 10_000);
    inv.done("a", "telemetry");
    inv.done("a", "sdk");
    expect(await over).toBe("telemetry");
  });

  it("when it was said before the extension asked (the SDK can be quicker than the INVOKE event)", async () => {
    const inv = createInvocations();
    inv.done("b", "sdk");
    expect(await inv.over("b", Date.now() + 10_000)).toBe("sdk");
  });

  it("at its deadline, when nothing says so", async () => {
    const inv = createInvocations();
    const started = Date.now();
    inv.done("another", "sdk");
    expect(await inv.over("c", started + 50)).toBe("deadline");
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("keeps a bounded number of early ids", async () => {
    const inv = createInvocations();
    for (let i = 0; i < 100; i++) inv.done(`x${i}`, "sdk");
    expect(await inv.over("x0", Date.now())).toBe("deadline");
    expect(await inv.over("x99", Date.now() + 1000)).toBe("sdk");
  });
});
