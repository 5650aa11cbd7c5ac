import { AsyncResource } from "node:async_hooks";
import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ATTR_FAAS_TRIGGER,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  runInvocation,
  type WaitUntil,
} from "@lumiqtrace/sdk/serverless";

export interface NodeOptions {
  /** The root span's name, or a function of the request and the route pattern (read once the response ended). Default: `GET /users/:id`. */
  spanName?: string | ((req: IncomingMessage, route: string | undefined) => string);
  /** The most the flush after a response may run, ms. Default 2000. */
  flushTimeoutMs?: number;
  /** Which requests to trace: return false to let a request through untraced. Default: all. */
  filter?: (req: IncomingMessage) => boolean;
}

// One trace per request even when two of our wrappers see it (withNodeHttp around an app using withExpress).
const traced = new WeakSet<IncomingMessage>();

/**
 * A server process lives on after a response, so the flush `runInvocation` hands over (started once the
 * response has finished, bounded by `flushTimeoutMs`) simply runs: this `waitUntil` has nothing to keep.
 */
const afterResponse: WaitUntil = () => {};

/**
 * The one thing the three wrappers do: run `handle` (the listener, or the rest of the middleware chain)
 * as an invocation that ends when the response has finished or was closed, then flush in the background.
 * `routeOf` gives the framework's route pattern once the response has ended. An error `handle` throws is
 * rethrown as it was, synchronously.
 */
export function traceRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: NodeOptions,
  handle: () => void,
  routeOf: () => unknown = () => undefined,
): void {
  if (traced.has(req) || !wanted(options, req)) {
    handle();
    return;
  }
  traced.add(req);
  const method = req.method ?? "GET";
  let thrown: { error: unknown } | undefined;
  runInvocation(
    {
      name: method,
      platform: "node",
      traceparent: firstHeader(req.headers.traceparent),
      flushTimeoutMs: options.flushTimeoutMs,
      waitUntil: afterResponse,
      statusOf: (status: number | undefined) => status,
    },
    (span) => {
      span.setAttributes({
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_PATH]: pathOf(req.url),
        [ATTR_FAAS_TRIGGER]: "http",
      });
      const ended = responseEnded(res);
      bindToContext(req);
      bindToContext(res);
      try {
        handle();
      } catch (error) {
        thrown = { error };
        throw error;
      }
      return ended.then((finished): number | undefined => {
        const route = routeOrUndefined(routeOf);
        if (route !== undefined) span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(spanNameOf(options, req, route) ?? (route ? `${method} ${route}` : method));
        if (finished) return res.statusCode;
        span.setStatus("cancelled"); // the client went away before the response was complete
        return undefined;
      });
    },
  ).catch(() => {}); // runInvocation rethrows what handle threw: it is thrown below, as it was
  if (thrown) throw thrown.error;
}

/** True once the response has been handed to the OS whole ('finish'), false when it closed before that. */
function responseEnded(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.writableFinished) return resolve(true);
    res.once("finish", () => resolve(true));
    res.once("close", () => resolve(res.writableFinished));
  });
}

const ADD = ["on", "addListener", "once", "prependListener", "prependOnceListener"] as const;
const REMOVE = ["off", "removeListener"] as const;
type Listener = (...args: unknown[]) => unknown;

/**
 * Listeners added to `emitter` from now on run in the context they were added in, as a promise's
 * continuation does. A body parsed from 'data' events (Express' body parsers, Fastify's) would otherwise
 * continue in the socket's context, without the trace; OpenTelemetry binds a request the same way.
 */
function bindToContext(emitter: EventEmitter): void {
  const bound = new WeakMap<Listener, Listener>();
  const bind = (listener: unknown) => {
    if (typeof listener !== "function") return listener;
    let b = bound.get(listener as Listener);
    if (!b) {
      const resource = new AsyncResource("lumiqtrace.listener");
      b = function (this: unknown, ...args: unknown[]) {
        return resource.runInAsyncScope(listener as Listener, this, ...args);
      };
      bound.set(listener as Listener, b);
    }
    return b;
  };
  const target = emitter as unknown as Record<string, (event: unknown, listener: unknown) => unknown>;
  for (const name of ADD) {
    const original = target[name];
    if (typeof original !== "function") continue;
    target[name] = function (this: unknown, event: unknown, listener: unknown) {
      return original.call(this, event, bind(listener));
    };
  }
  for (const name of REMOVE) {
    const original = target[name];
    if (typeof original !== "function") continue;
    target[name] = function (this: unknown, event: unknown, listener: unknown) {
      return original.call(this, event, bound.get(listener as Listener) ?? listener);
    };
  }
}

function wanted(options: NodeOptions, req: IncomingMessage): boolean {
  try {
    return options.filter?.(req) !== false;
  } catch {
    return true; // a filter bug must not fail the request
  }
}

function spanNameOf(options: NodeOptions, req: IncomingMessage, route: string | undefined) {
  try {
    const name = typeof options.spanName === "function" ? options.spanName(req, route) : options.spanName;
    return typeof name === "string" && name ? name : undefined;
  } catch {
    return undefined; // a naming bug must not fail the request
  }
}

function routeOrUndefined(routeOf: () => unknown): string | undefined {
  try {
    const route = routeOf();
    return typeof route === "string" && route ? route : undefined;
  } catch {
    return undefined;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function pathOf(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0]!;
  return path || "/";
}
