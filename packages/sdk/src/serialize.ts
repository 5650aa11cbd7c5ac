import type { AttributeValue, Attributes } from "./types.js";

/** Longest string kept in an attribute or metadata value; the rest is cut and marked. */
export const MAX_STRING = 16_384;
const MAX_DEPTH = 8;
const MAX_KEYS = 200;
/**
 * What one copy keeps at most by default (metadata): characters, and values (one per 32 characters),
 * whatever the value's shape. A value whose objects reference each other many times over (a DAG, not a
 * cycle) is copied again at every reference, so depth and keys alone would let a few objects expand
 * into millions.
 */
export const MAX_CHARS = 64 * 1024;
const CUT = "…[cut: over the size limit]";

export function truncate(s: string, max: number = MAX_STRING): string {
  return s.length <= max ? s : `${s.slice(0, max)}…[${s.length - max} more]`;
}

interface Budget {
  values: number;
  chars: number;
}

/**
 * A JSON-safe copy of any value: cycles, BigInt, functions, symbols, errors, dates, typed arrays and
 * throwing getters are all turned into something `JSON.stringify` takes; bounded in depth, keys, values
 * and characters, and linear in what it keeps, whatever the shape; never throws.
 */
export function toJsonSafe(value: unknown, maxChars: number = MAX_CHARS): unknown {
  return copy(value, 0, new WeakSet(), { values: Math.ceil(maxChars / 32), chars: maxChars });
}

function copy(value: unknown, depth: number, seen: WeakSet<object>, budget: Budget): unknown {
  budget.values--;
  switch (typeof value) {
    case "string": {
      const kept = truncate(value, Math.max(0, Math.min(MAX_STRING, budget.chars)));
      budget.chars -= Math.min(value.length, MAX_STRING);
      return kept;
    }
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "undefined":
      return null;
    case "function":
      return `[Function ${value.name || "anonymous"}]`;
    case "symbol":
      return value.toString();
  }
  if (value === null) return null;
  const obj = value as object;
  if (seen.has(obj)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Object]";
  seen.add(obj);
  try {
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
    if (obj instanceof Error) return { name: obj.name, message: truncate(String(obj.message)) };
    if (ArrayBuffer.isView(obj)) return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
    if (Array.isArray(obj)) {
      const out: unknown[] = [];
      for (let i = 0; i < obj.length; i++) {
        if (i >= MAX_KEYS) {
          out.push(`…[${obj.length - MAX_KEYS} more]`);
          break;
        }
        if (budget.values <= 0 || budget.chars <= 0) {
          out.push(CUT);
          break;
        }
        out.push(copy(obj[i], depth + 1, seen, budget));
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const key of Object.keys(obj)) {
      if (n++ >= MAX_KEYS) {
        out["…"] = "[more keys]";
        break;
      }
      if (budget.values <= 0 || budget.chars <= 0) {
        out["…"] = CUT;
        break;
      }
      let v: unknown;
      try {
        v = (obj as Record<string, unknown>)[key];
      } catch {
        v = "[Throws]";
      }
      budget.chars -= key.length;
      if (v !== undefined) out[key] = copy(v, depth + 1, seen, budget);
    }
    return out;
  } catch {
    return "[Unserializable]";
  } finally {
    seen.delete(obj);
  }
}

function isPrimitiveArray(v: unknown[]): v is string[] | number[] | boolean[] {
  if (v.length === 0) return true;
  const t = typeof v[0];
  if (t !== "string" && t !== "number" && t !== "boolean") return false;
  return v.every((x) => typeof x === t && (t !== "number" || Number.isFinite(x)));
}

/** An attribute value as OpenTelemetry allows it; other values become JSON text. `undefined` for nothing. */
export function toAttributeValue(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case "string":
      return truncate(value);
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "boolean":
      return value;
    case "undefined":
      return undefined;
  }
  if (value === null) return undefined;
  if (Array.isArray(value) && isPrimitiveArray(value)) {
    const kept = (value.length > MAX_KEYS ? value.slice(0, MAX_KEYS) : value) as
      | string[]
      | number[]
      | boolean[];
    return typeof kept[0] === "string" ? (kept as string[]).map((s) => truncate(s)) : kept;
  }
  try {
    return truncate(JSON.stringify(toJsonSafe(value)));
  } catch {
    return "[Unserializable]";
  }
}

export function setAttributes(target: Attributes, values: Record<string, unknown>): void {
  for (const key of Object.keys(values)) {
    const v = toAttributeValue(values[key]);
    if (v !== undefined) target[key] = v;
  }
}
