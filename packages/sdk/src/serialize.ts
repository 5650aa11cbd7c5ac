import type { AttributeValue, Attributes } from "./types.js";

/** Longest string kept in an attribute or metadata value; the rest is cut and marked. */
export const MAX_STRING = 16_384;
const MAX_DEPTH = 8;
const MAX_KEYS = 200;

export function truncate(s: string, max: number = MAX_STRING): string {
  return s.length <= max ? s : `${s.slice(0, max)}…[${s.length - max} more]`;
}

/**
 * A JSON-safe copy of any value: cycles, BigInt, functions, symbols, errors, dates, typed arrays and
 * throwing getters are all turned into something `JSON.stringify` takes; never throws.
 */
export function toJsonSafe(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  switch (typeof value) {
    case "string":
      return truncate(value);
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
      const out = obj.slice(0, MAX_KEYS).map((v) => toJsonSafe(v, depth + 1, seen));
      if (obj.length > MAX_KEYS) out.push(`…[${obj.length - MAX_KEYS} more]`);
      return out;
    }
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const key of Object.keys(obj)) {
      if (n++ >= MAX_KEYS) {
        out["…"] = "[more keys]";
        break;
      }
      let v: unknown;
      try {
        v = (obj as Record<string, unknown>)[key];
      } catch {
        v = "[Throws]";
      }
      if (v !== undefined) out[key] = toJsonSafe(v, depth + 1, seen);
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
    return typeof value[0] === "string" ? (value as string[]).map((s) => truncate(s)) : value;
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
