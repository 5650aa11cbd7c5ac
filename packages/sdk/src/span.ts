import { activeState, runWithState, type TraceState } from "./context.js";
import { getClient } from "./global.js";
import { newSpanId, newTraceId, uuidv7 } from "./ids.js";
import { setAttributes, toAttributeValue, truncate } from "./serialize.js";
import type { Attributes, SpanEvent, SpanKind, SpanStatus, UserContext } from "./types.js";

export interface Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  /** False when the trace was sampled out: the span records nothing. */
  readonly sampled: boolean;
  readonly ended: boolean;
  setAttribute(key: string, value: unknown): Span;
  setAttributes(values: Record<string, unknown>): Span;
  /** Marks the span failed with this error (type, message and an HTTP `status` when the error has one). */
  recordError(error: unknown): Span;
  setStatus(status: SpanStatus): Span;
  updateName(name: string): Span;
  /** Records the span. Later calls do nothing. */
  end(endTime?: number): void;
}

export interface StartSpanOptions {
  name: string;
  kind?: SpanKind;
  attributes?: Record<string, unknown>;
  /** The parent span's id when it lives in another process (an incoming `traceparent`). */
  remoteParentSpanId?: string;
}

/** Wall-clock ms with sub-ms precision where the runtime has it (some runtimes' timeOrigin is 0). */
function now(): number {
  const wall = Date.now();
  if (typeof performance === "undefined") return wall;
  const precise = performance.timeOrigin + performance.now();
  return Math.abs(precise - wall) < 60_000 ? precise : wall;
}

/** Keeps a trace whole: the decision is a pure function of the trace id, the same in every process. */
export function isSampled(traceId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return Number.parseInt(traceId.slice(-8), 16) / 0x1_0000_0000 < rate;
}

/** A fresh trace (no parent span), sampled by the current client's `sampleRate`. */
export function newTrace(traceId: string = newTraceId()): TraceState {
  const client = getClient();
  return {
    traceId,
    spanId: null,
    sampled: client.options.enabled && isSampled(traceId, client.options.sampleRate),
    user: {},
  };
}

class RecordingSpan implements Span {
  readonly spanId = newSpanId();
  readonly parentSpanId: string | null;
  readonly attributes: Attributes = {};
  private readonly startTime = now();
  private status: SpanStatus = "ok";
  private error: SpanEvent["error"];
  ended = false;

  constructor(
    readonly state: TraceState,
    private name: string,
    private readonly kind: SpanKind,
    remoteParent: string | undefined,
  ) {
    this.parentSpanId = remoteParent ?? state.spanId;
  }

  get traceId(): string {
    return this.state.traceId;
  }

  get sampled(): boolean {
    return this.state.sampled;
  }

  setAttribute(key: string, value: unknown): Span {
    if (this.ended) return this;
    const v = toAttributeValue(value);
    if (v !== undefined && typeof key === "string") this.attributes[key] = v;
    return this;
  }

  setAttributes(values: Record<string, unknown>): Span {
    if (!this.ended && values && typeof values === "object") setAttributes(this.attributes, values);
    return this;
  }

  recordError(error: unknown): Span {
    this.status = "error";
    const e = error as {
      name?: unknown;
      message?: unknown;
      status?: unknown;
      statusCode?: unknown;
      constructor?: { name?: string };
    };
    const type =
      (typeof e?.constructor?.name === "string" && e.constructor.name !== "Object" && e.constructor.name) ||
      (typeof e?.name === "string" && e.name) ||
      typeof error;
    const message = typeof e?.message === "string" ? e.message : String(error);
    this.error = { type: truncate(type, 200), message: truncate(message, 2000) };
    // `status` (openai, Anthropic) or `statusCode` (the AI SDK's APICallError)
    const status = typeof e?.status === "number" ? e.status : e?.statusCode;
    if (typeof status === "number") this.error.status = status;
    return this;
  }

  setStatus(status: SpanStatus): Span {
    if (status === "ok" || status === "error" || status === "cancelled") this.status = status;
    return this;
  }

  updateName(name: string): Span {
    if (typeof name === "string" && name) this.name = truncate(name, 1024);
    return this;
  }

  end(endTime?: number): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.state.sampled) return;
    const client = getClient();
    const o = client.options;
    const { userId, sessionId, tags, metadata } = this.state.user;
    const event: SpanEvent = {
      id: uuidv7(),
      type: "span",
      traceId: this.state.traceId,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      kind: this.kind,
      startTime: this.startTime,
      endTime: typeof endTime === "number" && endTime >= this.startTime ? endTime : now(),
      status: this.status,
      attributes: this.attributes,
    };
    if (this.error) event.error = this.error;
    if (userId !== undefined) event.userId = userId;
    if (sessionId !== undefined) event.sessionId = sessionId;
    if (tags !== undefined) event.tags = tags;
    if (metadata !== undefined) event.metadata = metadata;
    if (o.environment !== undefined) event.environment = o.environment;
    if (o.release !== undefined) event.release = o.release;
    client.capture(event);
  }
}

/** Starts a span, child of the active span (or the first span of a new trace). End it with `end()`. */
export function startSpan(options: StartSpanOptions): Span {
  const state = activeState() ?? newTrace();
  const name = typeof options?.name === "string" && options.name ? truncate(options.name, 1024) : "span";
  const span = new RecordingSpan(state, name, options?.kind ?? "custom", options?.remoteParentSpanId);
  if (options?.attributes) span.setAttributes(options.attributes);
  return span;
}

export function stateOf(span: Span): TraceState | undefined {
  return span instanceof RecordingSpan ? span.state : undefined;
}

/** Runs `fn` with `span` as the parent of every span started inside it. */
export function runWithSpan<R>(span: Span, fn: () => R, extra?: Partial<TraceState>): R {
  const state = stateOf(span) ?? activeState() ?? newTrace();
  return runWithState({ ...state, ...extra, spanId: span.spanId }, fn);
}

/** The active trace's ids and user context, or undefined outside any trace. */
export function getTraceContext():
  | ({ traceId: string; spanId: string | null; sampled: boolean } & UserContext)
  | undefined {
  const s = activeState();
  if (!s) return undefined;
  return { traceId: s.traceId, spanId: s.spanId, sampled: s.sampled, ...s.user };
}

/** Runs `fn` in a new span (child of the active one) that ends when `fn` returns or its promise settles. */
export function span<R>(
  name: string,
  fn: (span: Span) => R,
  options?: { kind?: SpanKind; attributes?: Record<string, unknown> },
): R {
  const s = startSpan({ name, kind: options?.kind ?? "custom", attributes: options?.attributes });
  let result: R;
  try {
    result = runWithSpan(s, () => fn(s));
  } catch (error) {
    s.recordError(error);
    s.end();
    throw error;
  }
  const then = (result as { then?: unknown } | null)?.then;
  if (typeof then === "function") {
    // Observe on the side, so the caller keeps the very promise `fn` returned (and its extra methods).
    (result as PromiseLike<unknown>).then(
      () => s.end(),
      (error: unknown) => {
        s.recordError(error);
        s.end();
      },
    );
  } else {
    s.end();
  }
  return result;
}
