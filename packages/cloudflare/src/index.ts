import {
  ATTR_CLOUDFLARE_DURABLE_OBJECT_CLASS,
  ATTR_FAAS_CRON,
  ATTR_FAAS_TRIGGER,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_URL_PATH,
  initFromEnv,
  isWrapped,
  markWrapped,
  runInvocation,
  waitUntilOf,
} from "@lumiqtrace/sdk/serverless";

export interface CloudflareOptions {
  /** The root span's name: a string, or a function of the handler's name and first argument. Default: `GET /path`, `scheduled <cron>`, `queue <name>`, `email`, `tail`, `alarm`. */
  spanName?: string | ((handler: string, event: unknown) => string);
  /** The most a flush may run after the invocation, ms. Default 2000. */
  flushTimeoutMs?: number;
}

/** What an invocation is, read from the handler's first argument. */
interface Invocation {
  name: string;
  traceparent?: string | null;
  attributes: Record<string, unknown>;
}

const describe: Record<string, (event: never) => Invocation> = {
  fetch: (request: Request) => http(request),
  scheduled: (controller: { cron?: unknown }) => {
    const cron = typeof controller?.cron === "string" && controller.cron ? controller.cron : undefined;
    return {
      name: cron ? `scheduled ${cron}` : "scheduled",
      attributes: { [ATTR_FAAS_TRIGGER]: "timer", [ATTR_FAAS_CRON]: cron },
    };
  },
  queue: (batch: { queue?: unknown; messages?: unknown }) => {
    const queue = typeof batch?.queue === "string" ? batch.queue : undefined;
    return {
      name: queue ? `queue ${queue}` : "queue",
      attributes: {
        [ATTR_FAAS_TRIGGER]: "pubsub",
        [ATTR_MESSAGING_DESTINATION_NAME]: queue,
        [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: Array.isArray(batch?.messages)
          ? batch.messages.length
          : undefined,
      },
    };
  },
  email: () => ({ name: "email", attributes: { [ATTR_FAAS_TRIGGER]: "other" } }),
  tail: () => ({ name: "tail", attributes: { [ATTR_FAAS_TRIGGER]: "other" } }),
  alarm: () => ({ name: "alarm", attributes: { [ATTR_FAAS_TRIGGER]: "timer" } }),
};

function http(request: Request): Invocation {
  const url = new URL(request.url);
  return {
    name: `${request.method} ${url.pathname}`,
    traceparent: request.headers.get("traceparent"),
    attributes: {
      [ATTR_FAAS_TRIGGER]: "http",
      [ATTR_HTTP_REQUEST_METHOD]: request.method,
      [ATTR_URL_PATH]: url.pathname,
    },
  };
}

function invocationOf(handler: string, event: unknown, options: CloudflareOptions): Invocation {
  let invocation: Invocation;
  try {
    invocation = describe[handler]!(event as never);
  } catch {
    invocation = { name: handler, attributes: {} }; // an event of a shape we did not expect: still traced
  }
  try {
    const name = typeof options.spanName === "function" ? options.spanName(handler, event) : options.spanName;
    if (typeof name === "string" && name) invocation.name = name;
  } catch {
    // a naming bug must not fail the invocation
  }
  return invocation;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Runs one handler call as an invocation; the flush goes to `waitUntil` (found by `background`). */
function traced(
  handler: string,
  original: Method,
  options: CloudflareOptions,
  background: (
    self: unknown,
    args: unknown[],
  ) => {
    waitUntilFrom?: unknown;
    waitUntil?: (p: Promise<unknown>) => void;
    env?: unknown;
    attributes?: Record<string, unknown>;
  },
): Method {
  return function (this: unknown, ...args: unknown[]) {
    const { env, attributes, ...flushTo } = background(this, args);
    initFromEnv(env);
    const invocation = invocationOf(handler, args[0], options);
    return runInvocation(
      {
        name: invocation.name,
        platform: "cloudflare",
        traceparent: invocation.traceparent,
        attributes: { ...invocation.attributes, ...attributes },
        flushTimeoutMs: options.flushTimeoutMs,
        ...flushTo,
      },
      () => original.apply(this, args),
    );
  };
}

const WORKER_HANDLERS = ["fetch", "scheduled", "queue", "email", "tail"];

/**
 * Traces a Worker's `export default { fetch, scheduled, queue, email, tail }`: each call is an invocation
 * in its own trace, flushed through `ctx.waitUntil` after the response (and after the work the handler
 * itself handed to `ctx.waitUntil`). The client is initialised from the bindings (`env`). Returns an
 * object of the same type, with the handler's other properties, so `satisfies ExportedHandler<Env>` holds.
 */
export function withWorker<H extends object>(handler: H, options: CloudflareOptions = {}): H {
  if (!handler || typeof handler !== "object") return handler;
  const wrapped = Object.create(Object.getPrototypeOf(handler)) as Record<string, unknown>;
  Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(handler));
  const source = handler as Record<string, unknown>;
  for (const name of WORKER_HANDLERS) {
    const original = source[name];
    if (typeof original !== "function" || isWrapped(original)) continue;
    const method = traced(name, original as Method, options, (_self, [, env, ctx]) => ({
      env,
      waitUntilFrom: ctx,
    }));
    Object.defineProperty(wrapped, name, {
      value: markWrapped(method),
      writable: true,
      configurable: true,
      enumerable: true,
    });
  }
  return wrapped as H;
}

type AnyClass = abstract new (...args: any[]) => object;

/**
 * Traces a Durable Object class's `fetch` and `alarm`: each call is an invocation in its own trace, with
 * `cloudflare.durable_object.class`. A Durable Object stays resident while work is pending, so the flush
 * is handed to its state's `waitUntil` and runs after the response. Returns a subclass of the same type.
 */
export function withDurableObject<C extends AnyClass>(Class: C, options: CloudflareOptions = {}): C {
  if (typeof Class !== "function" || isWrapped(Class)) return Class;
  const created = new WeakMap<object, { state: unknown; env: unknown }>();
  const Base = Class as unknown as new (...args: any[]) => object;
  const Traced = class extends Base {
    constructor(...args: any[]) {
      super(...args);
      created.set(this, { state: args[0], env: args[1] });
    }
  };
  for (const name of ["fetch", "alarm"]) {
    const original = (Class.prototype as Record<string, unknown>)[name];
    if (typeof original !== "function") continue;
    const method = traced(name, original as Method, options, (self) => {
      const { state, env } = created.get(self as object) ?? {};
      return {
        env,
        waitUntil: waitUntilOf(state),
        attributes: { [ATTR_CLOUDFLARE_DURABLE_OBJECT_CLASS]: Class.name || undefined },
      };
    });
    Object.defineProperty(Traced.prototype, name, { value: method, writable: true, configurable: true });
  }
  Object.defineProperty(Traced, "name", { value: Class.name, configurable: true });
  return markWrapped(Traced) as unknown as C;
}
