export type {
  AttributeValue,
  Attributes,
  Batch,
  SpanError,
  SpanEvent,
  SpanKind,
  SpanStatus,
} from "./event.js";
export * from "./attributes.js";
export { validateBatch, type Validation } from "./validate.js";
