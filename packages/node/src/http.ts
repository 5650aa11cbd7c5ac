import type { IncomingMessage, ServerResponse } from "node:http";
import { copyOwnProperties, isWrapped, markWrapped } from "@lumiqtrace/sdk/serverless";
import { type NodeOptions, traceRequest } from "./request.js";

/**
 * Wraps a `node:http` request listener (`http.createServer(withNodeHttp(listener))`): each request is one
 * trace, ended when its response has finished, flushed in the background after it. The listener's `this`,
 * return value and thrown errors are what they would be unwrapped.
 */
export function withNodeHttp<L extends (req: IncomingMessage, res: ServerResponse) => unknown>(
  listener: L,
  options: NodeOptions = {},
): L {
  if (isWrapped(listener) || typeof listener !== "function") return listener;
  const wrapped = function (this: unknown, req: IncomingMessage, res: ServerResponse) {
    let returned: unknown;
    traceRequest(req, res, options, () => {
      returned = listener.call(this, req, res);
    });
    return returned;
  };
  copyOwnProperties(listener, wrapped);
  return markWrapped(wrapped) as unknown as L;
}
