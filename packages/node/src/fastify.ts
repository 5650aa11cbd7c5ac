import type { IncomingMessage, ServerResponse } from "node:http";
import { type NodeOptions, traceRequest } from "./request.js";

/** What the plugin uses of Fastify's request and reply. */
interface FastifyRequestLike {
  raw: IncomingMessage;
  routeOptions?: { url?: unknown };
}
interface FastifyReplyLike {
  raw: ServerResponse;
}
interface FastifyLike {
  addHook(
    name: "onRequest",
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: () => void) => void,
  ): unknown;
}

/**
 * A Fastify plugin: `await app.register(withFastify, options)`. With fastify-plugin's semantics (it is
 * not encapsulated), so its `onRequest` hook traces every route of the app, registered before or after.
 * The root span is named for the route pattern (`GET /users/:id`) and carries the status.
 */
export const withFastify = Object.assign(
  function lumiqtracePlugin(fastify: FastifyLike, options: NodeOptions, done: (error?: Error) => void) {
    const opts: NodeOptions = options ?? {};
    fastify.addHook("onRequest", (request, reply, next) => {
      traceRequest(
        request.raw,
        reply.raw,
        opts,
        () => next(),
        () => request.routeOptions?.url,
      );
    });
    done();
  },
  {
    // what fastify-plugin sets: hooks apply to the parent scope, and the plugin's name in errors
    [Symbol.for("skip-override")]: true,
    [Symbol.for("fastify.display-name")]: "@lumiqtrace/node",
    [Symbol.for("plugin-meta")]: { name: "@lumiqtrace/node", fastify: ">=4.10.0" },
  },
);
