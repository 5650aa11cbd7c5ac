// Fault injection for ingest requests: lets resilience tests (and curious users) watch an SDK survive
// an outage. A spec applies to every ingest request until cleared, to the next `count` of them, or to
// a random share (`rate`) of them; `count` and `rate` together fault a random share until `count` hit.

export interface FaultSpec {
  /** answer with this status (503, 429, 413, 500, 408, or any other 4xx/5xx) */
  status?: 503 | 429 | 413 | 500 | 408 | (number & {});
  /** `Retry-After` header sent with `status`: seconds */
  retryAfter?: number;
  /** wait this long before answering (combined with `status`, `hang` or `reset`, or alone: then the batch is stored) */
  delayMs?: number;
  /** never answer; the connection stays open until the client gives up or the collector closes */
  hang?: boolean;
  /** destroy the connection (TCP reset) instead of answering */
  reset?: boolean;
  /** fault only the next `count` ingest requests, then clear the spec */
  count?: number;
  /** fault each ingest request with this probability (0..1) */
  rate?: number;
}

export type FaultAction = Pick<FaultSpec, "status" | "retryAfter" | "delayMs" | "hang" | "reset">;

const FIELDS = new Set(["status", "retryAfter", "delayMs", "hang", "reset", "count", "rate"]);

/** Returns the spec unchanged if valid, else throws an Error saying which field is wrong. */
export function checkFaultSpec(spec: unknown): FaultSpec {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new Error("fault spec: expected an object");
  }
  const s = spec as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!FIELDS.has(key)) throw new Error(`fault spec: unknown field ${key}`);
  const isNum = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  if (
    s.status !== undefined &&
    !(Number.isInteger(s.status) && (s.status as number) >= 400 && (s.status as number) <= 599)
  ) {
    throw new Error("fault spec: status must be an HTTP status from 400 to 599");
  }
  if (s.retryAfter !== undefined && !(isNum(s.retryAfter) && (s.retryAfter as number) >= 0)) {
    throw new Error("fault spec: retryAfter must be a number of seconds >= 0");
  }
  if (s.delayMs !== undefined && !(isNum(s.delayMs) && (s.delayMs as number) >= 0)) {
    throw new Error("fault spec: delayMs must be a number >= 0");
  }
  for (const key of ["hang", "reset"]) {
    if (s[key] !== undefined && typeof s[key] !== "boolean")
      throw new Error(`fault spec: ${key} must be a boolean`);
  }
  if (s.count !== undefined && !(Number.isInteger(s.count) && (s.count as number) >= 1)) {
    throw new Error("fault spec: count must be an integer >= 1");
  }
  if (s.rate !== undefined && !(isNum(s.rate) && (s.rate as number) >= 0 && (s.rate as number) <= 1)) {
    throw new Error("fault spec: rate must be a number from 0 to 1");
  }
  if (s.status === undefined && !s.hang && !s.reset && s.delayMs === undefined) {
    throw new Error("fault spec: give at least one of status, delayMs, hang or reset");
  }
  return s as FaultSpec;
}

/** Holds the current spec and decides, per ingest request, which fault (if any) to inject. */
export function createFaults(initial: FaultSpec | null | undefined, random: () => number = Math.random) {
  let spec: FaultSpec | null = null;
  let remaining = 0;
  const set = (next: FaultSpec | null | undefined) => {
    spec = next ? { ...checkFaultSpec(next) } : null;
    remaining = spec?.count ?? Number.POSITIVE_INFINITY;
  };
  set(initial);
  return {
    set,
    get: (): (FaultSpec & { remaining?: number }) | null =>
      spec && (spec.count !== undefined ? { ...spec, remaining } : { ...spec }),
    /** Called once per ingest request; consumes one of `count`. */
    next(): FaultAction | null {
      if (!spec) return null;
      if (spec.rate !== undefined && random() >= spec.rate) return null;
      const { status, retryAfter, delayMs, hang, reset } = spec;
      remaining -= 1;
      if (remaining <= 0) spec = null;
      return { status, retryAfter, delayMs, hang, reset };
    },
  };
}
