// Checks a batch body against docs/protocol.md. Strict on purpose: the SDK's tests run against the local
// collector, which validates with this, so anything it accepts the hosted API must accept too, and
// nothing more.
import type { Batch, SpanError, SpanEvent, SpanKind, SpanStatus } from "./event.js";

export type Validation = { ok: true; batch: Batch } | { ok: false; error: string };

// Each list is typed by the interface it checks: a field added to (or removed from) the type and not
// here is a compile error, so the validator cannot drift from what the SDK emits.
const BATCH_FIELDS = new Set(
  Object.keys({ sdk: 1, sentAt: 1, dropped: 1, events: 1 } satisfies Record<keyof Batch, 1>),
);
const EVENT_FIELDS = new Set(
  Object.keys({
    id: 1,
    type: 1,
    traceId: 1,
    spanId: 1,
    parentSpanId: 1,
    name: 1,
    kind: 1,
    startTime: 1,
    endTime: 1,
    status: 1,
    error: 1,
    attributes: 1,
    userId: 1,
    sessionId: 1,
    tags: 1,
    metadata: 1,
    environment: 1,
    release: 1,
  } satisfies Record<keyof SpanEvent, 1>),
);
const SDK_FIELDS = new Set(Object.keys({ name: 1, version: 1 } satisfies Record<keyof Batch["sdk"], 1>));
const ERROR_FIELDS = new Set(
  Object.keys({ type: 1, message: 1, status: 1 } satisfies Record<keyof SpanError, 1>),
);
const KINDS = new Set(Object.keys({ invocation: 1, llm: 1, custom: 1 } satisfies Record<SpanKind, 1>));
const STATUSES = new Set(Object.keys({ ok: 1, error: 1, cancelled: 1 } satisfies Record<SpanStatus, 1>));
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

class Invalid extends Error {}

function fail(path: string, expected: string): never {
  throw new Invalid(`${path}: ${expected}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkFields(obj: Record<string, unknown>, allowed: Set<string>, path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) fail(path ? `${path}.${key}` : key, "unknown field");
  }
}

function str(v: unknown, path: string, min = 0, max = Number.POSITIVE_INFINITY): string {
  if (typeof v !== "string") fail(path, "expected a string");
  if (v.length < min || v.length > max) {
    fail(
      path,
      max === Number.POSITIVE_INFINITY
        ? `expected at least ${min} characters`
        : `expected ${min}..${max} characters`,
    );
  }
  return v;
}

function num(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(path, "expected a finite number");
  return v;
}

function hexId(v: unknown, path: string, re: RegExp, len: number): string {
  if (typeof v !== "string" || !re.test(v)) fail(path, `expected ${len} lowercase hex characters`);
  if (/^0+$/.test(v)) fail(path, "must not be all zeros");
  return v;
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

function checkAttributes(v: unknown, path: string): void {
  if (!isObject(v)) fail(path, "expected an object");
  for (const [key, value] of Object.entries(v)) {
    if (isScalar(value)) continue;
    if (Array.isArray(value) && value.every(isScalar)) continue;
    fail(`${path}.${key}`, "expected a string, number, boolean or an array of them");
  }
}

function checkEvent(e: unknown, path: string): void {
  if (!isObject(e)) fail(path, "expected an object");
  checkFields(e, EVENT_FIELDS, path);
  str(e.id, `${path}.id`, 1, 64);
  if (e.type !== "span") fail(`${path}.type`, 'expected "span"');
  hexId(e.traceId, `${path}.traceId`, TRACE_ID, 32);
  hexId(e.spanId, `${path}.spanId`, SPAN_ID, 16);
  if (e.parentSpanId !== null) hexId(e.parentSpanId, `${path}.parentSpanId`, SPAN_ID, 16);
  str(e.name, `${path}.name`, 1, 1024);
  if (typeof e.kind !== "string" || !KINDS.has(e.kind))
    fail(`${path}.kind`, 'expected "invocation", "llm" or "custom"');
  const start = num(e.startTime, `${path}.startTime`);
  const end = num(e.endTime, `${path}.endTime`);
  if (end < start) fail(`${path}.endTime`, "must not be before startTime");
  if (typeof e.status !== "string" || !STATUSES.has(e.status)) {
    fail(`${path}.status`, 'expected "ok", "error" or "cancelled"');
  }
  if (e.error !== undefined) {
    const err = e.error;
    if (!isObject(err)) fail(`${path}.error`, "expected an object");
    checkFields(err, ERROR_FIELDS, `${path}.error`);
    str(err.type, `${path}.error.type`);
    str(err.message, `${path}.error.message`);
    if (err.status !== undefined) num(err.status, `${path}.error.status`);
  }
  checkAttributes(e.attributes, `${path}.attributes`);
  for (const key of ["userId", "sessionId", "environment", "release"] as const) {
    if (e[key] !== undefined) str(e[key], `${path}.${key}`);
  }
  if (e.tags !== undefined) {
    if (!Array.isArray(e.tags)) fail(`${path}.tags`, "expected an array of strings");
    for (const [i, t] of e.tags.entries()) str(t, `${path}.tags[${i}]`);
  }
  if (e.metadata !== undefined) {
    if (!isObject(e.metadata)) fail(`${path}.metadata`, "expected an object");
    if (depthOf(e.metadata) > MAX_METADATA_DEPTH) {
      fail(`${path}.metadata`, `nested deeper than ${MAX_METADATA_DEPTH} levels`);
    }
  }
}

// Deeper JSON than this cannot be stored again (JSON.stringify recurses); the SDK cuts at 8 levels.
const MAX_METADATA_DEPTH = 32;

/** Nesting depth of a JSON value, counted without recursion (the body may nest thousands deep). */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth > max) max = depth;
    if (max > MAX_METADATA_DEPTH) return max;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}

/** Validates a parsed JSON body; the error names the first offending field, e.g. `events[3].traceId: ...`. */
export function validateBatch(body: unknown): Validation {
  try {
    if (!isObject(body)) fail("body", "expected a JSON object");
    checkFields(body, BATCH_FIELDS, "");
    if (!isObject(body.sdk)) fail("sdk", "expected an object");
    checkFields(body.sdk, SDK_FIELDS, "sdk");
    str(body.sdk.name, "sdk.name", 1);
    str(body.sdk.version, "sdk.version", 1);
    num(body.sentAt, "sentAt");
    const dropped = num(body.dropped, "dropped");
    if (!Number.isInteger(dropped) || dropped < 0) fail("dropped", "expected a non-negative integer");
    if (!Array.isArray(body.events)) fail("events", "expected an array");
    if (body.events.length === 0) fail("events", "expected at least one event");
    for (const [i, e] of body.events.entries()) checkEvent(e, `events[${i}]`);
    return { ok: true, batch: body as unknown as Batch };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, error: err.message };
    throw err;
  }
}
