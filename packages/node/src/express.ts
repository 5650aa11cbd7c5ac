import type { IncomingMessage, ServerResponse } from "node:http";
import { type NodeOptions, traceRequest } from "./request.js";

/** The request as Express has it once a route matched: the mount path and the route's pattern. */
type ExpressRequest = IncomingMessage & { baseUrl?: string; route?: { path?: unknown } };

/**
 * Express middleware: `app.use(withExpress())`, registered first, so every later middleware and route
 * runs in the request's trace. The root span is named for the route pattern that answered
 * (`GET /users/:id`, with the mount path of a router) and carries the status.
 */
export function withExpress(options: NodeOptions = {}) {
  return function lumiqtraceMiddleware(
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    traceRequest(req, res, options, () => next(), watchRoute(req as ExpressRequest));
  };
}

/**
 * The pattern of the route that matched, with its router's mount path as it was then: an error leaving a
 * router restores `req.baseUrl` before the response ends, so it is read when Express sets `req.route`.
 */
function watchRoute(req: ExpressRequest): () => string | undefined {
  let route: ExpressRequest["route"];
  let base: string | undefined;
  try {
    Object.defineProperty(req, "route", {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: (value: ExpressRequest["route"]) => {
        route = value;
        base = req.baseUrl ?? "";
      },
    });
  } catch {
    // a request object that refuses the accessor: the mount path as Express left it
  }
  return () => {
    const path = req.route?.path;
    return typeof path === "string" ? `${base ?? req.baseUrl ?? ""}${path}` : undefined;
  };
}
