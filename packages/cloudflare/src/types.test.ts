// The wrapped handler and class keep their types: `satisfies` and assignments below are checked by tsc
// (`pnpm typecheck`); the test itself only runs them.
import type {
  DurableObject,
  DurableObjectState,
  ExecutionContext,
  ExportedHandler,
  MessageBatch,
  ScheduledController,
  Request as WorkerRequest,
  Response as WorkerResponse,
} from "@cloudflare/workers-types/index.ts";
import { describe, expect, it } from "vitest";
import { withDurableObject, withWorker } from "./index.js";

// Workers' own Request and Response types, as a Worker project has them (this test runs on Node's)
const respond = (body: string) => new Response(body) as unknown as WorkerResponse;

interface Env {
  LUMIQTRACE_API_KEY: string;
}

const handler = {
  async fetch(request: WorkerRequest, _env: Env, _ctx: ExecutionContext) {
    return respond(request.url);
  },
  async scheduled(controller: ScheduledController, _env: Env, _ctx: ExecutionContext) {
    void controller.cron;
  },
  async queue(batch: MessageBatch<{ id: number }>, _env: Env, _ctx: ExecutionContext) {
    for (const m of batch.messages) m.ack();
  },
} satisfies ExportedHandler<Env, { id: number }>;

// as the Workers template writes it
const wrapped = withWorker(handler) satisfies ExportedHandler<Env, { id: number }>;
const sameType: typeof handler = wrapped;
const withExtra = withWorker({ ...handler, version: "1.0" });

class Counter implements DurableObject {
  constructor(
    readonly state: DurableObjectState,
    readonly env: Env,
  ) {}
  async fetch(_request: WorkerRequest) {
    return respond("1");
  }
  async alarm() {}
  increment(by: number): number {
    return by + 1;
  }
}
const TracedCounter = withDurableObject(Counter);
const sameClass: typeof Counter = TracedCounter;

describe("types", () => {
  it("keeps the handler's own properties and the class's methods", () => {
    expect(withExtra.version).toBe("1.0");
    expect(typeof sameType.queue).toBe("function");
    expect(typeof sameClass.prototype.increment).toBe("function");
    expect(TracedCounter.name).toBe("Counter");
    expect(new TracedCounter({} as DurableObjectState, { LUMIQTRACE_API_KEY: "" })).toBeInstanceOf(Counter);
  });
});
