// @lumiqtrace/node: request tracing for Node servers and containers, and a drain on SIGTERM.
export { withNodeHttp } from "./http.js";
export { withExpress } from "./express.js";
export { withFastify } from "./fastify.js";
export { flushOnSignals, type FlushOnSignalsOptions } from "./signals.js";
export type { NodeOptions } from "./request.js";
