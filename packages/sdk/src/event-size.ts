// How big an event is, and how to bring one that is too big under the limit without losing it.
import { ATTR_LUMIQTRACE_TRUNCATED } from "@lumiqtrace/protocol";
import { toJsonSafe } from "./serialize.js";
import type { AttributeValue, SpanEvent } from "./types.js";

/** One event is at most this many characters serialised (a collector takes 5 MiB a request). */
export const MAX_EVENT_CHARS = 1024 * 1024;

function valueLength(v: AttributeValue): number {
  if (typeof v === "string") return v.length;
  if (!Array.isArray(v)) return 12;
  let n = 2;
  for (const x of v) n += typeof x === "string" ? x.length + 3 : 12;
  return n;
}

/** The serialised length of an event, near enough to bound memory, without serialising it. */
export function estimateSize(e: SpanEvent): number {
  let n = 300 + e.name.length;
  const attributes = e.attributes;
  for (const key in attributes) n += key.length + 4 + valueLength(attributes[key]!);
  if (e.metadata !== undefined || e.tags !== undefined) n += jsonLength(e.metadata) + jsonLength(e.tags);
  return n;
}

// Metadata and tags come from one user context and are shared by its spans: measure each object once.
const measured = new WeakMap<object, number>();
function jsonLength(value: object | undefined): number {
  if (value === undefined) return 0;
  let n = measured.get(value);
  if (n === undefined) {
    try {
      n = JSON.stringify(value)?.length ?? 4;
    } catch {
      n = JSON.stringify(toJsonSafe(value, MAX_EVENT_CHARS)).length; // as it will be sent
    }
    measured.set(value, n);
  }
  return n;
}

/**
 * The event under `limit` characters: its largest values (attributes, metadata, tags) replaced by a
 * marker saying how much was cut, largest first, until it fits; the cut keys listed in
 * `lumiqtrace.truncated`. The span itself (name, kind, times, status, error, ids) is always kept. The
 * event given is not changed (its metadata is shared with other spans).
 */
export function trimToLimit(
  e: SpanEvent,
  size: number,
  limit = MAX_EVENT_CHARS,
): { event: SpanEvent; size: number } {
  const parts: { key: string; size: number }[] = [];
  for (const key in e.attributes) parts.push({ key, size: valueLength(e.attributes[key]!) });
  if (e.metadata !== undefined) parts.push({ key: "metadata", size: jsonLength(e.metadata) });
  if (e.tags !== undefined) parts.push({ key: "tags", size: jsonLength(e.tags) });
  parts.sort((a, b) => b.size - a.size);
  const out: SpanEvent = { ...e, attributes: { ...e.attributes } };
  const cut: string[] = [];
  for (const part of parts) {
    if (size <= limit) break;
    const marker = `…[cut: ${part.size} characters, over the event limit]`;
    if (part.key === "metadata") out.metadata = { "…": marker };
    else if (part.key === "tags") out.tags = [];
    else out.attributes[part.key] = marker;
    size -= part.size - marker.length;
    cut.push(part.key);
  }
  out.attributes[ATTR_LUMIQTRACE_TRUNCATED] = cut;
  return { event: out, size: size + 40 + cut.join("").length };
}

/** An event as JSON: as it is when JSON takes it, else its safe copy (bounded by the event limit). */
export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return JSON.stringify(toJsonSafe(value, MAX_EVENT_CHARS));
  }
}
