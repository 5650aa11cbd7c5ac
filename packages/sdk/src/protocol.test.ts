// The contract between the SDK and every collector: what the real client sends passes the validator the
// local collector runs (@lumiqtrace/protocol), with every optional field of an event in use.
import { validateBatch } from "@lumiqtrace/protocol";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import { afterEach, beforeEach, expect, it } from "vitest";
import { init, resetClient } from "./global.js";
import { lumiqtrace, withLumiqtraceContext } from "./index.js";

let server: LoopbackServer;
beforeEach(async () => {
  server = await startLoopbackServer();
  init({
    apiKey: "k",
    baseUrl: server.url,
    environment: "production",
    release: "1.2.3",
    flushIntervalMs: 60_000,
  });
});
afterEach(async () => {
  resetClient();
  await server.close();
});

it("sends batches the protocol's validator accepts, every optional field included", async () => {
  await withLumiqtraceContext(
    { userId: "u-1", sessionId: "s-1", tags: ["beta"], metadata: { plan: "pro", nested: { depth: [1, 2] } } },
    async () => {
      await lumiqtrace.span("ok", async () => "fine", { kind: "llm", attributes: { n: 1, names: ["a"] } });
      await lumiqtrace
        .span("fails", async () => {
          throw Object.assign(new Error("overloaded"), { status: 529 });
        })
        .catch(() => {});
    },
  );
  await lumiqtrace.flush();
  expect(server.requests).toHaveLength(1);
  const body = server.requests[0]!.body;
  expect(validateBatch(body)).toMatchObject({ ok: true });
  const fields = new Set(body.events.flatMap((e: object) => Object.keys(e)));
  for (const optional of ["error", "userId", "sessionId", "tags", "metadata", "environment", "release"])
    expect(fields).toContain(optional);
});
