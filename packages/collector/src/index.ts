export { startCollector, DEFAULT_MAX_BODY_BYTES } from "./server.js";
export { generateApiKey } from "./keys.js";
export type { Collector, CollectorOptions, IngestRequest } from "./server.js";
export type { FaultSpec } from "./faults.js";
export type { SpanWithCost, Stats, TraceDetail, TraceSummary } from "./api.js";
export type { SpanEvent, Batch, AttributeValue } from "@lumiqtrace/protocol";
export { validateBatch } from "@lumiqtrace/protocol";
export { PRICES_PER_MILLION, estimateCost } from "./prices.js";
